/**
 * Writes to fd 1/2 without creating process.stdout/stderr: building those
 * stream objects costs a few milliseconds of a ~60 ms budget. If the fd is
 * non-blocking and full (EAGAIN), the rest goes through the stream, which
 * waits for the reader.
 */
import { writeSync } from 'node:fs';
import { lazyBuiltin } from '../builtin.js';

/**
 * isatty(fd), loading node:tty on first use: it pulls in net and stream,
 * which an audit printed as JSON never needs (~1 ms of every run).
 */
export function isTerminal(fd: number): boolean {
  return lazyBuiltin<typeof import('node:tty')>('node:tty').isatty(fd);
}

function writeAll(fd: 1 | 2, text: string): void {
  const buf = Buffer.from(text, 'utf8');
  let off = 0;
  while (off < buf.length) {
    try {
      off += writeSync(fd, buf, off, buf.length - off);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EAGAIN') {
        (fd === 1 ? process.stdout : process.stderr).write(buf.subarray(off));
        return;
      }
      if ((err as NodeJS.ErrnoException).code === 'EPIPE') return; // the reader went away (| head)
      throw err;
    }
  }
}

export function writeOut(text: string): void {
  writeAll(1, text);
}

export function writeErr(text: string): void {
  writeAll(2, text);
}
