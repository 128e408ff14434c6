/**
 * Facts from outside /proc that an audit needs: user names, the pidfile, who
 * is auditing. A live host reads its own files; a capture answers from its
 * meta.json, so a replay never mixes in this machine's state.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { capturedHostFiles, liveHostFiles, type HostFiles } from './files.js';
import { readHostFacts, type HostFacts } from './host-facts.js';
import { parsePasswd } from './passwd.js';
import { NOT_CAPTURED, readPidfileFacts, type PidfileFacts } from './pidfile.js';
import { readShellRc, type RcShell, type ShellRc } from './shell-rc.js';

export interface HostReader {
  /** uid -> user name, as the host's /etc/passwd has it. */
  users(): ReadonlyMap<number, string>;
  userName(uid: number): string | null;
  readPidfile(path: string): PidfileFacts;
  auditorUid(): number | null;
  /** The auditing process itself: it may share a leaked pipe it inherited, which is not evidence. */
  selfPid(): number | null;
  /** Files outside /proc (logind.conf, linger, /run/systemd), under the host root or in a capture. */
  files(): HostFiles;
  /** What those files say, read on the first call and kept for the run. */
  facts(): HostFacts;
  /** The architecture syscall numbers belong to (process.arch's names). */
  arch(): string;
  /** What a login shell's startup files set for its hangup option (shell-rc.ts), read once per user and shell. */
  shellRc?(uid: number, shell: RcShell): ShellRc;
}

/** readShellRc, once per user and shell for a run. */
function cachedRc(cache: Map<string, ShellRc>, files: HostFiles, uid: number, shell: RcShell): ShellRc {
  const key = `${uid}:${shell}`;
  let rc = cache.get(key);
  if (!rc) cache.set(key, (rc = readShellRc(files, uid, shell)));
  return rc;
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

export class LocalHost implements HostReader {
  private table: Map<number, string> | null = null;
  private uid: number | null | undefined;
  private hostFacts: HostFacts | null = null;
  private readonly rcs = new Map<string, ShellRc>();
  /**
   * `excludeSelf`: the CLI excludes itself from pipe holders: it inherited its
   * launcher's fds, so sharing a pipe with the audited process says nothing.
   * A library caller is a real holder and stays in.
   * `hostFiles`: the host root's files (liveHostFiles(root)); capture passes a recording one.
   */
  constructor(
    private readonly excludeSelf = false,
    private readonly hostFiles: HostFiles = liveHostFiles('/'),
  ) {}
  files(): HostFiles {
    return this.hostFiles;
  }
  facts(): HostFacts {
    return (this.hostFacts ??= readHostFacts(this.hostFiles));
  }
  users(): ReadonlyMap<number, string> {
    if (!this.table) {
      try {
        // The host root's passwd: logind names a scope's owner from the host's, and --host-root may be a container's view of it.
        this.table = parsePasswd(this.hostFiles.readText('etc/passwd'));
      } catch {
        this.table = new Map();
      }
    }
    return this.table;
  }
  userName(uid: number): string | null {
    return this.users().get(uid) ?? null;
  }
  readPidfile(file: string): PidfileFacts {
    return readPidfileFacts(file);
  }
  auditorUid(): number | null {
    // Asked once per snapshot: thousands of times in a scan.
    if (this.uid === undefined) this.uid = typeof process.getuid === 'function' ? process.getuid() : null;
    return this.uid;
  }
  selfPid(): number | null {
    return this.excludeSelf ? process.pid : null;
  }
  arch(): string {
    return process.arch;
  }
  shellRc(uid: number, shell: RcShell): ShellRc {
    return cachedRc(this.rcs, this.hostFiles, uid, shell);
  }
}

/** Answers from a capture's meta.json: the users it recorded, the pidfile facts it saw. */
export class CaptureHost implements HostReader {
  private readonly table: Map<number, string>;
  private readonly hostFiles: HostFiles;
  private hostFacts: HostFacts | null = null;
  private readonly rcs = new Map<string, ShellRc>();
  /** `procDir`: the capture's proc/ folder; its host/ folder sits beside it. */
  constructor(
    private readonly meta: CaptureMeta,
    procDir: string,
  ) {
    this.table = new Map(Object.entries(meta.users ?? {}).map(([uid, name]) => [Number(uid), name]));
    this.hostFiles = capturedHostFiles(procDir);
  }
  files(): HostFiles {
    return this.hostFiles;
  }
  facts(): HostFacts {
    return (this.hostFacts ??= readHostFacts(this.hostFiles));
  }
  users(): ReadonlyMap<number, string> {
    return this.table;
  }
  userName(uid: number): string | null {
    return this.table.get(uid) ?? null;
  }
  readPidfile(file: string): PidfileFacts {
    const p = this.meta.pidfile;
    if (isPidfileFacts(p) && (p.path === file || p.path === resolve(file))) return p;
    const absent: PidfileFacts = {
      path: resolve(file),
      content: null,
      pid: null,
      readError: NOT_CAPTURED,
      dev: null,
      ino: null,
      mode: null,
      uid: null,
      isSymlink: false,
    };
    return absent;
  }
  auditorUid(): number | null {
    return this.meta.auditorUid ?? null;
  }
  selfPid(): number | null {
    return null;
  }
  arch(): string {
    return typeof this.meta.arch === 'string' ? this.meta.arch : 'unknown';
  }
  /** From the capture's host/ folder: a capture without the files reads none of them. */
  shellRc(uid: number, shell: RcShell): ShellRc {
    return cachedRc(this.rcs, this.hostFiles, uid, shell);
  }
}

/** meta.json is data from elsewhere: a recorded pidfile is used only when it has the right shape. */
function isPidfileFacts(p: unknown): p is PidfileFacts {
  if (!p || typeof p !== 'object') return false;
  const f = p as Record<string, unknown>;
  const strOrNull = (v: unknown) => v === null || typeof v === 'string';
  const numOrNull = (v: unknown) => v === null || (typeof v === 'number' && Number.isSafeInteger(v));
  return (
    typeof f.path === 'string' &&
    strOrNull(f.content) &&
    numOrNull(f.pid) &&
    strOrNull(f.readError) &&
    strOrNull(f.dev) &&
    numOrNull(f.ino) &&
    numOrNull(f.mode) &&
    numOrNull(f.uid) &&
    typeof f.isSymlink === 'boolean'
  );
}

export function readCaptureMeta(procRoot: string): CaptureMeta | null {
  for (const candidate of [join(procRoot, '..', 'meta.json'), join(procRoot, 'meta.json')]) {
    try {
      return JSON.parse(readFileSync(candidate, 'utf8')) as CaptureMeta;
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
export function hostFor(
  source: { kind: 'procfs' | 'fixture'; root: string },
  excludeSelf = false,
  hostRoot = '/',
): HostReader {
  if (source.kind === 'fixture') {
    const meta = readCaptureMeta(source.root);
    if (meta) return new CaptureHost(meta, source.root);
  }
  return new LocalHost(excludeSelf, liveHostFiles(hostRoot));
}
