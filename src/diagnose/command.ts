/**
 * The command a process runs, for a line a user will paste. pm2, Node's
 * process.title, setproctitle and postgres rewrite their argv in place: /proc
 * then shows one title padded with NULs, and the padding must never become
 * arguments. The executable (/proc/PID/exe) is all that is left.
 */
import { foregroundArgv, foregroundWithoutArgs, lookupProgram, type ProgramInfo } from '../knowledge/index.js';
import type { Snapshot } from '../snapshot/types.js';

/** POSIX shell quoting for a command line a user will paste. */
export function shellQuote(arg: string): string {
  if (arg !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * A rewritten title: one non-empty argument followed only by empty ones (the
 * NUL padding of the old argv area: Node's process.title), or a single
 * argument with spaces that is not the executable's own path
 * ("nginx: master process nginx -c x.conf", "PM2 v5.3.0: God Daemon").
 */
export function isTitleRewritten(argv: readonly string[] | null, exe: string | null): boolean {
  if (!argv || argv.length === 0) return false;
  if (argv.length > 1 && argv.slice(1).every((a) => a === '')) return true;
  return argv.length === 1 && /\s/.test(argv[0]!) && argv[0] !== exe?.replace(/ \(deleted\)$/, '');
}

const base = (p: string) => p.slice(p.lastIndexOf('/') + 1);

/**
 * The path to run it by. /proc/PID/exe is the file the kernel ran, but a
 * multi-call program picks its role from the name it was run by (Debian's
 * redis-server is a link to redis-check-rdb; busybox): when argv[0] (or, for
 * a title, comm) names something else, that name in the executable's
 * directory is the command, with a note to check it. Versioned interpreters
 * (python3 run as python3.11) are the same program.
 */
export function programPath(snap: Snapshot, titled: boolean): { path: string; note: string | null } | null {
  const exe = snap.exe?.replace(/ \(deleted\)$/, '') ?? null;
  const arg0 = titled ? null : (snap.cmdline?.[0] ?? null);
  if (arg0?.startsWith('/')) return { path: arg0, note: null };
  if (!exe) return null;
  const name = arg0 !== null ? base(arg0) : snap.stat.comm;
  if (!name || name.length >= 15 || base(exe).startsWith(name) || (arg0?.includes('/') ?? false))
    return { path: exe, note: null };
  const path = `${exe.slice(0, exe.lastIndexOf('/') + 1)}${name}`;
  return {
    path,
    note: `it was run by the name ${name}, but its executable is ${exe} (a link to one program that picks its role by name): check that ${path} exists`,
  };
}

const titleNote = (snap: Snapshot) =>
  `it rewrote its command line to the title ${JSON.stringify(snap.cmdline?.[0] ?? '')}: its original arguments are unknown, add them`;

/** The argv to run it again, as typed (a shell finds it on PATH), and a note when the original arguments are lost. */
export function commandOf(snap: Snapshot): { argv: string[]; note: string | null } | null {
  const argv = snap.cmdline;
  if (!argv || argv.length === 0) return null;
  const titled = isTitleRewritten(argv, snap.exe);
  if (!titled) return { argv, note: null };
  const path = programPath(snap, true);
  return path ? { argv: [path.path], note: [titleNote(snap), path.note].filter(Boolean).join('; ') } : null;
}

/** With the notify options where the program has them (redis-server --supervised systemd). */
export function withNotify(program: ProgramInfo, argv: string[]): string[] {
  return program.readiness === 'notify' && program.notifyArgs
    ? [...argv, ...program.notifyArgs.filter((a) => !argv.includes(a))]
    : argv;
}

/**
 * The command that runs it in the foreground: the knowledge table's foreground
 * option put in (nginx -g 'daemon off;', redis-server --daemonize no), or the
 * executable with that option when argv was overwritten by a title. null when
 * the program is unknown or has no foreground mode (then the command as it is).
 */
export function foregroundCommand(snap: Snapshot): { argv: string[]; note: string | null } | null {
  const program = lookupProgram(snap.stat.comm, snap.cmdline, snap.exe);
  if (!program || !snap.cmdline?.length) return null;
  if (isTitleRewritten(snap.cmdline, snap.exe)) {
    const path = programPath(snap, true);
    const fg = path ? foregroundWithoutArgs(program, path.path) : null;
    return fg && path ? { argv: fg, note: [titleNote(snap), path.note].filter(Boolean).join('; ') } : null;
  }
  const fg = foregroundArgv(program, snap.cmdline);
  return fg ? { argv: fg, note: null } : null;
}

const INTERPRETER = /^(python[0-9.]*|node|nodejs|perl[0-9.]*|ruby[0-9.]*|php[0-9.]*|bash|sh|dash)$/;

/**
 * The name for a service: the knowledge table's id, else the script an
 * interpreter runs ("python3 /srv/app/worker.py" is worker), else comm;
 * only letters, digits, '_', '.' and '-' (systemd unit and supervisord
 * program names).
 */
export function serviceName(snap: Snapshot): string {
  const program = lookupProgram(snap.stat.comm, snap.cmdline, snap.exe);
  let base = program?.id ?? snap.stat.comm;
  const argv = snap.cmdline ?? [];
  if (!program && INTERPRETER.test(base.split('/').pop() ?? '') && !isTitleRewritten(argv, snap.exe)) {
    const script = argv.slice(1).find((a) => !a.startsWith('-'));
    if (script) base = script.slice(script.lastIndexOf('/') + 1).replace(/\.(py|js|mjs|cjs|pl|rb|php|sh)$/, '');
  }
  return base.replace(/[^A-Za-z0-9_.-]/g, '-').replace(/^[-.]+|-+$/g, '') || 'daemon';
}
