/**
 * Typing the start line into the login and deciding it has settled
 * (watch.md, "try" step 4): after each step the shell is given a marker
 * whose answer it must compute (`echo dc-$((N+1))`); the step has settled
 * when the answer is back and the login's processes have not changed for
 * the settle time. A line that never gives the prompt back holds the
 * terminal's foreground: it is "left in the foreground", and the login is
 * ended anyway.
 */
import type { TryHelper } from './helper.js';
import { TryError } from './helper.js';
import type { ProcSource } from '../proc/source.js';
import { members } from './members.js';
import { markerLine, type ShellKind, type Step } from './shells.js';

let counter = 1000 + Math.floor(Math.random() * 9000);

/** Whether a job other than the shell holds the terminal's foreground (tpgid is not the shell's group). */
function foregroundHeld(proc: ProcSource, shell: number): boolean {
  try {
    const text = proc.readText(`${shell}/stat`);
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const pgrp = Number(f[2]);
    const tpgid = Number(f[5]);
    return tpgid > 0 && tpgid !== pgrp;
  } catch {
    return false;
  }
}

function memberKey(h: TryHelper): string {
  return members(h.proc, h.helperPid, h.start!.shell, h.start!.cgroup)
    .map((m) => m.pid)
    .join(',');
}

export type Settled = 'settled' | 'foreground' | 'ended';

/**
 * Types a marker and waits for its answer and a quiet login. Retypes the
 * marker now and then (a shell drops what is typed before its line editor
 * starts; a program in the foreground holds the typed text).
 */
export async function settle(h: TryHelper, kind: ShellKind, settleMs: number, maxMs: number): Promise<Settled> {
  const from = h.output.length;
  const answers: string[] = [];
  const shell = h.start!.shell;
  const start = Date.now();
  let typedAt = 0;
  let heldSince: number | null = null;
  let key = '';
  let quietSince = Date.now();
  for (;;) {
    if (h.reaped.has(shell)) return 'ended';
    const now = Date.now();
    if (now - typedAt > 3000) {
      const m = markerLine(kind, counter++);
      answers.push(m.answer);
      h.type(`${m.line}\n`);
      typedAt = now;
    }
    const k = memberKey(h);
    if (k !== key) {
      key = k;
      quietSince = now;
    }
    const answered = answers.some((a) => h.output.indexOf(a, from) >= 0);
    if (answered && now - quietSince >= settleMs) return 'settled';
    heldSince = foregroundHeld(h.proc, shell) ? (heldSince ?? now) : null;
    if (
      !answered &&
      heldSince !== null &&
      now - heldSince >= Math.max(2000, 4 * settleMs) &&
      now - quietSince >= settleMs
    )
      return 'foreground';
    if (now - start > maxMs) return answered ? 'settled' : 'foreground';
    await h.until(() => h.reaped.has(shell), 100);
  }
}

/** Waits for the shell to answer at all before the line is typed. */
export async function waitReady(h: TryHelper, kind: ShellKind): Promise<void> {
  const r = await settle(h, kind, 0, 20_000);
  if (r === 'ended') throw new TryError(`the login shell ended before it read a line; it printed: ${tail(h.output)}`);
  if (r !== 'settled') throw new TryError(`the login shell never answered; it printed: ${tail(h.output)}`);
}

/** The last printable bit of the pty's output, for a message. */
export function tail(output: string): string {
  const plain = output
    .replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '')
    .replace(/[\x00-\x1f]+/g, ' ')
    .trim();
  return JSON.stringify(plain.slice(-160));
}

/** Types one step: a line with its Enter, or keys as they are. */
export function typeStep(h: TryHelper, step: Step): void {
  h.type(step.kind === 'line' ? `${step.text}\n` : step.bytes);
}
