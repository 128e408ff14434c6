/**
 * Property-based tests of the /proc parsers (fast-check).
 *
 * 1. Every parser, fed arbitrary strings, arbitrary bytes (decoded as UTF-8
 *    and as Latin-1) and "token soup" built from the format's own pieces,
 *    either returns or throws ParseError: never a TypeError, RangeError, ...
 * 2. Round trips against generators that write what the kernel writes:
 *    stat lines with hostile comms, hex signal masks, tty_nr encoding
 *    (new_encode_dev), /proc/locks lines.
 *
 * The seed is fixed so a failure reproduces; FC_SEED=n picks another one and
 * FC_RUNS=n changes the number of cases per property (default 500).
 */
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseStat } from '../../src/proc/stat.js';
import { parseStatus } from '../../src/proc/status.js';
import { hasSignal, signalList, signalName } from '../../src/proc/signals.js';
import { parseLockLine, parseLocks } from '../../src/proc/locks.js';
import { ParseError } from '../../src/core/errors.js';
import {
  DEFAULT_TTY_DRIVERS,
  decodeTtyNr,
  findTtyDriver,
  isTerminalDevice,
  parseTtyDrivers,
  ttyName,
} from '../../src/proc/tty.js';
import { mountFor, parseMountinfo } from '../../src/proc/mountinfo.js';
import { parseCgroup } from '../../src/proc/cgroup.js';
import { parseCmdline } from '../../src/proc/cmdline.js';
import { parseEnviron } from '../../src/proc/environ.js';
import { parseFdinfo } from '../../src/proc/fdinfo.js';

const SEED = Number(process.env.FC_SEED ?? 20261121);
const RUNS = Number(process.env.FC_RUNS ?? 500);
const PARAMS = { seed: SEED, numRuns: RUNS };

/** How many properties ran, and how many cases in all, for the summary line. */
const tally = { properties: 0, cases: 0 };

function check<Ts extends [unknown, ...unknown[]]>(prop: fc.IProperty<Ts>, runs = RUNS): void {
  fc.assert(prop, { ...PARAMS, numRuns: runs });
  tally.properties++;
  tally.cases += runs;
}

afterAll(() => {
  console.log(
    `properties: ${tally.properties} properties, ${tally.cases} cases in all (seed ${SEED}, ${RUNS} per property)`,
  );
});

/** Runs f; a ParseError is an allowed outcome, anything else thrown fails the property. */
function onlyParseError(f: () => unknown): void {
  try {
    f();
  } catch (err) {
    if (err instanceof ParseError) return;
    throw new Error(`threw ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}, not ParseError`, {
      cause: err,
    });
  }
}

// ---------------------------------------------------------------- inputs

/** Pieces of every /proc format here, plus the numbers that break naive parsers. */
const VOCAB = [
  ' ',
  '  ',
  '\t',
  '\n',
  '\r\n',
  '\0',
  '(',
  ')',
  '((',
  '))',
  ':',
  '::',
  '-',
  '->',
  '=',
  '/',
  '\\',
  '\\040',
  '[',
  ']',
  ',',
  '0',
  '1',
  '-1',
  '42',
  '255',
  '256',
  '4242',
  '34816',
  '1083436',
  '2147483647',
  '-2147483648',
  '4294967295',
  '9007199254740993',
  '99999999999999999999',
  '18446744073709551615',
  '1e30',
  '0x1f',
  'NaN',
  'Infinity',
  '-0',
  '.5',
  'ffffffffffffffff',
  '0000000000000001',
  'FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF',
  '08',
  '08:01',
  'fd:00:1234',
  '00:1a:42',
  'S',
  'Z',
  'R',
  'sleep',
  'a b',
  '\u00e9',
  '\ufffd',
  '\u{1F600}',
  '\u001b[31m',
  '\u2028',
  'Name:',
  'Umask:',
  'Umask:\t0022',
  'Umask:\t9',
  'State:',
  'Uid:',
  'Gid:',
  'SigBlk:',
  'SigIgn:',
  'SigCgt:',
  'CapEff:',
  'NSpid:',
  'POSIX',
  'FLOCK',
  'OFDLCK',
  'LEASE',
  'ADVISORY',
  'MANDATORY',
  'READ',
  'WRITE',
  'EOF',
  'pty_slave',
  '/dev/pts',
  '0-1048575',
  '4-',
  '-5',
  '64-95',
  'pty:slave',
  'serial',
  ' - ',
  'proc',
  'rw,nosuid',
  'hidepid=2',
  'shared:1',
  'master:2',
  'pos:',
  'flags:',
  'mnt_id:',
  'ino:',
  'lock:',
  '02100002',
  '0777777777777777777777',
  '0::/',
  '/system.slice/x.service',
];

