import { defineCheck } from './check.js';
import { processLabel } from '../context.js';

export const detachedParent = defineCheck({
  id: 'detached-parent',
  title: 'Parent is init, a supervisor or a daemon',
  passWhen: 'the parent is init, a supervisor, or another daemon (not a shell, terminal or CI step)',
  severity: 'critical',
  rationale:
    'A shell, terminal or CI step that started the process will wait for it, signal it, or take it down when the step or session ends. The classic fork leaves it an orphan adopted by init, which does neither.',
  evidence: '/proc/PID/stat field 4 (ppid); the parent\'s stat, comm and cmdline.',
  fix: 'Fork and let the parent exit (daemon-check run does this twice), or run it under a supervisor.',
  needs: ['stat', 'parent', 'ancestors'],
  evaluate(snap, ctx) {
    const ppid = snap.stat.ppid;
    if (ppid === 0) return { status: 'pass', observed: 'none (ppid 0)', expected: 'init or a supervisor', detail: 'it is the root of its pid namespace' };
    const parent = snap.parent;
    // pid 1 is init by definition, even when hidepid or a pid namespace hides its stat.
    if (ppid === 1 && !parent) return { status: 'pass', observed: 'init (1)', expected: 'init or a supervisor', detail: 'orphaned to init: nobody waits for it' };
    if (!parent) {
      return { status: 'unknown', observed: `ppid ${ppid}, not found`, expected: 'init or a supervisor', detail: `parent ${ppid} vanished while it was being read` };
    }
    const who = processLabel(parent);
    switch (ctx.parentKind) {
      case 'init':
        return { status: 'pass', observed: `init ${who}`, expected: 'init or a supervisor', detail: 'orphaned to init: nobody waits for it' };
      case 'supervisor':
        return { status: 'pass', observed: `supervisor ${who}`, expected: 'init or a supervisor', detail: `${who} supervises it` };
      case 'shell':
        return { status: 'fail', observed: `shell ${who}`, expected: 'init or a supervisor', detail: `its parent is the shell ${who}, which waits for it, forwards SIGHUP to it and is taken down with the terminal` };
      case 'terminal':
        return { status: 'fail', observed: `terminal ${who}`, expected: 'init or a supervisor', detail: `its parent ${who} owns a terminal session` };
      case 'job-runner':
        return { status: 'fail', observed: `job runner ${who}`, expected: 'init or a supervisor', detail: `its parent ${who} is a build or CI step that waits for (or kills) its children` };
      default:
        break;
    }
    if (ctx.parentIsDaemon) {
      return { status: 'pass', observed: `daemon ${who}`, expected: 'init or a supervisor', detail: `${who} is itself detached: a worker of another daemon` };
    }
    if (parent.stat.ttyNr !== 0) {
      return { status: 'fail', observed: `${who} on ${parent.tty}`, expected: 'init or a supervisor', detail: `its parent ${who} runs on the terminal ${parent.tty}` };
    }
    return {
      status: 'fail',
      observed: `${who}`,
      expected: 'init or a supervisor',
      detail: `its parent ${who} is in a login or job session (session ${parent.stat.session}), not detached`,
    };
  },
});
