/**
 * Finding a program's row from what /proc shows of a process: comm (cut to
 * 15 characters by the kernel), argv[0] (perhaps a path, a login shell's
 * leading '-', or a process title such as 'nginx: master process ...'), an
 * interpreter's script or module, and the executable's path.
 */
import type { ProgramInfo } from './types.js';

/** The kernel keeps TASK_COMM_LEN - 1 = 15 characters of a process name. */
export const COMM_MAX = 15;

const INTERPRETER = /^(python[\d.]*|pypy[\d.]*|node|nodejs|perl[\d.]*|ruby[\d.]*|bash|sh|dash|php[\d.]*|java)$/;
/** Interpreter options whose value is the next argument. */
const INTERPRETER_VALUE_OPTS = new Set([
  '-X',
  '-W',
  '-r',
  '--require',
  '--import',
  '--loader',
  '--experimental-loader',
  '-cp',
  '-classpath',
  '--class-path',
]);

export function basename(s: string): string {
  const t = s.replace(/ \(deleted\)$/, '').replace(/\/+$/, '');
  return t.slice(t.lastIndexOf('/') + 1);
}

/** Names a comm or argv[0] may stand for: itself, its basename, its first word's basename, without a leading '-' or trailing ':'. */
export function nameCandidates(s: string): string[] {
  const raw = s.replace(/\0+$/, '').trim();
  const undash = (x: string) => (x.startsWith('-') && x.length > 1 ? x.slice(1) : x);
  const first = raw.split(/\s+/)[0] ?? '';
  const out = [raw, basename(undash(first.replace(/:$/, ''))), basename(undash(raw))];
  return [...new Set(out.filter((x) => x !== ''))];
}

/** The script (or `-m module`) an interpreter in argv[0] runs, and its index; null when argv[0] is no interpreter. */
export function scriptOf(argv: readonly string[], exe?: string | null): { index: number; name: string } | null {
  const a0 = argv[0];
  if (a0 === undefined) return null;
  const interp = [basename(a0), exe ? basename(exe) : ''].some((n) => INTERPRETER.test(n));
  if (!interp) return null;
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-m') {
      const mod = argv[i + 1];
      return mod === undefined ? null : { index: i + 1, name: mod.slice(mod.lastIndexOf('.') + 1) };
    }
    if (a === '-c' || a === '-e' || a === '--eval' || a === '-') return null;
    if (a === '--') continue;
    if (INTERPRETER_VALUE_OPTS.has(a)) i++;
    else if (!a.startsWith('-')) return { index: i, name: basename(a) };
  }
  return null;
}

function pathOk(info: ProgramInfo, paths: readonly string[]): boolean {
  return !info.pathHint || paths.some((p) => info.pathHint!.test(p));
}

/** Whether `candidate` names this row; comm says a candidate came from comm and may be cut short. */
export function nameMatches(info: ProgramInfo, candidate: string, comm = false): boolean {
  if (info.names.includes(candidate)) return true;
  if (info.patterns?.some((re) => re.test(candidate))) return true;
  return (
    comm && candidate.length === COMM_MAX && info.names.some((n) => n.length > COMM_MAX && n.startsWith(candidate))
  );
}

/** The row for a process, from comm, argv[0], an interpreter's script, or the executable; null when none is known. */
export function findProgram(
  table: readonly ProgramInfo[],
  comm: string,
  argv: readonly string[] | null,
  exe?: string | null,
): ProgramInfo | null {
  const a = argv ?? [];
  const paths = [a[0] ?? '', exe ?? ''].filter((p) => p.includes('/'));
  const tries: Array<[string, boolean]> = [];
  for (const c of nameCandidates(comm)) tries.push([c, true]);
  if (a[0] !== undefined) for (const c of nameCandidates(a[0])) tries.push([c, false]);
  const script = scriptOf(a, exe);
  if (script) {
    tries.push([script.name, false]);
    paths.push(a[script.index]!);
  }
  if (exe) tries.push([basename(exe), false]);
  for (const [c, isComm] of tries) {
    const hit = table.find((info) => nameMatches(info, c, isComm) && pathOk(info, paths));
    if (hit) return hit;
  }
  return null;
}

/** The index in argv of the program's own argv[0]: 0, or the script an interpreter runs. */
export function programIndex(info: ProgramInfo, argv: readonly string[]): number {
  const a0 = argv[0];
  if (a0 === undefined) return 0;
  if (nameCandidates(a0).some((c) => nameMatches(info, c))) return 0;
  const script = scriptOf(argv);
  if (script && nameMatches(info, script.name)) return script.index;
  const i = argv.findIndex((a) => nameMatches(info, basename(a)));
  return i > 0 ? i : 0;
}

/**
 * A process that rewrote its command line into a title ('nginx: master
 * process ...', 'redis-server 127.0.0.1:6379') shows one argument with
 * spaces; its options are gone.
 */
export function isTitle(argv: readonly string[]): boolean {
  const words = argv.filter((a) => a !== '');
  if (words.length !== 1) return false;
  const w = words[0]!.trim();
  // "/opt/my nginx/nginx" is a path with a space in a directory, not a title.
  return /\s/.test(w) && !(w.startsWith('/') && !/\s/.test(w.slice(w.lastIndexOf('/') + 1)));
}
