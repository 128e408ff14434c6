import { defineCheck, unknownBecause } from './check.js';
import { mountFor } from '../proc/mountinfo.js';

export const cwdCheck = defineCheck({
  id: 'cwd',
  title: 'Working directory is /',
  passWhen: 'working directory `/` (or `--expect-cwd`)',
  severity: 'warning',
  rationale:
    'A process keeps its working directory busy: a daemon that stays in the directory it was started from pins that file system (umount says "target is busy") and keeps a deleted directory alive. chdir("/") releases it.',
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
