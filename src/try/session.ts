/**
 * One experiment (watch.md, "try"): a throwaway login, the start line typed
 * into it, every process it started audited, the login ended one way
 * (hangup: the master closed; exit: `exit` typed, twice when the shell
 * refuses the first for its stopped jobs, and the master closed once the
 * shell is gone, as sshd does), and what happened to each
 * process, watched as root. Then every survivor ends (pidfds and
 * cgroup.kill, by the helper) unless --keep, and the leaf goes.
 */
import { auditProcess } from '../audit.js';
import type { FateEntry, StartedAs } from '../core/types.js';
import { hostFor } from '../host/reader.js';
import type { ProcSource } from '../proc/source.js';
import type { KnownProcess } from '../watch/story.js';
import { TryError, TryHelper, type LoginSpec } from './helper.js';
import { judgeProcess, notFollowed, type Seen } from './judge.js';
import { members, stillRunning, type Member } from './members.js';
import { watchEnding } from './observe.js';
import type { ShellKind, Step } from './shells.js';
import type { TryEnding, TryEndingResult } from './types.js';
import { settle, tail, typeStep, waitReady } from './typing.js';

export interface EndingPlan {
  login: LoginSpec;
  kind: ShellKind;
  line: string;
  steps: Step[];
  settleMs: number;
  keep: boolean;
}

/** The most processes audited for a prediction; the others are `unknown` (an audit reads a lot of /proc). */
export const AUDIT_CAP = 64;

interface Prediction {
  fate: FateEntry | null;
  startedAs: StartedAs | null;
  notAudited?: string;
}

function predict(source: ProcSource, list: Member[], ending: TryEnding): Map<number, Prediction> {
  const host = hostFor(source, false);
  const out = new Map<number, Prediction>();
  list.forEach((m, i) => {
    if (i >= AUDIT_CAP) {
      out.set(m.pid, { fate: null, startedAs: null, notAudited: `not audited: only the first ${AUDIT_CAP} are` });
      return;
    }
    try {
      const r = auditProcess(source, m.pid, {}, { host });
      out.set(m.pid, { fate: r.fate[ending === 'hangup' ? 'hangup' : 'shell-exit'], startedAs: r.startedAs });
    } catch (e) {
      out.set(m.pid, { fate: null, startedAs: null, notAudited: `not audited: ${(e as Error).message}` });
    }
  });
  return out;
}

/** Waits until the set of running processes has not changed for QUIET ms (at most MAX). */
async function quietDown(h: TryHelper, list: Member[], quietMs: number, maxMs: number): Promise<void> {
  const start = Date.now();
  let key = '';
  let since = Date.now();
  while (Date.now() - start < maxMs) {
    const k = list
      .filter((m) => stillRunning(h.proc, m.pid, m.stat.starttime))
      .map((m) => m.pid)
      .join(',');
    if (k !== key) {
      key = k;
      since = Date.now();
    } else if (Date.now() - since >= quietMs) return;
    await h.until(() => false, 100);
  }
}

async function endLogin(h: TryHelper, ending: TryEnding): Promise<void> {
  const shell = h.start!.shell;
  if (ending === 'hangup') {
    await h.hangup();
    await h.until(() => h.reaped.has(shell), 10_000);
    return;
  }
  h.type('exit\n');
  // A shell with stopped jobs refuses the first exit (bash: "There are stopped jobs."); the second is obeyed.
  if (!(await h.until(() => h.reaped.has(shell), 2000))) h.type('exit\n');
  if (!(await h.until(() => h.reaped.has(shell), 10_000)))
    throw new TryError(`the login shell did not exit after \`exit\` was typed twice; it printed: ${tail(h.output)}`);
  // The shell is gone: the terminal goes with it, as sshd or a terminal emulator closes the master when the
  // login's process exits. A job still writing to it then fails with EIO.
  await h.hangup();
}

function knownOf(list: Member[], shell: number): Map<number, KnownProcess> {
  const known = new Map<number, KnownProcess>();
  known.set(shell, { pid: shell, comm: 'shell', sid: shell, pgid: shell });
  for (const m of list)
    known.set(m.pid, { pid: m.pid, comm: m.stat.comm, ppid: m.stat.ppid, pgid: m.stat.pgrp, sid: m.stat.session });
  return known;
}

