/**
 * Mutating captured fixture trees for test/fuzz.test.ts: a seeded PRNG, the
 * mutations (each returns a line saying what it did, so a failure names the
 * exact tree), and the evidence rules a report must respect: a check may only
 * claim `pass` when the evidence it needs is there and readable.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseStat } from '../../src/proc/stat.js';
import type { Report } from '../../src/audit-types.js';

// ---------------------------------------------------------------- randomness

/** mulberry32: small, fast, and the same sequence on every machine. */
export class Rand {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  bool(p = 0.5): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[Math.floor(this.next() * items.length)]!;
  }
  bytes(n: number): Buffer {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; i++) b[i] = Math.floor(this.next() * 256);
    return b;
  }
  /** Text with printable ASCII, whitespace, control characters and a little Unicode. */
  text(n: number): string {
    const pool = [
      'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789',
      ' \t\n\n\r:()-/[]{}",.=\\',
      '\u0000\u0001\u0007\u001b\u007f',
      '\u00e9\u00ff\u2028\ufffd\u{1F600}',
    ];
    let s = '';
    for (let i = 0; i < n; i++) {
      const p = pool[this.int(0, 9) < 6 ? 0 : this.int(1, 3)]!;
      s += [...p][this.int(0, [...p].length - 1)];
    }
    return s;
  }
}

/** A seed per (base, fixture, tree): each tree can be replayed on its own. */
export function treeSeed(base: number, fixture: number, tree: number): number {
  let h = (base ^ 0x9e3779b9) >>> 0;
  for (const v of [fixture, tree]) {
    h = Math.imul(h ^ v, 0x85ebca6b) >>> 0;
    h = (h ^ (h >>> 13)) >>> 0;
  }
  return h;
}

// ---------------------------------------------------------------- trees

export interface Tree {
  fixture: string;
  /** The tree's top folder (meta.json and proc/). */
  dir: string;
  proc: string;
  /** The target pid, from the fixture's meta.json before any mutation. */
  pid: number;
  /** What was done to it, in order. */
  log: string[];
  /** Set when the tree is audited through --pidfile. */
  pidfile?: string;
}

export function copyTree(fixtureDir: string, dest: string, fixture: string, pid: number): Tree {
  fs.cpSync(fixtureDir, dest, { recursive: true });
  // expected*.json describe the untouched capture; they would only confuse a reader of a failing tree.
  for (const f of ['expected.json', 'expected-error.json']) fs.rmSync(path.join(dest, f), { force: true });
  return { fixture, dir: dest, proc: path.join(dest, 'proc'), pid, log: [] };
}

/** Every path under proc/, relative to it ("19701/fd/0.link"), files and folders. */
export function walk(proc: string): { files: string[]; dirs: string[] } {
  const files: string[] = [];
  const dirs: string[] = [];
  const visit = (rel: string): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(path.join(proc, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) {
        dirs.push(r);
        visit(r);
      } else files.push(r);
    }
  };
  visit('');
  return { files, dirs };
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** Writes a file, replacing a folder of the same name if a mutation made one. */
function put(file: string, content: string | Buffer): void {
  if (isDir(file)) fs.rmSync(file, { recursive: true, force: true });
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
}

// ---------------------------------------------------------------- mutations

export const HUGE = [
  '99999999999999999999',
  '-99999999999999999999',
  '18446744073709551616',
  '9007199254740993',
  '4294967296',
  '2147483648',
  '-2147483649',
  '1000000000000000000000000000000',
  '1e30',
  '0x7fffffff',
  'NaN',
  'Infinity',
  '-0',
  '+1',
  '',
];

const ODD_FD_NAMES = [
  'abc',
  '-1',
  '99999999999999',
  '1e3',
  '03',
  '00',
  '0x1',
  ' 4',
  '4 ',
  'Infinity',
  '1.5',
  '18446744073709551616',
  '',
  '.',
  '..x',
  '2147483648',
];

const ERRNO_WORDS = [
  'EACCES',
  'EPERM',
  'ENOENT',
  'ESRCH',
  'EIO',
  'EINVAL',
  'EBADF',
  'ELOOP',
  'ENOTDIR',
  '',
  '  \n',
  'garbage word',
  'EACCES\nEPERM',
  'E'.repeat(2000),
  '\u001b[31mEACCES',
  '💥',
];

