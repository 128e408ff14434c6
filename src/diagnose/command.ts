/**
 * The command a process runs, for a line a user will paste. pm2, Node's
 * process.title, setproctitle and postgres rewrite their argv in place: /proc
 * then shows one title padded with NULs, and the padding must never become
 * arguments. The executable (/proc/PID/exe) is all that is left.
 */
import type { Snapshot } from '../snapshot/types.js';

/** POSIX shell quoting for a command line a user will paste. */
export function shellQuote(arg: string): string {
  if (arg !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * A rewritten title: one non-empty argument followed only by empty ones (the
 * NUL padding of the old argv area), or a first argument with spaces and
 * nothing after it where the executable's name is not its first word.
 */
export function isTitleRewritten(argv: readonly string[] | null, exe: string | null): boolean {
  if (!argv || argv.length === 0) return false;
  if (argv.length > 1 && argv.slice(1).every((a) => a === '')) return true;
  if (argv.length === 1 && /\s/.test(argv[0]!) && exe) {
    const base = exe.replace(/ \(deleted\)$/, '').split('/').pop()!;
    const first = argv[0]!.split(/\s/)[0]!.replace(/:$/, '').split('/').pop()!;
    return first !== base;
  }
  return false;
}

/** The argv to run it again, and a note when the original arguments are lost. */
export function commandOf(snap: Snapshot): { argv: string[]; note: string | null } | null {
  const argv = snap.cmdline;
  if (!argv || argv.length === 0) return null;
  if (!isTitleRewritten(argv, snap.exe)) return { argv, note: null };
  const exe = snap.exe?.replace(/ \(deleted\)$/, '');
  if (!exe) return null;
  return { argv: [exe], note: `it rewrote its command line to the title ${JSON.stringify(argv[0])}: its original arguments are unknown, add them` };
}
