/**
 * A check is metadata plus one pure function (ESLint's rule shape): `explain`,
 * the table, JUnit, the generated docs and scan all read the same metadata.
 * `needs` names the facts `evaluate` reads; scan uses it to tell which checks
 * the process table alone can decide. `evaluate` reports its row's detail as
 * `{ messageId, data }` over the check's `messages`; judge() renders the text
 * (renderDetail) into the report's row, and returns the ids and data beside
 * the rows (Judgement.messages), so the JSON report gains no field.
 */
import type { ProgramKind } from '../classify.js';
import type { ProfileName, Severity, Status } from '../core/types.js';
import type { Fate, SessionView } from '../fate/index.js';
import type { PeerHolder, Snapshot } from '../snapshot/types.js';
import { describeErrno } from '../core/errors.js';

/**
 * Facts derived once from a Snapshot (deriveContext, src/context.ts) and shared
 * by the checks and the diagnosis.
 */
export interface CheckContext {
  /** What each event does to it (src/fate): every sentence about signals reads its story from here. */
  fate: Fate;
  session: SessionView;
  profile: ProfileName;
  options: CheckOptions;
  parentKind: ProgramKind | null;
  leaderKind: ProgramKind | null;
  /** The parent is itself detached (no tty, not a shell, not in a terminal session). */
  parentIsDaemon: boolean;
  /** The process's session belongs to no terminal login: it leads it, the leader is gone, or the leader is a daemon. */
  daemonSession: boolean;
  /** Whether a process holding one of our pipes/sockets is part of the daemon itself. */
  isInside(pid: number): boolean;
  /** A holder whose end of our stdio pipe is there by design: a log collector, a supervisor or init. */
  isLogReader(holder: PeerHolder): boolean;
}

/** The facts of a Snapshot a check can read. */
export type Fact =
  | 'stat'
  | 'status'
  | 'cmdline'
  | 'environ'
  | 'cwd'
  | 'mounts'
  | 'fds'
  | 'peers'
  | 'locks'
  | 'pidfile'
  | 'parent'
  | 'sessionLeader'
  | 'ancestors'
  | 'children'
  | 'sockets'
  | 'cgroup'
  | 'host';

/** What a table-scope snapshot (scan's first pass) reads: stat, status, cmdline and the table. */
export const TABLE_FACTS: ReadonlySet<Fact> = new Set<Fact>([
  'stat',
  'status',
  'cmdline',
  'parent',
  'sessionLeader',
  'ancestors',
  'children',
]);

/** The audit options a check reads (they change what passes); AuditOptions (src/audit-types.ts) extends them. */
export interface CheckOptions {
  expectUmask?: number;
  expectCwd?: string;
  pidfile?: string;
}

export type CheckOption = keyof CheckOptions;

/**
 * A check's texts, by id (ESLint's meta.messages): `{{field}}` is replaced by
 * data[field]. A check reports `{ messageId, data }`, never English, so its
 * tests assert the id and the fields, and the wording lives in one table.
 */
export type Messages = Readonly<Record<string, string>>;

/** The fields a template names: 'umask {{got}}; expected {{want}}' -> 'got' | 'want'. */
export type FieldsOf<T extends string> = T extends `${string}{{${infer F}}}${infer Rest}` ? F | FieldsOf<Rest> : never;

/**
 * A field's value: text, a number, or a list of messages of the same check,
 * each rendered and joined with '; ' (an empty list renders as nothing, so a
 * list of zero or one item is an optional clause).
 */
export type DataValue = string | number | readonly MessageRef[];

/** A message id with its data: what evaluate() reports, and what tests assert. */
export interface MessageRef {
  messageId: string;
  data?: Readonly<Record<string, DataValue>>;
}

/**
 * The messages of M as a union, each id with exactly its template's fields;
 * a message without fields needs no data. An id not in M, or a missing
 * field, is a compile error in the check that reports it.
 */
export type Said<M extends Messages> = {
  [K in keyof M & string]: [FieldsOf<M[K]>] extends [never]
    ? { messageId: K; data?: Readonly<Record<string, never>> }
    : { messageId: K; data: Readonly<Record<FieldsOf<M[K]>, string | number | readonly Said<M>[]>> };
}[keyof M & string];

/** Messages every check may report: evidence that could not be read, and judge's own skip rows. */
export const COMMON_MESSAGES = {
  unreadable: '{{fact}}: {{reason}}',
  ignored: 'ignored with --ignore',
  managedSkip: 'not applicable under the managed profile: a supervised service leads its own session by design',
} as const;