/** Link targets no sane capture holds, but a hostile or broken one might. */
function hostileTarget(r: Rand): Buffer {
  const choices: Array<() => string | Buffer> = [
    () => 'pipe:[',
    () => 'pipe:[]',
    () => 'socket:[',
    () => 'pipe:[123]\n\npipe:[456]',
    () => '/dev/null\n/dev/pts/0',
    () => '/dev/pts/0\n',
    () => 'a\nb\nc',
    () => '/' + 'a'.repeat(4096),
    () => 'x'.repeat(4097),
    () => Buffer.from([0x2f, 0xff, 0xfe, 0x80, 0x0a, 0x2f, 0xc3]),
    () => r.bytes(r.int(0, 64)),
    () => '',
    () => '\n',
    () => ' (deleted)',
    () => '/dev/null (deleted)',
    () => '/dev/pts/0 (deleted)',
    () => 'anon_inode:',
    () => 'socket:[99999999999999999999]',
    () => '/dev/tty',
    () => '/dev/console',
    () => 'relative/path',
    () => '\u001b[31m/dev/null\u001b[0m',
    () => r.text(r.int(1, 80)),
  ];
  const v = r.pick(choices)();
  return typeof v === 'string' ? Buffer.from(v, 'utf8') : v;
}

function hostileComm(r: Rand): string {
  return r.pick([
    'evil) R 1 1 1 0 -1 0',
    ') S 1 1 1 0 -1',
    'two\nlines',
    '\u001b[31mred\u001b[0m',
    '\u001b]0;pwned\u0007',
    '\u001b[2J\u001b[H',
    '((x))',
    ')',
    '(',
    '',
    'bash',
    'systemd',
    'tini',
    'sshd',
    'a) Z 0 0 0 0 -1 0',
    r.text(r.int(0, 64)),
  ]);
}

/** Splits a stat text into pid, comm and the fields after ") ". */
function splitStat(text: string): { pid: string; comm: string; fields: string[] } | null {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  return {
    pid: text.slice(0, open).trim(),
    comm: text.slice(open + 1, close),
    fields: text
      .slice(close + 2)
      .trim()
      .split(' '),
  };
}

function joinStat(s: { pid: string; comm: string; fields: string[] }): string {
  return `${s.pid} (${s.comm}) ${s.fields.join(' ')}\n`;
}

/** A file under the target's folder most of the time, anywhere otherwise. */
function pickFile(t: Tree, r: Rand, filter: (rel: string) => boolean = () => true): string | null {
  const { files } = walk(t.proc);
  const all = files.filter(filter);
  if (all.length === 0) return null;
  const mine = all.filter((f) => f.startsWith(`${t.pid}/`));
  return mine.length && r.bool(0.65) ? r.pick(mine) : r.pick(all);
}

function statFiles(t: Tree): string[] {
  return walk(t.proc).files.filter((f) => /^\d+\/stat$/.test(f));
}

/** The target's stat most of the time; its parent's or session leader's next; any other otherwise. */
function pickStat(t: Tree, r: Rand): string | null {
  const all = statFiles(t);
  if (all.length === 0) return null;
  const own = `${t.pid}/stat`;
  const roll = r.next();
  if (roll < 0.5 && all.includes(own)) return own;
  if (roll < 0.8 && all.includes(own)) {
    const s = splitStat(fs.readFileSync(path.join(t.proc, own), 'utf8'));
    const near = s ? [s.fields[1], s.fields[3]].map((p) => `${p}/stat`).filter((f) => all.includes(f)) : [];
    if (near.length) return r.pick(near);
  }
  return r.pick(all);
}

export interface Mutation {
  name: string;
  weight: number;
  apply(t: Tree, r: Rand): string | null;
}