const soup: fc.Arbitrary<string> = fc
  .array(
    fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...VOCAB) },
      { weight: 1, arbitrary: fc.string({ maxLength: 6 }) },
    ),
    { maxLength: 80 },
  )
  .map((parts) => parts.join(''));

/** Arbitrary text: full-Unicode strings, ASCII strings, bytes decoded both ways, and token soup. */
const anyText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.string({ unit: 'binary-ascii', maxLength: 200 }),
  fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString('utf8')),
  fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString('latin1')),
  soup,
  // Several lines of soup: the line-oriented parsers see more than one line.
  fc.array(soup, { maxLength: 8 }).map((lines) => lines.join('\n')),
);

/** Arbitrary bytes for the Buffer parsers (cmdline, environ): raw, or text encoded as UTF-8 / Latin-1. */
const anyBytes: fc.Arbitrary<Buffer> = fc.oneof(
  fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
  anyText.map((s) => Buffer.from(s, 'utf8')),
  anyText.map((s) => Buffer.from(s, 'latin1')),
);

// ---------------------------------------------------------------- 1. no parser throws anything but ParseError

describe('parsers never throw anything but ParseError', () => {
  const textParsers: Array<[string, (s: string) => unknown]> = [
    ['parseStat', parseStat],
    ['parseStatus', parseStatus],
    ['parseLockLine', parseLockLine],
    ['parseLocks', (s) => parseLocks(s)],
    ['parseTtyDrivers', parseTtyDrivers],
    [
      'parseMountinfo',
      (s) => {
        const mounts = parseMountinfo(s);
        // The lookup on parsed output must hold up as well.
        mountFor(mounts, '/');
        mountFor(mounts, s);
        return mounts;
      },
    ],
    ['parseCgroup', parseCgroup],
    ['parseFdinfo', parseFdinfo],
  ];

  it.each(textParsers)('%s on arbitrary text', (_name, parse) => {
    check(fc.property(anyText, (s) => onlyParseError(() => parse(s))));
  });

  it.each([
    ['parseCmdline', parseCmdline],
    ['parseEnviron', parseEnviron],
  ] as Array<[string, (b: Buffer) => unknown]>)('%s on arbitrary bytes', (_name, parse) => {
    check(fc.property(anyBytes, (b) => onlyParseError(() => parse(b))));
  });

  it('text parsers on arbitrary bytes decoded as UTF-8 and as Latin-1', () => {
    check(
      fc.property(fc.uint8Array({ maxLength: 400 }), (bytes) => {
        const buf = Buffer.from(bytes);
        for (const text of [buf.toString('utf8'), buf.toString('latin1')]) {
          for (const [, parse] of textParsers) onlyParseError(() => parse(text));
        }
        onlyParseError(() => parseCmdline(buf));
        onlyParseError(() => parseEnviron(buf));
      }),
    );
  });

  it('what parses has the promised shape', () => {
    check(
      fc.property(anyText, (s) => {
        try {
          const st = parseStat(s);
          expect(Number.isSafeInteger(st.pid) && st.pid >= 0).toBe(true);
          for (const n of [st.ppid, st.pgrp, st.session, st.ttyNr, st.tpgid, st.flags, st.numThreads])
            expect(Number.isSafeInteger(n)).toBe(true);
          expect(st.starttime).toMatch(/^\d+$/);
        } catch (err) {
          if (!(err instanceof ParseError)) throw err;
        }
        try {
          const status = parseStatus(s);
          if (status.umask !== null) expect(status.umask >= 0 && status.umask <= 0o7777).toBe(true);
          for (const m of [status.sigBlk, status.sigIgn, status.sigCgt, status.capEff])
            if (m !== null) expect(m >= 0n).toBe(true);
          for (const n of [...status.uid, ...status.gid, ...status.nspid]) expect(Number.isSafeInteger(n)).toBe(true);
        } catch (err) {
          if (!(err instanceof ParseError)) throw err;
        }
        for (const d of parseTtyDrivers(s)) {
          expect([d.major, d.minorFirst, d.minorLast].every(Number.isSafeInteger)).toBe(true);
        }
        const fdinfo = parseFdinfo(s);
        if (fdinfo.flags !== null)
          expect(Number.isSafeInteger(fdinfo.flags) || Number.isFinite(fdinfo.flags)).toBe(true);
        const locks = parseLocks(s);
        expect(locks.locks.length + locks.skipped).toBeLessThanOrEqual(s.split('\n').length);
      }),
    );
  });

  it('decodeTtyNr and ttyName take any number and any driver table', () => {
    const anyNumber = fc.oneof(
      fc.integer(),
      fc.integer({ min: -(2 ** 31), max: 2 ** 32 }),
      fc.maxSafeInteger(),
      fc.double(), // NaN, +-Infinity, -0, fractions
      fc.constantFrom(0, -1, 34816, 1083436, 2 ** 31, 2 ** 32, 2 ** 53, Number.MAX_VALUE),
    );
    const drivers = fc.oneof(fc.constant(DEFAULT_TTY_DRIVERS), anyText.map(parseTtyDrivers));
    check(
      fc.property(anyNumber, anyNumber, anyNumber, drivers, (ttyNr, major, minor, table) => {
        const d = decodeTtyNr(ttyNr);
        // Whatever the input, the result is a device number the kernel could print.
        expect(Number.isInteger(d.major) && d.major >= 0 && d.major < 4096).toBe(true);
        expect(Number.isInteger(d.minor) && d.minor >= 0 && d.minor < 2 ** 20).toBe(true);
        onlyParseError(() => {
          expect(typeof ttyName(table, d.major, d.minor)).toBe('string');
          expect(typeof ttyName(table, major, minor)).toBe('string');
          isTerminalDevice(table, major, minor);
          findTtyDriver(table, major, minor);
        });
      }),
    );
  });
});

