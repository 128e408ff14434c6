// /proc helpers: process census, liveness by pid and argv, and the machine's
// description and process headroom.
import { readFileSync, readdirSync } from 'node:fs';
import { availableParallelism, release, totalmem } from 'node:os';

function read(path) {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}

export const readProc = (pid, file) => read(`/proc/${pid}/${file}`);

export function cmdline(pid) {
  const c = readProc(pid, 'cmdline');
  return c === null ? null : c.split('\0').slice(0, -1);
}

/**
 * {state, ppid, start} from /proc/PID/stat, or null when the process is gone.
 * start (clock ticks after boot) tells a process from a later one that got
 * its pid: a full run starts enough processes for pids to wrap around.
 */
export function stat(pid) {
  const s = readProc(pid, 'stat');
  if (s === null) return null;
  const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
  return { state: f[0], ppid: Number(f[1]), start: Number(f[19]) };
}

export function allPids() {
  return readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .map(Number);
}

/** Number of processes in /proc (what ps -e and a scan walk over), zombies included. */
export const processCount = () => allPids().length;

/** Live (not zombie) process ids, and zombies with their parents, right now. */
export function census() {
  const live = [];
  const zombies = [];
  for (const pid of allPids()) {
    const s = stat(pid);
    if (!s) continue;
    if (s.state === 'Z') zombies.push({ pid, ppid: s.ppid, start: s.start });
    else live.push(pid);
  }
  return { live, zombies };
}

/** True when pid exists and is not a zombie. */
export function alive(pid) {
  const s = stat(pid);
  return s !== null && s.state !== 'Z';
}

export function sameArgs(pid, args) {
  const c = cmdline(pid);
  return c !== null && c.length === args.length && c.every((x, i) => x === args[i]);
}

// ------------------------------------------------------------------ machine

/**
 * CPU time in clock ticks: {busy, total} of the whole machine (/proc/stat;
 * steal counts as busy) and {own} of the bench with the children it has
 * reaped (utime + stime + cutime + cstime of /proc/self/stat).
 */
export function cpuTicks() {
  const f = (read('/proc/stat') ?? '').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = f;
  const busy = user + nice + system + irq + softirq + steal;
  const self = readProc('self', 'stat') ?? '';
  const g = self
    .slice(self.lastIndexOf(')') + 2)
    .split(' ')
    .map(Number);
  return { busy, total: busy + idle + iowait, own: g[11] + g[12] + g[13] + g[14] };
}

/** Share of the machine's CPU capacity used by anything but the bench between two cpuTicks(). */
export function foreignShare(a, b) {
  const total = b.total - a.total;
  return total > 0 ? Math.max(0, (b.busy - a.busy - (b.own - a.own)) / total) : 0;
}

function limit(limits, name) {
  const m = new RegExp(`^${name}\\s+(\\S+)\\s+(\\S+)`, 'm').exec(limits);
  return m ? { soft: m[1], hard: m[2] } : null;
}

export function machineInfo() {
  const info = read('/proc/cpuinfo') ?? '';
  const limits = read('/proc/self/limits') ?? '';
  const loadavg = (read('/proc/loadavg') ?? '').trim().split(' ');
  return {
    cpu: /^model name\s*:\s*(.*)$/m.exec(info)?.[1]?.trim() ?? 'unknown CPU',
    cores: (info.match(/^processor\s*:/gm) ?? []).length || availableParallelism(),
    availableParallelism: availableParallelism(),
    memGiB: totalmem() / 2 ** 30,
    kernel: release(),
    node: process.version,
    pidMax: Number(read('/proc/sys/kernel/pid_max')),
    threadsMax: Number(read('/proc/sys/kernel/threads-max')),
    threadsNow: Number(loadavg[3]?.split('/')[1]),
    loadavg: loadavg.slice(0, 3).join(' '),
    nproc: limit(limits, 'Max processes'),
    nofile: limit(limits, 'Max open files'),
    uid: process.getuid(),
  };
}

/** How many more processes can be started here, and what limits it. */
export function pidHeadroom() {
  const m = machineInfo();
  // Pids 1..299 are reserved once the counter wraps; every thread uses a pid.
  let room = m.pidMax - 300 - m.threadsNow;
  const why = [`pid_max ${m.pidMax} with ${m.threadsNow} threads in use`];
  if (m.threadsMax) room = Math.min(room, m.threadsMax - m.threadsNow);
  const nproc = m.nproc && m.nproc.soft !== 'unlimited' ? Number(m.nproc.soft) : Infinity;
  if (m.uid !== 0 && Number.isFinite(nproc)) {
    // RLIMIT_NPROC counts this user's threads; root is exempt from it.
    room = Math.min(room, nproc - m.threadsNow);
    why.push(`ulimit -u ${nproc}`);
  }
  for (const p of ['/sys/fs/cgroup/pids.max', '/sys/fs/cgroup/pids/pids.max']) {
    const max = read(p)?.trim();
    const cur = Number(read(p.replace('pids.max', 'pids.current')));
    if (max && max !== 'max') {
      room = Math.min(room, Number(max) - cur);
      why.push(`cgroup pids.max ${max}`);
    }
  }
  return { room: room - 100, why: why.join(', ') };
}
