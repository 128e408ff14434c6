/** /proc/PID/cmdline: argv as NUL-separated strings (proc(5)). */
import type { ProcSource } from './source.js';

/** An audit's own cmdline read: long enough for any real argv, bounded for a hostile one. */
export const CMDLINE_CAP = 256 * 1024;

/** NUL-separated argv. A trailing NUL ends the list; an empty file is a kernel thread or zombie. */
export function parseCmdline(buf: Buffer): string[] {
  if (buf.length === 0) return [];
  const s = buf.toString('utf8');
  const parts = s.split('\0');
  if (parts[parts.length - 1] === '') parts.pop();
  return parts;
}

/** argv of PID, read up to `cap` bytes; `truncated` when the file filled the cap. */
export function readCmdline(
  source: ProcSource,
  pid: number,
  cap = CMDLINE_CAP,
): { argv: string[]; truncated: boolean } {
  const buf = source.readFile(`${pid}/cmdline`, cap);
  return { argv: parseCmdline(buf), truncated: buf.length >= cap };
}