export const MUTATIONS: Mutation[] = [
  {
    name: 'truncate',
    weight: 4,
    apply(t, r) {
      const f = pickFile(t, r);
      if (!f) return null;
      const buf = fs.readFileSync(path.join(t.proc, f));
      const cut = r.int(0, buf.length);
      fs.writeFileSync(path.join(t.proc, f), buf.subarray(0, cut));
      return `truncate ${f} at ${cut}/${buf.length}`;
    },
  },
  {
    name: 'delete',
    weight: 4,
    apply(t, r) {
      const { files, dirs } = walk(t.proc);
      const special = [`${t.pid}/fd`, `${t.pid}/fdinfo`, `${t.pid}/status`, `${t.pid}/cwd.link`, 'locks', 'tty'];
      let victim: string;
      const roll = r.next();
      if (roll < 0.02) victim = '.';
      else if (roll < 0.35) victim = r.pick(special);
      else if (roll < 0.5 && dirs.length) victim = r.pick(dirs);
      else if (files.length) victim = pickFile(t, r) ?? r.pick(files);
      else return null;
      fs.rmSync(path.join(t.proc, victim), { recursive: true, force: true });
      return `delete ${victim === '.' ? 'the whole proc/' : victim}`;
    },
  },
  {
    name: 'garbage text',
    weight: 3,
    apply(t, r) {
      const f = pickFile(t, r);
      if (!f) return null;
      put(path.join(t.proc, f), r.text(r.int(0, 600)));
      return `garbage text in ${f}`;
    },
  },
  {
    name: 'binary',
    weight: 3,
    apply(t, r) {
      const f = pickFile(t, r);
      if (!f) return null;
      put(path.join(t.proc, f), r.bytes(r.int(0, 600)));
      return `binary bytes in ${f}`;
    },
  },
  {
    name: 'huge number',
    weight: 4,
    apply(t, r) {
      const f = pickStat(t, r);
      if (!f) return null;
      const s = splitStat(fs.readFileSync(path.join(t.proc, f), 'utf8'));
      if (!s) return null;
      const v = r.pick(HUGE);
      if (r.bool(0.15)) {
        s.pid = v;
        put(path.join(t.proc, f), joinStat(s));
        return `stat pid of ${f} = ${JSON.stringify(v)}`;
      }
      // Mostly the fields the audit reads (state .. flags, num_threads, starttime).
      const i = r.bool(0.7) ? r.pick([1, 2, 3, 4, 5, 6, 17, 19]) : r.int(0, Math.max(0, s.fields.length - 1));
      s.fields[i] = v;
      put(path.join(t.proc, f), joinStat(s));
      return `stat field ${i + 3} of ${f} = ${JSON.stringify(v)}`;
    },
  },
  {
    name: 'odd fd name',
    weight: 3,
    apply(t, r) {
      const name = r.pick(ODD_FD_NAMES);
      const target = r.bool(0.5)
        ? hostileTarget(r)
        : Buffer.from(r.pick(['/dev/pts/0', '/dev/null', 'pipe:[204691]', '/tmp/x']));
      put(path.join(t.proc, `${t.pid}/fd/${name}.link`), target);
      const plainName = name !== '' && name !== '.' && name !== '..';
      if (plainName && r.bool(0.5))
        put(path.join(t.proc, `${t.pid}/fdinfo/${name}`), 'pos:\t0\nflags:\t02\nmnt_id:\t1\nino:\t1\n');
      if (r.bool(0.3))
        put(path.join(t.proc, `${t.pid}/fd/${name}.stat`), '{"dev":"0:1","ino":1,"mode":"20620","rdev":"136:0"}');
      return `odd fd name ${JSON.stringify(name)} -> ${JSON.stringify(target.toString('latin1').slice(0, 40))}`;
    },
  },
  {
    name: 'hostile link target',
    weight: 4,
    apply(t, r) {
      const links = walk(t.proc).files.filter((f) => f.endsWith('.link'));
      if (links.length === 0) return null;
      const mine = links.filter((f) => f.startsWith(`${t.pid}/`));
      const f = mine.length && r.bool(0.8) ? r.pick(mine) : r.pick(links);
      const target = hostileTarget(r);
      put(path.join(t.proc, f), target);
      return `link ${f} -> ${JSON.stringify(target.toString('latin1').slice(0, 40))}${target.length > 40 ? `... (${target.length} bytes)` : ''}`;
    },
  },
  {
    name: 'hostile comm',
    weight: 3,
    apply(t, r) {
      const f = pickStat(t, r);
      if (!f) return null;
      const s = splitStat(fs.readFileSync(path.join(t.proc, f), 'utf8'));
      if (!s) return null;
      s.comm = hostileComm(r);
      put(path.join(t.proc, f), joinStat(s));
      return `comm of ${f} = ${JSON.stringify(s.comm)}`;
    },
  },
  {
    name: 'state',
    weight: 1,
    apply(t, r) {
      const f = pickStat(t, r);
      if (!f) return null;
      const s = splitStat(fs.readFileSync(path.join(t.proc, f), 'utf8'));
      if (!s) return null;
      s.fields[0] = r.pick(['Z', 'X', 'zz', ')', 'R', 'I', 'T']);
      put(path.join(t.proc, f), joinStat(s));
      return `state of ${f} = ${JSON.stringify(s.fields[0])}`;
    },
  },
  {
    name: 'errno sidecar',
    weight: 4,
    apply(t, r) {
      const { files, dirs } = walk(t.proc);
      const logical = [
        ...new Set([...files.filter((f) => !f.endsWith('.errno')).map((f) => f.replace(/\.link$/, '')), ...dirs]),
      ];
      if (logical.length === 0) return null;
      const mine = logical.filter((f) => f.startsWith(`${t.pid}/`) || f === String(t.pid));
      const special = [`${t.pid}/fd`, `${t.pid}/status`, `${t.pid}/fd/0`, `${t.pid}/cwd`, `${t.pid}/fd/0.stat`];
      const roll = r.next();
      const what = roll < 0.3 ? r.pick(special) : roll < 0.8 && mine.length ? r.pick(mine) : r.pick(logical);
      const word = r.bool(0.8) ? r.pick(ERRNO_WORDS) : r.text(r.int(0, 30));
      put(path.join(t.proc, `${what}.errno`), word);
      return `${what}.errno = ${JSON.stringify(word.slice(0, 30))}`;
    },
  },
  {
    name: 'meta.json',
    weight: 2,
    apply(t, r) {
      const file = path.join(t.dir, 'meta.json');
      const v = r.pick<() => string | Buffer>([
        () => r.bytes(r.int(0, 200)),
        () => r.text(r.int(0, 200)),
        () => '{',
        () => '',
        () => 'null',
        () => '[]',
        () => '"meta"',
        () => '42',
        () => '{"users":5,"auditorUid":"root","pid":"x"}',
        () => '{"users":{"0":{"name":"root"}},"auditorUid":-1}',
        () => `{"pid":${t.pid},"users":{"0":"\\u001b[31mroot"},"auditorUid":0}`,
        () => '{"pidfile":{"path":5},"users":null}',
        () => JSON.stringify({ pid: 1e30, users: { 0: 'root' }, auditorUid: 1e30 }),
      ])();
      put(file, v);
      return `meta.json = ${JSON.stringify(Buffer.isBuffer(v) ? v.toString('latin1').slice(0, 40) : v.slice(0, 60))}`;
    },
  },
  {
    name: 'fd stat sidecar',
    weight: 2,
    apply(t, r) {
      const f = pickFile(t, r, (x) => x.endsWith('.stat'));
      if (!f) return null;
      const v = r.pick([
        'null',
        '[]',
        '{}',
        '"x"',
        '{"dev":null,"ino":"x","mode":"zzz"}',
        '{"mode":8630}',
        '{"mode":"20620","rdev":"136:0","dev":"0:1","ino":1}',
        '{"mode":"100666","dev":"254:0","ino":1}',
        '{"mode":99999999999999999999,"rdev":"99999999999999999999:1"}',
        '{"rdev":{"a":1},"mode":"20620"}',
        '{',
      ]);
      put(path.join(t.proc, f), v);
      return `${f} = ${v}`;
    },
  },
  {
    name: 'fdinfo',
    weight: 2,
    apply(t, r) {
      const f = pickFile(t, r, (x) => x.includes('/fdinfo/'));
      if (!f) return null;
      const v = r.pick([
        'flags:\t99999999999999999999\n',
        'flags:\t0x10\n',
        'flags:\t-1\n',
        'lock:\tgarbage\n',
        'lock:\t1: FLOCK ADVISORY WRITE -1 zz:yy:1 0 EOF\n',
        'mnt_id:\t1e400\nino:\t99999999999999999999\n',
        'lock:\t1: POSIX  ADVISORY  WRITE 1 fffffff:fffffff:99999999999999999999 0 EOF\n',
        ':\n:::\n',
        'flags:\t02000000\n'.repeat(1000),
      ]);
      put(path.join(t.proc, f), v);
      return `${f} = ${JSON.stringify(v.slice(0, 60))}`;
    },
  },
  {
    name: 'status field',
    weight: 3,
    apply(t, r) {
      const f = `${t.pid}/status`;
      const file = path.join(t.proc, f);
      const text = isFile(file) ? fs.readFileSync(file, 'utf8') : '';
      const line = r.pick([
        'Umask:\tzz',
        'Umask:\t99999',
        'Umask:\t',
        'Umask:\t0000',
        'SigBlk:\tzz',
        'SigBlk:\t' + 'f'.repeat(33),
        'SigIgn:\t' + 'f'.repeat(16),
        'SigCgt:\t',
        'Uid:\tx y',
        'Uid:\t99999999999999999999',
        'NSpid:\t5 1',
        'State:\t',
        'CapEff:\t' + 'f'.repeat(40),
        'Name:\t\u001b[31mx',
        ':',
        'Umask 0022',
      ]);
      const key = line.split(':')[0]!;
      const lines = text.split('\n').filter((l) => !(key && l.startsWith(`${key}:`)) || r.bool(0.3));
      lines.splice(r.int(0, lines.length), 0, line);
      put(file, lines.join('\n'));
      return `status line ${JSON.stringify(line.slice(0, 40))}`;
    },
  },
  {
    name: 'locks',
    weight: 2,
    apply(t, r) {
      const file = path.join(t.proc, 'locks');
      const old = isFile(file) ? fs.readFileSync(file, 'utf8') : '';
      const extra = r.pick([
        `1: POSIX  ADVISORY  WRITE ${t.pid} 00:00:0 0 EOF`,
        '1: -> FLOCK  ADVISORY  WRITE -1 ff:ff:1 0 EOF',
        '99999999999999999999: POSIX ADVISORY WRITE 1 1:1:1 0 EOF',
        '1: OFDLCK ADVISORY WRITE -1 fffffffffff:fffffffff:99999999999999999999 0 EOF',
        'garbage',
        '1:',
        r.text(200),
      ]);
      put(file, r.bool(0.5) ? `${old}${extra}\n` : `${extra}\n`.repeat(r.int(1, 50)));
      return `locks += ${JSON.stringify(extra.slice(0, 60))}`;
    },
  },
  {
    name: 'tty drivers',
    weight: 1,
    apply(t, r) {
      const v = r.pick([
        'pty_slave /dev/pts 136 0-1048575 pty:slave',
        'x /dev/pts 136 -5 pty:slave',
        'x y 99999999999999999999 0-1 z',
        'a b c d e',
        '/dev/tty /dev/tty 5 0 system:/dev/tty\n'.repeat(3000),
        '',
      ]);
      put(path.join(t.proc, 'tty/drivers'), v);
      return `tty/drivers = ${JSON.stringify(v.slice(0, 40))}`;
    },
  },
  {
    name: 'mountinfo',
    weight: 1,
    apply(t, r) {
      const v = r.pick([
        '1 0 0:1 / / rw - proc proc rw,hidepid=2',
        '1 0 0:1 / /proc rw - proc proc rw,hidepid=invisible\n',
        'x - y',
        ' - ',
        '1 2 3 4 5 6 - 7',
        '1 0 0:1 / /\\777\\0 rw - ext4 /dev/x rw',
      ]);
      put(path.join(t.proc, `${t.pid}/mountinfo`), v);
      return `mountinfo = ${JSON.stringify(v.slice(0, 40))}`;
    },
  },
  {
    name: 'folder for a file',
    weight: 1,
    apply(t, r) {
      const f = pickFile(t, r);
      if (!f) return null;
      fs.rmSync(path.join(t.proc, f), { force: true });
      fs.mkdirSync(path.join(t.proc, f), { recursive: true });
      return `${f} is a folder`;
    },
  },
  {
    name: 'swap stat',
    weight: 1,
    apply(t, r) {
      const all = statFiles(t);
      if (all.length < 2) return null;
      const from = r.pick(all.filter((f) => f !== `${t.pid}/stat`));
      const to = r.bool(0.6) && all.includes(`${t.pid}/stat`) ? `${t.pid}/stat` : r.pick(all);
      put(path.join(t.proc, to), fs.readFileSync(path.join(t.proc, from)));
      return `stat of ${from} copied over ${to}`;
    },
  },
];