async function typeLine(h: TryHelper, plan: EndingPlan): Promise<boolean> {
  await waitReady(h, plan.kind);
  let foreground = false;
  for (const step of plan.steps) {
    typeStep(h, step);
    const r = await settle(h, plan.kind, plan.settleMs, 15_000);
    if (r === 'ended')
      throw new TryError(
        `the login ended by itself while the line ran (did it run \`exit\`?), so it could not be ended by a hangup or an exit; it printed: ${tail(h.output)}`,
      );
    foreground = r === 'foreground';
  }
  return foreground;
}

/** Ends every process left (or, with keep, moves them out of the leaf), then removes the leaf. */
async function cleanUp(h: TryHelper, keep: boolean): Promise<number[]> {
  const list = h.start ? members(h.proc, h.helperPid, h.start.shell, h.start.cgroup) : [];
  let kept: number[] = [];
  if (keep) {
    await h.release();
    kept = list.map((m) => m.pid);
  } else {
    const all = [...list.map((m) => m.pid), ...(h.start ? [h.start.shell] : [])];
    await h.kill(all);
    await h.until(() => list.every((m) => !stillRunning(h.proc, m.pid, m.stat.starttime)), 5000);
  }
  await h.quit();
  return kept;
}

async function observeEnding(h: TryHelper, plan: EndingPlan, ending: TryEnding, found: TryEndingResult['found']) {
  const shell = h.start!.shell;
  const before = members(h.proc, h.helperPid, shell, h.start!.cgroup);
  const predictions = predict(h.proc, before, ending);
  const watch = await watchEnding([shell, ...before.map((m) => m.pid)], () => [
    shell,
    ...members(h.proc, h.helperPid, shell, h.start!.cgroup).map((m) => m.pid),
  ]);
  await endLogin(h, ending);
  await quietDown(h, before, Math.max(1000, plan.settleMs), 10_000);
  const alive = new Map(before.map((m) => [m.pid, stillRunning(h.proc, m.pid, m.stat.starttime)]));
  const endings = await watch.finish(knownOf(before, shell));
  const processes = before.map((m) => {
    const p = predictions.get(m.pid)!;
    const seen: Seen = {
      pid: m.pid,
      argv: m.argv,
      comm: m.stat.comm,
      startedAs: p.startedAs,
      fate: p.fate,
      notAudited: p.notAudited,
      alive: alive.get(m.pid)!,
      waitStatus: h.reaped.get(m.pid) ?? null,
      ending: endings.get(m.pid) ?? null,
    };
    return judgeProcess(seen);
  });
  return {
    skipped: null,
    foreground: false,
    processes,
    notFollowed: notFollowed(
      plan.line,
      before.map((m) => m.stat.comm),
    ),
    found,
    watched: { mechanism: watch.mechanism, note: watch.note },
    kept: [],
  } satisfies TryEndingResult;
}

/** One login, ended one way. */
export async function runEnding(plan: EndingPlan, ending: TryEnding): Promise<TryEndingResult> {
  const h = await TryHelper.open(plan.login);
  let result: TryEndingResult | null = null;
  try {
    const found = {
      cgroup: h.start!.cgroup !== null,
      note: h.start!.cgroup
        ? null
        : `no cgroup leaf (${h.start!.cgroupError}): processes found as the subreaper's descendants only; one that moved out of the login's tree through another subreaper or a daemon may have been missed`,
    };
    const foreground = await typeLine(h, plan);
    if (ending === 'exit' && foreground) {
      result = {
        skipped: 'the line was left in the foreground, so `exit` would go to it, not to the shell',
        foreground,
        processes: [],
        notFollowed: [],
        found,
        watched: { mechanism: null, note: null },
        kept: [],
      };
    } else {
      result = { ...(await observeEnding(h, plan, ending, found)), foreground };
    }
  } finally {
    const kept = await cleanUp(h, plan.keep);
    if (result)
      result.kept = kept.filter((p) => result!.processes.some((q) => q.pid === p && q.observed === 'survived'));
  }
  return result;
}
