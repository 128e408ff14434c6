/** /proc/PID/environ: the environment as it was at exec time (proc(5)). */
import type { ProcSource } from './source.js';

/** A real environment is a few KiB; 1 MiB bounds a hostile one (docs/proc-notes.md). */
export const ENVIRON_CAP = 1024 * 1024;

/** KEY=VALUE entries, NUL-separated; entries without '=' keep an empty value. */
export function parseEnviron(buf: Buffer): Map<string, string> {
  const env = new Map<string, string>();
  for (const entry of buf.toString('utf8').split('\0')) {
    if (entry === '') continue;
    const i = entry.indexOf('=');
    if (i < 0) env.set(entry, '');
    else env.set(entry.slice(0, i), entry.slice(i + 1));
  }
  return env;
}

export function readEnviron(source: ProcSource, pid: number): { env: Map<string, string>; truncated: boolean } {
  const buf = source.readFile(`${pid}/environ`, ENVIRON_CAP);
  return { env: parseEnviron(buf), truncated: buf.length >= ENVIRON_CAP };
}
