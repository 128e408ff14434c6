/** Shorthands for writing the knowledge table. */
import type { ForegroundEdit, LetterRule, OptionRule } from './types.js';

/** An option without a value: opt('-d', '--daemon'). */
export const opt = (...names: string[]): OptionRule => ({ names });

/** An option with a value, counting only when the value matches `when` (when given). */
export function val(names: string | readonly string[], when?: RegExp): OptionRule {
  const list = typeof names === 'string' ? [names] : names;
  return when ? { names: list, value: 'required', when } : { names: list, value: 'required' };
}

/** Short options meaning something together: screen's d and m. */
export const letters = (l: string): LetterRule => ({ letters: l });

/** A page on manpages.debian.org for Debian 12 (bookworm). */
export const debian = (pkg: string, page: string): string =>
  `https://manpages.debian.org/bookworm/${pkg}/${page}.en.html`;

/** The foreground edit of a program that never forks itself away. */
export const ALREADY_FOREGROUND: ForegroundEdit = Object.freeze({});
