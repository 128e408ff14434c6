/**
 * `daemon-check capture`: record exactly what one audit read from /proc and
 * write it as a plain-file fixture tree (docs/interface.md), so replaying it with
 * --proc-root gives the same report after the process is gone. The audit runs
 * through a recording ProcSource, so the capture can never drift from what
 * the snapshot reads.
 */
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { arch, release } from 'node:os';
import { dirname, join } from 'node:path';
import { DaemonCheckError, errnoOf } from './core/errors.js';
import type { PidfileFacts } from './host/pidfile.js';
import { LocalHost, type HostReader } from './host/reader.js';
import { liveHostFiles } from './host/files.js';
import { recheckIdentity } from './proc/identity.js';
import type { ProcSource, TargetStat } from './proc/source.js';
import { parseStat, type ProcStat } from './proc/stat.js';
import { readSnapshot } from './snapshot/read.js';
import type { Snapshot } from './snapshot/types.js';

/** One recorded answer of the source: what the replay must give back. */
type Answer =
  | { op: 'file'; data: Buffer }
  | { op: 'link'; data: Buffer }
  | { op: 'dir'; names: string[] }
  | { op: 'stat'; stat: TargetStat }
  | { op: 'error'; errno: string };

/** Delegates to a real source and remembers every answer, errors included. */
class RecordingProcSource implements ProcSource {
  readonly records = new Map<string, Answer>();
  constructor(private readonly inner: ProcSource) {}
  get root(): string {
    return this.inner.root;
  }
  get kind(): 'procfs' | 'fixture' {
    return this.inner.kind;
  }
  private note<T>(key: string, f: () => T, rec: (v: T) => Answer): T {
    try {
      const v = f();
      this.records.set(key, rec(v));
      return v;
    } catch (err) {
      this.records.set(key, { op: 'error', errno: errnoOf(err) });
      throw err;
    }
  }
  readFile(rel: string, maxBytes?: number): Buffer {
    return this.note(
      `file:${rel}`,
      () => this.inner.readFile(rel, maxBytes),
      (data) => ({ op: 'file', data }),
    );
  }
  readText(rel: string, maxBytes?: number): string {
    return this.readFile(rel, maxBytes).toString('utf8');
  }
  readlink(rel: string): Buffer {
    return this.note(
      `link:${rel}`,
      () => this.inner.readlink(rel),
      (data) => ({ op: 'link', data }),
    );
  }
  readdir(rel: string): string[] {
    return this.note(
      `dir:${rel}`,
      () => this.inner.readdir(rel),
      (names) => ({ op: 'dir', names }),
    );
  }
  statTarget(rel: string): TargetStat {
    return this.note(
      `stat:${rel}`,
      () => this.inner.statTarget(rel),
      (stat) => ({ op: 'stat', stat }),
    );
  }
  exists(rel: string): boolean {
    return this.inner.exists(rel);
  }
}

export interface CaptureResult {
  dir: string;
  pid: number;
  comm: string;
  files: number;
}

function redactEnviron(buf: Buffer): Buffer {
  const out = buf
    .toString('utf8')
    .split('\0')
    .map((e) => {
      if (e === '') return e;
      const i = e.indexOf('=');
      return i < 0 ? e : `${e.slice(0, i)}=<redacted>`;
    })
    .join('\0');
  return Buffer.from(out, 'utf8');
}

/** Which pids' records the replay needs, and how much of each. */
function keepPlan(snap: Snapshot): {
  full: Set<number>;
  related: Set<number>;
  statOnly: Set<number>;
  peerFds: Map<number, Set<number>>;
} {
  const related = new Set<number>();
  for (const r of [snap.parent, snap.sessionLeader]) if (r) related.add(r.pid);
  for (const a of snap.ancestors) related.add(a.pid);
  const statOnly = new Set<number>();
  for (const c of snap.children) statOnly.add(c.pid);
  for (const d of snap.descendants) statOnly.add(d);
  for (const m of snap.sessionMembers) statOnly.add(m.pid);
  for (const l of snap.ancestorLeaders) statOnly.add(l.pid);
  const peerFds = new Map<number, Set<number>>();
  for (const holders of Object.values(snap.peers)) {
    for (const h of holders) {
      statOnly.add(h.pid);
      const s = peerFds.get(h.pid) ?? new Set<number>();
      for (const fd of h.fds) s.add(fd);
      peerFds.set(h.pid, s);
    }
  }
  return { full: new Set([snap.pid]), related, statOnly, peerFds };
}

function wanted(key: string, plan: ReturnType<typeof keepPlan>): boolean {
  const [, rel] = [key.slice(0, key.indexOf(':')), key.slice(key.indexOf(':') + 1)];
  if (rel === '.') return false;
  const m = /^(\d+)\/(.*)$/.exec(rel);
  if (!m) return true; // locks, tty/drivers, sys/kernel/pid_max
  const pid = Number(m[1]);
  const sub = m[2]!;
  if (plan.full.has(pid)) return true;
  if (plan.related.has(pid) && (sub === 'stat' || sub === 'cmdline')) return true;
  if (sub === 'stat' && (plan.statOnly.has(pid) || plan.related.has(pid))) return true;
  const fds = plan.peerFds.get(pid);
  if (fds) {
    const f = /^fd\/(\d+)$/.exec(sub);
    if (f && fds.has(Number(f[1]))) return true;
    if (sub === 'fd') return true;
  }
  return false;
}

