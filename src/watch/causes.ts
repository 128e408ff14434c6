/**
 * The story rules of docs/watch.md, one signal at a time: what a signal that
 * reached a process means (a terminal's hangup, a shell forwarding it, an
 * orphaned group, a unit stopped by systemd, a crash, a broken pipe, a plain
 * kill), with the sentence that says so and the events that show it. The
 * rules are read from the kernel's drivers/tty/tty_jobctrl.c
 * (tty_signal_session_leader) and kernel/exit.c (kill_orphaned_pgrp), bash's
 * jobs.c (hangup_all_jobs) and systemd's kill_and_sigcont. Pure: no I/O.
 */
import { processLabel } from '../core/words.js';
import { SHELL_NAMES } from '../knowledge/kinds.js';
import type { Cause, SignalEvent } from './events.js';
import type { PlacedSignal, Timeline } from './timeline.js';

/** What one signal meant: the cause, "SIGHUP from bash (1234)", the clause after it, and the events behind it. */
export interface Reading {
  cause: Cause;
  what: string;
  why: string;
  evidence: number[];
}

/** The signals whose kernel-made si_code (SEGV_MAPERR...) means the program faulted. */
export const CRASH_SIGNALS: ReadonlySet<string> = new Set(['SIGSEGV', 'SIGBUS', 'SIGILL', 'SIGFPE']);

/** The fault codes of sigaction(2), in plain words. */
const FAULTS: Record<string, string> = {
  SEGV_MAPERR: 'an address not mapped',
  SEGV_ACCERR: 'no permission for a mapped address',
  SEGV_BNDERR: 'an address outside its bounds',
  SEGV_PKUERR: 'a protection key refused the access',
  BUS_ADRALN: 'a misaligned address',
  BUS_ADRERR: 'a physical address that does not exist',
  BUS_OBJERR: 'a hardware error on the object',
  ILL_ILLOPC: 'an illegal opcode',
  ILL_ILLOPN: 'an illegal operand',
  ILL_PRVOPC: 'a privileged opcode',
  FPE_INTDIV: 'an integer divided by zero',
  FPE_INTOVF: 'an integer overflow',
  FPE_FLTDIV: 'a floating-point division by zero',
};

/** How a signal was sent, from its si_code. */
const SENT_WITH: Record<string, string> = {
  SI_USER: 'kill(2)',
  SI_TKILL: 'tgkill(2)',
  SI_QUEUE: 'sigqueue(3)',
  SI_TIMER: 'a POSIX timer',
  SI_MESGQ: 'a message queue',
  SI_ASYNCIO: 'async I/O',
  SI_SIGIO: 'SIGIO',
};

const kernelMade = (s: SignalEvent): boolean => s.codeName === 'SI_KERNEL' || s.code > 0;

export function faultWords(codeName: string): string {
  return FAULTS[codeName] ? `${codeName}: ${FAULTS[codeName]}` : codeName;
}

/** The next signal SIG the kernel sent the same process right after P (SIGCONT after a hangup's SIGHUP). */
function companion(tl: Timeline, p: PlacedSignal, sig: string): PlacedSignal | undefined {
  return tl.signals.find(
    (q) =>
      q.index > p.index &&
      q.event.pid === p.event.pid &&
      q.event.signal === sig &&
      kernelMade(q.event) &&
      q.event.t - p.event.t < 1,
  );
}

/** The kernel's hangup of the sender's terminal, when the stream shows it (the shell was watched too). */
function hangupOf(tl: Timeline, pid: number, before: number): PlacedSignal | undefined {
  return tl.signals.find(
    (q) => q.index < before && q.event.pid === pid && q.event.signal === 'SIGHUP' && q.event.codeName === 'SI_KERNEL',
  );
}

/**
 * Whether the target of a kernel SIGHUP leads its session. Where /proc did
 * not say (a process that joined the watch, whose setsid or setpgid the
 * stream may not show), kill_orphaned_pgrp is told by its own marks: it runs
 * as the exiting process that orphaned the group, and only for a group with
 * a stopped member; a terminal's hangup comes from whoever closed it.
 */
function leadsSession(tl: Timeline, p: PlacedSignal): boolean {
  if (p.targetSid !== undefined) return p.targetSid === p.event.pid;
  const sender = p.event.sender?.pid;
  const senderExited = tl.events.some((e, i) => i < p.index && e.kind === 'exit' && e.pid === sender);
  const stopped = tl.signals.some(
    (q) => q.index < p.index && q.event.pid === p.event.pid && q.event.disposition === 'stopped',
  );
  return !(senderExited && stopped);
}

function kernelHangup(tl: Timeline, p: PlacedSignal): Reading {
  const cont = companion(tl, p, 'SIGCONT');
  const evidence = [p.index, ...(cont ? [cont.index] : [])];
  const by = p.sender ? `, as ${processLabel(p.sender)}` : '';
  const leads = leadsSession(tl, p);
  if (leads) {
    return {
      cause: 'terminal-hangup',
      what: 'SIGHUP from the kernel',
      why: `: its terminal hung up${by ? `${by} closed it` : ''}, and the kernel sends SIGHUP and SIGCONT to the session's leader, which it is`,
      evidence,
    };
  }
  return {
    cause: 'orphaned-group',
    what: 'SIGHUP from the kernel',
    why: `: its process group was orphaned with a stopped member${by ? `${by} exited` : ''}, and the kernel then sends SIGHUP and SIGCONT to every member (POSIX)`,
    evidence,
  };
}

