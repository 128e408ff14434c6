/**
 * Pidfiles: what the file says and the one set of errors for every way it
 * goes wrong. Reading goes through the HostReader, so a replayed capture
 * answers from what was recorded, never from this machine's file system.
 */
import { closeSync, lstatSync, openSync, readSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { DaemonCheckError, errnoOf } from '../core/errors.js';

export interface PidfileFacts {
  path: string;
  /** Raw content (first 64 bytes), null when the file could not be read. */
  content: string | null;
  pid: number | null;
  readError: string | null;
  dev: string | null;
  ino: number | null;
  mode: number | null;
  uid: number | null;
  isSymlink: boolean;
}

/** The errno a capture gives for a pidfile it did not record. */
export const NOT_CAPTURED = 'ENOTCAPTURED';

function majMin(dev: bigint): string {
  const major = ((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn);
  const minor = (dev & 0xffn) | ((dev >> 12n) & ~0xffn);
  return `${major}:${minor}`;
}

/** A pidfile holds one decimal pid and maybe a newline; anything else is garbage. */
function parsePidfileContent(content: string): number | null {
  const t = content.trim();
  if (!/^\d{1,10}$/.test(t)) return null;
  const n = Number(t);
  return n > 0 ? n : null;
}

/** Reads a pidfile on this machine's file system. */
export function readPidfileFacts(file: string): PidfileFacts {
  const facts: PidfileFacts = {
    path: resolve(file),
    content: null,
    pid: null,
    readError: null,
    dev: null,
    ino: null,
    mode: null,
    uid: null,
    isSymlink: false,
  };
  try {
    facts.isSymlink = lstatSync(file).isSymbolicLink();
    const st = statSync(file, { bigint: true });
    facts.dev = majMin(st.dev);
    facts.ino = Number(st.ino);
    facts.mode = Number(st.mode);
    facts.uid = Number(st.uid);
    const fd = openSync(file, 'r');
    try {
      const buf = Buffer.alloc(64);
      const n = readSync(fd, buf, 0, 64, 0);
      facts.content = buf.subarray(0, n).toString('utf8');
    } finally {
      closeSync(fd);
    }
    facts.pid = parsePidfileContent(facts.content);
  } catch (err) {
    facts.readError = errnoOf(err);
  }
  return facts;
}

function unreadable(file: string, errno: string): DaemonCheckError {
  const fields = { errno };
  switch (errno) {
    case 'ENOENT':
      return new DaemonCheckError(
        'PIDFILE',
        `pidfile ${file} does not exist: is the daemon running, and is this the path it writes? (--wait SECONDS waits for it)`,
        fields,
      );
    case 'EISDIR':
      return new DaemonCheckError(
        'PIDFILE',
        `pidfile ${file} is a directory: give the path of the file holding the pid`,
        fields,
      );
    case 'EACCES':
      return new DaemonCheckError(
        'PIDFILE',
        `pidfile ${file} is not readable (EACCES): run as its owner or root`,
        fields,
      );
    case NOT_CAPTURED:
      return new DaemonCheckError(
        'PIDFILE',
        `pidfile ${file} was not recorded in this capture: capture again with --pidfile ${file}`,
        fields,
      );
    default:
      return new DaemonCheckError('PIDFILE', `pidfile ${file} cannot be read (${errno})`, fields);
  }
}

/** The pid a pidfile names; a DaemonCheckError for a missing, unreadable, empty or garbage one. */
export function pidOfPidfile(file: string, facts: PidfileFacts): number {
  if (facts.readError) throw unreadable(file, facts.readError);
  const t = (facts.content ?? '').trim();
  if (t === '')
    throw new DaemonCheckError(
      'PIDFILE',
      `pidfile ${file} is empty: the daemon has not written its pid (yet); --wait SECONDS waits for it`,
    );
  if (/^-\d+$/.test(t))
    throw new DaemonCheckError(
      'PIDFILE',
      `pidfile ${file} holds a negative number (${t}): it is corrupt; remove it and restart the daemon`,
    );
  if (facts.pid === null) {
    const shown = JSON.stringify(t.length > 40 ? t.slice(0, 40) + '…' : t);
    throw new DaemonCheckError(
      'PIDFILE',
      `pidfile ${file} does not hold a pid (it holds ${shown}): it is corrupt or not a pidfile`,
    );
  }
  return facts.pid;
}
