/**
 * The CLI on real terminals: colour, width and wrapping, ASCII, the session
 * picture of a real login, what scan lists, and help. Every terminal here is
 * a real pty (script(1) sized with stty, or a tmux pane); piped runs have
 * pipes for stdout and stderr. Nothing mocks isatty.
 */
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { BIN } from '../helpers/cli.js';
import { PtyShell, childOf, findProcess, tempDir, trackProcesses, uniqueSeconds, waitFor } from '../helpers/procs.js';
import { hasEscape, nonAscii, overflowing, runOnPty, runPiped, shq, stripAnsi, visibleWidth } from '../helpers/pty.js';

const tracker = trackProcesses();

/** Closes every inherited fd above 2, so the subject holds no pipe of this runner (or of script(1), which inherits the same ones). */
const CLOSE_FDS =
  'for f in /proc/$$/fd/*; do n=${f##*/}; if [ "$n" -gt 2 ]; then eval "exec $n>&-"; fi; done 2>/dev/null;';

const ROOT = process.getuid?.() === 0;
/** The uid the scan subjects run as: one no other process has, so `scan --user` lists exactly them (as root). */
const SCAN_UID = ROOT ? 61000 + (process.pid % 4000) : process.getuid!();
const ZEROS = Array<string>(30).fill('0');

let subject = 0;
const scanSecs = uniqueSeconds();
const scanPids: number[] = [];

/** Starts `bash -c SCRIPT` in a session of its own, tracked. */
function detached(script: string, o: { uid?: number } = {}): number {
  const child = spawn('bash', ['-c', `${CLOSE_FDS} ${script}`], {
    detached: true,
    stdio: 'ignore',
    cwd: '/',
    uid: o.uid,
    gid: o.uid,
  });
  child.unref();
  return tracker.track(child.pid!);
}

beforeAll(async () => {
  // The audit subject: a sleep two shells down (a long parents line), in its own session, holding no pipe.
  const secs = uniqueSeconds();
  detached(`sh -c 'sleep ${secs}; :'; :`);
  subject = tracker.track(await waitFor('the subject', () => findProcess(new RegExp(`^sleep ${secs}$`))));
  tracker.track(Number(fs.readFileSync(`/proc/${subject}/stat`, 'utf8').split(') ')[1]!.split(' ')[1]));
  // Nine processes whose command lines differ only at their end.
  for (let i = 1; i <= 9; i++)
    detached(`exec sleep ${ZEROS.join(' ')} ${scanSecs}.${i}`, { uid: ROOT ? SCAN_UID : undefined });
  for (let i = 1; i <= 9; i++) {
    const re = new RegExp(`^sleep (0 ){30}${scanSecs}\\.${i}$`);
    scanPids.push(await waitFor(`scan subject ${i}`, () => findProcess(re)));
  }
}, 30_000);

type Cmd = 'audit' | 'scan' | 'tree';
// scan --user: the nine scan subjects (as root) rather than every process of this busy machine, to keep it quick.
const argsOf = (cmd: Cmd): string[] =>
  cmd === 'audit'
    ? [String(subject)]
    : cmd === 'scan'
      ? ['scan', '--user', String(SCAN_UID)]
      : ['tree', String(subject)];

describe('colour', () => {
  // [name, where, env, extra args, colour expected]
  const CASES: Array<[string, 'pty' | 'pipe', NodeJS.ProcessEnv, string[], boolean]> = [
    ['a terminal colours by default', 'pty', {}, [], true],
    ['NO_COLOR (any non-empty value, even "0") turns it off on a terminal', 'pty', { NO_COLOR: '0' }, [], false],
    ['an empty NO_COLOR is as good as none: a terminal still colours', 'pty', { NO_COLOR: '' }, [], true],
    ['FORCE_COLOR=1 turns it on when piped', 'pipe', { FORCE_COLOR: '1' }, [], true],
    ['piped with neither variable: no escape codes', 'pipe', {}, [], false],
    [
      '--color overrides NO_COLOR (and FORCE_COLOR) when piped',
      'pipe',
      { NO_COLOR: '1', FORCE_COLOR: '0' },
      ['--color'],
      true,
    ],
    ['--no-color overrides FORCE_COLOR (and a terminal)', 'pty', { FORCE_COLOR: '1' }, ['--no-color'], false],
  ];
  async function output(
    cmd: Cmd,
    where: 'pty' | 'pipe',
    env: NodeJS.ProcessEnv,
    extra: string[],
  ): Promise<{ code: number; text: string }> {
    if (where === 'pty') {
      const r = await runOnPty([...argsOf(cmd), ...extra], { cols: 200, env });
      return { code: r.code, text: r.out };
    }
    const r = await runPiped([...argsOf(cmd), ...extra], env);
    return { code: r.code, text: r.stdout };
  }

  for (const cmd of ['audit', 'scan'] as const) {
    it.each(CASES)(`${cmd}: %s`, async (_name, where, env, extra, colour) => {
      const { code, text } = await output(cmd, where, env, extra);
      // 0 or 1 by the subject's verdict; never 2: the options and variables are accepted.
      expect([0, 1]).toContain(code);
      expect(stripAnsi(text)).toMatch(cmd === 'audit' ? /Verdict/ : /background processes of uid/);
      expect(hasEscape(text)).toBe(colour);
    });
  }

  it.each(CASES)('tree: %s', async (_name, where, env, extra, colour) => {
    const { code, text } = await output('tree', where, env, extra);
    expect(code).toBe(0);
    expect(text).toContain(`sleep ${subject}`);
    expect(hasEscape(text)).toBe(colour);
  });
});

