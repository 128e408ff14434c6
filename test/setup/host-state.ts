/**
 * The /proc and /sys reading behind the leak checks (file-check.ts per test
 * file, host-check.ts per run): which processes carry a marker in their
 * environment, which ptys they hold, and which cgroups and tracefs instances
 * exist. Plain fs reads only, no vitest: the global setup loads it outside any
 * test file, and the setup file loads it in every unit file too, so it reads
 * /proc itself rather than through test/helpers/procs.ts (which brings vitest
 * hooks, esbuild and src/ with it).
 */
import { readdirSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The environment entry that every process a test file starts inherits (file-check.ts sets it). */
export const FILE_MARKER = 'DAEMON_CHECK_TEST_FILE';
/** The environment entry that every process of one vitest run inherits (host-check.ts sets it). */
export const RUN_MARKER = 'DAEMON_CHECK_TEST_RUN';

export interface ProcessInfo {
  pid: number;
  ppid: number;
  /** stat field 3: R, S, D, Z, ... */
  state: string;
  /** stat field 22, in clock ticks since boot: with the pid, it names one process. */
  start: string;
  command: string;
}

export function allPids(): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number);
}

/** What stat and cmdline say of PID, or null once it is gone. */
export function processInfo(pid: number): ProcessInfo | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    let argv = '';
    try {
      argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0+$/, '').split('\0').join(' ');
    } catch {
      /* gone meanwhile: comm is enough */
    }
    return { pid, ppid: Number(f[1]), state: f[0]!, start: f[19]!, command: argv || `[${comm}]` };
  } catch {
    return null;
  }
}

/** The entries (NAME=value) of PID's environment as it was at exec, or [] when unreadable. */
export function environOf(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
  } catch {
    return [];
  }
}

/** Every process whose environment holds one of ENTRIES, with the entry that matched. */
export function carrying(entries: readonly string[]): Array<{ info: ProcessInfo; entry: string }> {
  const out: Array<{ info: ProcessInfo; entry: string }> = [];
  if (entries.length === 0) return out;
  for (const pid of allPids()) {
    const env = environOf(pid);
    const entry = entries.find((e) => env.includes(e));
    const info = entry === undefined ? null : processInfo(pid);
    if (info && entry !== undefined) out.push({ info, entry });
  }
  return out;
}

const NODE_MODULES = join(resolve(__dirname, '..', '..'), 'node_modules') + '/';

/**
 * PID runs a program from the project's node_modules: vitest's own tooling
 * (esbuild's service, which a worker starts for bundleSrc and which ends when
 * that worker closes its stdin), never a process under test.
 */
export function fromNodeModules(pid: number): boolean {
  try {
    return realpathSync(`/proc/${pid}/exe`).startsWith(NODE_MODULES);
  } catch {
    return false;
  }
}

/** PID's ancestors, nearest first (up to, not including, pid 0). */
export function ancestorsOf(pid: number): number[] {
  const out: number[] = [];
  for (let p = processInfo(pid)?.ppid ?? 0; p > 0 && out.length < 4096; p = processInfo(p)?.ppid ?? 0) out.push(p);
  return out;
}

/** The ptys PID holds: '/dev/pts/N' for a terminal side, 'pty master N' for a /dev/ptmx fd. */
export function ptysHeld(pid: number): string[] {
  const out = new Set<string>();
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return [];
  }
  for (const fd of fds) {
    try {
      const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      if (/^\/dev\/pts\/\d+$/.test(target)) out.add(target);
      else if (target === '/dev/ptmx' || target === '/dev/pts/ptmx') {
        // fdinfo names the pty a master fd drives (tty-index, Linux 5.14 and later).
        const m = /^tty-index:\s*(\d+)$/m.exec(readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8'));
        out.add(m ? `pty master ${m[1]}` : 'pty master');
      }
    } catch {
      /* closed meanwhile */
    }
  }
  return [...out];
}

/** The ptys that exist now: the numbers under /dev/pts. */
export function ptyNumbers(): string[] {
  try {
    return readdirSync('/dev/pts').filter((n) => /^\d+$/.test(n));
  } catch {
    return [];
  }
}

/** The mount points of every cgroup hierarchy (v1 and v2), from /proc/self/mountinfo. */
export function cgroupMounts(): string[] {
  const out: string[] = [];
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const [left, right] = line.split(' - ');
    if (!left || !right || !/^cgroup2? /.test(right)) continue;
    out.push(left.split(' ')[4]!);
  }
  return out;
}

/** Every cgroup directory under each hierarchy's mount (the roots themselves left out). */
export function cgroupDirs(): string[] {
  const out: string[] = [];
  const walk = (dir: string, depth: number): void => {
    let entries: Array<{ name: string; isDirectory(): boolean }>;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return; // removed meanwhile
    }
    for (const e of entries) {
      if (!e.isDirectory()) continue;
      const d = join(dir, e.name);
      out.push(d);
      if (depth < 16) walk(d, depth + 1);
    }
  };
  for (const m of cgroupMounts()) walk(m, 0);
  return out;
}

/** The pids in a cgroup directory (cgroup.procs), [] when it is gone. */
export function cgroupProcs(dir: string): number[] {
  try {
    return readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

const TRACEFS = ['/sys/kernel/tracing/instances', '/sys/kernel/debug/tracing/instances'];

/** Every tracefs instance directory there is (both places tracefs can be mounted). */
export function tracefsInstances(): string[] {
  const out = new Set<string>();
  for (const dir of TRACEFS) {
    try {
      for (const n of readdirSync(dir)) out.add(join(dir, n));
    } catch {
      /* not mounted there */
    }
  }
  return [...out];
}

/** SIGKILLs P by pid while the pid still names it (same start time); a pid below 2 is never signalled. */
export function killSame(p: { pid: number; start: string }): void {
  if (p.pid < 2 || p.pid === process.pid || processInfo(p.pid)?.start !== p.start) return;
  try {
    process.kill(p.pid, 'SIGKILL');
  } catch {
    /* gone */
  }
}

/** Waits, polling every intervalMs, until DONE() holds or timeoutMs passes; true when it held. */
export async function until(done: () => boolean, timeoutMs: number, intervalMs = 50): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (done()) return true;
    if (Date.now() >= end) return false;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