const TOTAL_WEIGHT = MUTATIONS.reduce((s, m) => s + m.weight, 0);

/** Applies `count` random mutations (retrying ones that found nothing to do). */
export function mutate(t: Tree, r: Rand, count: number): void {
  for (let done = 0, tries = 0; done < count && tries < count * 5; tries++) {
    let roll = r.next() * TOTAL_WEIGHT;
    const m = MUTATIONS.find((x) => (roll -= x.weight) < 0) ?? MUTATIONS[0]!;
    const what = m.apply(t, r);
    if (what !== null) {
      t.log.push(what);
      done++;
    }
  }
}

/** A pidfile's content for `--pidfile` runs: good, stale, garbage, and a 10^30 pid. */
export function pidfileContent(t: Tree, r: Rand): string | Buffer {
  return r.pick<() => string | Buffer>([
    () => `${t.pid}\n`,
    () => `${t.pid}`,
    () => ` ${t.pid} \n`,
    () => `0${t.pid}\n`,
    () => '1' + '0'.repeat(30),
    () => '1e30\n',
    () => '-1\n',
    () => '0\n',
    () => '',
    () => '\n\n',
    () => '4294967296\n',
    () => '99999\n',
    () => `${t.pid} ${t.pid}\n`,
    () => `${t.pid}\0garbage`,
    () => r.bytes(r.int(1, 80)),
    () => r.text(r.int(1, 80)),
  ])();
}