const BOXED = /^[┌│└]/;

/**
 * Where the terminal's prose lines do not join back into the piped lines:
 * every break must fall on a space of the piped text (no word split), and
 * only where the next word would not have fitted. Boxes and tables are laid
 * out for the width rather than wrapped, so both sides leave them out.
 */
function wrapProblems(piped: string, tty: string, cols: number): string[] {
  const prose = (s: string) =>
    stripAnsi(s)
      .replace(/\n$/, '')
      .split('\n')
      .filter((l) => !BOXED.test(l));
  const p = prose(piped);
  const t = prose(tty);
  const problems: string[] = [];
  let j = 0;
  for (const logical of p) {
    let rest = logical.trimEnd();
    let prev: string | null = null;
    do {
      const line = t[j++];
      if (line === undefined) return [...problems, `the terminal lacks ${JSON.stringify(rest)}`];
      if (prev !== null) {
        if (!rest.startsWith(' '))
          problems.push(`a word split between ${JSON.stringify(prev)} and ${JSON.stringify(line)}`);
        rest = rest.trimStart();
      }
      const content = prev === null ? line.trimEnd() : line.trim();
      if (!rest.startsWith(content) || (content === '' && rest !== ''))
        return [...problems, `${JSON.stringify(line)} is not the start of ${JSON.stringify(rest)}`];
      rest = rest.slice(content.length);
      const next = rest.trimStart().split(' ')[0]!;
      if (rest && visibleWidth(line.trimEnd()) + 1 + [...next].length <= cols)
        problems.push(`broken before ${JSON.stringify(next)} although it fitted: ${JSON.stringify(line)}`);
      prev = line;
    } while (rest !== '');
  }
  if (j !== t.length) problems.push(`the terminal has more lines: ${JSON.stringify(t.slice(j))}`);
  return problems;
}