type OutcomeOf<M extends Messages> = string extends keyof M ? MessageRef : Said<M> | Said<typeof COMMON_MESSAGES>;

/** What evaluate() returns: the row's facts, and its detail as a message id with data. */
export type CheckOutcome<M extends Messages = Messages> = OutcomeOf<M> & {
  status: Status;
  observed: string;
  expected: string;
  /** Some rows change weight with the options (single-instance with --pidfile). */
  severity?: Severity;
};

export interface Check<Id extends string = string> {
  id: Id;
  title: string;
  /** When it passes, in a few words (the README's table). */
  passWhen: string;
  severity: Severity;
  /** How the severity changes with the options, when it does. */
  severityNote?: string;
  /** Why the rule exists. */
  rationale: string;
  /** Where in /proc the evidence comes from. */
  evidence: string;
  /** What to change when it does not pass. */
  fix: string;
  /** Skipped under the managed profile. */
  sysvOnly?: boolean;
  /** Who fixes a miss: how the program is launched (the default; a manager's setting does it), or the program itself. */
  fixedBy?: 'launch' | 'program';
  needs: readonly Fact[];
  options?: readonly CheckOption[];
  /** The texts of its rows' detail, by id; rendered by renderDetail. */
  messages: Messages;
  evaluate(snap: Snapshot, ctx: CheckContext): CheckOutcome;
}

/** A check as written: its outcomes are checked against its own messages (ids and fields). */
export interface CheckDefinition<Id extends string, M extends Messages> extends Omit<
  Check<Id>,
  'messages' | 'evaluate'
> {
  messages: M;
  evaluate(snap: Snapshot, ctx: CheckContext): CheckOutcome<NoInfer<M>>;
}

/** Keeps the id's and the messages' literal types: CheckId derives from the registry, and each outcome is checked against its messages. */
export function defineCheck<const Id extends string, const M extends Messages>(
  check: CheckDefinition<Id, M>,
): Check<Id> {
  return check;
}

/**
 * Whether the fate model rules out the risk of a tie to a login's terminal:
 * the hangup spares it (`lives`, never `unknown`), and the terminal is a
 * login's, named, and not a multiplexer's pty (closing a pane is a hangup the login
 * model does not cover). The tie checks then warn instead of failing, so no
 * row calls a harmless fact critical (docs/checklist.md, "Severity, status,
 * verdict").
 */
export function hangupSpared(ctx: CheckContext): boolean {
  const v = ctx.session;
  return ctx.fate.hangup.outcome === 'lives' && v.kind === 'login-terminal' && v.tty !== null && !v.multiplexer;
}

/** The row for evidence that could not be read: never a pass. */
export function unknownBecause(snap: Snapshot, fact: string, expected: string): CheckOutcome<typeof COMMON_MESSAGES> {
  const errno = snap.unreadable[fact] ?? 'EIO';
  return {
    status: 'unknown',
    observed: `${fact} unreadable (${errno})`,
    expected,
    messageId: 'unreadable',
    data: { fact, reason: describeErrno(errno, snap.auditorUid === 0) },
  };
}

/** A template split once into its text and its field names (odd indexes). */
const compiled = new Map<string, readonly string[]>();

function partsOf(template: string): readonly string[] {
  let parts = compiled.get(template);
  if (!parts) {
    parts = template.split(/\{\{(\w+)\}\}/);
    compiled.set(template, parts);
  }
  return parts;
}

/**
 * The one place a detail's English is made: messages[messageId] (or a common
 * message) with each {{field}} replaced by its data. judge() calls it for
 * every row; the report keeps only the text, and judge returns the id and
 * data beside the rows (Judgement.messages) for tests.
 */
export function renderDetail(messages: Messages, said: MessageRef): string {
  const template = messages[said.messageId] ?? (COMMON_MESSAGES as Messages)[said.messageId];
  if (template === undefined) throw new Error(`no message '${said.messageId}'`);
  const parts = partsOf(template);
  let out = parts[0]!;
  for (let i = 1; i < parts.length; i += 2) {
    const field = parts[i]!;
    const value = said.data?.[field];
    if (value === undefined) throw new Error(`message '${said.messageId}' has no data for {{${field}}}`);
    out +=
      (typeof value === 'object' ? value.map((m) => renderDetail(messages, m)).join('; ') : String(value)) +
      parts[i + 1]!;
  }
  return out;
}
