/**
 * `daemon-check capture`: record exactly what one audit read from /proc and
 * write it as a plain-file fixture tree (interface.md), so replaying it with
 * --proc-root gives the same report after the process is gone. The audit runs
 * through a recording ProcSource, so the capture can never drift from what
 * the snapshot reads.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DaemonCheckError, ProcReadError, errnoOf } from './errors.js';
import type { ProcSource, TargetStat } from './proc/source.js';
import { readSnapshot, type HostReader, type PidfileFacts, type Snapshot } from './snapshot.js';
import { parseStat, isKernelThread } from './proc/stat.js';

type Record =
  | { op: 'file'; data: Buffer }
  | { op: 'link'; data: Buffer }
  | { op: 'dir'; names: string[] }
  | { op: 'stat'; stat: TargetStat }
  | { op: 'error'; errno: string };

/** Delegates to a real source and remembers every answer, errors included. */
export class RecordingProcSource implements ProcSource {
  readonly kind = 'procfs' as const;
  readonly records = new Map<string, Record>();
  constructor(private readonly inner: ProcSource) {}
  get root(): string {
    return this.inner.root;
  }
  private note<T>(key: string, f: () => T, rec: (v: T) => Record): T {
    try {
      const v = f();
      this.records.set(key, rec(v));
      return v;
    } catch (err) {
      this.records.set(key, { op: 'error', errno: err instanceof ProcReadError ? err.errno : errnoOf(err) });
      throw err;
    }
  }
  readFile(rel: string, maxBytes?: number): Buffer {
    return this.note(`file:${rel}`, () => this.inner.readFile(rel, maxBytes), (data) => ({ op: 'file', data }));
  }
  readText(rel: string, maxBytes?: number): string {
    return this.readFile(rel, maxBytes).toString('utf8');
  }
  readlink(rel: string): Buffer {
    return this.note(`link:${rel}`, () => this.inner.readlink(rel), (data) => ({ op: 'link', data }));
  }
  readdir(rel: string): string[] {
    return this.note(`dir:${rel}`, () => this.inner.readdir(rel), (names) => ({ op: 'dir', names }));
  }
  statTarget(rel: string): TargetStat {
    return this.note(`stat:${rel}`, () => this.inner.statTarget(rel), (stat) => ({ op: 'stat', stat }));
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
function keepPlan(snap: Snapshot): { full: Set<number>; related: Set<number>; statOnly: Set<number>; peerFds: Map<number, Set<number>> } {
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
  if (rel === '.' ) return false;
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
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, data);
}

/** The capture of a live process into `outDir` (which must not exist, or be empty). */
export function captureProcess(source: ProcSource, pid: number, outDir: string, host: HostReader, opts: { pidfile?: string } = {}): CaptureResult {
  if (fs.existsSync(outDir)) {
    const st = fs.statSync(outDir);
    if (!st.isDirectory()) throw new DaemonCheckError('INVALID_ARGUMENT', `--out ${outDir} exists and is not a directory; choose a new folder`);
    if (fs.readdirSync(outDir).length > 0) throw new DaemonCheckError('INVALID_ARGUMENT', `--out ${outDir} is not empty; choose a new folder so nothing is overwritten`);
  }
  const rec = new RecordingProcSource(source);
  let snap: Snapshot | null = null;
  let kernelThread = false;
  try {
    snap = readSnapshot(rec, pid, { host, pidfile: opts.pidfile });
  } catch (err) {
    // A kernel thread is worth capturing too: the replay must say "kernel thread".
    if (!(err instanceof DaemonCheckError && err.code === 'KERNEL_THREAD')) throw err;
    kernelThread = true;
  }
  // The identity check the audit makes: the same process from start to end.
  const stat = parseStat(source.readText(`${pid}/stat`, 4096));
  const firstStat = rec.records.get(`file:${pid}/stat`);
  if (firstStat?.op === 'file' && parseStat(firstStat.data.toString('utf8')).starttime !== stat.starttime) {
    throw new DaemonCheckError('EXITED_DURING_AUDIT', `pid ${pid} was replaced during the capture; capture it again`);
  }
  const procDir = path.join(outDir, 'proc');
  fs.mkdirSync(procDir, { recursive: true });
  let files = 0;
  const plan = snap ? keepPlan(snap) : { full: new Set([pid]), related: new Set<number>(), statOnly: new Set<number>(), peerFds: new Map() };
  for (const [key, r] of rec.records) {
    if (!wanted(key, plan)) continue;
    const rel = key.slice(key.indexOf(':') + 1);
    const base = path.join(procDir, rel);
    switch (r.op) {
      case 'file':
        writeFile(base, /\/environ$/.test(rel) ? redactEnviron(r.data) : r.data);
        break;
      case 'link':
        writeFile(base + '.link', r.data);
        break;
      case 'dir':
        fs.mkdirSync(base, { recursive: true });
        continue;
      case 'stat':
        writeFile(base + '.stat', JSON.stringify({ dev: r.stat.dev, ino: r.stat.ino, mode: r.stat.mode.toString(8), rdev: r.stat.rdev, uid: r.stat.uid, nlink: r.stat.nlink }) + '\n');
        break;
      case 'error':
        writeFile(base + '.errno', r.errno + '\n');
        break;
    }
    files++;
  }
  const users: { [uid: string]: string } = {};
  const uids = new Set<number>();
  if (snap?.status) for (const u of snap.status.uid) uids.add(u);
  for (const u of uids) {
    const name = host.userName(u);
    if (name) users[String(u)] = name;
  }
  const meta: { [k: string]: unknown } = {
    tool: 'daemon-check capture',
    formatVersion: 1,
    kernel: os.release(),
    arch: os.arch(),
    pid,
    comm: stat.comm,
    kernelThread,
    capturedAt: new Date().toISOString(),
    users,
    auditorUid: host.auditorUid(),
  };
  if (snap?.pidfile) meta.pidfile = snap.pidfile satisfies PidfileFacts;
  writeFile(path.join(outDir, 'meta.json'), JSON.stringify(meta, null, 2) + '\n');
  return { dir: outDir, pid, comm: stat.comm, files: files + 1 };
}

export { isKernelThread };
