/**
 * How the process was most likely started (docs/checklist.md "How it was started")
 * and what to do about it. Pure: reads a Snapshot, the derived context and the
 * check rows.
 */
import { isInteractiveKind } from './classify.js';
import { processLabel, type CheckContext } from './context.js';
import { hasSignal, SIGNALS } from './proc/signals.js';
import type { Snapshot } from './snapshot/types.js';
import type { CheckResult, ProfileName, StartedAs, Verdict } from './types.js';
import { checks } from './checks/index.js';

function nohupOutput(snap: Snapshot): string | null {
  for (const fd of snap.fds ?? []) {
    if ((fd.fd === 1 || fd.fd === 2) && /(^|\/)nohup\.out$/.test(fd.target)) return fd.target;
  }
  return null;
}

function sessionText(snap: Snapshot): string {
  const leader = snap.sessionLeader;
  const sid = snap.stat.session;
  if (!leader) return `session ${sid} (its leader has exited)`;
  const on = leader.tty ?? snap.tty;
  return `session ${sid} led by ${leader.comm} (${leader.pid})${on ? ` on ${on}` : ''}`;
}

export function diagnoseStart(snap: Snapshot, ctx: CheckContext, profile: ProfileName, profileReason: string): StartedAs {
  const st = snap.stat;
  // A process that leads its own session is not a job of itself, whatever it is (a tmux or screen server's comm names a terminal owner).
  const interactiveLeader = st.session !== snap.pid && isInteractiveKind(ctx.leaderKind);
  const shellParent = isInteractiveKind(ctx.parentKind);
  const hupIgnored = snap.status?.sigIgn != null && hasSignal(snap.status.sigIgn, SIGNALS.SIGHUP);
  const nohupOut = nohupOutput(snap);
  const parent = snap.parent;

  if (profile === 'managed') {
    return { kind: 'supervised', detail: profileReason };
  }
  if (st.ttyNr !== 0 && st.tpgid === st.pgrp) {
    return {
      kind: 'foreground',
      detail: `in the foreground process group of ${snap.tty} (pgid ${st.pgrp} = tpgid ${st.tpgid}); ${sessionText(snap)}`,
    };
  }
  if ((hupIgnored || nohupOut) && (interactiveLeader || shellParent || st.ttyNr !== 0 || nohupOut)) {
    const bits = [hupIgnored ? 'SIGHUP ignored' : 'SIGHUP not ignored', sessionText(snap)];
    if (nohupOut) bits.push(`output to ${nohupOut}`);
    if (parent && shellParent) bits.push(`parent ${processLabel(parent)}`);
    return { kind: 'nohup-job', detail: bits.join('; ') };
  }
  if (shellParent || interactiveLeader) {
    const bits: string[] = [];
    if (parent && shellParent) bits.push(`parent ${processLabel(parent)}`);
    bits.push(sessionText(snap));
    if (st.ttyNr !== 0) bits.push(`background group ${st.pgrp} (foreground is ${st.tpgid})`);
    return { kind: 'shell-job', detail: bits.join('; ') };
  }
  const orphan = ctx.parentKind === 'init' || (parent !== null && ctx.parentKind === 'supervisor');
  if (orphan && st.ttyNr === 0 && st.session === snap.pid) {
    return {
      kind: 'single-fork',
      detail: `leads its own session ${st.session} and its parent is ${parent ? processLabel(parent) : 'gone'}: one fork plus setsid (setsid(1), daemon(3), spawn({detached:true}))`,
    };
  }
  if (orphan && st.ttyNr === 0 && st.session !== snap.pid && ctx.daemonSession) {
    return {
      kind: 'double-fork',
      detail: `parent ${parent ? processLabel(parent) : st.ppid}, ${sessionText(snap)}, no terminal: forked, setsid, forked again`,
    };
  }
  if (ctx.parentIsDaemon && parent) {
    return { kind: 'daemon-worker', detail: `child of the daemon ${processLabel(parent)}${parent.stat.session === st.session ? `, in its session ${st.session}` : ''}` };
  }
  return { kind: 'unknown', detail: `parent ${parent ? processLabel(parent) : st.ppid}; ${sessionText(snap)}${snap.tty ? `; terminal ${snap.tty}` : ''}` };
}

