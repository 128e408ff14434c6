import { defineCheck, unknownBecause, type Said } from './check.js';
import { holdersText, outsideHolders } from './peers.js';
import { holdsWriteLock } from './locks.js';
import type { FdEntry } from '../proc/fd.js';
import type { Snapshot } from '../snapshot/types.js';

/**
 * An fd whose origin /proc cannot prove: a file or device open without
 * O_CLOEXEC looks the same whether the program opened it or its launcher
 * passed it on (Debian's daemonize hands the daemon its launcher's files).
 * Pipes and sockets are judged by their other holders instead; a locked
 * pidfile is meant to stay open; an fd marked O_CLOEXEC was set up by the
 * program itself, or it would not have survived exec unmarked.
 */
function possiblyInherited(snap: Snapshot, fd: FdEntry): boolean {
  if (fd.type !== 'file' && fd.type !== 'dir' && fd.type !== 'char' && fd.type !== 'block' && fd.type !== 'unknown')
    return false;
  if (fd.cloexec === true || holdsWriteLock(snap, fd)) return false;
  return true;
}

const MESSAGES = {
  noneInherited: '{{count}} fd(s) >= 3, none inherited from a launcher{{capped}}',
  noneShown: '{{count}} fd(s) >= 3, none shown to be inherited from a launcher{{possibly}}{{capped}}',
  leaks: '{{leaks}}{{possibly}}{{capped}}',
  terminal: 'fd {{fd}} is the terminal {{target}}',
  bashFd: "fd 255 ({{target}}) is bash's private descriptor",
  deleted: 'fd {{fd}} is a deleted file {{target}}',
  heldOutside: 'fd {{fd}} {{target}} is also held by {{holders}}',
  possiblyInherited:
    "; possibly inherited: {{fds}} (open without O_CLOEXEC: /proc cannot tell whether the program opened them or its launcher passed them on; strace -f -e trace=openat,execve of its start, or the launcher's own fd/ list, would tell)",
  capped: ' (only the first {{examined}} of {{total}} fds examined)',
} as const;

type Message = Said<typeof MESSAGES>;

export const noLeakedFds = defineCheck({
  id: 'no-leaked-fds',
  title: 'No descriptors inherited from the launcher',
  passWhen:
    "no fd >= 3 inherited from the launcher (terminals, bash's fd 255, pipes held outside the daemon's tree, deleted files)",
  severity: 'warning',
  rationale:
    'Every descriptor a launcher forgot to mark close-on-exec lives on in the daemon: a terminal keeps the tty open, a pipe keeps a CI step or `$(...)` waiting for EOF, a socket keeps a port or a connection alive, a deleted file keeps its disk space. The classic recipe closes every fd above 2.',
  evidence: "/proc/PID/fd/* and fdinfo flags; the other holders of each pipe and socket among all processes' fd/*.",
  fix: 'Close every fd >= 3 after forking (close_range(3, ~0U, 0)), or mark them O_CLOEXEC in the launcher; daemon-check run closes them all but the pidfile.',
  needs: ['fds', 'peers', 'locks'],
  messages: MESSAGES,
  evaluate(snap, ctx) {
    if (!snap.fds) return unknownBecause(snap, 'fds', 'no inherited fds >= 3');
    const extra = snap.fds.filter((f) => f.fd >= 3);
    const leaks: Message[] = [];
    const leaked = new Set<number>();
    for (const fd of extra) {
      const { target } = fd;
      let leak: Message | null = null;
      if (fd.terminal) leak = { messageId: 'terminal', data: { fd: fd.fd, target } };
      else if (fd.fd === 255 && fd.type !== 'socket') leak = { messageId: 'bashFd', data: { target } };
      else if (fd.deleted) leak = { messageId: 'deleted', data: { fd: fd.fd, target } };
      else if (fd.type === 'pipe' || fd.type === 'socket' || fd.type === 'fifo') {
        const out = outsideHolders(snap, ctx, fd);
        if (out.length) leak = { messageId: 'heldOutside', data: { fd: fd.fd, target, holders: holdersText(out) } };
      }
      if (leak) {
        leaks.push(leak);
        leaked.add(fd.fd);
      }
    }
    const maybe = extra.filter((f) => !leaked.has(f.fd) && possiblyInherited(snap, f));
    const summary =
      extra.length === 0
        ? 'none'
        : extra
            .slice(0, 8)
            .map((f) => `${f.fd}:${f.type}${holdsWriteLock(snap, f) ? '(locked)' : ''}`)
            .join(' ') + (extra.length > 8 ? ` +${extra.length - 8}` : '');
    // Optional clauses: lists of zero or one message.
    const capped: Message[] = snap.fdsTruncated
      ? [{ messageId: 'capped', data: { examined: snap.fds.length, total: String(snap.fdCount) } }]
      : [];
    const fds =
      maybe
        .slice(0, 6)
        .map((f) => `fd ${f.fd} ${f.target}`)
        .join(', ') + (maybe.length > 6 ? `, +${maybe.length - 6}` : '');
    const possibly: Message[] = maybe.length ? [{ messageId: 'possiblyInherited', data: { fds } }] : [];
    const expected = 'no inherited fds >= 3';
    if (leaks.length === 0) {
      const none = maybe.length
        ? ({ messageId: 'noneShown', data: { count: extra.length, possibly, capped } } as const)
        : ({ messageId: 'noneInherited', data: { count: extra.length, capped } } as const);
      return { status: 'pass', observed: summary, expected, ...none };
    }
    return { status: 'warn', observed: summary, expected, messageId: 'leaks', data: { leaks, possibly, capped } };
  },
});