// ---------------------------------------------------------------- 2. stat round trip

/** A comm as a hostile program could set it (prctl PR_SET_NAME, or argv[0] in comm-like fields). */
const hostileComm: fc.Arbitrary<string> = fc.oneof(
  fc
    .array(
      fc.constantFrom(
        ' ',
        '(',
        ')',
        '\n',
        ') ',
        ' (',
        ') S 1 1 1 0 -1',
        'a',
        'Z',
        '0',
        '-1',
        '\t',
        '\u001b[2J',
        '\u001b]0;x\u0007',
        ':',
      ),
      { maxLength: 20 },
    )
    .map((p) => p.join('').slice(0, 64)),
  fc.string({ unit: 'binary', maxLength: 64 }),
  fc.string({ unit: 'binary-ascii', maxLength: 64 }),
  // Non-UTF-8 bytes, as the audit sees them: decoded with U+FFFD replacement.
  fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b).toString('utf8')),
  fc.constant(''),
);

const u64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });
const int32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
const pidArb = fc.integer({ min: 1, max: 4194304 });

interface StatFields {
  pid: number;
  comm: string;
  state: string;
  ppid: number;
  pgrp: number;
  session: number;
  ttyNr: number;
  tpgid: number;
  flags: number;
  starttime: bigint;
  numThreads: number;
  filler: bigint[];
}