function writeFile(file: string, data: Buffer | string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, data);
}

function refuseNonEmpty(outDir: string): void {
  if (!existsSync(outDir)) return;
  const st = statSync(outDir);
  if (!st.isDirectory())
    throw new DaemonCheckError(
      'INVALID_ARGUMENT',
      `--out ${outDir} exists and is not a directory; choose a new folder`,
    );
  if (readdirSync(outDir).length > 0)
    throw new DaemonCheckError(
      'INVALID_ARGUMENT',
      `--out ${outDir} is not empty; choose a new folder so nothing is overwritten`,
    );
}

/** The snapshot an audit would read, through the recorder; null for a kernel thread (worth capturing: the replay must refuse it too). */
function recordSnapshot(
  rec: RecordingProcSource,
  pid: number,
  host: HostReader,
  pidfile: string | undefined,
): Snapshot | null {
  try {
    return readSnapshot(rec, pid, { host, pidfile });
  } catch (err) {
    if (err instanceof DaemonCheckError && err.code === 'KERNEL_THREAD') return null;
    throw err;
  }
}

/** The identity check the audit makes: the process recorded is still the one at the end. */
function confirmIdentity(source: ProcSource, rec: RecordingProcSource, pid: number): ProcStat {
  const first = rec.records.get(`file:${pid}/stat`);
  const stat = first?.op === 'file' ? parseStat(first.data.toString('utf8')) : null;
  if (!stat || recheckIdentity(source, stat) !== 'same') {
    throw new DaemonCheckError(
      'EXITED_DURING_AUDIT',
      `pid ${pid} exited or was replaced during the capture; capture it again`,
      { pid },
    );
  }
  return stat;
}

function writeAnswer(base: string, r: Answer, rel: string): boolean {
  switch (r.op) {
    case 'file':
      writeFile(base, /\/environ$/.test(rel) ? redactEnviron(r.data) : r.data);
      return true;
    case 'link':
      writeFile(base + '.link', r.data);
      return true;
    case 'dir':
      mkdirSync(base, { recursive: true });
      return false;
    case 'stat':
      writeFile(
        base + '.stat',
        JSON.stringify({
          dev: r.stat.dev,
          ino: r.stat.ino,
          mode: r.stat.mode.toString(8),
          rdev: r.stat.rdev,
          uid: r.stat.uid,
          nlink: r.stat.nlink,
          ...(r.stat.size !== undefined ? { size: r.stat.size } : {}),
        }) + '\n',
      );
      return true;
    case 'error':
      writeFile(base + '.errno', r.errno + '\n');
      return true;
  }
}

function writeMeta(outDir: string, host: HostReader, snap: Snapshot | null, stat: ProcStat): void {
  const users: { [uid: string]: string } = {};
  for (const u of new Set([...(snap?.status?.uid ?? []), ...(snap?.scopeUser ? [snap.scopeUser.uid] : [])])) {
    const name = host.userName(u);
    if (name) users[String(u)] = name;
  }
  const meta: { [k: string]: unknown } = {
    tool: 'daemon-check capture',
    formatVersion: 1,
    kernel: release(),
    arch: arch(),
    pid: stat.pid,
    comm: stat.comm,
    kernelThread: snap === null,
    capturedAt: new Date().toISOString(),
    users,
    auditorUid: host.auditorUid(),
  };
  if (snap?.pidfile) meta.pidfile = snap.pidfile satisfies PidfileFacts;
  writeFile(join(outDir, 'meta.json'), JSON.stringify(meta, null, 2) + '\n');
}

/** The host files the audit read (logind.conf, linger, /run/systemd), under host/ beside proc/. */
function writeHostRecords(outDir: string, rec: RecordingProcSource): number {
  let files = 0;
  for (const [key, r] of rec.records) {
    const rel = key.slice(key.indexOf(':') + 1);
    if (writeAnswer(join(outDir, 'host', rel), r, rel)) files++;
  }
  return files;
}

/**
 * The capture of a live process into `outDir` (which must not exist, or be
 * empty). `hostRoot`: where the host's files outside /proc are.
 */
export function captureProcess(
  source: ProcSource,
  pid: number,
  outDir: string,
  opts: { pidfile?: string; hostRoot?: string } = {},
): CaptureResult {
  refuseNonEmpty(outDir);
  const hostRec = new RecordingProcSource(liveHostFiles(opts.hostRoot ?? '/'));
  const host = new LocalHost(true, hostRec);
  host.facts();
  const rec = new RecordingProcSource(source);
  const snap = recordSnapshot(rec, pid, host, opts.pidfile);
  const stat = confirmIdentity(source, rec, pid);
  const procDir = join(outDir, 'proc');
  mkdirSync(procDir, { recursive: true });
  let files = 0;
  const plan = snap
    ? keepPlan(snap)
    : { full: new Set([pid]), related: new Set<number>(), statOnly: new Set<number>(), peerFds: new Map() };
  for (const [key, r] of rec.records) {
    if (!wanted(key, plan)) continue;
    const rel = key.slice(key.indexOf(':') + 1);
    if (writeAnswer(join(procDir, rel), r, rel)) files++;
  }
  files += writeHostRecords(outDir, hostRec);
  writeMeta(outDir, host, snap, stat);
  return { dir: outDir, pid, comm: stat.comm, files: files + 1 };
}