describe('width', () => {
  const TARGETS: Array<[string, () => string[]]> = [
    ['the audit table', () => [String(subject)]],
    // The nine scan subjects: rows whose commands must be cut (and quick on a busy machine).
    ['scan', () => ['scan', '--user', String(SCAN_UID)]],
    ['tree', () => ['tree', String(subject)]],
    ['--help', () => ['--help']],
  ];
  for (const cols of [80, 200]) {
    for (const [name, args] of TARGETS) {
      it(`${name}: every line fits a ${cols}-column pty`, async () => {
        const r = await runOnPty(args(), { cols });
        expect(r.code).not.toBe(2);
        expect(stripAnsi(r.out).trim().split('\n').length).toBeGreaterThan(5);
        expect(overflowing(r.out, cols)).toEqual([]);
      });
    }
  }

  // The examples and notes that each command's help adds wrap like commander's options.
  it.each(['explain', 'run', 'scan', 'capture', 'unit', 'tree'])(
    '%s --help: every line fits an 80-column pty',
    async (cmd) => {
      const r = await runOnPty([cmd, '--help'], { cols: 80 });
      expect(r.code).toBe(0);
      expect(overflowing(r.out, 80)).toEqual([]);
    },
  );

  it.each([80, 200])(
    'the audit at %i columns wraps prose at word boundaries, only where the next word does not fit',
    async (cols) => {
      const [tty, piped] = await Promise.all([runOnPty([String(subject)], { cols }), runPiped([String(subject)])]);
      const pipedAll = piped.stdout + piped.stderr;
      expect(wrapProblems(pipedAll, tty.out, cols)).toEqual([]);
      if (cols === 80)
        expect(
          stripAnsi(tty.out)
            .split('\n')
            .filter((l) => !BOXED.test(l)).length,
        ).toBeGreaterThan(pipedAll.split('\n').filter((l) => !BOXED.test(l)).length + 5);
    },
  );

  it('tree at 80 columns wraps the parents line at spaces, never inside a word', async () => {
    const [tty, piped] = await Promise.all([
      runOnPty(['tree', String(subject)], { cols: 80 }),
      runPiped(['tree', String(subject)]),
    ]);
    expect(wrapProblems(piped.stdout, tty.out, 80)).toEqual([]);
    const parents = piped.stdout.split('\n').find((l) => l.startsWith('parents: '))!;
    // Two shells, bash and the test runner's own ancestors: a chain this long must wrap.
    if (visibleWidth(parents) > 80) expect(tty.out.split('\n').length).toBeGreaterThan(piped.stdout.split('\n').length);
  });

  it('scan of every process of this user on an 80-column pty: every line fits, its prose re-joins into whole sentences', async () => {
    const r = await runOnPty(['scan'], { cols: 80 });
    expect(overflowing(r.out, 80)).toEqual([]);
    const lines = stripAnsi(r.out).replace(/\n$/, '').split('\n');
    // A sentence runs on to the line that ends it, whatever the indent of its other lines.
    const sentence = (from: number) => {
      const out = [lines[from]!.trim()];
      for (let i = from + 1; i < lines.length && !/[.)]$/.test(out[out.length - 1]!); i++) out.push(lines[i]!.trim());
      return out.join(' ');
    };
    expect(sentence(0)).toMatch(/^\d+ background processes of uid \d+ \((none|\d+ [a-z-]+(, \d+ [a-z-]+)*)\)$/);
    const notListed = lines.findIndex((l) => l.startsWith('Not listed: '));
    expect(sentence(notListed)).toMatch(
      /^Not listed: \d+ kernel threads, \d+ in a login terminal's foreground, \d+ zombies(, \d+ of other users \(--all lists them\))?(, \d+ of this scan's own ancestors \(its shell and terminal; --all lists them\))?(, \d+ exited while read)?\.$/,
    );
  });

  it('piped output is never wrapped: the same bytes with or without COLUMNS=100, with lines past 100', async () => {
    const [plain, columns] = await Promise.all([
      runPiped([String(subject)]),
      runPiped([String(subject)], { COLUMNS: '100' }),
    ]);
    expect(columns.stdout).toBe(plain.stdout);
    expect(Math.max(...plain.stdout.split('\n').map(visibleWidth))).toBeGreaterThan(100);
    // The first line of "What to do" is one line however long.
    expect(plain.stdout).toMatch(/\n {2}- [^\n]{120,}\n/);
    const scan = await runPiped(['scan', '--user', String(SCAN_UID)], { COLUMNS: '100' });
    expect(Math.max(...scan.stdout.split('\n').map(visibleWidth))).toBeGreaterThan(100);
  });

  // terminalWidth(): the terminal's columns, else $COLUMNS, else 80; only on a terminal.
  it('a pty that reports no size (0 columns) is fitted to $COLUMNS, else to 80', async () => {
    const [withColumns, without] = await Promise.all([
      runOnPty([String(subject)], { cols: 0, env: { COLUMNS: '100' } }),
      runOnPty([String(subject)], { cols: 0 }),
    ]);
    // The check table takes the whole width, so the widest line is exactly it.
    expect(Math.max(...withColumns.out.split('\n').map(visibleWidth))).toBe(100);
    expect(Math.max(...without.out.split('\n').map(visibleWidth))).toBe(80);
  });

  it('a sized pty wins over $COLUMNS', async () => {
    const r = await runOnPty([String(subject)], { cols: 90, env: { COLUMNS: '150' } });
    expect(Math.max(...r.out.split('\n').map(visibleWidth))).toBe(90);
  });
});

const MARKS: Record<string, string> = {
  'not-a-daemon': '✗',
  inconclusive: '?',
  'daemon-with-warnings': '!',
  daemon: '✓',
};

interface ScanJson {
  uid: number | null;
  processes: Array<{
    pid: number;
    verdict: string;
    startedAs: { kind: string };
    cmdline: string[] | null;
    fate: Record<string, { outcome: string }>;
  }>;
  skipped: { scannerAncestors: number; foreground: number };
}

/** The data rows of a scan table (box drawing): its cells, trimmed. */
function tableRows(text: string): string[][] {
  return stripAnsi(text)
    .split('\n')
    .filter((l) => /^[│|] +\d+ +[│|]/.test(l))
    .map((l) =>
      l
        .slice(1, -1)
        .split(/[│|]/)
        .map((c) => c.trim()),
    );
}

