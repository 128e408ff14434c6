import { defineCheck, unknownBecause, type Said } from './check.js';
import { holdersText, outsideHolders } from './peers.js';

const NAMES = ['stdin', 'stdout', 'stderr'];

const MESSAGES = {
  detached: 'fds 0-2 are open and none is a terminal',
  problems: '{{problems}}',
  closed: '{{name}} (fd {{fd}}) is closed: the next file opened becomes fd {{fd}}',
  garbled: '{{name}} (fd {{fd}}) links to {{target}}, which is neither a path nor a kernel object',
  terminal: '{{name}} is the terminal {{target}}',
  heldOutside:
    '{{name}} is {{target}}, also held by {{holders}}, outside its own tree and no log collector: a reader there waits for an end of file that never comes while this process lives, and once that reader is gone the next write raises SIGPIPE',
  deleted: '{{name}} is a deleted file {{target}}',
} as const;

export const stdioDetached = defineCheck({
  id: 'stdio-detached',
  title: 'stdin, stdout and stderr detached from the terminal',
  passWhen: 'fds 0-2 are open and none is a terminal; a pipe held by the launching shell warns',
  severity: 'critical',
  rationale:
    'Writing to a terminal that has gone away fails with EIO or raises SIGHUP/SIGPIPE, and reading from one stops a background process with SIGTTIN. A closed fd 0-2 is a trap too: the next open() takes the lowest free number and becomes "stdout". A pipe whose other end the launching shell or CI runner holds keeps that launcher waiting for an EOF that never comes.',
  evidence:
    'readlink /proc/PID/fd/0..2, stat of the targets against /proc/tty/drivers, and other processes holding the same pipe or socket.',
  fix: 'Reopen fds 0, 1 and 2 on /dev/null (or a log file, or a logger socket) after the fork: daemon-check run does it, with --stdout/--stderr for logs.',
  needs: ['fds', 'peers', 'ancestors'],
  messages: MESSAGES,
  evaluate(snap, ctx) {
    if (!snap.fds) return unknownBecause(snap, 'fds', '/dev/null, a file or a logger');
    const seen: string[] = [];
    const problems: Said<typeof MESSAGES>[] = [];
    let status: 'pass' | 'warn' | 'fail' = 'pass';
    let unjudged = false;
    for (let n = 0; n <= 2; n++) {
      const fd = snap.fds.find((f) => f.fd === n);
      const name = NAMES[n]!;
      if (!fd) {
        seen.push(`${n}:closed`);
        problems.push({ messageId: 'closed', data: { name, fd: n } });
        if (status === 'pass') status = 'warn';
        continue;
      }
      seen.push(`${n}:${fd.target}`);
      // readlink gives a path or "type:[...]"; anything else is a garbled capture, not a detached fd.
      if (fd.type === 'unknown' && !fd.target.startsWith('/') && !/^[\w.-]+:/.test(fd.target)) {
        problems.push({ messageId: 'garbled', data: { name, fd: n, target: JSON.stringify(fd.target.slice(0, 40)) } });
        unjudged = true;
        continue;
      }
      if (fd.terminal) {
        problems.push({ messageId: 'terminal', data: { name, target: fd.target } });
        status = 'fail';
        continue;
      }
      if (fd.type === 'pipe' || fd.type === 'socket' || fd.type === 'fifo') {
        const readers = outsideHolders(snap, ctx, fd).filter((h) => !ctx.isLogReader(h));
        if (readers.length) {
          problems.push({ messageId: 'heldOutside', data: { name, target: fd.target, holders: holdersText(readers) } });
          if (status === 'pass') status = 'warn';
        }
      }
      if (fd.deleted) {
        problems.push({ messageId: 'deleted', data: { name, target: fd.target } });
        if (status === 'pass') status = 'warn';
      }
    }
    return {
      status: unjudged && status !== 'fail' ? 'unknown' : status,
      observed: seen.join(' '),
      expected: '/dev/null, a file or a logger',
      ...(problems.length
        ? ({ messageId: 'problems', data: { problems } } as const)
        : ({ messageId: 'detached' } as const)),
    };
  },
});
