/**
 * Writes to fd 1/2 without creating process.stdout/stderr: building those
 * stream objects costs a few milliseconds of a ~60 ms budget. If the fd is
 * non-blocking and full (EAGAIN), the rest goes through the stream, which
 * waits for the reader.
 */
import { fstatSync, writeSync } from 'node:fs';
import { lazyBuiltin } from '../core/builtin.js';
import { decodeTtyNr } from '../proc/tty.js';

/** Character devices of major 1 are the memory devices (/dev/null, /dev/zero, ...): never a terminal. */
const MEM_MAJOR = 1;

/**
 * isatty(fd), loading node:tty only when the fd could be one: node:tty pulls
 * in net and stream (~2 ms), which output to a pipe, a file or /dev/null never
 * needs. Only a character device can be a terminal, and not one of the memory
 * devices.
 */
export function isTerminal(fd: number): boolean {
  let st;
  try {
    st = fstatSync(fd);
  } catch {
    return false; // closed: not a terminal either
  }
  // st_rdev packs major and minor as tty_nr does (glibc's makedev is the kernel's new_encode_dev).
  if (!st.isCharacterDevice() || decodeTtyNr(st.rdev).major === MEM_MAJOR) return false;
  return lazyBuiltin<typeof import('node:tty')>('node:tty').isatty(fd);
}

const guarded = new Set<number>();

/**
 * process.stdout or process.stderr, whose EPIPE (the reader went away while
 * the stream still held the rest) is ignored as writeAll ignores it; any other
 * write error is still thrown.
 */
function streamOf(fd: 1 | 2): NodeJS.WriteStream {
  const stream = fd === 1 ? process.stdout : process.stderr;
  if (!guarded.has(fd)) {
    guarded.add(fd);
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err;
    });
  }
  return stream;
}

function writeAll(fd: 1 | 2, text: string): void {
  const buf = Buffer.from(text, 'utf8');
  let off = 0;
  while (off < buf.length) {
    try {
      off += writeSync(fd, buf, off, buf.length - off);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EAGAIN') {
        streamOf(fd).write(buf.subarray(off));
        return;
      }
      if ((err as NodeJS.ErrnoException).code === 'EPIPE') return; // the reader went away (| head)
      throw err;
    }
  }
}

/**
 * Whether everything written has reached its fd: true unless a write fell
 * back to process.stdout or process.stderr and the stream still holds some.
 * The launcher exits at once when it is true (bin/daemon-check.js).
 */
export function outputFlushed(): boolean {
  for (const fd of guarded) if (streamOf(fd as 1 | 2).writableLength > 0) return false;
  return true;
}

export function writeOut(text: string): void {
  writeAll(1, text);
}

export function writeErr(text: string): void {
  writeAll(2, text);
}
