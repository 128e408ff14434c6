import { defineCheck, renderDetail, unknownBecause, type CheckOutcome, type Said } from './check.js';
import { describeErrno } from '../core/errors.js';
import { holdsWriteLock, locksOnFile } from './locks.js';
import { formatMode, isWorldWritable } from '../core/mode.js';
import type { Snapshot } from '../snapshot/types.js';

const MESSAGES = {
  pidfileUnreadable: 'the pidfile cannot be read ({{error}})',
  lockUnknown: 'whether {{path}} is locked cannot be told: fds: {{reason}}',
  pidfileProblems: '{{path}}: {{problems}}',
  wrongPid: 'it holds {{content}}, not {{pid}}',
  symlink: 'it is a symlink (a writer can be tricked into clobbering its target)',
  worldWritable: 'mode {{mode}} lets any user rewrite it',
  notLocked: 'no write lock on it is held by this process, so a second instance can start',
  pidfileLocked: '{{path}} names this process and it holds the write lock',
  lockHeld: 'holds a write lock on {{files}}',
  socketHeld:
    'it holds {{sockets}}: a second instance cannot bind the same name (EADDRINUSE), so the socket guards against one',
  renamedSocket:
    'it holds {{sockets}}, whose bind-time name has since been removed or renamed: its current name is not in /proc; a second instance is kept out only if it tries that name (supervisord links its socket to the configured file this way)',
  noGuard:
    'it holds no write lock and no listening or bound socket: nothing stops a second instance (pass --pidfile to check a pidfile)',
} as const;

function lockedFds(snap: Snapshot) {
  return (snap.fds ?? []).filter((f) => f.type === 'file' && holdsWriteLock(snap, f));
}

function checkPidfile(snap: Snapshot): CheckOutcome<typeof MESSAGES> {
  const pf = snap.pidfile!;
  const expected = `${pf.path} holds ${snap.pid}, locked by it, not o+w`;
  if (pf.readError) {
    return {
      status: 'warn',
      severity: 'warning',
      observed: `${pf.path}: ${pf.readError}`,
      expected,
      messageId: 'pidfileUnreadable',
      data: { error: pf.readError },
    };
  }
  // Neither the fds nor /proc/locks: nothing can tell whether the pidfile is locked.
  if (!snap.fds && !snap.locks) {
    const errno = snap.unreadable.fds ?? snap.unreadable.locks ?? 'EIO';
    return {
      status: 'unknown',
      severity: 'warning',
      observed: `fds and locks unreadable (${errno})`,
      expected,
      messageId: 'lockUnknown',
      data: { path: pf.path, reason: describeErrno(errno, snap.auditorUid === 0) },
    };
  }
  const problems: Said<typeof MESSAGES>[] = [];
  if (pf.pid !== snap.pid)
    problems.push({
      messageId: 'wrongPid',
      data: { content: JSON.stringify((pf.content ?? '').trim()), pid: snap.pid },
    });
  if (pf.isSymlink) problems.push({ messageId: 'symlink' });
  if (pf.mode !== null && isWorldWritable(pf.mode))
    problems.push({ messageId: 'worldWritable', data: { mode: formatMode(pf.mode) } });
  let locked = false;
  if (snap.fds) {
    locked = snap.fds.some((f) => f.dev === pf.dev && f.ino === pf.ino && holdsWriteLock(snap, f));
  } else if (snap.locks) {
    locked = locksOnFile(snap, pf.dev, pf.ino);
  }
  if (!locked) problems.push({ messageId: 'notLocked' });
  if (problems.length === 0) {
    return {
      status: 'pass',
      severity: 'warning',
      observed: `holds ${snap.pid}, locked`,
      expected,
      messageId: 'pidfileLocked',
      data: { path: pf.path },
    };
  }
  return {
    status: 'warn',
    severity: 'warning',
    // The first problem, in words, is the row's observed value.
    observed: renderDetail(MESSAGES, problems[0]!),
    expected,
    messageId: 'pidfileProblems',
    data: { path: pf.path, problems },
  };
}

export const singleInstance = defineCheck({
  id: 'single-instance',
  title: 'Guards against a second instance',
  passWhen: 'holds a write lock (POSIX, OFD or flock), matched by dev:inode, or a listening or bound socket',
  severityNote: 'warning with `--pidfile`',
  severity: 'info',
  rationale:
    'A pidfile that is only written, never locked, goes stale after a crash and does not stop a second copy. A write lock (fcntl F_SETLK, flock or an OFD lock) held for the daemon\'s lifetime is released by the kernel when it dies, so "locked" always means "running".',
  evidence:
    'net/unix, net/tcp and net/tcp6 for its listening and bound sockets; fdinfo "lock:" lines of the process\'s open files (/proc/locks, matched by dev:inode, where fdinfo cannot be read; its pid column of FLOCK and OFD locks may be the launcher\'s); the pidfile itself with --pidfile.',
  fix: 'Open the pidfile O_CREAT|O_CLOEXEC 0644, take fcntl(F_SETLK, F_WRLCK), exit if it fails, write the pid and keep the fd open; daemon-check run --pidfile FILE does this.',
  needs: ['fds', 'locks', 'pidfile', 'sockets'],
  options: ['pidfile'],
  messages: MESSAGES,
  evaluate(snap) {
    if (snap.pidfile) return checkPidfile(snap);
    const expected = 'a write-locked file, or a bound socket';
    if (!snap.fds) return unknownBecause(snap, 'fds', expected);
    const held = lockedFds(snap);
    if (held.length) {
      return {
        status: 'pass',
        observed: held.map((f) => `fd ${f.fd} ${f.target}`).join(', '),
        expected,
        messageId: 'lockHeld',
        data: { files: held.map((f) => f.target).join(', ') },
      };
    }
    const guards = (snap.sockets ?? []).filter((s) => s.listening || (s.kind === 'unix' && s.name));
    const named = guards.filter((s) => !s.nameGone);
    if (named.length) {
      const names = named
        .slice(0, 3)
        .map((s) => `${s.kind} ${s.name ?? `socket:[${s.inode}]`}${s.listening ? ' (listening)' : ''}`);
      return {
        status: 'pass',
        observed: names.join(', '),
        expected,
        messageId: 'socketHeld',
        data: { sockets: names.join(', ') },
      };
    }
    if (guards.length) {
      // /proc/net/unix shows the bind-time name; supervisord binds "<file>.<pid>", links it to <file> and unlinks the first.
      const ids = guards.slice(0, 3).map((s) => `unix socket:[${s.inode}]${s.listening ? ' (listening)' : ''}`);
      return {
        status: 'pass',
        observed: ids.join(', '),
        expected,
        messageId: 'renamedSocket',
        data: { sockets: ids.join(', ') },
      };
    }
    return {
      status: 'info',
      observed: 'no lock or bound socket',
      expected,
      messageId: 'noGuard',
    };
  },
});
