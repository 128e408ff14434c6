import { defineCheck } from './check.js';
import type { CheckOutcome } from './check.js';
import type { CheckContext } from './check.js';
import type { RelatedProcess } from '../snapshot/types.js';
import { processLabel } from '../core/words.js';
import { describeErrno } from '../core/errors.js';
import { outcomeClause } from '../fate/clauses.js';
import { shellInfo } from '../fate/shell.js';

const EXPECTED = 'init or a supervisor';

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
  evaluate(snap, ctx) {
    const ppid = snap.stat.ppid;
    if (ppid === 0)
      return {
        status: 'pass',
        observed: 'none (ppid 0)',
        expected: EXPECTED,
        detail: 'it is the root of its pid namespace',
      };
    const parent = snap.parent;
    // pid 1 is init by definition, even when hidepid or a pid namespace hides its stat.
    if (ppid === 1 && !parent)
      return {
        status: 'pass',
        observed: 'init (1)',
        expected: EXPECTED,
        detail: 'orphaned to init: nobody waits for it',
      };
    if (!parent) {
      const errno = snap.unreadable.parent;
      const why = errno
        ? `parent ${ppid} could not be read: ${describeErrno(errno, snap.auditorUid === 0)}`
        : `parent ${ppid} vanished while it was being read`;
      return { status: 'unknown', observed: `ppid ${ppid}, not read`, expected: EXPECTED, detail: why };
    }
    const who = processLabel(parent);
    switch (ctx.parentKind) {
      case 'init':
        return {
          status: 'pass',
          observed: `init ${who}`,
          expected: EXPECTED,
          detail: 'orphaned to init: nobody waits for it',
        };
      case 'supervisor':
        return { status: 'pass', observed: `supervisor ${who}`, expected: EXPECTED, detail: `${who} supervises it` };
      case 'shell':
        return shellParent(parent, who, ctx);
      case 'terminal':
        return {
          status: 'fail',
          observed: `terminal ${who}`,
          expected: EXPECTED,
          detail: `its parent ${who} owns a terminal session and takes its children with it when it ends`,
        };
      case 'job-runner':
        return {
          status: 'fail',
          observed: `job runner ${who}`,
          expected: EXPECTED,
          detail: `its parent ${who} is a build or CI step that waits for (or kills) its children`,
        };
      default:
        break;
    }
    if (ctx.parentIsDaemon)
      return {
        status: 'pass',
        observed: `daemon ${who}`,
        expected: EXPECTED,
        detail: `${who} is itself detached: a worker of another daemon`,
      };
    if (parent.stat.ttyNr !== 0)
      return {
        status: 'fail',
        observed: `${who} on ${parent.tty}`,
        expected: EXPECTED,
        detail: `its parent ${who} runs on the terminal ${parent.tty}`,
      };
    return {
      status: 'fail',
      observed: `${who}`,
      expected: EXPECTED,
      detail: `its parent ${who} is in a login or job session (session ${parent.stat.session}), not detached`,
    };
  },
});

/** A shell parent: interactive (keeps it as a job), a job step's, or a script's. */
function shellParent(parent: RelatedProcess, who: string, ctx: CheckContext): CheckOutcome {
  const sh = shellInfo(parent.pid, parent.comm, parent.cmdline, parent.stat.ttyNr !== 0);
  if (sh?.interactive) {
    return {
      status: 'fail',
      observed: `interactive shell ${who}`,
      expected: EXPECTED,
      detail: `its parent is the interactive shell ${who}, which keeps it as a job: ${outcomeClause('hangup', ctx.fate.hangup)}, and ${outcomeClause('shell-exit', ctx.fate['shell-exit'])}`,
    };
  }
  if (ctx.session.kind === 'job-step') {
    return {
      status: 'fail',
      observed: `shell ${who} in a job step`,
      expected: EXPECTED,
      detail: `its parent is the shell ${who} of the job step ${ctx.session.keeper ? processLabel(ctx.session.keeper) : ''}: the runner kills the step's processes when the step ends`,
    };
  }
  return {
    status: 'warn',
    observed: `script ${who}`,
    expected: EXPECTED,
    detail: `its parent is the non-interactive shell ${who} (a script): it neither waits for nor signals its background jobs, and this one is orphaned to init when the script ends`,
  };
}
