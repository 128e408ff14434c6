/**
 * Reading and editing a program's own options in an argv, by the rules in
 * the knowledge table. Pure functions; `start` is the index of the program's
 * own argv[0] (not the interpreter's).
 */
import type { ConfigRule, FlagRule, LetterRule, OptionRule, ProgramInfo } from './types.js';

const BUNDLE = /^-[A-Za-z]+$/;

export function isLetterRule(rule: FlagRule): rule is LetterRule {
  return 'letters' in rule;
}

function attachedValue(name: string, arg: string): string | null {
  if (name.startsWith('--')) return arg.startsWith(`${name}=`) ? arg.slice(name.length + 1) : null;
  if (name.length === 2 && arg.length > 2 && arg.startsWith(name)) return arg.slice(2);
  return null;
}

/** How many arguments `rule` takes up at argv[i]; 0 when it does not match there. */
export function matchOption(rule: OptionRule, argv: readonly string[], i: number): number {
  const arg = argv[i];
  if (arg === undefined) return 0;
  const ok = (v: string | undefined): boolean => !rule.when || (v !== undefined && rule.when.test(v));
  for (const name of rule.names) {
    if (arg === name) {
      if (!rule.value) return 1;
      const next = argv[i + 1];
      if (rule.value === 'optional' && (next === undefined || next.startsWith('-'))) return ok(undefined) ? 1 : 0;
      if (next === undefined) return 0;
      return ok(next) ? 2 : 0;
    }
    if (rule.value) {
      const v = attachedValue(name, arg);
      if (v !== null) return ok(v) ? 1 : 0;
    }
  }
  return 0;
}

/** The widest match of any option rule at argv[i]. */
function widest(rules: readonly FlagRule[] | undefined, argv: readonly string[], i: number): number {
  let n = 0;
  for (const r of rules ?? []) if (!isLetterRule(r)) n = Math.max(n, matchOption(r, argv, i));
  return n;
}

/**
 * Where the program's own options end: at '--', or, for a program that runs
 * a command (it declares optionsWithValue), at its first operand.
 */
export function optionsEnd(info: ProgramInfo, argv: readonly string[], start: number): number {
  const withValue = info.optionsWithValue;
  for (let i = start + 1; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') return i;
    if (!withValue) continue;
    if (!a.startsWith('-') || a === '-') return i;
    if (withValue.includes(a) || (BUNDLE.test(a) && withValue.includes(`-${a.slice(-1)}`))) i++;
  }
  return argv.length;
}

function lettersIn(argv: readonly string[], start: number, end: number): Set<string> {
  const set = new Set<string>();
  for (let i = start + 1; i < end; i++) if (BUNDLE.test(argv[i]!)) for (const c of argv[i]!.slice(1)) set.add(c);
  return set;
}

function lettersMatch(rules: readonly FlagRule[] | undefined, set: Set<string>): boolean {
  return (rules ?? []).some((r) => isLetterRule(r) && [...r.letters].every((c) => set.has(c)));
}

function combine(prev: boolean | undefined, next: boolean, precedence: ProgramInfo['precedence']): boolean {
  if (precedence === 'detach' && prev === true) return true;
  if (precedence === 'stay' && prev === false) return false;
  return next;
}

/** What the options alone say: true (a detach flag decides), false (a stay flag decides), undefined (neither). */
export function flagVerdict(info: ProgramInfo, argv: readonly string[], start: number): boolean | undefined {
  const end = optionsEnd(info, argv, start);
  let verdict: boolean | undefined;
  for (let i = start + 1; i < end;) {
    const d = widest(info.detachFlags, argv, i);
    const s = widest(info.stayFlags, argv, i);
    if (d === 0 && s === 0) {
      i++;
      continue;
    }
    verdict = combine(verdict, d >= s, info.precedence);
    i += Math.max(d, s);
  }
  if (verdict !== undefined) return verdict;
  const set = lettersIn(argv, start, end);
  const detach = lettersMatch(info.detachFlags, set);
  const stay = lettersMatch(info.stayFlags, set);
  if (detach && stay) return info.precedence !== 'stay';
  return detach ? true : stay ? false : undefined;
}

/** Whether this command line makes the program read a configuration file. */
export function readsConfig(config: ConfigRule, info: ProgramInfo, argv: readonly string[], start: number): boolean {
  if (config.file) return true;
  const next = argv[start + 1];
  if (config.positional && next !== undefined && !next.startsWith('-')) return true;
  if (!config.fileFlags) return false;
  const rule: OptionRule = { names: config.fileFlags, value: 'required' };
  const end = optionsEnd(info, argv, start);
  for (let i = start + 1; i < end; i++) if (matchOption(rule, argv, i) > 0) return true;
  return false;
}

/** argv without the options `rules` match (and their values), before the options end. */
export function removeOptions(
  info: ProgramInfo,
  argv: readonly string[],
  start: number,
  rules: readonly OptionRule[],
): string[] {
  const end = optionsEnd(info, argv, start);
  const out = argv.slice(0, start + 1);
  for (let i = start + 1; i < argv.length;) {
    const n = i < end ? widest(rules, argv, i) : 0;
    if (n > 0) {
      i += n;
      continue;
    }
    out.push(argv[i]!);
    i++;
  }
  return out;
}

/** Replaces one short-option letter by another in the program's option bundles. */
export function swapLetters(
  info: ProgramInfo,
  argv: readonly string[],
  start: number,
  [from, to]: readonly [string, string],
): string[] {
  const end = optionsEnd(info, argv, start);
  return argv.map((a, i) => (i > start && i < end && BUNDLE.test(a) ? a.replace(from, to) : a));
}

/** Rewrites the value of `flag` when it is present: strip, then append text. Returns null when it is absent. */
export function mergeValue(
  argv: readonly string[],
  start: number,
  flag: string,
  strip: RegExp,
  text: string,
): string[] | null {
  for (let i = start + 1; i < argv.length; i++) {
    const a = argv[i]!;
    const attached = attachedValue(flag, a);
    if (a !== flag && attached === null) continue;
    const old = a === flag ? argv[i + 1] : attached;
    if (old === undefined || old === null) return null;
    const kept = old.replace(strip, ' ').trim();
    const value = kept ? `${kept} ${text}` : text;
    const out = [...argv];
    if (a === flag) out[i + 1] = value;
    else out[i] = flag.startsWith('--') ? `${flag}=${value}` : `${flag}${value}`;
    return out;
  }
  return null;
}
