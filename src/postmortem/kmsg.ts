/**
 * The kernel log's lines that tell how a process ended, parsed from text
 * (pure: the reader hands over what /dev/kmsg or `dmesg -r` gave). Formats
 * are the kernel's own printk strings (6.18, and older forms where they
 * differ), checked against lines recorded on this host
 * (fixtures/postmortem/*.txt):
 * - mm/oom_kill.c: "Memory cgroup out of memory: Killed process PID (comm) total-vm:..",
 *   "Out of memory: Killed process ..", "oom-kill:constraint=..,oom_memcg=..,task_memcg=..,task=..,pid=..,uid=..",
 *   "oom_reaper: reaped process PID (comm)", and mm/memcontrol-v1's "memory: usage NkB, limit NkB";
 * - arch/x86/mm/fault.c: "comm[PID]: segfault at ADDR ip .. sp .. error N in lib[..]";
 * - arch/x86/kernel/traps.c (pr_fmt "traps: "): "traps: comm[PID] trap int3 ip:..";
 * - kernel/signal.c print_fatal_signal (kernel.print-fatal-signals=1): "exe: comm: potentially
 *   unexpected fatal signal N." with the pid on the "CPU: N UID: U PID: P Comm: .." line after it;
 * - kernel/hung_task.c: "INFO: task comm:PID blocked for more than N seconds.";
 * - mm/memory-failure.c: "Memory failure: PFN: Killing comm:PID due to hardware memory corruption";
 * - kernel/auditsc.c: "audit: type=1701" (ANOM_ABEND) and "type=1326" (SECCOMP) with pid=, comm=, sig=;
 * - drivers/tty/sysrq.c: "sysrq: Kill All Tasks", "Terminate All Tasks", "Manual OOM execution".
 * The pid in the segfault, traps and hung-task lines is the thread's id: for
 * the main thread that is the process's pid.
 */
import { signalName } from '../proc/signals.js';

/** One kernel log record: its sequence number, priority and CLOCK_MONOTONIC microseconds where known. */
export interface KernelRecord {
  seq: number | null;
  prio: number | null;
  usec: number | null;
  message: string;
}

export type KernelEventKind =
  | 'oom-kill'
  | 'oom-reaped'
  | 'segfault'
  | 'trap'
  | 'fatal-signal'
  | 'hung-task'
  | 'memory-failure'
  | 'audit-abend'
  | 'seccomp'
  | 'sysrq';

export interface KernelEvent {
  kind: KernelEventKind;
  /** The process (or thread) the line is about; null for host-wide lines (sysrq). */
  pid: number | null;
  comm: string | null;
  usec: number | null;
  /** Epoch seconds where the line itself carries them (audit records), else null. */
  epoch: number | null;
  /** The signal that ends it, where the line says or implies one (SIGKILL for an OOM kill). */
  signal: string | null;
  line: string;
  /** The line's own facts: the memory cgroup and its limit, the fault address, the trap. */
  detail: Record<string, string>;
}

