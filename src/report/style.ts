/** Colours and symbols shared by the terminal renderers. */
import { Chalk, type ChalkInstance } from 'chalk';
import type { Status, Verdict } from '../core/types.js';

/**
 * Whether to colour, in order: --color / --no-color, then NO_COLOR (any
 * non-empty value turns colour off: no-color.org), then FORCE_COLOR (on,
 * unless "0" or "false"), then whether stdout is a terminal. chalk 5 reads
 * neither NO_COLOR nor a non-terminal stdout by itself in every case, so the
 * decision is made here and chalk is told the level.
 */
export function colorEnabled(flag: boolean | undefined, env: NodeJS.ProcessEnv, isTty: boolean): boolean {
  if (flag !== undefined) return flag;
  if (env.NO_COLOR) return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '0' && force !== 'false') return true;
  return isTty;
}

export function makeChalk(color: boolean | undefined): ChalkInstance {
  return new Chalk({ level: color ? 1 : 0 });
}

/** Plain box drawing, or ASCII where the locale cannot show it (LANG=C) or --ascii asks. */
export function unicodeOk(ascii: boolean | undefined, env: NodeJS.ProcessEnv): boolean {
  if (ascii) return false;
  const locale = env.LC_ALL || env.LC_CTYPE || env.LANG || '';
  return /utf-?8/i.test(locale);
}

export const SYMBOLS: Record<Status, string> = {
  fail: '✗',
  unknown: '?',
  warn: '!',
  info: 'i',
  pass: '✓',
  skip: '-',
};

export const ASCII_SYMBOLS: Record<Status, string> = {
  fail: 'x',
  unknown: '?',
  warn: '!',
  info: 'i',
  pass: '+',
  skip: '-',
};

/** cli-table3 borders: box drawing, or plain ASCII; no line between rows either way. */
export function tableChars(ascii: boolean): Record<string, string> {
  return ascii
    ? {
        top: '-',
        'top-mid': '+',
        'top-left': '+',
        'top-right': '+',
        bottom: '-',
        'bottom-mid': '+',
        'bottom-left': '+',
        'bottom-right': '+',
        left: '|',
        'left-mid': '',
        mid: '',
        'mid-mid': '',
        right: '|',
        'right-mid': '',
        middle: '|',
      }
    : { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' };
}

export function paintStatus(c: ChalkInstance, s: Status, text: string): string {
  switch (s) {
    case 'fail':
      return c.red.bold(text);
    case 'unknown':
      return c.magenta(text);
    case 'warn':
      return c.yellow(text);
    case 'info':
      return c.cyan(text);
    case 'pass':
      return c.green(text);
    default:
      return c.dim(text);
  }
}

export function paintVerdict(c: ChalkInstance, v: Verdict): string {
  const label = v.toUpperCase().replace(/-/g, ' ');
  switch (v) {
    case 'daemon':
      return c.green.bold(label);
    case 'daemon-with-warnings':
      return c.yellow.bold(label);
    case 'not-a-daemon':
      return c.red.bold(label);
    default:
      return c.magenta.bold(label);
  }
}
