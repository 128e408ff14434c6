import type { Check } from './check.js';
import { unknownBecause } from './check.js';

export const worldWritableFiles: Check = {
  id: 'world-writable-files',
  title: 'No world-writable files open',
  severity: 'warning',
  rationale:
    'umask(0) makes open(path, O_CREAT, 0666) create a file anyone can rewrite. A pidfile that any user can write lets them point the next `kill $(cat pidfile)` at any process; a writable log lets them forge it.',
  evidence: 'stat() of every /proc/PID/fd/N that is a regular file.',
  fix: 'Create files with an explicit mode (0644 for a pidfile, 0640 for logs) or chmod them; keep umask(0) only if every open() names its mode.',
  evaluate(snap) {
    if (!snap.fds) return unknownBecause(snap, 'fds', 'no world-writable files');
    const files = snap.fds.filter((f) => f.type === 'file' && f.mode !== null);
    const bad = files.filter((f) => (f.mode! & 0o002) !== 0);
    if (bad.length === 0) {
      return { status: 'pass', observed: `${files.length} regular file(s), none o+w`, expected: 'no world-writable files', detail: 'no open regular file is writable by others' };
    }
    return {
      status: 'warn',
      observed: bad.map((f) => `fd ${f.fd} ${(f.mode! & 0o7777).toString(8)}`).join(', '),
      expected: 'no world-writable files',
      detail: bad.map((f) => `${f.target} is mode ${(f.mode! & 0o7777).toString(8).padStart(4, '0')}: any user can rewrite it`).join('; '),
    };
  },
};
