/**
 * `watch --journal FILE`: the JSON lines of the watch appended to FILE, for
 * `postmortem` to read later. Each line is one write(2) on an O_APPEND fd:
 * the kernel moves the offset to the end and writes under the inode's lock
 * in one step, so lines from two watchers sharing a journal never
 * interleave, and a watcher killed mid-watch loses at most the line it was
 * writing. The file is created 0600: it names processes and their senders.
 */
import { closeSync, openSync, writeSync } from 'node:fs';

export interface Journal {
  /** Appends one line (newline included) with a single write. */
  append(line: string): void;
  close(): void;
}

/** Opens FILE for appending, creating it 0600; throws the open's error (the caller words it). */
export function openJournal(file: string): Journal {
  const fd = openSync(file, 'a', 0o600);
  let open = true;
  return {
    append(line: string): void {
      if (!open) return;
      const buf = Buffer.from(line, 'utf8');
      const n = writeSync(fd, buf, 0, buf.length);
      // A regular file takes the whole buffer in one write unless the disk is full (or a quota ends it).
      if (n !== buf.length)
        throw new Error(`short write to the journal (${n} of ${buf.length} bytes): is the disk full?`);
    },
    close(): void {
      if (open) closeSync(fd);
      open = false;
    },
  };
}