// ---------------------------------------------------------------- evidence rules

/** The `.errno` sidecar FixtureProcSource would honour for rel (itself or a folder above it), if any. */
export function sidecar(proc: string, rel: string): string | null {
  let p = rel;
  for (;;) {
    const f = path.join(proc, p) + '.errno';
    if (fs.existsSync(f)) {
      try {
        return fs.readFileSync(f, 'utf8').trim() || 'EIO';
      } catch {
        return 'EIO';
      }
    }
    const i = p.lastIndexOf('/');
    if (i <= 0) return null;
    p = p.slice(0, i);
  }
}

/** A plain file with no sidecar in the way: what a check needs before it may pass. */
function readableFile(proc: string, rel: string): boolean {
  return sidecar(proc, rel) === null && isFile(path.join(proc, rel));
}

function readLink(proc: string, rel: string): string | null {
  if (!readableFile(proc, `${rel}.link`) || sidecar(proc, rel) !== null) return null;
  const b = fs.readFileSync(path.join(proc, `${rel}.link`));
  return (b.length && b[b.length - 1] === 0x0a ? b.subarray(0, b.length - 1) : b).toString('utf8');
}

/** What readlink on a real /proc/PID/fd/N gives: a path, or "type:[...]" / "anon_inode:...". */
export function kernelLinkForm(target: string): boolean {
  return target.startsWith('/') || /^[\w.-]+:/.test(target);
}

