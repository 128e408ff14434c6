/**
 * The program a process runs, as the user started it: argv[0] looked up the
 * way its shell did, on the PATH of its own environment and from its own
 * working directory, inside its own root (/proc/PID/root). A venv's
 * bin/python is a link to the system's python: /proc/PID/exe follows the
 * link, and running that loses the venv's packages, so the name it was run
 * by is kept. null where argv[0] cannot be resolved (no environ, not on its
 * PATH, a capture that holds no such file): then the executable is all there is.
 */
import { isAbsolute, join } from 'node:path';
import type { ProcSource } from '../proc/source.js';
import type { Snapshot } from './types.js';

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;

/** A regular file with an execute bit, seen from inside the process's root. */
function executable(source: ProcSource, pid: number, path: string): boolean {
  try {
    const st = source.statTarget(`${pid}/root${path}`);
    return (st.mode & S_IFMT) === S_IFREG && (st.mode & 0o111) !== 0;
  } catch {
    return false;
  }
}

export function resolveArgv0(source: ProcSource, snap: Snapshot): string | null {
  const a0 = snap.cmdline?.[0];
  if (!a0 || /\s/.test(a0)) return null;
  if (isAbsolute(a0)) return a0;
  const cwd = snap.cwd && !snap.cwd.endsWith(' (deleted)') ? snap.cwd : null;
  if (a0.includes('/')) {
    const p = cwd ? join(cwd, a0) : null;
    return p && executable(source, snap.pid, p) ? p : null;
  }
  const path = snap.environ?.get('PATH');
  if (path === undefined) return null;
  for (const dir of path.split(':')) {
    // An empty entry, or a relative one, is searched from the working directory (POSIX execvp).
    const base = isAbsolute(dir) ? dir : cwd ? join(cwd, dir) : null;
    if (base === null) continue;
    const p = join(base, a0);
    if (executable(source, snap.pid, p)) return p;
  }
  return null;
}