/** POSIX shell quoting for a command line a user will paste. */
function shellQuote(arg: string): string {
  if (arg !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** A `daemon-check run` line that would start this program properly. */
function runCommandFor(snap: Snapshot): string | null {
  const argv = snap.cmdline;
  if (!argv || argv.length === 0) return null;
  const parts = ['daemon-check', 'run'];
  const cwd = snap.cwd && !snap.cwd.endsWith(' (deleted)') ? snap.cwd : null;
  // Relative paths in its arguments only work from where it was started.
  if (cwd && cwd !== '/' && argv.some((a, i) => (i === 0 ? a.includes('/') && !a.startsWith('/') : a.startsWith('./') || a.startsWith('../')))) {
    parts.push('--chdir', shellQuote(cwd));
  }
  const out = (snap.fds ?? []).find((f) => f.fd === 1 && f.type === 'file' && !f.deleted);
  const err = (snap.fds ?? []).find((f) => f.fd === 2 && f.type === 'file' && !f.deleted);
  if (out) parts.push('--stdout', shellQuote(out.target));
  if (err) parts.push('--stderr', shellQuote(err.target));
  const name = snap.stat.comm.replace(/[^A-Za-z0-9_.-]/g, '') || 'daemon';
  parts.push('--pidfile', shellQuote(`/run/${name}.pid`));
  parts.push('--', ...argv.map(shellQuote));
  return parts.join(' ');
}

/** Where fds 1 and 2 lead, in words an operator can act on. */
function outputText(snap: Snapshot): string | null {
  if (!snap.fds) return null;
  const out = snap.fds.find((f) => f.fd === 1);
  const err = snap.fds.find((f) => f.fd === 2);
  const where = (f: typeof out): string => {
    if (!f) return 'nowhere (closed)';
    if (f.terminal) return `the terminal ${f.target}, which goes away with the session`;
    if (f.target === '/dev/null') return '/dev/null';
    if (f.type === 'file') return `${f.target}${f.deleted ? '' : ', which nothing rotates'}`;
    return f.target;
  };
  if (out && err && out.target === err.target) return `Its stdout and stderr go to ${where(out)}.`;
  return `Its stdout goes to ${where(out)}; its stderr to ${where(err)}.`;
}

export function remediation(snap: Snapshot, rows: CheckResult[], verdict: Verdict, startedAs: StartedAs, profile: ProfileName): string[] {
  const lines: string[] = [];
  const bad = rows.filter((r) => r.status === 'fail' || r.status === 'warn');
  const run = runCommandFor(snap);
  if (startedAs.kind === 'nohup-job' || startedAs.kind === 'shell-job' || startedAs.kind === 'foreground') {
    const leader = snap.sessionLeader;
    const term = snap.tty ?? leader?.tty ?? null;
    const output = outputText(snap);
    if (startedAs.kind === 'nohup-job') {
      lines.push(
        `It is tied to ${leader ? processLabel(leader) : 'its shell'}${term ? ` on ${term}` : ''}. When that terminal closes, the kernel hangs up the session and bash sends SIGHUP to its jobs; nohup only made it ignore that signal, so it lives on in a dead session with the terminal gone: any write to the terminal fails with EIO, a read stops it, and a program that resets its signal handlers dies after all.${output ? ` ${output}` : ''}`,
      );
    } else if (startedAs.kind === 'shell-job') {
      lines.push(
        `It is a job of ${leader ? processLabel(leader) : 'a shell'}${term ? ` on ${term}` : ''}: when that shell exits or its terminal hangs up, SIGHUP reaches the job and it dies.${output ? ` ${output}` : ''}`,
      );
    } else {
      lines.push(`It runs in the foreground of ${term}: closing the terminal or pressing Ctrl-C ends it.`);
    }
  }
  if (profile === 'managed') {
    if (bad.length) for (const r of bad) lines.push(`${r.id}: ${checks.find((c) => c.id === r.id)?.fix ?? ''}`);
    lines.push(
      'Under a service manager, stay in the foreground and let it do the daemon work: e.g. a systemd unit with [Service] Type=simple (or Type=notify), ExecStart=' +
        (snap.cmdline ? snap.cmdline.map(shellQuote).join(' ') : snap.stat.comm) +
        ', UMask=0022, WorkingDirectory=/, and no self-daemonizing.',
    );
    return lines;
  }
  for (const r of bad) {
    const fix = checks.find((c) => c.id === r.id)?.fix;
    if (fix) lines.push(`${r.id}: ${fix}`);
  }
  if (verdict !== 'daemon' && run) lines.push(`Start it properly with: ${run}`);
  if (lines.length === 0) lines.push('Nothing to fix: it meets every rule of the checklist.');
  return lines;
}
