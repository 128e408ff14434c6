import { defineCheck, unknownBecause } from './check.js';
import { workdirUses } from '../diagnose/workdir.js';
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
  evaluate(snap, ctx) {
    const want = ctx.options.expectCwd ?? '/';
    if (snap.cwd === null) return unknownBecause(snap, 'cwd', want);
    const cwd = snap.cwd;
    if (cwd.endsWith(' (deleted)')) {
      return {
        status: 'warn',
        observed: cwd,
        expected: want,
        detail: 'the working directory has been deleted: it still pins its file system',
      };
    }
    // Without --expect-cwd, a directory its arguments or open files lean on is its working data: / would break it.
    const uses = ctx.options.expectCwd === undefined && cwd !== '/' ? workdirUses(snap) : [];
    if (uses.length)
      return {
        status: 'pass',
        observed: cwd,
        expected: '/, or its working data',
        detail: `working directory ${cwd} is its working data (${uses.join(', ')}): it must run there, not in /`,
      };
    if (cwd !== want) {
      const mount = snap.mounts ? mountFor(snap.mounts, cwd) : undefined;
      const onOther =
        mount && mount.mountPoint !== '/'
          ? `; it is on the mount ${mount.mountPoint} (${mount.fsType}), which it keeps busy`
          : '';
      return { status: 'warn', observed: cwd, expected: want, detail: `working directory ${cwd}${onOther}` };
    }
    if (want !== '/')
      return { status: 'pass', observed: cwd, expected: want, detail: 'the expected working directory' };
    return { status: 'pass', observed: cwd, expected: want, detail: 'the root directory pins no mount' };
  },
});