/**
 * What the tree says about process `pid`'s stat: readable and parsed ('ok'),
 * truly not there ('absent': no folder, or ENOENT/ESRCH, which is what a
 * process that exited gives), or there but unreadable or garbage ('bad').
 */
export function statEvidence(proc: string, pid: number): 'ok' | 'absent' | 'bad' {
  const rel = `${pid}/stat`;
  const side = sidecar(proc, rel);
  if (side !== null) return side === 'ENOENT' || side === 'ESRCH' ? 'absent' : 'bad';
  const p = path.join(proc, rel);
  if (!fs.existsSync(p)) {
    // A pid folder that is a file, or a folder without its stat, is not what an exited process leaves.
    return fs.existsSync(path.join(proc, String(pid))) && !isDir(path.join(proc, String(pid))) ? 'bad' : 'absent';
  }
  if (!isFile(p)) return 'bad';
  try {
    const fd = fs.openSync(p, 'r');
    const buf = Buffer.alloc(4096);
    const n = fs.readSync(fd, buf, 0, 4096, 0);
    fs.closeSync(fd);
    return parseStat(buf.subarray(0, n).toString('utf8')).pid === pid ? 'ok' : 'bad';
  } catch {
    return 'bad';
  }
}

function statusText(proc: string, pid: number): string | null {
  const rel = `${pid}/status`;
  return readableFile(proc, rel) ? fs.readFileSync(path.join(proc, rel)).subarray(0, 65536).toString('utf8') : null;
}

function hasLine(text: string, key: string, value: RegExp): boolean {
  return text.split('\n').some((l) => l.startsWith(`${key}:`) && value.test(l.slice(key.length + 1).trim()));
}

/**
 * Broken rules for one report over one (mutated) tree: every `pass` (and
 * every judged row) must rest on evidence that is there.
 */
