/**
 * How the process was most likely started (docs/checklist.md "How it was
 * started"): a launch pattern named from the evidence. The detail states
 * evidence only; what that means for its survival is the fate model's to say.
 */
import { isInteractiveKind } from '../classify.js';
import { processLabel } from '../core/words.js';
import type { CheckContext } from '../checks/check.js';
import { shellInfo } from '../fate/shell.js';
import { isNamespaceInit } from '../proc/status.js';
import { hasSignal, SIGNALS } from '../proc/signals.js';
import type { Snapshot } from '../snapshot/types.js';
import type { ProfileName, StartedAs } from '../core/types.js';

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
  return `session ${sid} led by ${processLabel(leader)}${on ? ` on ${on}` : ''}`;
}

const parentText = (snap: Snapshot) => (snap.parent ? processLabel(snap.parent) : String(snap.stat.ppid));

/** SIGHUP ignored or output to nohup.out: what `nohup cmd &` leaves, typed at a prompt or in a script. */
function nohupJob(snap: Snapshot, ctx: CheckContext): StartedAs | null {
  const hupIgnored = snap.status?.sigIgn != null && hasSignal(snap.status.sigIgn, SIGNALS.SIGHUP);
  const nohupOut = nohupOutput(snap);
  if (!hupIgnored && !nohupOut) return null;
  const bits = [hupIgnored ? 'SIGHUP ignored' : 'SIGHUP not ignored', sessionText(snap)];
  if (nohupOut) bits.push(`output to ${nohupOut}`);
  if (snap.parent && (isInteractiveKind(ctx.parentKind) || ctx.parentKind === 'shell'))
    bits.push(`parent ${processLabel(snap.parent)}`);
  return { kind: 'nohup-job', detail: bits.join('; ') };
}

/** On a terminal: the foreground, a nohup job, a shell's job, or a job left behind by a subshell. */
function onTerminal(snap: Snapshot, ctx: CheckContext): StartedAs | null {
  const st = snap.stat;
  const v = ctx.session;
  if (v.kind === 'multiplexer') {
    return {
      kind: 'multiplexer-pane',
      detail: `its terminal ${snap.tty} is a pty of ${processLabel(v.multiplexer!)}; ${sessionText(snap)}`,
    };
  }
  if (st.tpgid === st.pgrp)
    return {
      kind: 'foreground',
      detail: `in the foreground process group of ${snap.tty} (pgid ${st.pgrp} = tpgid ${st.tpgid}); ${sessionText(snap)}`,
    };
  const nohup = nohupJob(snap, ctx);
  if (nohup) return nohup;
  if (v.jobOf) {
    return {
      kind: 'shell-job',
      detail: `a job of the interactive shell ${processLabel(v.jobOf)}; ${sessionText(snap)}; background group ${st.pgrp} (foreground is ${st.tpgid})`,
    };
  }
  if (st.ppid === 1 || snap.parent?.stat.session !== st.session) {
    return {
      kind: 'orphaned-job',
      detail: `still in ${sessionText(snap)}, but its parent is now ${parentText(snap)}: the subshell or script that started it has exited`,
    };
  }
  return null;
}

/** No terminal, in someone else's session: cron, at, a script, a job whose shell died. */
function inKeptSession(snap: Snapshot, ctx: CheckContext): StartedAs | null {
  const v = ctx.session;
  const keeper = v.keeper ? processLabel(v.keeper) : null;
  if (v.kind === 'cron')
    return {
      kind: 'cron-job',
      detail: `its session ${snap.stat.session} is a cron job's (the job's shell was started by ${keeper}); no terminal`,
    };
  if (v.kind === 'at') return { kind: 'at-job', detail: `it runs in an at job started by ${keeper}; no terminal` };
  const parentIsShell = ctx.parentKind === 'shell' || v.kind === 'script' || v.kind === 'orphaned';
  const nohup = parentIsShell ? nohupJob(snap, ctx) : null;
  if (nohup) return nohup;
  if (v.kind === 'orphaned')
    return {
      kind: 'orphaned-job',
      detail: `in ${sessionText(snap)} with no terminal, in a process group of its own (${snap.stat.pgrp}): a job whose shell has exited; parent now ${parentText(snap)}`,
    };
  const parentShell = snap.parent
    ? shellInfo(snap.parent.pid, snap.parent.comm, snap.parent.cmdline, snap.parent.stat.ttyNr !== 0)
    : null;
  if (v.kind === 'script' || (parentShell && !parentShell.interactive)) {
    const by =
      parentShell && !parentShell.interactive
        ? `a background job of the script ${processLabel(snap.parent!)}`
        : `in the session of the script ${keeper}, its parent now ${parentText(snap)}`;
    return { kind: snap.stat.ppid === 1 ? 'orphaned-job' : 'script-job', detail: `${by}; no terminal` };
  }
  return null;
}

export function diagnoseStart(
  snap: Snapshot,
  ctx: CheckContext,
  profile: ProfileName,
  profileReason: string,
): StartedAs {
  const st = snap.stat;
  const parent = snap.parent;
  if (isNamespaceInit(snap))
    return {
      kind: 'namespace-init',
      detail: `pid 1 of its pid namespace (NSpid ${snap.status!.nspid.join(' ')}): a container's init`,
    };
  if (profile === 'managed') return { kind: 'supervised', detail: profileReason };
  if (st.ttyNr !== 0) {
    const t = onTerminal(snap, ctx);
    if (t) return t;
  } else {
    const kept = inKeptSession(snap, ctx);
    if (kept) return kept;
    if (isInteractiveKind(ctx.parentKind) || ctx.session.kind === 'job-step') {
      return { kind: 'shell-job', detail: `parent ${parentText(snap)}; ${sessionText(snap)}` };
    }
  }
  const orphan = ctx.parentKind === 'init' || (parent !== null && ctx.parentKind === 'supervisor');
  if (orphan && st.ttyNr === 0 && st.session === snap.pid) {
    return {
      kind: 'single-fork',
      detail: `leads its own session ${st.session} and its parent is ${parent ? processLabel(parent) : 'gone'}: one fork plus setsid (setsid(1), daemon(3), spawn({detached:true}))`,
    };
  }
  if (orphan && st.ttyNr === 0 && ctx.daemonSession) {
    return {
      kind: 'double-fork',
      detail: `parent ${parentText(snap)}, ${sessionText(snap)}, no terminal: forked, setsid, forked again`,
    };
  }
  if (ctx.parentIsDaemon && parent) {
    return {
      kind: 'daemon-worker',
      detail: `child of the daemon ${processLabel(parent)}${parent.stat.session === st.session ? `, in its session ${st.session}` : ''}`,
    };
  }
  return {
    kind: 'unknown',
    detail: `parent ${parentText(snap)}; ${sessionText(snap)}${snap.tty ? `; terminal ${snap.tty}` : ''}`,
  };
}
