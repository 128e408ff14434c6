/**
 * Reads outside /proc that an audit needs: user names and the pidfile. Kept
 * apart from ProcSource so a fixture replay can answer them from meta.json.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { errnoOf } from './errors.js';
import type { HostReader, PidfileFacts } from './snapshot.js';

function parsePasswd(text: string): Map<number, string> {
  const users = new Map<number, string>();
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length < 3) continue;
    const uid = Number(f[2]);
    if (Number.isSafeInteger(uid) && !users.has(uid)) users.set(uid, f[0]!);
  }
  return users;
}

function majMin(dev: bigint): string {
  const major = ((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn);
  const minor = (dev & 0xffn) | ((dev >> 12n) & ~0xffn);
  return `${major}:${minor}`;
}

/** A pidfile holds one decimal pid and maybe a newline; anything else is garbage. */
export function parsePidfileContent(content: string): number | null {
  const t = content.trim();
  if (!/^\d{1,10}$/.test(t)) return null;
  const n = Number(t);
  return n > 0 ? n : null;
}

export function readPidfileFacts(file: string): PidfileFacts {
  const facts: PidfileFacts = {
    path: path.resolve(file), content: null, pid: null, readError: null,
    dev: null, ino: null, mode: null, uid: null, isSymlink: false,
  };
  try {
    facts.isSymlink = fs.lstatSync(file).isSymbolicLink();
    const st = fs.statSync(file, { bigint: true });
    facts.dev = majMin(st.dev);
    facts.ino = Number(st.ino);
    facts.mode = Number(st.mode);
    facts.uid = Number(st.uid);
    const fd = fs.openSync(file, 'r');
    try {
      const buf = Buffer.alloc(64);
      const n = fs.readSync(fd, buf, 0, 64, 0);
      facts.content = buf.subarray(0, n).toString('utf8');
    } finally {
      fs.closeSync(fd);
    }
    facts.pid = parsePidfileContent(facts.content);
  } catch (err) {
    facts.readError = errnoOf(err);
  }
  return facts;
}

/** A user name -> uid from /etc/passwd, or null. */
export function lookupUid(name: string): number | null {
  let text = '';
  try {
    text = fs.readFileSync('/etc/passwd', 'utf8');
  } catch {
    return null;
  }
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f[0] === name && f[2] !== undefined && /^\d+$/.test(f[2])) return Number(f[2]);
  }
  return null;
}

export class LocalHost implements HostReader {
  private users: Map<number, string> | null = null;
  /**
   * The CLI excludes itself from pipe holders: it inherited its launcher's
   * fds, so sharing a pipe with the audited process says nothing. A library
   * caller is a real holder and stays in.
   */
  constructor(private readonly excludeSelf = false) {}
  userName(uid: number): string | null {
    if (!this.users) {
      try {
        this.users = parsePasswd(fs.readFileSync('/etc/passwd', 'utf8'));
      } catch {
        this.users = new Map();
      }
    }
    return this.users.get(uid) ?? null;
  }
  readPidfile(file: string): PidfileFacts {
    return readPidfileFacts(file);
  }
  private uid: number | null | undefined;
  auditorUid(): number | null {
    // Asked once per snapshot: thousands of times in a scan.
    if (this.uid === undefined) this.uid = typeof process.getuid === 'function' ? process.getuid() : null;
    return this.uid;
  }
  selfPid(): number | null {
    return this.excludeSelf ? process.pid : null;
  }
}

/** Answers from a capture's meta.json: the users it recorded, the pidfile facts it saw. */
export class CaptureHost implements HostReader {
  constructor(private readonly meta: CaptureMeta) {}
  userName(uid: number): string | null {
    return this.meta.users?.[String(uid)] ?? null;
  }
  readPidfile(file: string): PidfileFacts {
    const p = this.meta.pidfile;
    if (p && (p.path === file || p.path === path.resolve(file))) return p;
    return readPidfileFacts(file);
  }
  auditorUid(): number | null {
    return this.meta.auditorUid ?? null;
  }
  selfPid(): number | null {
    return null;
  }
}

export interface CaptureMeta {
  kernel?: string;
  arch?: string;
  pid?: number;
  capturedAt?: string;
  users?: Record<string, string>;
  auditorUid?: number;
  pidfile?: PidfileFacts;
  tool?: string;
}

export function readCaptureMeta(procRoot: string): CaptureMeta | null {
  for (const candidate of [path.join(procRoot, '..', 'meta.json'), path.join(procRoot, 'meta.json')]) {
    try {
      return JSON.parse(fs.readFileSync(candidate, 'utf8')) as CaptureMeta;
    } catch {
      /* try the next place */
    }
  }
  return null;
}

/**
 * The host reader that goes with a proc source: a capture answers from its
 * meta.json, a live system from /etc/passwd and the file system. The CLI
 * passes excludeSelf (see LocalHost); library callers do not.
 */
export function hostFor(source: { kind: 'procfs' | 'fixture'; root: string }, excludeSelf = false): HostReader {
  if (source.kind === 'fixture') {
    const meta = readCaptureMeta(source.root);
    if (meta) return new CaptureHost(meta);
  }
  return new LocalHost(excludeSelf);
}
