/** Colours and symbols shared by the terminal renderers. */
import { Chalk, type ChalkInstance } from 'chalk';
import type { Status, Verdict } from '../types.js';

/**
 * chalk already honours NO_COLOR/FORCE_COLOR and a non-TTY stdout when it
 * picks its level; `--no-color` forces level 0.
 */
export function makeChalk(color: boolean | undefined): ChalkInstance {
  return color === false ? new Chalk({ level: 0 }) : new Chalk();
}

export const SYMBOLS: Record<Status, string> = {
  fail: '✗',
  unknown: '?',
  warn: '!',
  info: 'i',
  pass: '✓',
  skip: '-',
};

export function paintStatus(c: ChalkInstance, s: Status, text: string): string {
  switch (s) {
    case 'fail': return c.red.bold(text);
    case 'unknown': return c.magenta(text);
    case 'warn': return c.yellow(text);
    case 'info': return c.cyan(text);
    case 'pass': return c.green(text);
    default: return c.dim(text);
  }
}

export function paintVerdict(c: ChalkInstance, v: Verdict): string {
  const label = v.toUpperCase().replace(/-/g, ' ');
  switch (v) {
    case 'daemon': return c.green.bold(label);
    case 'daemon-with-warnings': return c.yellow.bold(label);
    case 'not-a-daemon': return c.red.bold(label);
    default: return c.magenta.bold(label);
  }
}