describe('scan at 80 columns', () => {
  it('keeps pid, a verdict mark, started as, the ends of a login that end it and the command, cut in the middle so the ends stay apart', async () => {
    const [tty, json] = await Promise.all([
      runOnPty(['scan', '--user', String(SCAN_UID)], { cols: 80 }),
      runPiped(['scan', '--user', String(SCAN_UID), '--json']),
    ]);
    expect(tty.code).toBe(0);
    expect(overflowing(tty.out, 80)).toEqual([]);
    const header = stripAnsi(tty.out)
      .split('\n')
      .find((l) => /^│ pid/.test(l))!;
    expect(
      header
        .slice(1, -1)
        .split('│')
        .map((c) => c.trim()),
    ).toEqual(['pid', '', 'started as', 'ends', 'command']);
    const byPid = new Map(tableRows(tty.out).map((cells) => [Number(cells[0]), cells]));
    const report = JSON.parse(json.stdout) as ScanJson;
    const commands = new Set<string>();
    scanPids.forEach((pid, k) => {
      const cells = byPid.get(pid);
      expect(cells, `row of pid ${pid}`).toBeDefined();
      const p = report.processes.find((x) => x.pid === pid)!;
      expect(cells![1]).toBe(MARKS[p.verdict]);
      expect(cells![2]).toBe(p.startedAs.kind);
      // h, e, l where a hangup, the shell's exit, logout ends it; ? where it cannot be told; . where it lives.
      const ends = [
        ['hangup', 'h'],
        ['shell-exit', 'e'],
        ['logout', 'l'],
      ]
        .map(([ev, l]) => ({ dies: l, unknown: '?', lives: '.' })[p.fate[ev!]!.outcome]!)
        .join('');
      expect(cells![3]).toBe(ends);
      // 74 characters in a 38-wide cell: the start, an ellipsis, and the end that tells them apart.
      expect(cells![4]).toMatch(new RegExp(`^sleep 0 0 .*….* 0 ${scanSecs}\\.${k + 1}$`));
      commands.add(cells![4]!);
    });
    expect(commands.size).toBe(9);
  });
});

describe('ASCII', () => {
  const ENVS: Array<[string, NodeJS.ProcessEnv, string[]]> = [
    ['LANG=C', { LANG: 'C' }, []],
    ['LC_ALL=C (over LANG=C.UTF-8)', { LC_ALL: 'C' }, []],
    ['--ascii (under LANG=C.UTF-8)', {}, ['--ascii']],
  ];

  it.each(ENVS)('tree under %s: every byte is ASCII', async (_name, env, extra) => {
    const r = await runPiped(['tree', String(subject), ...extra], env);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^\+- session \d+ - leader bash \d+ - no controlling terminal -*\+$/m);
    expect(r.stdout).toContain(`| | sleep ${subject}  <= audited `);
    expect(nonAscii(r.stdout)).toEqual([]);
  });

  // Cut cells end in "~" in ASCII output, "…" otherwise.
  it.each(ENVS)('the audit table under %s: every byte is ASCII', async (_name, env, extra) => {
    const r = await runPiped([String(subject), ...extra], env);
    expect(r.stdout).toMatch(/^\+---\+/m);
    expect(nonAscii(r.stdout + r.stderr)).toEqual([]);
  });

  // Cut commands keep both ends around "~" in ASCII output.
  it.each(ENVS)(
    "scan under %s: every byte is ASCII, except a process's own command text",
    async (_name, env, extra) => {
      const r = await runPiped(['scan', '--user', String(SCAN_UID), ...extra], env);
      expect(r.code).toBe(0);
      const bad: string[] = [];
      for (const line of r.stdout.split('\n')) {
        const chars = nonAscii(line);
        if (!chars.length) continue;
        const row = /^\| +(\d+) +\|/.exec(line);
        let own = '';
        try {
          if (row) own = fs.readFileSync(`/proc/${row[1]}/cmdline`, 'utf8');
        } catch {
          /* gone */
        }
        if (chars.some((c) => !own.includes(c))) bad.push(line);
      }
      expect(r.stdout).toMatch(/^\+-+\+/m);
      expect(bad).toEqual([]);
    },
  );
});

interface PsRow {
  pid: number;
  ppid: number;
  pgid: number;
  sid: number;
  tpgid: number;
  tty: string;
  comm: string;
}

