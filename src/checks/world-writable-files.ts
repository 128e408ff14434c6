import { defineCheck, unknownBecause } from './check.js';
import { formatMode, isWorldWritable } from '../core/mode.js';

export const worldWritableFiles = defineCheck({
  id: 'world-writable-files',
  title: 'No world-writable files open',
  passWhen: 'no world-writable regular file open',
  severity: 'warning',
  rationale:
    'umask(0) makes open(path, O_CREAT, 0666) create a file anyone can rewrite. A pidfile that any user can write lets them point the next `kill $(cat pidfile)` at any process; a writable log lets them forge it.',
  evidence: 'stat() of every /proc/PID/fd/N that is a regular file.',
  fix: 'Create files with an explicit mode (0644 for a pidfile, 0640 for logs) or chmod them; keep umask(0) only if every open() names its mode.',
  fixedBy: 'program',
  needs: ['fds'],
  messages: {
    notStatted: 'the mode of {{fds}} could not be read (stat() through the fd failed)',
    none: 'no open regular file is writable by others',
    worldWritable: '{{target}} is mode {{mode}}: any user can rewrite it',
    files: '{{files}}',
  },
  evaluate(snap) {
    if (!snap.fds) return unknownBecause(snap, 'fds', 'no world-writable files');
    const files = snap.fds.filter((f) => f.type === 'file' && f.mode !== null);
    const bad = files.filter((f) => isWorldWritable(f.mode!));
    // A file whose stat() failed (type guessed from its path) cannot be vouched for.
    const unseen = snap.fds.filter((f) => f.type === 'file' && f.mode === null);
    if (bad.length === 0 && unseen.length) {
      return {
        status: 'unknown',
        observed: `${unseen.length} file(s) not stat()ed`,
        expected: 'no world-writable files',
        messageId: 'notStatted',
        data: {
          fds: unseen
            .slice(0, 5)
            .map((f) => `fd ${f.fd} ${f.target}`)
            .join(', '),
        },
      };
    }
    if (bad.length === 0) {
      return {
        status: 'pass',
        observed: `${files.length} regular file(s), none o+w`,
        expected: 'no world-writable files',
        messageId: 'none',
      };
    }
    return {
      status: 'warn',
      observed: bad.map((f) => `fd ${f.fd} ${(f.mode! & 0o7777).toString(8)}`).join(', '),
      expected: 'no world-writable files',
      messageId: 'files',
      data: {
        files: bad.map((f) => ({
          messageId: 'worldWritable' as const,
          data: { target: f.target, mode: formatMode(f.mode!) },
        })),
      },
    };
  },
});