export function evidenceViolations(report: Report, t: Tree): string[] {
  const out: string[] = [];
  const proc = t.proc;
  const pid = t.pid;
  const row = (id: string) => report.checks.find((c) => c.id === id);
  const status = (id: string) => row(id)?.status;
  const judged = (id: string) => status(id) !== 'unknown' && status(id) !== 'skip';

  // fd/: a folder with no sidecar, and fd 0-2 links that look like what the kernel gives.
  const fdDirOk = sidecar(proc, `${pid}/fd`) === null && isDir(path.join(proc, `${pid}/fd`));
  if (!fdDirOk) {
    for (const id of ['stdio-detached', 'no-leaked-fds', 'world-writable-files']) {
      if (judged(id)) out.push(`${id} is ${status(id)} though ${pid}/fd cannot be read`);
    }
  }
  // Each fd once, and only fds whose link the tree holds under their decimal name ("03" or "0x1" is not fd 3 or 1).
  if (report.facts.fds) {
    const nums = report.facts.fds.map((f) => f.fd);
    if (new Set(nums).size !== nums.length) out.push(`facts.fds lists an fd twice: ${nums.join(' ')}`);
    for (const n of nums)
      if (!fs.existsSync(path.join(proc, `${pid}/fd/${n}.link`)))
        out.push(`facts.fds lists fd ${n}, which has no fd/${n}.link`);
  }
  if (status('stdio-detached') === 'pass') {
    for (let n = 0; n <= 2; n++) {
      const target = readLink(proc, `${pid}/fd/${n}`);
      if (target === null) out.push(`stdio-detached passes though fd/${n} is missing or unreadable`);
      else if (!kernelLinkForm(target))
        out.push(
          `stdio-detached passes though fd/${n} reads ${JSON.stringify(target.slice(0, 40))}, not a link target`,
        );
    }
  }

  // status: umask, signal masks, uid.
  const st = statusText(proc, pid);
  if (judged('umask') && (st === null || !hasLine(st, 'Umask', /^[0-7]{1,4}$/))) {
    out.push(`umask is ${status('umask')} though status ${st === null ? 'cannot be read' : 'has no valid Umask line'}`);
  }
  if (
    judged('signal-mask') &&
    (st === null || !hasLine(st, 'SigBlk', /^[0-9a-fA-F]{1,32}$/) || !hasLine(st, 'SigIgn', /^[0-9a-fA-F]{1,32}$/))
  ) {
    out.push(`signal-mask is ${status('signal-mask')} though status has no readable SigBlk/SigIgn`);
  }
  if (judged('handles-sigterm') && (st === null || !hasLine(st, 'SigCgt', /^[0-9a-fA-F]{1,32}$/))) {
    out.push(`handles-sigterm is ${status('handles-sigterm')} though status has no readable SigCgt`);
  }

  // stat: the target's own fields, read independently.
  const own = fs
    .readFileSync(path.join(proc, `${pid}/stat`))
    .subarray(0, 4096)
    .toString('utf8');
  const fields = own
    .slice(own.lastIndexOf(')') + 2)
    .trim()
    .split(/\s+/);
  if (
    status('no-controlling-tty') === 'pass' &&
    !(/^-?\d+$/.test(fields[4] ?? '') && Number(fields[4]) === 0 && fields[5] === '-1')
  ) {
    out.push(
      `no-controlling-tty passes though stat says tty_nr ${JSON.stringify(fields[4])} tpgid ${JSON.stringify(fields[5])}`,
    );
  }
  const ppid = Number(fields[1]);
  const sid = Number(fields[3]);
  // ppid 0 (namespace root) and 1 (init, by definition, even when hidepid hides it) need no parent stat.
  if (status('detached-parent') === 'pass' && ppid > 1 && statEvidence(proc, ppid) !== 'ok') {
    out.push(`detached-parent passes though the parent ${ppid}'s stat is ${statEvidence(proc, ppid)}`);
  }
  if (status('own-session') === 'pass' && sid !== pid && sid > 0 && statEvidence(proc, sid) === 'bad') {
    out.push(`own-session passes though the session leader ${sid}'s stat is there but unreadable or garbage`);
  }
  // Another directory passes only as working data: its argv or open files lean on it, and the row says which.
  if (status('cwd') === 'pass') {
    const cwd = readLink(proc, `${pid}/cwd`);
    const workingData = row('cwd')?.detail.startsWith(`working directory ${cwd} is its working data (`) === true;
    if (cwd !== '/' && !workingData) out.push(`cwd passes though cwd.link reads ${JSON.stringify(cwd)}`);
  }
  return out;
}