/** ps's view of every process: the independent reader the picture is checked against. */
function psAll(): Map<number, PsRow> {
  const out = execFileSync('ps', ['-e', '-o', 'pid=,ppid=,pgid=,sid=,tpgid=,tty=,comm='], { encoding: 'utf8' });
  const rows = new Map<number, PsRow>();
  for (const line of out.split('\n')) {
    const m = /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(-?\d+)\s+(\S+)\s(.*)$/.exec(line);
    if (m)
      rows.set(Number(m[1]), {
        pid: Number(m[1]),
        ppid: Number(m[2]),
        pgid: Number(m[3]),
        sid: Number(m[4]),
        tpgid: Number(m[5]),
        tty: m[6]!,
        comm: m[7]!.trim(),
      });
  }
  return rows;
}

interface Picture {
  sid: number;
  leader: string;
  tty: string;
  groups: Map<number, { role: string; members: string[] }>;
  marks: Map<number, string>;
  terminalLine: string | null;
  parents: string;
}

/** Reads the picture `tree` draws (Unicode, piped: nothing cut or wrapped). */
function parsePicture(text: string): Picture {
  const lines = text.replace(/\n$/, '').split('\n');
  const title = /^┌─ session (\d+) · leader (.+ \d+) · controlling terminal (\S+) ─*┐$/.exec(lines[0]!);
  if (!title) throw new Error(`no session title in ${JSON.stringify(lines[0])}`);
  const pic: Picture = {
    sid: Number(title[1]),
    leader: title[2]!,
    tty: title[3]!,
    groups: new Map(),
    marks: new Map(),
    terminalLine: null,
    parents: '',
  };
  let group: { role: string; members: string[] } | null = null;
  for (const line of lines.slice(1)) {
    const start = /^│ ┌─ process group (\d+) · (.+?) ─*┐ │$/.exec(line);
    const member = /^│ │ (.+?) (\d+)(?: {2}(\S.*?))? *│ │$/.exec(line);
    if (start) pic.groups.set(Number(start[1]), (group = { role: start[2]!, members: [] }));
    else if (member && group) {
      group.members.push(`${member[1]} ${member[2]}`);
      if (member[3]) pic.marks.set(Number(member[2]), member[3]);
    } else if (/^│ └─+┘ │$/.test(line)) group = null;
    else if (line.startsWith('parents: ')) pic.parents = line;
    else if (/^ {2}\/dev\//.test(line)) pic.terminalLine = line.trim();
    else if (!/^└─+┘$/.test(line)) throw new Error(`unexpected line in the picture: ${JSON.stringify(line)}`);
  }
  return pic;
}

/** `tree PID` must draw what ps says: the session, its leader and terminal, every group with its members, the foreground, the marks, the parents. */
async function expectPictureMatchesPs(target: number): Promise<void> {
  const before = psAll();
  const r = await runPiped(['tree', String(target)]);
  const after = psAll();
  expect(r.code).toBe(0);
  const me = before.get(target)!;
  const session = (ps: Map<number, PsRow>) =>
    [...ps.values()]
      .filter((p) => p.sid === me.sid)
      .map((p) => JSON.stringify(p))
      .sort();
  // The session did not change while it was drawn (the shell is idle): what ps saw is what tree saw.
  expect(session(after)).toEqual(session(before));
  const pic = parsePicture(r.stdout);
  expect(pic.sid).toBe(me.sid);
  expect(pic.leader).toBe(`${before.get(me.sid)!.comm} ${me.sid}`);
  expect(pic.tty).toBe(`/dev/${me.tty}`);
  const groups = new Map<number, { role: string; members: string[] }>();
  for (const p of before.values()) {
    if (p.sid !== me.sid) continue;
    const g = groups.get(p.pgid) ?? {
      role: p.pgid === me.tpgid ? `foreground of /dev/${me.tty}` : 'background',
      members: [],
    };
    g.members.push(`${p.comm} ${p.pid}`);
    groups.set(p.pgid, g);
  }
  const sorted = (m: Map<number, { role: string; members: string[] }>) =>
    [...m].map(([pgid, g]) => ({ pgid, role: g.role, members: [...g.members].sort() })).sort((a, b) => a.pgid - b.pgid);
  expect(sorted(pic.groups)).toEqual(sorted(groups));
  expect(Object.fromEntries(pic.marks)).toEqual(
    me.sid === target
      ? { [target]: 'session leader, ◀ audited' }
      : { [me.sid]: 'session leader', [target]: '◀ audited' },
  );
  expect(pic.terminalLine).toBe(
    `/dev/${me.tty}: the controlling terminal of session ${me.sid}; its foreground process group is ${me.tpgid}`,
  );
  const chain: string[] = [];
  for (let p = before.get(target); p; p = p.pid === 1 ? undefined : before.get(p.ppid))
    chain.unshift(`${p.comm} ${p.pid}`);
  expect(chain[0]).toMatch(/ 1$/);
  expect(pic.parents).toBe(`parents: ${chain.join(' → ')}`);
}

describe('a real login session: bash on a pty, with a job and a pipeline', () => {
  const shell = new PtyShell('login');
  const n = uniqueSeconds();
  const jobs: Record<'job' | 'pipeSleep' | 'cat', number> = { job: 0, pipeSleep: 0, cat: 0 };

  beforeAll(async () => {
    await shell.start(tracker, tempDir());
    shell.type(`sleep ${n} & sleep ${n + 1} | cat &`);
    jobs.job = tracker.track(await waitFor('sleep N &', () => findProcess(new RegExp(`^sleep ${n}$`)), 20_000));
    jobs.pipeSleep = tracker.track(
      await waitFor('sleep M | cat &', () => findProcess(new RegExp(`^sleep ${n + 1}$`)), 20_000),
    );
    jobs.cat = tracker.track(await waitFor('cat', () => childOf(shell.shellPid!, 'cat'), 20_000));
    // Bash has put each job in a group of its own.
    await waitFor('the job groups', () => {
      const ps = psAll();
      return ps.get(jobs.job)?.pgid === jobs.job && ps.get(jobs.cat)?.pgid === jobs.pipeSleep;
    });
  }, 60_000);

  it('tree of the job: session and leader, pts, the foreground group (the idle shell), every group, the mark, parents to pid 1', async () => {
    const ps = psAll();
    expect(ps.get(jobs.job)!.tty).toMatch(/^pts\/\d+$/);
    expect(ps.get(jobs.job)!.sid).toBe(shell.shellPid);
    expect(ps.get(jobs.job)!.tpgid).toBe(shell.shellPid);
    await expectPictureMatchesPs(jobs.job);
  });

  it("tree of the pipeline's cat marks cat in the pipeline's group", async () => {
    await expectPictureMatchesPs(jobs.cat);
  });

  it('scan run in that shell leaves out its own shell and terminal, and lists them with --all', async () => {
    const dir = tempDir();
    const cli = `${shq(process.execPath)} ${shq(BIN)}`;
    shell.type(`${cli} scan --json > ${dir}/mine.json; ${cli} scan --all --json > ${dir}/all.json; touch ${dir}/done`);
    await waitFor('the scans typed into the shell', () => fs.existsSync(path.join(dir, 'done')), 45_000);
    const mine = JSON.parse(fs.readFileSync(path.join(dir, 'mine.json'), 'utf8')) as ScanJson;
    const all = JSON.parse(fs.readFileSync(path.join(dir, 'all.json'), 'utf8')) as ScanJson;
    const ps = psAll();
    const terminal = ps.get(shell.shellPid!)!.ppid;
    expect(ps.get(terminal)!.comm).toBe('script');
    const ancestors = [shell.shellPid!, terminal, shell.serverPid!];
    const pidsOf = (s: ScanJson) => s.processes.map((p) => p.pid);
    for (const a of ancestors) expect(pidsOf(mine)).not.toContain(a);
    expect(mine.skipped.scannerAncestors).toBeGreaterThanOrEqual(ancestors.length);
    // The shell's background jobs are not its ancestors: they are listed, as jobs of that shell.
    for (const j of Object.values(jobs))
      expect(mine.processes.find((p) => p.pid === j)?.startedAs.kind).toBe('shell-job');
    for (const a of ancestors) expect(pidsOf(all)).toContain(a);
    expect(all.skipped.scannerAncestors).toBe(0);
  }, 60_000);

  it("with a job in the terminal's foreground, tree shows that group as foreground, and scan leaves it out", async () => {
    const f = n + 2;
    shell.type(`sleep ${f}`);
    const fg = tracker.track(
      await waitFor('the foreground sleep', () => findProcess(new RegExp(`^sleep ${f}$`)), 20_000),
    );
    await waitFor('the foreground group to own the terminal', () => {
      const p = psAll().get(fg);
      return p && p.tpgid === p.pgid && p.pgid === fg;
    });
    await expectPictureMatchesPs(jobs.job);
    const scan = JSON.parse((await runPiped(['scan', '--json'])).stdout) as ScanJson;
    expect(scan.processes.map((p) => p.pid)).not.toContain(fg);
    expect(scan.skipped.foreground).toBeGreaterThanOrEqual(1);
    expect(scan.processes.map((p) => p.pid)).toContain(jobs.job);
  }, 60_000);
});

describe('scan: a tmux pane, and the summary line', () => {
  it('a sleep in the FOREGROUND of a tmux pane is listed as multiplexer-pane', async () => {
    const pane = new PtyShell('pane');
    await pane.start(tracker, tempDir());
    const secs = uniqueSeconds();
    pane.type(`sleep ${secs}`);
    const pid = tracker.track(
      await waitFor('the sleep in the pane', () => findProcess(new RegExp(`^sleep ${secs}$`)), 20_000),
    );
    await waitFor("the sleep to own the pane's terminal", () => {
      const p = psAll().get(pid);
      return p && p.tpgid === p.pgid && p.pgid === pid && p.sid === pane.shellPid;
    });
    const scan = JSON.parse((await runPiped(['scan', '--json'])).stdout) as ScanJson;
    const row = scan.processes.find((p) => p.pid === pid);
    expect(row?.startedAs.kind).toBe('multiplexer-pane');
    expect(row?.cmdline).toEqual(['sleep', String(secs)]);
  }, 60_000);

  it('the summary line counts exactly the rows of the table, and of --json', async () => {
    const user = String(SCAN_UID);
    const [table, json] = await Promise.all([
      runPiped(['scan', '--user', user]),
      runPiped(['scan', '--user', user, '--json']),
    ]);
    const m = /^(\d+) background processes of uid (\d+) \((.*)\)$/m.exec(table.stdout);
    expect(m).not.toBeNull();
    expect(Number(m![2])).toBe(SCAN_UID);
    const summary: Record<string, number> = {};
    for (const part of m![3]!.split(', ')) {
      const [count, verdict] = part.split(' ');
      summary[verdict!] = Number(count);
    }
    const rows = tableRows(table.stdout);
    expect(Number(m![1])).toBe(rows.length);
    const count = (verdicts: string[]) =>
      verdicts.reduce<Record<string, number>>((acc, v) => ({ ...acc, [v]: (acc[v] ?? 0) + 1 }), {});
    expect(count(rows.map((cells) => cells[5]!.toLowerCase().replace(/ /g, '-')))).toEqual(summary);
    const report = JSON.parse(json.stdout) as ScanJson;
    for (const pid of scanPids) expect(rows.map((cells) => Number(cells[0]))).toContain(pid);
    if (ROOT) {
      // A uid of its own: nothing but these nine, so both runs list the same processes.
      expect(report.processes.map((p) => p.pid).sort()).toEqual([...scanPids].sort());
      expect(count(report.processes.map((p) => p.verdict))).toEqual(summary);
    }
    expect(Object.values(summary).reduce((a, b) => a + b, 0)).toBe(rows.length);
  });
});

/** The lines a user sees, escapes removed. */
const screenLines = (out: string): string[] => stripAnsi(out).replace(/\n$/, '').split('\n');

describe("the audit of issue 23's app on real ptys: the answer on the first screen", () => {
  const shell = new PtyShell('login');
  let app = 0;
  let dir = '';

  beforeAll(async () => {
    dir = tempDir();
    const script = `app${uniqueSeconds()}.py`;
    fs.writeFileSync(path.join(dir, script), 'import time\nwhile True:\n    time.sleep(1)\n');
    await shell.start(tracker, dir);
    // Typed at a login's bash on a pty, as an operator starts it.
    shell.type(`nohup python3 ${script} &`);
    app = tracker.track(
      await waitFor(
        'the nohup app',
        () => findProcess(new RegExp(`python[0-9.]* ${script.replace('.', '\\.')}$`)),
        20_000,
      ),
    );
    await waitFor('nohup.out', () => fs.existsSync(path.join(dir, 'nohup.out')));
  }, 60_000);

  it.each([80, 200])(
    'at %i columns: every line fits; verdict, what ends it and what to do come before the evidence, author advice last',
    async (cols) => {
      const r = await runOnPty([String(app)], { cols });
      expect(r.code).toBe(0);
      expect(overflowing(r.out, cols)).toEqual([]);
      const lines = screenLines(r.out);
      const at = (re: RegExp) => lines.findIndex((l) => re.test(l));
      const order = [
        at(new RegExp(`^pid ${app} `)),
        at(/^Verdict {2}DAEMON WITH WARNINGS: it outlives the end of its login/),
        at(/^What ends it$/),
        at(/^What to do$/),
        at(/^Started as nohup-job: /),
        at(/^┌─ session /),
        at(/^│ {3}│ check /),
        at(/^Findings$/),
        at(/^If you maintain the program$/),
      ];
      expect(
        order.every((i) => i >= 0),
        lines.join('\n'),
      ).toBe(true);
      expect([...order].sort((a, b) => a - b)).toEqual(order);
      // The verdict is on the first screen of a 24-line terminal.
      expect(order[1]).toBeLessThan(24);
      // The operator's one action is the first item of "What to do": the run line (no manager here) or a unit.
      expect(lines[order[3]! + 1]).toMatch(/^ {2}- (No service manager|systemd runs this host|.*: run it as)/);
      // One voice: nothing failed, so no ✗; what the hangup does is said under "What ends it" only.
      expect(lines.filter((l) => l.includes('✗'))).toEqual([]);
      expect(stripAnsi(r.out).split('does not end it').length - 1).toBeLessThanOrEqual(1);
      // The run line keeps the directory app.py is read from, and no advice sends it to /.
      const piped = await runPiped([String(app)]);
      expect(piped.stdout).toMatch(
        new RegExp(`daemon-check run --chdir ${fs.realpathSync(dir).replace(/[/.]/g, '\\$&')} `),
      );
      expect(piped.stdout).not.toContain('chdir("/")');
    },
  );

  it.each([80, 200])(
    '--brief at %i columns is the first screen alone: the same lines the full report starts with',
    async (cols) => {
      const [brief, full] = await Promise.all([
        runOnPty([String(app), '--brief'], { cols }),
        runOnPty([String(app)], { cols }),
      ]);
      expect(brief.code).toBe(0);
      expect(overflowing(brief.out, cols)).toEqual([]);
      const b = screenLines(brief.out);
      expect(screenLines(full.out).slice(0, b.length)).toEqual(b);
      expect(b.some((l) => /^Verdict /.test(l))).toBe(true);
      expect(b[b.length - 1]).not.toBe('');
      expect(b.filter((l) => /^(Started as|Findings|If you maintain)|^[┌│└]/.test(l))).toEqual([]);
      if (cols === 80) expect(b.length).toBeLessThan(40);
    },
  );

  it("--brief with --pidfile: the first screen of the pidfile's process; with --json it is a usage error", async () => {
    const pidfile = path.join(dir, 'app.pid');
    fs.writeFileSync(pidfile, `${app}\n`);
    const r = await runOnPty(['--pidfile', pidfile, '--brief'], { cols: 80 });
    const lines = screenLines(r.out);
    expect(lines[0]).toMatch(new RegExp(`^pid ${app} `));
    expect(lines.some((l) => /^Verdict /.test(l))).toBe(true);
    expect(lines.some((l) => /^What to do$/.test(l))).toBe(true);
    expect(lines.filter((l) => /^(Findings|Started as)|^[┌│└]/.test(l))).toEqual([]);
    const json = await runPiped([String(app), '--brief', '--json']);
    expect(json.code).toBe(2);
    expect(json.stderr).toMatch(/--brief shortens the table/);
  });
});

describe('help', () => {
  const COMMANDS: Array<[string, string[]]> = [
    ['audit', []],
    ['explain', ['explain']],
    ['run', ['run']],
    ['scan', ['scan']],
    ['capture', ['capture']],
    ['unit', ['unit']],
    ['tree', ['tree']],
  ];

  it.each(COMMANDS)('%s --help shows at least two real example commands under "Examples:"', async (_name, cmd) => {
    const r = await runPiped([...cmd, '--help']);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    const at = lines.indexOf('Examples:');
    expect(at).toBeGreaterThan(0);
    const examples: string[] = [];
    for (let i = at + 1; i < lines.length && lines[i]!.trim() !== ''; i++)
      if (lines[i]!.trim().startsWith('daemon-check ')) examples.push(lines[i]!.trim());
    expect(examples.length).toBeGreaterThanOrEqual(2);
    for (const e of examples) expect(e.startsWith(`daemon-check ${cmd.length ? `${cmd[0]} ` : ''}`)).toBe(true);
  });

  async function expectSuggestion(args: string[], nearest: string): Promise<void> {
    const r = await runPiped(args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^daemon-check: [^\n]+\n$/);
    expect(r.stderr).toContain(`did you mean ${nearest}?`);
  }

  it.each([
    [['scna'], 'scan'],
    [['explian'], 'explain'],
  ])('a mistyped command (%j) is one stderr line naming the nearest, exit 2', async (args, nearest) => {
    await expectSuggestion(args, nearest);
  });

  // With an argument after it, a mistyped command reads as a pid and one word too many.
  it('a mistyped command with an argument (tre 1) suggests tree, exit 2', async () => {
    await expectSuggestion(['tre', '1'], 'tree');
  });
});