/** When each shell sends SIGHUP to its jobs by itself (docs/fate.md has the sources). */
const WHEN_SHELL_HUPS: Record<string, string> = {
  bash: 'bash does when its terminal hangs up, or on exit with huponexit',
  zsh: 'zsh does when its terminal hangs up, and on exit: its HUP option is on by default',
  fish: 'fish does when its terminal hangs up, and on exit',
};

function shellHangup(tl: Timeline, p: PlacedSignal): Reading | null {
  const s = p.sender;
  if (!s || p.event.codeName !== 'SI_USER' || !SHELL_NAMES.has(s.comm)) return null;
  const hup = hangupOf(tl, s.pid, p.index);
  // Where /proc did not give the job's session, the kernel's hangup of the
  // shell shows that the shell leads one (tty_signal_session_leader sends it
  // to the leader only).
  const leads = p.targetSid === undefined ? hup !== undefined || s.sid === s.pid : s.pid === p.targetSid;
  if (!leads) return null;
  return {
    cause: 'shell-forwarded-hangup',
    what: `SIGHUP from ${processLabel(s)}`,
    why: hup
      ? ", which forwarded the terminal's hangup"
      : `, which leads its session and forwarded a hangup to its jobs (${WHEN_SHELL_HUPS[s.comm] ?? 'a shell does when its terminal hangs up, or on exit with its hangup option on'})`,
    evidence: [...(hup ? [hup.index] : []), p.index],
  };
}

/** SIGTERM + SIGCONT from pid 1 (and SIGHUP, logind's SendSIGHUP=yes), then SIGKILL: systemd stopping a unit. */
function scopeStop(tl: Timeline, p: PlacedSignal): Reading | null {
  if (p.sender?.pid !== 1) return null;
  // kill_and_sigcont sends SIGCONT right after SIGTERM: it may follow the SIGTERM that ends the process.
  const fromInit = tl.signals.filter(
    (q) => q.event.pid === p.event.pid && q.event.sender?.pid === 1 && q.event.t - p.event.t < 1,
  );
  const has = (sig: string) => fromInit.some((q) => q.event.signal === sig);
  if (!has('SIGTERM') || !has('SIGCONT')) return null;
  const sent = `SIGTERM and SIGCONT${has('SIGHUP') ? ' and SIGHUP' : ''}`;
  const why =
    p.event.signal === 'SIGKILL'
      ? `, after the ${sent} it sent every process of the unit did not end it (TimeoutStopSec): systemd stopped the unit, at a logout with KillUserProcesses=yes or a systemctl stop`
      : `, which stopped its unit: ${sent} to every process of it, at a logout with KillUserProcesses=yes or a systemctl stop`;
  return {
    cause: 'scope-stop',
    what: `${p.event.signal} from ${processLabel(p.sender)}`,
    why,
    evidence: fromInit.map((q) => q.index),
  };
}

function plainKill(p: PlacedSignal): Reading {
  const e = p.event;
  const from = p.sender ? processLabel(p.sender) : kernelMade(e) ? 'the kernel' : 'an unknown sender';
  const how = e.codeName === null ? undefined : SENT_WITH[e.codeName];
  return {
    cause: p.sender || kernelMade(e) ? 'killed' : 'unknown',
    what: `${e.signal} from ${from}`,
    why: how ? `, sent with ${how}` : e.codeName ? ` (${e.codeName})` : '',
    evidence: [p.index],
  };
}

/**
 * What the signal P meant, as the ending of its target or as a signal it
 * lived through. The OOM killer is told apart from a kill -9 only by its
 * oom event (the exit status is 0x9 both ways), so the caller passes it.
 */
export function readSignal(tl: Timeline, p: PlacedSignal, oomIndex: number | null): Reading {
  const e = p.event;
  if (e.signal === 'SIGKILL' && oomIndex !== null && kernelMade(e)) {
    return { cause: 'oom-killer', what: 'SIGKILL from the OOM killer', why: '', evidence: [oomIndex, p.index] };
  }
  const stop = scopeStop(tl, p);
  if (stop) return stop;
  if (CRASH_SIGNALS.has(e.signal) && kernelMade(e)) {
    return {
      cause: 'crash',
      what: `${e.signal} (${faultWords(e.codeName ?? `si_code ${e.code}`)})`,
      why: '',
      evidence: [p.index],
    };
  }
  if (e.signal === 'SIGPIPE' && e.sender?.pid === e.pid) {
    return {
      cause: 'broken-pipe',
      what: 'SIGPIPE, which it sent itself',
      why: ': it wrote to a pipe or socket whose reader had gone',
      evidence: [p.index],
    };
  }
  if (e.signal === 'SIGHUP' && e.codeName === 'SI_KERNEL') return kernelHangup(tl, p);
  if (e.signal === 'SIGHUP') {
    const shell = shellHangup(tl, p);
    if (shell) return shell;
  }
  return plainKill(p);
}
