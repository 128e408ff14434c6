import { defineCheck, unknownBecause } from './check.js';
import { workdirUses } from './workdir.js';
import { mountFor } from '../proc/mountinfo.js';

export const cwdCheck = defineCheck({
  id: 'cwd',
  title: 'Working directory is /',
  passWhen: 'working directory `/`, or one its arguments or open files lean on (or `--expect-cwd`)',
  severity: 'warning',
  rationale:
    'A process keeps its working directory busy: a daemon that stays in the directory it was started from pins that file system (umount says "target is busy") and keeps a deleted directory alive. chdir("/") releases it. A program that reads its script, module or data by relative path (`python3 app.py`, `gunicorn wsgi:app`) must keep the directory it was started in: there it is its working data.',
  evidence: 'readlink /proc/PID/cwd, and /proc/PID/mountinfo for the mount holding it.',
  fix: 'chdir("/") after forking (or to the directory given with --expect-cwd); daemon-check run --chdir DIR.',
  needs: ['cwd', 'mounts'],
  options: ['expectCwd'],
  messages: {
    deleted: 'the working directory has been deleted: it still pins its file system',
    otherDirectory: 'working directory {{cwd}}',
    otherMount: 'working directory {{cwd}}; it is on the mount {{mountPoint}} ({{fsType}}), which it keeps busy',
    expectedDirectory: 'the expected working directory',
    root: 'the root directory pins no mount',
    workingData: 'working directory {{cwd}} is its working data ({{uses}}): it must run there, not in /',
  },
  evaluate(snap, ctx) {
    const want = ctx.options.expectCwd ?? '/';
    if (snap.cwd === null) return unknownBecause(snap, 'cwd', want);
    const cwd = snap.cwd;
    if (cwd.endsWith(' (deleted)')) {
      return {
        status: 'warn',
        observed: cwd,
        expected: want,
        messageId: 'deleted',
      };
    }
    // Without --expect-cwd, a directory its arguments or open files lean on is its working data: / would break it.
    const uses = ctx.options.expectCwd === undefined && cwd !== '/' ? workdirUses(snap) : [];
    if (uses.length)
      return {
        status: 'pass',
        observed: cwd,
        expected: '/, or its working data',
        messageId: 'workingData',
        data: { cwd, uses: uses.join(', ') },
      };
    if (cwd !== want) {
      const mount = snap.mounts ? mountFor(snap.mounts, cwd) : undefined;
      const where =
        mount && mount.mountPoint !== '/'
          ? ({ messageId: 'otherMount', data: { cwd, mountPoint: mount.mountPoint, fsType: mount.fsType } } as const)
          : ({ messageId: 'otherDirectory', data: { cwd } } as const);
      return { status: 'warn', observed: cwd, expected: want, ...where };
    }
    if (want !== '/') return { status: 'pass', observed: cwd, expected: want, messageId: 'expectedDirectory' };
    return { status: 'pass', observed: cwd, expected: want, messageId: 'root' };
  },
});