/** "\x5c" and the other escapes /dev/kmsg writes for bytes outside printable ASCII. */
function unescapeKmsg(s: string): string {
  return s.replace(/\\x([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
}

const KMSG_RECORD = /^(\d+),(\d+),(\d+),[^;]*;(.*)$/;

/**
 * /dev/kmsg records ("prio,seq,usec,flags;message", Documentation/ABI/testing/dev-kmsg),
 * one per read or one per line of a saved file. Lines starting with a space are a
 * record's dictionary (" SUBSYSTEM=acpi") and are skipped.
 */
export function parseKmsg(text: string): KernelRecord[] {
  const out: KernelRecord[] = [];
  for (const line of text.split('\n')) {
    const m = KMSG_RECORD.exec(line);
    if (!m) continue;
    out.push({ prio: Number(m[1]), seq: Number(m[2]), usec: Number(m[3]), message: unescapeKmsg(m[4]!) });
  }
  return out;
}

const DMESG_LINE = /^(?:<(\d+)>)?(?:\[\s*(\d+)\.(\d+)\]\s?)?(.*)$/;

/** `dmesg -r` ("<6>[ 2661.071589] message") or plain `dmesg` output; lines without a time get usec null. */
export function parseDmesg(text: string): KernelRecord[] {
  const out: KernelRecord[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const m = DMESG_LINE.exec(line)!;
    const usec = m[2] !== undefined ? Number(m[2]) * 1e6 + Number(m[3]!.padEnd(6, '0').slice(0, 6)) : null;
    out.push({ prio: m[1] !== undefined ? Number(m[1]) : null, seq: null, usec, message: m[4]! });
  }
  return out;
}

/** The x86 trap names of traps.c and the signal each one sends. */
const TRAP_SIGNALS: Record<string, string> = {
  'trap int3': 'SIGTRAP',
  'trap invalid opcode': 'SIGILL',
  'trap divide error': 'SIGFPE',
  'general protection fault': 'SIGSEGV',
  'trap stack segment': 'SIGBUS',
  'trap bounds': 'SIGSEGV',
  'trap overflow': 'SIGSEGV',
  'trap alignment check': 'SIGBUS',
  'trap coprocessor segment overrun': 'SIGFPE',
  'trap invalid TSS': 'SIGSEGV',
  'trap segment not present': 'SIGBUS',
};

/** "a=1,b=x" (the oom-kill line) or 'a=1 b="x y"' (audit records) as a map. */
function keyValues(text: string, sep: RegExp): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text.split(sep)) {
    const eq = part.indexOf('=');
    if (eq > 0) out[part.slice(0, eq)] = part.slice(eq + 1).replace(/^"(.*)"$/, '$1');
  }
  return out;
}

type Match = Omit<KernelEvent, 'usec' | 'line' | 'epoch'> & { epoch?: number | null };

const event = (
  kind: KernelEventKind,
  pid: string | number | null,
  comm: string | null,
  signal: string | null,
  detail: Record<string, string> = {},
): Match => ({ kind, pid: pid === null ? null : Number(pid), comm, signal, detail });

/** Each matcher reads one message, or gives null. */
const MATCHERS: ReadonlyArray<(msg: string) => Match | null> = [
  (msg) => {
    const m = /^(?:(.*?):? )?Killed process (\d+) \((.*?)\)(.*)$/.exec(msg);
    if (!m) return null;
    const detail: Record<string, string> = { header: m[1] ?? '' };
    const rss = /anon-rss:(\d+)kB/.exec(m[4]!);
    if (rss) detail.anonRssKb = rss[1]!;
    const uid = /UID:(\d+)/.exec(m[4]!);
    if (uid) detail.uid = uid[1]!;
    return event('oom-kill', m[2]!, m[3]!, 'SIGKILL', detail);
  },
  (msg) => {
    const m = /^oom_reaper: reaped process (\d+) \((.*?)\)/.exec(msg);
    return m ? event('oom-reaped', m[1]!, m[2]!, 'SIGKILL') : null;
  },
  (msg) => {
    const m = /^(.*)\[(\d+)\]: segfault at (\S+) ip (\S+) sp (\S+) error (\S+)(?: in (.*?)\[)?/.exec(msg);
    if (!m) return null;
    const detail: Record<string, string> = { address: m[3]!, ip: m[4]!, error: m[6]! };
    if (m[7]) detail.in = m[7];
    return event('segfault', m[2]!, m[1]!, 'SIGSEGV', detail);
  },
  (msg) => {
    const m = /^traps: (.*)\[(\d+)\] (.*?) ip:(\S+) sp:(\S+) error:(\S+)/.exec(msg);
    return m ? event('trap', m[2]!, m[1]!, TRAP_SIGNALS[m[3]!] ?? null, { trap: m[3]!, ip: m[4]! }) : null;
  },
  (msg) => {
    // Old form "comm/PID: potentially ..."; the 6.x form "exe: comm: potentially ..." names no pid.
    const m = /^(?:(.*)\/(\d+)|(?:.*: )?(.*?)): potentially unexpected fatal signal (\d+)\./.exec(msg);
    return m ? event('fatal-signal', m[2] ?? null, m[1] ?? m[3] ?? null, signalName(Number(m[4]))) : null;
  },
  (msg) => {
    const m = /^INFO: task (.*):(\d+) blocked for more than (\d+) seconds\./.exec(msg);
    return m ? event('hung-task', m[2]!, m[1]!, null, { seconds: m[3]! }) : null;
  },
  (msg) => {
    const m = /(?:Killing|Sending SIGBUS to) (.*):(\d+) (?:early )?due to hardware memory corruption/.exec(msg);
    return m ? event('memory-failure', m[2]!, m[1]!, 'SIGBUS') : null;
  },
  (msg) => {
    const m = /^audit: type=(1701|1326) audit\((\d+(?:\.\d+)?):\d+\): (.*)$/.exec(msg);
    if (!m) return null;
    const kv = keyValues(m[3]!, /\s+/);
    if (!kv.pid || (m[1] === '1326' && (kv.sig ?? '0') === '0')) return null;
    const sig = kv.sig && kv.sig !== '0' ? signalName(Number(kv.sig)) : null;
    const found = event(m[1] === '1701' ? 'audit-abend' : 'seccomp', kv.pid, kv.comm ?? null, sig, kv);
    return { ...found, epoch: Number(m[2]) };
  },
  (msg) => {
    const m = /^sysrq: (Kill All Tasks|Terminate All Tasks|Manual OOM execution)/.exec(msg);
    return m ? event('sysrq', null, null, m[1] === 'Terminate All Tasks' ? 'SIGTERM' : 'SIGKILL') : null;
  },
];

/** What an OOM report said before its kill line: the memory cgroup's usage and limit, the constraint. */
interface OomContext {
  limitKb?: string;
  usageKb?: string;
  constraint?: Record<string, string>;
}

function noteOomContext(msg: string, ctx: OomContext): boolean {
  const usage = /^memory: usage (\d+)kB, limit (\d+)kB/.exec(msg);
  if (usage) {
    ctx.usageKb = usage[1]!;
    ctx.limitKb = usage[2]!;
    return true;
  }
  const c = /^oom-kill:(.*)$/.exec(msg);
  if (c) {
    ctx.constraint = keyValues(c[1]!, /,/);
    return true;
  }
  if (/ invoked oom-killer: /.test(msg)) {
    delete ctx.usageKb;
    delete ctx.limitKb;
    delete ctx.constraint;
    return true;
  }
  return false;
}

/** The pid of a "CPU: 0 UID: 0 PID: 10421 Comm: trap-demo ..." line (show_regs after a fatal signal). */
const REGS_PID = /^CPU: \d+ (?:UID: \d+ )?PID: (\d+) Comm: (\S+)/;

/** Every line of RECORDS that tells how a process ended, in log order. */
export function kernelEvents(records: readonly KernelRecord[]): KernelEvent[] {
  const out: KernelEvent[] = [];
  const oom: OomContext = {};
  records.forEach((r, i) => {
    const msg = r.message;
    if (noteOomContext(msg, oom)) return;
    for (const match of MATCHERS) {
      const m = match(msg);
      if (!m) continue;
      const e: KernelEvent = { ...m, usec: r.usec, line: msg, epoch: m.epoch ?? null };
      if (e.kind === 'oom-kill') addOomContext(e, oom);
      if (e.kind === 'fatal-signal' && e.pid === null) {
        const regs = records.slice(i + 1, i + 4).find((n) => REGS_PID.test(n.message));
        if (regs) e.pid = Number(REGS_PID.exec(regs.message)![1]);
      }
      out.push(e);
      return;
    }
  });
  return out;
}

function addOomContext(e: KernelEvent, ctx: OomContext): void {
  const c = ctx.constraint;
  if (c && c.pid === String(e.pid)) {
    if (c.constraint) e.detail.constraint = c.constraint;
    if (c.task_memcg) e.detail.cgroup = c.task_memcg;
    if (c.oom_memcg) e.detail.oomMemcg = c.oom_memcg;
    if (!e.detail.uid && c.uid) e.detail.uid = c.uid;
  }
  if (/Memory cgroup/.test(e.detail.header ?? '') && ctx.limitKb) {
    e.detail.limitKb = ctx.limitKb;
    e.detail.usageKb = ctx.usageKb!;
  }
}
