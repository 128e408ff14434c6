/**
 * Whether a process leans on its working directory: a relative path, a
 * script or a module name among its arguments (`python3 app.py`,
 * `gunicorn wsgi:app`, `node app.js`), or files below that directory it holds
 * open. Such a directory is its working data: a definition or a `run` line
 * that starts it in / instead fails at once (`can't open file '//app.py'`).
 */
import type { Snapshot } from '../snapshot/types.js';

/** A file name with an extension (app.py, config.json), not a number (1.5). */
const FILE = /\.[A-Za-z][A-Za-z0-9]{0,7}$/;
/** A WSGI/ASGI application, or any module:attribute spec: wsgi:app, app.main:create_app(). */
const MODULE = /^[A-Za-z_][\w.]*:[A-Za-z_]\w*(\(.*\))?$/;

/** One argument read relative to the working directory, or null. */
function relativeArg(arg: string, afterModuleFlag: boolean): string | null {
  const value = arg.startsWith('--') && arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : arg;
  if (value === '' || value.startsWith('/') || /^[a-z][\w+.-]*:\/\//i.test(value)) return null;
  if (value.startsWith('./') || value.startsWith('../')) return value;
  if (value.startsWith('-')) return null;
  if (afterModuleFlag || MODULE.test(value)) return value;
  return value.includes('/') || FILE.test(value) ? value : null;
}

/** The arguments of a command line read relative to the working directory: a relative argv[0], paths, scripts, modules. */
export function relativeArgs(argv: readonly string[]): string[] {
  const out: string[] = [];
  const a0 = argv[0];
  if (a0 && a0.includes('/') && !a0.startsWith('/') && !/\s/.test(a0)) out.push(a0);
  // A title written over argv (one word with spaces, or padding) holds no arguments.
  const titled = argv.length > 1 && argv.slice(1).every((a) => a === '');
  for (let i = 1; i < argv.length && !titled; i++) {
    const rel = relativeArg(argv[i]!, argv[i - 1] === '-m');
    if (rel !== null) out.push(rel);
  }
  return out;
}

/** What ties it to its working directory, as short evidence ("app.py", "data.txt open"); empty when nothing does. */
export function workdirUses(snap: Snapshot): string[] {
  const cwd = snap.cwd;
  if (!cwd || cwd === '/' || cwd.endsWith(' (deleted)')) return [];
  const out = relativeArgs(snap.cmdline ?? []);
  const below = cwd.endsWith('/') ? cwd : `${cwd}/`;
  for (const f of snap.fds ?? []) {
    // fds 0-2 are what its launcher opened (a shell's > app.log), not what the program reads.
    if (f.fd > 2 && f.type === 'file' && !f.deleted && f.target.startsWith(below))
      out.push(`${f.target.slice(below.length)} open`);
  }
  return [...new Set(out)];
}
