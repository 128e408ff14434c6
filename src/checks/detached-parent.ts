import { defineCheck, hangupSpared } from './check.js';
import type { CheckOutcome } from './check.js';
import type { CheckContext } from './check.js';
import type { RelatedProcess } from '../snapshot/types.js';
import { processLabel } from '../core/words.js';
import { describeErrno } from '../core/errors.js';
import { outcomeClause } from '../fate/clauses.js';
import { shellInfo } from '../fate/shell.js';

const EXPECTED = 'init or a supervisor';

const MESSAGES = {
  namespaceRoot: 'it is the root of its pid namespace',
  init: 'orphaned to init: nobody waits for it',
  parentUnreadable: 'parent {{ppid}} could not be read: {{reason}}',
  parentVanished: 'parent {{ppid}} vanished while it was being read',
  supervisor: '{{who}} supervises it',
  terminal: 'its parent {{who}} owns a terminal session and takes its children with it when it ends',
  jobRunner: 'its parent {{who}} is a build or CI step that waits for (or kills) its children',
  daemon: '{{who}} is itself detached: a worker of another daemon',
  onTerminal: 'its parent {{who}} runs on the terminal {{tty}}',
  inSession: 'its parent {{who}} is in a login or job session (session {{session}}), not detached',
  interactiveShell:
    'its parent is the interactive shell {{who}}, which keeps it as a job: {{hangup}}, and {{shellExit}}',
  interactiveShellSpared:
    'its parent is the interactive shell {{who}}, which keeps it as a job: the job control of that shell (kill %N, fg) still reaches it',
  jobStepShell:
    "its parent is the shell {{who}} of the job step {{keeper}}: the runner kills the step's processes when the step ends",
  script:
    'its parent is the non-interactive shell {{who}} (a script): it neither waits for nor signals its background jobs, and this one is orphaned to init when the script ends',
} as const;

export const detachedParent = defineCheck({
  id: 'detached-parent',
  title: 'Parent is init, a supervisor or a daemon',
  passWhen:
    'the parent is init, a supervisor, or another daemon; an interactive shell, a terminal or a CI step fails, a script warns',
  severity: 'critical',
  rationale:
    'An interactive shell keeps its background jobs in a job table and passes a hangup on to them; a terminal program or a CI job step takes its children down when it ends. A script neither waits nor signals, but leaves the job in its session until it ends. The classic fork leaves the daemon an orphan adopted by init, which does none of this.',
  evidence:
    "/proc/PID/stat field 4 (ppid); the parent's stat, comm and argv (an interactive shell has no -c and no script operand).",
  fix: 'Fork and let the parent exit (daemon-check run does this twice), or run it under a supervisor.',
  needs: ['stat', 'parent', 'ancestors'],
  messages: MESSAGES,
  evaluate(snap, ctx) {
    const ppid = snap.stat.ppid;
    if (ppid === 0)
      return { status: 'pass', observed: 'none (ppid 0)', expected: EXPECTED, messageId: 'namespaceRoot' };
    const parent = snap.parent;
    // pid 1 is init by definition, even when hidepid or a pid namespace hides its stat.
    if (ppid === 1 && !parent) return { status: 'pass', observed: 'init (1)', expected: EXPECTED, messageId: 'init' };
    if (!parent) {
      const errno = snap.unreadable.parent;
      const why = errno
        ? ({
            messageId: 'parentUnreadable',
            data: { ppid, reason: describeErrno(errno, snap.auditorUid === 0) },
          } as const)
        : ({ messageId: 'parentVanished', data: { ppid } } as const);
      return { status: 'unknown', observed: `ppid ${ppid}, not read`, expected: EXPECTED, ...why };
    }
    const who = processLabel(parent);
    switch (ctx.parentKind) {
      case 'init':
        return {
          status: 'pass',
          observed: `init ${who}`,
          expected: EXPECTED,
          messageId: 'init',
        };
      case 'supervisor':
        return {
          status: 'pass',
          observed: `supervisor ${who}`,
          expected: EXPECTED,
          messageId: 'supervisor',
          data: { who },
        };
      case 'shell':
        return shellParent(parent, who, ctx);
      case 'terminal':
        return {
          status: 'fail',
          observed: `terminal ${who}`,
          expected: EXPECTED,
          messageId: 'terminal',
          data: { who },
        };
      case 'job-runner':
        return {
          status: 'fail',
          observed: `job runner ${who}`,
          expected: EXPECTED,
          messageId: 'jobRunner',
          data: { who },
        };
      default:
        break;
    }
    if (ctx.parentIsDaemon)
      return {
        status: 'pass',
        observed: `daemon ${who}`,
        expected: EXPECTED,
        messageId: 'daemon',
        data: { who },
      };
    if (parent.stat.ttyNr !== 0)
      return {
        status: 'fail',
        observed: `${who} on ${parent.tty}`,
        expected: EXPECTED,
        messageId: 'onTerminal',
        data: { who, tty: String(parent.tty) },
      };
    return {
      status: 'fail',
      observed: `${who}`,
      expected: EXPECTED,
      messageId: 'inSession',
      data: { who, session: parent.stat.session },
    };
  },
});

/** A shell parent: interactive (keeps it as a job), a job step's, or a script's. */
function shellParent(parent: RelatedProcess, who: string, ctx: CheckContext): CheckOutcome<typeof MESSAGES> {
  const sh = shellInfo(parent.pid, parent.comm, parent.cmdline, parent.stat.ttyNr !== 0);
  if (sh?.interactive) {
    // The risks are the hangup and the shell's exit: where the fate model says both spare it, the tie is a warning.
    if (hangupSpared(ctx) && ctx.fate['shell-exit'].outcome === 'lives')
      return {
        status: 'warn',
        observed: `interactive shell ${who}`,
        expected: EXPECTED,
        messageId: 'interactiveShellSpared',
        data: { who },
      };
    return {
      status: 'fail',
      observed: `interactive shell ${who}`,
      expected: EXPECTED,
      messageId: 'interactiveShell',
      data: {
        who,
        hangup: outcomeClause('hangup', ctx.fate.hangup),
        shellExit: outcomeClause('shell-exit', ctx.fate['shell-exit']),
      },
    };
  }
  if (ctx.session.kind === 'job-step') {
    return {
      status: 'fail',
      observed: `shell ${who} in a job step`,
      expected: EXPECTED,
      messageId: 'jobStepShell',
      data: { who, keeper: ctx.session.keeper ? processLabel(ctx.session.keeper) : '' },
    };
  }
  return {
    status: 'warn',
    observed: `script ${who}`,
    expected: EXPECTED,
    messageId: 'script',
    data: { who },
  };
}
