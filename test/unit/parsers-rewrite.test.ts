/**
 * parseStat and parseStatus are parsed by offsets, without Map, split or
 * regular expressions. Their results and errors must be those of the
 * split/regex form they replace, kept below as the reference: on every stat
 * and status file of the fixtures and of this machine's /proc (read only),
 * and on thousands of mutations of them (characters inserted, deleted and
 * replaced with whitespace of every kind, parentheses, colons, digits and
 * signs, and cut short).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ParseError } from '../../src/core/errors.js';
import { parseStat } from '../../src/proc/stat.js';
import { parseStatus } from '../../src/proc/status.js';
import { Rand } from '../helpers/fuzz.js';

// ------------------------------------------------ the reference (as it was)

function refStat(text: string) {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) throw new ParseError('stat', 'no "(comm)"');
  const pid = Number(text.slice(0, open).trim());
  if (!Number.isSafeInteger(pid) || pid < 0) throw new ParseError('stat', 'bad pid');
  const comm = text.slice(open + 1, close);
  const rest = text
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  if (rest.length < 20) throw new ParseError('stat', `only ${rest.length + 2} fields`);
  const num = (i: number, name: string): number => {
    const v = Number(rest[i]);
    if (!Number.isSafeInteger(v)) throw new ParseError('stat', `bad ${name}`);
    return v;
  };
  const starttime = rest[19]!;
  if (!/^\d+$/.test(starttime)) throw new ParseError('stat', 'bad starttime');
  return {
    pid,
    comm,
    state: rest[0]!,
    ppid: num(1, 'ppid'),
    pgrp: num(2, 'pgrp'),
    session: num(3, 'session'),
    ttyNr: num(4, 'tty_nr'),
    tpgid: num(5, 'tpgid'),
    flags: num(6, 'flags'),
    numThreads: num(17, 'num_threads'),
    starttime,
  };
}

function refHexMask(v: string | undefined): bigint | null {
  if (v === undefined) return null;
  const t = v.trim();
  if (!/^[0-9a-fA-F]{1,32}$/.test(t)) return null;
  return BigInt('0x' + t);
}

function refInts(v: string | undefined): number[] {
  if (v === undefined) return [];
  return v
    .trim()
    .split(/\s+/)
    .filter((s) => s !== '')
    .map(Number)
    .filter((n) => Number.isSafeInteger(n));
}

const WANTED = new Set(['Name', 'Umask', 'State', 'Uid', 'Gid', 'SigBlk', 'SigIgn', 'SigCgt', 'CapEff', 'NSpid']);

function refStatus(text: string) {
  const fields = new Map<string, string>();
  let keyLines = 0;
  for (let start = 0; start < text.length;) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    const colon = text.indexOf(':', start);
    if (colon > start && colon < end) {
      keyLines += 1;
      const key = text.slice(start, colon);
      if (WANTED.has(key)) fields.set(key, text.slice(colon + 1, end).trimStart());
    }
    start = end + 1;
  }
  if (keyLines === 0) throw new ParseError('status', 'no "Key: value" lines');
  const umaskText = fields.get('Umask');
  let umask: number | null = null;
  if (umaskText !== undefined) {
    if (!/^[0-7]{1,4}$/.test(umaskText.trim())) throw new ParseError('status', 'bad Umask');
    umask = parseInt(umaskText.trim(), 8);
  }
  return {
    name: fields.get('Name') ?? null,
    umask,
    state: fields.get('State')?.trim().charAt(0) ?? null,
    uid: refInts(fields.get('Uid')),
    gid: refInts(fields.get('Gid')),
    sigBlk: refHexMask(fields.get('SigBlk')),
    sigIgn: refHexMask(fields.get('SigIgn')),
    sigCgt: refHexMask(fields.get('SigCgt')),
    capEff: refHexMask(fields.get('CapEff')),
    nspid: refInts(fields.get('NSpid')),
  };
}

// ------------------------------------------------ inputs

function filesNamed(dir: string, name: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) filesNamed(p, name, out);
    else if (e.name === name) out.push(readFileSync(p, 'utf8'));
  }
  return out;
}

/** This machine's /proc/PID/NAME files, as many as can be read (processes come and go). */
function liveFiles(name: string): string[] {
  const out: string[] = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      out.push(readFileSync(`/proc/${pid}/${name}`, 'utf8'));
    } catch {
      /* gone meanwhile */
    }
  }
  return out;
}

