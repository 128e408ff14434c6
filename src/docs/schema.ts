/**
 * The JSON Schema of a report (draft-07), built from the registry and the
 * shared constants, so schema/report.schema.json can never list a check id or
 * a startedAs kind the code does not have. scripts/generate-docs.mjs writes
 * it; test/unit/docs.test.ts fails when the file is out of date.
 */
import { CHECK_IDS } from '../checks/index.js';
import { FATE_EVENTS, OUTCOMES, PROFILES, SEVERITIES, STARTED_AS_KINDS, STATUSES, VERDICTS } from '../core/types.js';

export type Schema = Record<string, unknown>;

// The pieces every schema of schema/ is built from (src/watch/schema.ts builds the watch's).
export const str = (extra: Schema = {}): Schema => ({ type: 'string', ...extra });
export const int = (extra: Schema = {}): Schema => ({ type: 'integer', ...extra });
export const orNull = (s: Schema): Schema => ({ anyOf: [s, { type: 'null' }] });
export const arrayOf = (items: Schema): Schema => ({ type: 'array', items });
export const enumOf = (values: readonly string[]): Schema => ({ enum: [...values] });

/** An object with these required keys, these properties, and (closed) nothing else. */
export function obj(required: string[], properties: Schema, closed = true): Schema {
  return { type: 'object', required, properties, ...(closed ? { additionalProperties: false } : {}) };
}

export const processRef = obj(['pid', 'comm'], { pid: int(), comm: str() });
const FD_TYPES = ['char', 'block', 'file', 'dir', 'fifo', 'pipe', 'socket', 'anon', 'unknown'];
const signalList = arrayOf(str({ pattern: '^SIG' }));

const check = obj(['id', 'severity', 'status', 'observed', 'expected', 'detail'], {
  id: enumOf(CHECK_IDS),
  title: str(),
  severity: enumOf(SEVERITIES),
  status: enumOf(STATUSES),
  observed: str(),
  expected: str(),
  detail: str(),
});

const facts = obj(
  [
    'state',
    'ppid',
    'pgid',
    'sid',
    'tpgid',
    'ttyNr',
    'tty',
    'uid',
    'umask',
    'cwd',
    'parent',
    'sessionLeader',
    'fds',
    'signals',
    'locks',
    'zombieChildren',
  ],
  {
    state: str(),
    ppid: int({ minimum: 0 }),
    pgid: int(),
    sid: int(),
    tpgid: int(),
    ttyNr: int(),
    tty: { type: ['string', 'null'] },
    uid: { type: ['integer', 'null'] },
    user: { type: ['string', 'null'] },
    umask: orNull(str({ pattern: '^[0-7]{4}$' })),
    cwd: { type: ['string', 'null'] },
    starttime: str({ pattern: '^[0-9]+$' }),
    threads: int(),
    parent: orNull(processRef),
    sessionLeader: orNull(processRef),
    fds: orNull(
      arrayOf(
        obj(['fd', 'target', 'type', 'cloexec'], {
          fd: int({ minimum: 0 }),
          target: str(),
          type: enumOf(FD_TYPES),
          cloexec: { type: ['boolean', 'null'] },
        }),
      ),
    ),
    fdCount: { type: ['integer', 'null'] },
    signals: orNull(
      obj(['blocked', 'ignored', 'caught'], { blocked: signalList, ignored: signalList, caught: signalList }),
    ),
    locks: orNull(
      arrayOf(
        obj(
          ['kind', 'mode', 'fd', 'path'],
          {
            kind: str(),
            mode: str(),
            fd: { type: ['integer', 'null'] },
            path: { type: ['string', 'null'] },
            lockPid: int(),
            dev: str({ pattern: '^[0-9]+:[0-9]+$' }),
            ino: int(),
          },
          false,
        ),
      ),
    ),
    zombieChildren: arrayOf(processRef),
    children: arrayOf(processRef),
    ancestry: arrayOf(
      obj(
        ['pid', 'comm', 'sid', 'pgid', 'tty'],
        { pid: int(), comm: str(), sid: int(), pgid: int(), tty: { type: ['string', 'null'] } },
        false,
      ),
    ),
    unreadable: { type: 'object', additionalProperties: str() },
    limits: arrayOf(str()),
    exe: { type: ['string', 'null'] },
    session: obj(['sid', 'leader', 'tty', 'foregroundGroup', 'groups', 'moreGroups', 'auditor'], {
      sid: int(),
      leader: orNull(processRef),
      tty: { type: ['string', 'null'] },
      foregroundGroup: { type: ['integer', 'null'] },
      auditor: {
        type: ['integer', 'null'],
        description:
          'the daemon-check process that made the report, when it is a member of this session (the CLI run from that terminal)',
      },
      groups: arrayOf(
        obj(['pgid', 'members', 'moreMembers'], {
          pgid: int(),
          members: arrayOf(processRef),
          moreMembers: int({ minimum: 0 }),
        }),
      ),
      moreGroups: int({ minimum: 0 }),
    }),
    titleRewritten: { type: 'boolean' },
  },
  false,
);

const fateEntry = obj(['outcome', 'why'], { outcome: enumOf(OUTCOMES), why: str(), by: str(), unless: str() });
const fate = obj(
  [...FATE_EVENTS],
  Object.fromEntries(FATE_EVENTS.map((e) => [e, { $ref: '#/definitions/fateEntry' }])),
);

const report = obj(
  [
    'schemaVersion',
    'pid',
    'comm',
    'cmdline',
    'profile',
    'profileReason',
    'verdict',
    'startedAs',
    'fate',
    'checks',
    'facts',
    'remediation',
  ],
  {
    schemaVersion: { const: 1 },
    pid: int({ minimum: 1 }),
    comm: str(),
    cmdline: orNull(arrayOf(str())),
    user: { type: ['string', 'null'] },
    profile: enumOf(PROFILES),
    profileReason: str(),
    verdict: enumOf(VERDICTS),
    startedAs: obj(['kind', 'detail'], { kind: enumOf(STARTED_AS_KINDS), detail: str() }),
    fate: { $ref: '#/definitions/fate' },
    checks: arrayOf({ $ref: '#/definitions/check' }),
    facts: { $ref: '#/definitions/facts' },
    remediation: arrayOf(str()),
    requireFailed: arrayOf(enumOf(CHECK_IDS)),
    procRoot: str(),
    pidfile: { type: ['string', 'null'] },
    auditedAt: str({ format: 'date-time' }),
  },
  false,
);

export function reportSchema(): Schema {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'urn:daemon-check:report:1',
    title: 'daemon-check report (schemaVersion 1)',
    description: 'One audit (daemon-check PID --json), or several ({schemaVersion, reports}) for --name.',
    definitions: { check, facts, fateEntry, fate, report },
    oneOf: [
      { $ref: '#/definitions/report' },
      obj(['schemaVersion', 'reports'], {
        schemaVersion: { const: 1 },
        reports: arrayOf({ $ref: '#/definitions/report' }),
      }),
    ],
  };
}

/** The file's text: two-space JSON and a final newline, as it is committed. */
export function reportSchemaText(): string {
  return JSON.stringify(reportSchema(), null, 2) + '\n';
}