const statFields: fc.Arbitrary<StatFields> = fc.record({
  pid: pidArb,
  comm: hostileComm,
  state: fc.constantFrom('R', 'S', 'D', 'Z', 'T', 't', 'X', 'I', 'P', 'W', 'K'),
  ppid: fc.oneof(fc.constant(0), pidArb),
  pgrp: fc.oneof(fc.constant(0), pidArb),
  session: fc.oneof(fc.constant(0), pidArb),
  ttyNr: int32,
  tpgid: fc.oneof(fc.constant(-1), pidArb),
  flags: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
  starttime: u64,
  numThreads: fc.integer({ min: 1, max: 2 ** 22 }),
  // Fields 10-21 and 23-52 are not parsed: any unsigned 64-bit value (rsslim is often 2^64-1).
  filler: fc.array(u64, { minLength: 42, maxLength: 42 }),
});

/** The line as fs/proc/array.c's do_task_stat writes it (52 fields on Linux 5.x/6.x). */
function statLine(f: StatFields): string {
  const after = [f.state, f.ppid, f.pgrp, f.session, f.ttyNr, f.tpgid, f.flags];
  const minflt = f.filler.slice(0, 10); // fields 10-19
  const fields = [...after, ...minflt, f.numThreads, f.filler[10]!, f.starttime, ...f.filler.slice(11)];
  return `${f.pid} (${f.comm}) ${fields.join(' ')}\n`;
}

describe('stat lines round-trip', () => {
  it('pid, comm, state, ppid, pgrp, session, tty_nr, tpgid, flags, starttime come back exactly', () => {
    check(
      fc.property(statFields, (f) => {
        const line = statLine(f);
        // The audit reads bytes and decodes them as UTF-8: do the same.
        const st = parseStat(Buffer.from(line, 'utf8').toString('utf8'));
        expect(st.pid).toBe(f.pid);
        expect(st.comm).toBe(f.comm);
        expect(st.state).toBe(f.state);
        expect(st.ppid).toBe(f.ppid);
        expect(st.pgrp).toBe(f.pgrp);
        expect(st.session).toBe(f.session);
        expect(st.ttyNr).toBe(f.ttyNr);
        expect(st.tpgid).toBe(f.tpgid);
        expect(st.flags).toBe(f.flags);
        expect(st.starttime).toBe(String(f.starttime));
        expect(st.numThreads).toBe(f.numThreads);
      }),
    );
  });

  it('a comm of raw non-UTF-8 bytes comes back as its UTF-8 decoding (replacement characters)', () => {
    check(
      fc.property(statFields, fc.uint8Array({ maxLength: 64 }), (f, commBytes) => {
        const [head, tail] = statLine({ ...f, comm: '\u0000' }).split('\u0000') as [string, string];
        const bytes = Buffer.concat([Buffer.from(head, 'latin1'), Buffer.from(commBytes), Buffer.from(tail, 'latin1')]);
        const st = parseStat(bytes.toString('utf8'));
        expect(st.comm).toBe(Buffer.from(commBytes).toString('utf8'));
        expect(st.pid).toBe(f.pid);
        expect(st.ppid).toBe(f.ppid);
        expect(st.session).toBe(f.session);
        expect(st.ttyNr).toBe(f.ttyNr);
        expect(st.starttime).toBe(String(f.starttime));
      }),
    );
  });

  it('a truncated stat line never yields fields that were cut off', () => {
    check(
      fc.property(statFields, fc.nat(), (f, cut) => {
        const line = statLine(f);
        const at = cut % line.length;
        try {
          const st = parseStat(line.slice(0, at));
          // Whatever survived the cut and parsed is a prefix of the truth: identity fields intact.
          expect(st.pid).toBe(f.pid);
          expect(st.ppid).toBe(f.ppid);
          expect(st.session).toBe(f.session);
          expect(st.ttyNr).toBe(f.ttyNr);
          expect(st.tpgid).toBe(f.tpgid);
          expect(String(f.starttime).startsWith(st.starttime)).toBe(true);
        } catch (err) {
          if (!(err instanceof ParseError)) throw err;
        }
      }),
    );
  });
});