/** A seeded generator (mulberry32, test/helpers/fuzz.ts), so a failure can be replayed. */
function random(seed: number): () => number {
  const r = new Rand(seed);
  return () => r.next();
}

const ALPHABET = [
  ' ', '\t', '\n', '\r', '\v', '\f', '\u00a0', '\u2003', '\u2028', '\u3000', '\ufeff', '\u200b', '\u0085',
  '(', ')', ':', '-', '+', '.', 'e', 'x', '0', '1', '7', '8', '9', 'f', 'F', 'g', 'Z', 'S', 'é', '\u0000',
]; // prettier-ignore

function mutate(text: string, next: () => number): string {
  let s = text;
  const edits = 1 + Math.floor(next() * 4);
  for (let e = 0; e < edits; e++) {
    const at = Math.floor(next() * (s.length + 1));
    const ch = ALPHABET[Math.floor(next() * ALPHABET.length)]!;
    const r = next();
    if (r < 0.35) s = s.slice(0, at) + ch + s.slice(at);
    else if (r < 0.7) s = s.slice(0, at) + ch + s.slice(at + 1);
    else if (r < 0.9) s = s.slice(0, at) + s.slice(at + 1 + Math.floor(next() * 3));
    else s = s.slice(0, at);
  }
  return s;
}

function outcome(parse: (t: string) => unknown, text: string): unknown {
  try {
    return { ok: parse(text) };
  } catch (e) {
    if (!(e instanceof ParseError)) throw e;
    return { error: e.message };
  }
}

function compare(parse: (t: string) => unknown, ref: (t: string) => unknown, inputs: string[], seed: number) {
  const next = random(seed);
  let checked = 0;
  let errors = 0;
  const mismatches: string[] = [];
  const check = (t: string) => {
    checked++;
    const want = outcome(ref, t);
    if ((want as { error?: string }).error !== undefined) errors++;
    try {
      expect(outcome(parse, t)).toEqual(want);
    } catch {
      mismatches.push(JSON.stringify(t));
    }
  };
  for (const text of inputs) {
    check(text);
    for (let m = 0; m < 12; m++) check(mutate(text, next));
  }
  return { checked, errors, mismatches };
}

describe('the offset parsers give what the split/regex parsers gave', () => {
  it('parseStat: real and mutated stat files, 0 mismatches', () => {
    const inputs = [...filesNamed('fixtures', 'stat'), ...liveFiles('stat')];
    expect(inputs.length).toBeGreaterThan(100);
    const r = compare(parseStat, refStat, inputs, 24);
    expect(r.mismatches).toEqual([]);
    expect(r.checked).toBeGreaterThan(1000);
    expect(r.errors).toBeGreaterThan(r.checked / 20); // the mutations reach the error paths too
  });

  it('parseStatus: real and mutated status files, 0 mismatches', () => {
    const inputs = [...filesNamed('fixtures', 'status'), ...liveFiles('status')];
    expect(inputs.length).toBeGreaterThan(20);
    const r = compare(parseStatus, refStatus, inputs, 42);
    expect(r.mismatches).toEqual([]);
    expect(r.checked).toBeGreaterThan(250);
    // Targeted values for each wanted key, where the mutations above rarely land.
    const base = 'Name:\tx\nUmask:\t0022\nState:\tS (sleeping)\nUid:\t0\t0\t0\t0\n';
    const odd = ['', ' ', '\t', '12345', '08', '7777', '0x1f', '1e3', '-1', 'ffffffffffffffffffffffffffffffffff', 'g'];
    const keys = ['Name', 'Umask', 'State', 'Uid', 'Gid', 'SigBlk', 'SigIgn', 'SigCgt', 'CapEff', 'NSpid', 'Nam'];
    const targeted = keys.flatMap((k) => odd.flatMap((v) => [`${base}${k}:${v}\n`, `${k}: ${v} ${v}\t${v}`]));
    expect(compare(parseStatus, refStatus, targeted, 7).mismatches).toEqual([]);
  });
});