// ---------------------------------------------------------------- 3. signal masks

function setBits(mask: bigint): number[] {
  const out: number[] = [];
  for (let bit = 0; bit < 64; bit++) if ((mask >> BigInt(bit)) & 1n) out.push(bit + 1);
  return out;
}

function hex16(n: bigint, upper: boolean): string {
  const s = n.toString(16).padStart(16, '0');
  return upper ? s.toUpperCase() : s;
}

describe('hex signal masks', () => {
  it('signalList lists exactly the set bits of any 64-bit mask (bit N-1 is signal N)', () => {
    check(
      fc.property(u64, u64, u64, fc.boolean(), (blk, ign, cgt, upper) => {
        const text = [
          'Name:\tx',
          'Umask:\t0022',
          'State:\tS (sleeping)',
          'SigQ:\t0/96365',
          `SigPnd:\t${hex16(0n, upper)}`,
          `SigBlk:\t${hex16(blk, upper)}`,
          `SigIgn:\t${hex16(ign, upper)}`,
          `SigCgt:\t${hex16(cgt, upper)}`,
          'CapEff:\t000001ffffffffff',
          '',
        ].join('\n');
        const st = parseStatus(text);
        expect(st.sigBlk).toBe(blk);
        expect(st.sigIgn).toBe(ign);
        expect(st.sigCgt).toBe(cgt);
        for (const mask of [blk, ign, cgt]) {
          const want = setBits(mask);
          const got = signalList(mask);
          expect(got).toEqual(want.map(signalName));
          expect(new Set(got).size).toBe(want.length);
          for (let n = 1; n <= 64; n++) expect(hasSignal(mask, n)).toBe(want.includes(n));
        }
      }),
    );
  });
});

// ---------------------------------------------------------------- 4. tty_nr

/** The kernel's new_encode_dev(): minor's low 8 bits, then 12 bits of major, then minor's high bits. */
function newEncodeDev(major: number, minor: number): number {
  return ((minor & 0xff) | (major << 8) | ((minor & ~0xff) << 12)) >>> 0;
}

describe('tty_nr', () => {
  const major = fc.integer({ min: 0, max: 4095 });
  const minor = fc.integer({ min: 0, max: 2 ** 20 - 1 });

  it('decodes what new_encode_dev encodes, as u32 and as the int stat prints', () => {
    check(
      fc.property(major, minor, (maj, min) => {
        const u32 = newEncodeDev(maj, min);
        // do_task_stat keeps tty_nr in an int: minors >= 2^19 print negative.
        const asInt = u32 | 0;
        expect(decodeTtyNr(u32)).toEqual({ major: maj, minor: min });
        expect(decodeTtyNr(asInt)).toEqual({ major: maj, minor: min });
      }),
    );
  });

  it('survives the trip through a stat line and names pty slaves /dev/pts/N', () => {
    check(
      fc.property(statFields, minor, (f, min) => {
        const ttyNr = newEncodeDev(136, min) | 0;
        const st = parseStat(statLine({ ...f, ttyNr }));
        const d = decodeTtyNr(st.ttyNr);
        expect(d).toEqual({ major: 136, minor: min });
        expect(ttyName(DEFAULT_TTY_DRIVERS, d.major, d.minor)).toBe(`/dev/pts/${min}`);
      }),
    );
  });
});

// ---------------------------------------------------------------- 5. /proc/locks

interface LockGen {
  id: number;
  waiter: boolean;
  kind: string;
  advisory: string;
  mode: string;
  pid: number;
  major: number;
  minor: number;
  ino: number;
  start: string;
  end: string;
  upper: boolean;
  pad: boolean;
  gap: string;
}

const lockGen: fc.Arbitrary<LockGen> = fc.record({
  id: fc.integer({ min: 1, max: 1_000_000 }),
  waiter: fc.boolean(),
  kind: fc.constantFrom('POSIX', 'FLOCK', 'OFDLCK'),
  advisory: fc.constantFrom('ADVISORY', 'MANDATORY'),
  mode: fc.constantFrom('READ', 'WRITE'),
  pid: fc.oneof(fc.constant(-1), fc.constant(0), pidArb),
  major: fc.integer({ min: 0, max: 4095 }),
  minor: fc.integer({ min: 0, max: 2 ** 20 - 1 }),
  ino: fc.oneof(fc.nat(), fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER })),
  start: fc.oneof(fc.constant('0'), fc.bigInt({ min: 0n, max: 2n ** 63n - 1n }).map(String)),
  end: fc.oneof(fc.constant('EOF'), fc.bigInt({ min: 0n, max: 2n ** 63n - 1n }).map(String)),
  upper: fc.boolean(),
  pad: fc.boolean(),
  gap: fc.constantFrom(' ', '  ', '\t', ' \t '),
});

function hex(n: number, g: LockGen): string {
  const s = n.toString(16);
  const p = g.pad ? s.padStart(2, '0') : s;
  return g.upper ? p.toUpperCase() : p;
}

/** As fs/locks.c lock_get_status() prints it ("%lld: " then " ->" for a blocked waiter). */
function lockLine(g: LockGen): string {
  const s = g.gap;
  return `${g.id}:${s}${g.waiter ? `->${s}` : ''}${g.kind}${s}${g.advisory}${s}${g.mode}${s}${g.pid}${s}${hex(g.major, g)}:${hex(g.minor, g)}:${g.ino}${s}${g.start}${s}${g.end}`;
}

describe('/proc/locks lines', () => {
  it('give dev as decimal MAJ:MIN, the inode, the pid and the waiter flag', () => {
    check(
      fc.property(lockGen, (g) => {
        const l = parseLockLine(lockLine(g));
        expect(l.dev).toBe(`${g.major}:${g.minor}`);
        expect(l.ino).toBe(g.ino);
        expect(l.pid).toBe(g.pid);
        expect(l.waiter).toBe(g.waiter);
        expect(l.kind).toBe(g.kind);
        expect(l.mode).toBe(g.mode);
        expect(l.id).toBe(g.id);
        expect(l.start).toBe(g.start);
        expect(l.end).toBe(g.end);
      }),
    );
  });

  it('a whole file keeps every good line and counts the odd ones as skipped', () => {
    const junk = fc.oneof(soup, anyText).map((s) => `# ${s.replace(/[\r\n]/g, ' ')}`);
    check(
      fc.property(
        fc.array(
          fc.oneof(
            lockGen.map((g) => ({ good: true as const, g })),
            junk.map((j) => ({ good: false as const, j })),
          ),
          { maxLength: 30 },
        ),
        (lines) => {
          const text = lines.map((x) => (x.good ? lockLine(x.g) : x.j)).join('\n') + '\n';
          const parsed = parseLocks(text);
          const good = lines.filter((x) => x.good);
          expect(parsed.locks.map((l) => `${l.dev}/${l.ino}/${l.waiter}`)).toEqual(
            good.map((x) => `${x.g.major}:${x.g.minor}/${x.g.ino}/${x.g.waiter}`),
          );
          expect(parsed.skipped).toBe(lines.length - good.length);
          expect(parsed.truncated).toBe(false);
        },
      ),
    );
  });

  it('fdinfo "lock:" lines carry a whole /proc/locks line and parse the same', () => {
    check(
      fc.property(lockGen, (g) => {
        const line = lockLine({ ...g, waiter: false });
        const info = parseFdinfo(`pos:\t0\nflags:\t02100002\nmnt_id:\t25\nino:\t${g.ino}\nlock:\t${line}\n`);
        expect(info.locks).toHaveLength(1);
        const l = parseLockLine(info.locks[0]!);
        expect(l.dev).toBe(`${g.major}:${g.minor}`);
        expect(l.ino).toBe(g.ino);
      }),
    );
  });
});
