/**
 * `scan --format prometheus` and `--output`: the renderer's text, checked by
 * Debian's real promtool and served by a real prometheus-node-exporter's
 * textfile collector; the atomic write; deploy/daemonset.yaml and
 * deploy/alerts.yml. Needs the Debian packages `prometheus` (promtool) and
 * `prometheus-node-exporter`.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import {
  DEFAULT_MAX_SERIES,
  escapeLabelValue,
  fallsShortInScan,
  renderPrometheus,
} from '../../src/report/prometheus.js';
import type { ScanRow } from '../../src/scan.js';
import { BIN, runCli } from '../helpers/cli.js';
import { scanResultOf as resultOf, scanRow as row } from '../helpers/scan-rows.js';
import {
  alive,
  childOf,
  findProcess,
  freePort,
  sleep,
  tempDir,
  trackProcesses,
  uniqueSeconds,
  waitFor,
} from '../helpers/procs.js';
import type { FateEntry } from '../../src/core/types.js';

const ROOT = path.resolve(__dirname, '..', '..');

const tracker = trackProcesses();

/**
 * `scan --all --proc-root CAPTURE`: a capture of a sleep this file starts
 * (daemon-check capture) holds a handful of processes, so a scan of it is
 * quick even on a busy machine, and it replays the same every time.
 */
let captured: Promise<string[]> | null = null;
function captureArgs(): Promise<string[]> {
  captured ??= (async () => {
    const child = spawn('sleep', [String(uniqueSeconds())], { stdio: 'ignore' });
    const pid = tracker.track(child.pid!);
    const out = path.join(tempDir('dc-prom-'), 'capture');
    const r = await runCli(['capture', String(pid), '--out', out], { timeoutMs: 60_000 });
    if (r.code !== 0) throw new Error(`capture failed: ${r.stderr}`);
    return ['--all', '--proc-root', out];
  })();
  return captured;
}

// ---------------------------------------------------------------- a reader of the text format

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** One sample line: name, optional {labels} with \\, \" and \n escapes, a space, the value. Throws on anything else. */
function parseSampleLine(line: string): Sample {
  const nm = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
  if (!nm) throw new Error(`no metric name: ${JSON.stringify(line)}`);
  let i = nm[0].length;
  const labels: Record<string, string> = {};
  if (line[i] === '{') {
    i++;
    while (line[i] !== '}') {
      const ln = /^([a-zA-Z_][a-zA-Z0-9_]*)="/.exec(line.slice(i));
      if (!ln) throw new Error(`bad label at ${i}: ${JSON.stringify(line)}`);
      i += ln[0].length;
      let v = '';
      for (;;) {
        const c = line[i++];
        if (c === undefined) throw new Error(`unterminated label value: ${JSON.stringify(line)}`);
        if (c === '"') break;
        if (c === '\\') {
          const e = line[i++];
          if (e === 'n') v += '\n';
          else if (e === '\\' || e === '"') v += e;
          else throw new Error(`bad escape \\${e}: ${JSON.stringify(line)}`);
        } else v += c;
      }
      labels[ln[1]!] = v;
      if (line[i] === ',') i++;
      else if (line[i] !== '}') throw new Error(`expected , or } at ${i}: ${JSON.stringify(line)}`);
    }
    i++;
  }
  const rest = /^ (\S+)$/.exec(line.slice(i));
  if (!rest) throw new Error(`bad value: ${JSON.stringify(line)}`);
  const value = Number(rest[1]);
  if (Number.isNaN(value)) throw new Error(`value is not a number: ${JSON.stringify(line)}`);
  return { name: nm[0], labels, value };
}

function parseExposition(text: string): Sample[] {
  return text
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map(parseSampleLine);
}

const FAMILIES = [
  'daemon_check_processes',
  'daemon_check_process_info',
  'daemon_check_process_info_truncated',
  'daemon_check_scan_timestamp_seconds',
  'daemon_check_scan_duration_seconds',
];

/** Whole: every family has HELP and TYPE gauge, every sample line parses, and the last line is the duration sample. */
function assertWhole(text: string): Sample[] {
  for (const f of FAMILIES) {
    expect(text).toMatch(new RegExp(`^# TYPE ${f} gauge$`, 'm'));
    expect(text).toMatch(new RegExp(`^# HELP ${f} \\S`, 'm'));
  }
  expect(text.endsWith('\n')).toBe(true);
  const lines = text.trimEnd().split('\n');
  expect(lines.at(-1)).toMatch(/^daemon_check_scan_duration_seconds \d+\.\d{3}$/);
  return parseExposition(text);
}

function promtool(args: string[], input?: string): { code: number | null; out: string } {
  const r = spawnSync('promtool', args, { input, encoding: 'utf8', timeout: 30_000 });
  if (r.error) throw r.error;
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

// ---------------------------------------------------------------- rows for the renderer

const LIVES: FateEntry = { outcome: 'lives', why: 'test' };
const DIES: FateEntry = { outcome: 'dies', why: 'test' };

const TIMING = { finishedAtMs: 1_700_000_000_123, durationMs: 250.5 };
const nohup = (pid: number, o: Partial<ScanRow> = {}): ScanRow =>
  row(pid, { verdict: 'not-a-daemon', startedAs: { kind: 'nohup-job', detail: 'test' }, ...o });

describe('the renderer', () => {
  it('escapes backslash, double quote and newline in label values, and promtool reads them back', () => {
    expect(escapeLabelValue('a\\b"c\nd\te')).toBe('a\\\\b\\"c\\nd\te');
    const nasty = [
      'a"b',
      'back\\slash',
      'new\nline',
      'tab\there',
      'cr\rx',
      'nul\u0000x',
      'esc\u001b[31m',
      '\\n',
      '"',
      '\\',
      'é中\u{1F600}',
      '} 1',
      'x",pid="1',
    ];
    const text = renderPrometheus(resultOf(nasty.map((comm, i) => nohup(100 + i, { comm, user: comm }))), TIMING);
    const info = assertWhole(text).filter((s) => s.name === 'daemon_check_process_info');
    expect(info.map((s) => s.labels.comm)).toEqual(nasty);
    expect(info.map((s) => s.labels.user)).toEqual(nasty);
    expect(info.map((s) => s.labels.pid)).toEqual(nasty.map((_, i) => String(100 + i)));
    const lint = promtool(['check', 'metrics'], text);
    expect(lint.out.trim()).toBe('');
    expect(lint.code).toBe(0);
  });

  it('any comm survives the round trip through the text (fast-check), and promtool accepts a batch of them', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (comm) => {
        const text = renderPrometheus(resultOf([nohup(7, { comm })]), TIMING);
        const info = parseExposition(text).filter((s) => s.name === 'daemon_check_process_info');
        expect(info).toHaveLength(1);
        expect(info[0]!.labels.comm).toBe(comm);
        expect(text.split('\n').filter((l) => l.startsWith('daemon_check_process_info{'))).toHaveLength(1);
      }),
      { numRuns: 500 },
    );
    // As written to a file: UTF-8, a lone surrogate becoming U+FFFD.
    const comms = fc.sample(fc.string({ unit: 'binary', maxLength: 15 }), { numRuns: 300, seed: 42 });
    const text = Buffer.from(
      renderPrometheus(resultOf(comms.map((comm, i) => nohup(1000 + i, { comm }))), TIMING, { maxSeries: 1000 }),
      'utf8',
    );
    const lint = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(`${lint.stdout}${lint.stderr}`.trim()).toBe('');
    expect(lint.status).toBe(0);
  });

  it('caps daemon_check_process_info, worst verdict and lowest pid first, and says so in the truncated gauge', () => {
    const rows = [
      ...Array.from({ length: 140 }, (_, i) => nohup(5000 - i)),
      ...Array.from({ length: 10 }, (_, i) => row(10 + i, { verdict: 'inconclusive' })),
    ];
    const capped = parseExposition(renderPrometheus(resultOf(rows), TIMING));
    const info = capped.filter((s) => s.name === 'daemon_check_process_info');
    expect(DEFAULT_MAX_SERIES).toBe(100);
    expect(info).toHaveLength(100);
    expect(info.every((s) => s.labels.verdict === 'not-a-daemon')).toBe(true);
    expect(info.map((s) => Number(s.labels.pid))).toEqual(Array.from({ length: 100 }, (_, i) => 4861 + i));
    expect(capped.find((s) => s.name === 'daemon_check_process_info_truncated')!.value).toBe(1);

    const all = parseExposition(renderPrometheus(resultOf(rows), TIMING, { maxSeries: 150 }));
    expect(all.filter((s) => s.name === 'daemon_check_process_info')).toHaveLength(150);
    expect(all.find((s) => s.name === 'daemon_check_process_info_truncated')!.value).toBe(0);

    const none = parseExposition(renderPrometheus(resultOf(rows), TIMING, { maxSeries: 0 }));
    expect(none.filter((s) => s.name === 'daemon_check_process_info')).toHaveLength(0);
    expect(none.find((s) => s.name === 'daemon_check_process_info_truncated')!.value).toBe(1);
    expect(() => renderPrometheus(resultOf(rows), TIMING, { maxSeries: -1 })).toThrow(RangeError);
  });

  it("lists the rows that fall short: not-a-daemon, inconclusive, or ended by a hangup, the shell's exit or logout; not by a crash alone", () => {
    const rows = [
      row(1, { verdict: 'daemon' }),
      row(2, { verdict: 'daemon-with-warnings' }),
      row(3, { verdict: 'not-a-daemon' }),
      row(4, { verdict: 'inconclusive' }),
      row(5, {
        verdict: 'daemon-with-warnings',
        fate: { hangup: LIVES, 'shell-exit': LIVES, logout: DIES, stop: LIVES, crash: DIES },
      }),
      row(6, {
        verdict: 'daemon',
        fate: { hangup: DIES, 'shell-exit': LIVES, logout: LIVES, stop: LIVES, crash: DIES },
      }),
      row(7, {
        verdict: 'daemon',
        fate: { hangup: LIVES, 'shell-exit': DIES, logout: LIVES, stop: LIVES, crash: DIES },
      }),
      row(8, {
        verdict: 'daemon',
        fate: { hangup: LIVES, 'shell-exit': LIVES, logout: LIVES, stop: DIES, crash: DIES },
      }),
    ];
    expect(rows.filter(fallsShortInScan).map((r) => r.pid)).toEqual([3, 4, 5, 6, 7]);
    const info = parseExposition(renderPrometheus(resultOf(rows), TIMING)).filter(
      (s) => s.name === 'daemon_check_process_info',
    );
    expect(info.map((s) => s.labels.pid)).toEqual(['3', '4', '5', '6', '7']);
    expect(info.every((s) => s.value === 1)).toBe(true);
    expect(Object.keys(info[0]!.labels)).toEqual(['pid', 'comm', 'user', 'verdict', 'started_as']);
  });

  it('counts every listed row once, by (verdict, started_as), and only pairs that have rows', () => {
    const kinds = ['nohup-job', 'shell-job', 'double-fork', 'supervised'] as const;
    const verdicts = ['daemon', 'daemon-with-warnings', 'not-a-daemon', 'inconclusive'] as const;
    const rows = Array.from({ length: 237 }, (_, i) =>
      row(i + 2, { verdict: verdicts[(i * 7) % 4]!, startedAs: { kind: kinds[(i * 3) % 4]!, detail: '' } }),
    );
    rows.push(row(999, { verdict: 'daemon', startedAs: { kind: 'cron-job', detail: '' } }));
    const samples = assertWhole(renderPrometheus(resultOf(rows), TIMING)).filter(
      (s) => s.name === 'daemon_check_processes',
    );
    expect(samples.reduce((n, s) => n + s.value, 0)).toBe(rows.length);
    const expected = new Map<string, number>();
    for (const r of rows)
      expected.set(`${r.verdict}/${r.startedAs.kind}`, (expected.get(`${r.verdict}/${r.startedAs.kind}`) ?? 0) + 1);
    expect(new Map(samples.map((s) => [`${s.labels.verdict}/${s.labels.started_as}`, s.value]))).toEqual(expected);
    expect(samples.every((s) => s.value > 0)).toBe(true);
    // An empty scan: no count series, no info series, the three gauges still there.
    const empty = assertWhole(renderPrometheus(resultOf([]), TIMING));
    expect(empty.map((s) => s.name)).toEqual([
      'daemon_check_process_info_truncated',
      'daemon_check_scan_timestamp_seconds',
      'daemon_check_scan_duration_seconds',
    ]);
  });

  it('writes the scan time and duration in seconds; the user label falls back to the uid', () => {
    const text = renderPrometheus(
      resultOf([nohup(3, { user: null, uid: 1234 }), nohup(4, { user: null, uid: null })]),
      TIMING,
    );
    expect(text).toContain('\ndaemon_check_scan_timestamp_seconds 1700000000.123\n');
    expect(text).toContain('\ndaemon_check_scan_duration_seconds 0.251\n');
    const info = parseExposition(text).filter((s) => s.name === 'daemon_check_process_info');
    expect(info.map((s) => s.labels.user)).toEqual(['1234', '']);
  });
});

// ---------------------------------------------------------------- the CLI, promtool and node_exporter

interface Exporter {
  pid: number;
  url: string;
  stderr: () => string;
  stop: () => Promise<void>;
}

/** prometheus-node-exporter with the textfile collector only, once its port accepts; another port if this one was taken meanwhile. */
async function startExporter(dir: string): Promise<Exporter> {
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const child = spawn(
      'prometheus-node-exporter',
      [
        '--collector.disable-defaults',
        '--collector.textfile',
        `--collector.textfile.directory=${dir}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--web.disable-exporter-metrics',
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const pid = tracker.track(child.pid!);
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    let exited = false;
    const exit = new Promise<void>((r) => child.on('exit', () => ((exited = true), r())));
    const url = `http://127.0.0.1:${port}/metrics`;
    const deadline = Date.now() + 10_000;
    while (!exited && Date.now() < deadline) {
      try {
        await fetch(url);
        const stop = async (): Promise<void> => {
          process.kill(pid, 'SIGTERM');
          await exit;
        };
        return { pid, url, stderr: () => err, stop };
      } catch {
        await sleep(25);
      }
    }
    if (!exited) process.kill(pid, 'SIGKILL');
    await exit;
    if (attempt === 2) throw new Error(`node_exporter did not start: ${err}`);
  }
}

/**
 * Jobs typed into an interactive bash on a terminal (a pty of `script`), as
 * `CMD &` leaves them: plain sleep, and sleep under a comm holding ", \ and
 * a newline. The terminal's hangup ends them (bash passes SIGHUP on), so they
 * are not daemons, whatever session the test runs in; a `nohup CMD &` job
 * would outlive the login and only warn (docs/checklist.md).
 */
async function shellJobs(dir: string): Promise<{ plain: number; odd: number; oddComm: string }> {
  const secs = uniqueSeconds();
  const oddComm = 'dc"q\\x\nz';
  const link = path.join(dir, oddComm);
  fs.symlinkSync(fs.realpathSync('/bin/sleep'), link);
  const jobs = `sleep ${secs} >/dev/null 2>&1 & "$DC_LINK" ${secs + 1} >/dev/null 2>&1 & wait`;
  const sh = spawn('setsid', ['script', '-qfec', `exec bash --norc --noprofile -i -c '${jobs}'`, '/dev/null'], {
    stdio: 'ignore',
    cwd: dir,
    env: { ...process.env, DC_LINK: link },
  });
  tracker.track(sh.pid!);
  const plain = tracker.track(await waitFor('the sleep job', () => findProcess(new RegExp(`^sleep ${secs}$`))));
  const odd = tracker.track(await waitFor('the job with the odd comm', () => findProcess(new RegExp(` ${secs + 1}$`))));
  await waitFor('the odd comm', () => fs.readFileSync(`/proc/${odd}/comm`, 'utf8') === `${oddComm}\n`);
  return { plain, odd, oddComm };
}

describe('scan --format prometheus with the real tools', () => {
  it('promtool check metrics accepts a live scan of every process, with no lint problem', async () => {
    const r = await runCli(['scan', '--all', '--format', 'prometheus'], { timeoutMs: 60_000 });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const samples = assertWhole(r.stdout);
    expect(samples.filter((s) => s.name === 'daemon_check_processes').length).toBeGreaterThan(0);
    const lint = promtool(['check', 'metrics'], r.stdout);
    expect(lint.out.trim()).toBe('');
    expect(lint.code).toBe(0);
  }, 90_000);

  it('node_exporter serves the file --output writes: shell jobs by pid (one with a comm of ", \\ and a newline), counts, no scrape error', async () => {
    const dir = tempDir('dc-prom-');
    const jobs = await shellJobs(tempDir('dc-prom-'));
    const exporter = await startExporter(dir);
    try {
      const before = Date.now() / 1000;
      const prom = path.join(dir, 'daemon_check.prom');
      const r = await runCli(['scan', '--all', '--format', 'prometheus', '--max-series', '100000', '--output', prom], {
        timeoutMs: 60_000,
      });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toBe('');
      expect(fs.readdirSync(dir)).toEqual(['daemon_check.prom']);
      expect(fs.statSync(prom).mode & 0o777).toBe(0o644);
      const written = assertWhole(fs.readFileSync(prom, 'utf8'));

      const res = await fetch(exporter.url);
      expect(res.status).toBe(200);
      const served = parseExposition(await res.text());
      expect(served.find((s) => s.name === 'node_textfile_scrape_error')?.value).toBe(0);
      const ours = served.filter((s) => s.name.startsWith('daemon_check_'));
      const key = (s: Sample): string => `${s.name}${JSON.stringify(Object.entries(s.labels).sort())} ${s.value}`;
      expect(ours.map(key).sort()).toEqual(written.map(key).sort());

      const info = ours.filter((s) => s.name === 'daemon_check_process_info');
      expect(info.find((s) => s.labels.pid === String(jobs.plain))).toMatchObject({
        value: 1,
        labels: { comm: 'sleep', user: 'root', verdict: 'not-a-daemon', started_as: 'shell-job' },
      });
      expect(info.find((s) => s.labels.pid === String(jobs.odd))).toMatchObject({
        value: 1,
        labels: { comm: jobs.oddComm, started_as: 'shell-job' },
      });
      const jobCount = ours.find(
        (s) =>
          s.name === 'daemon_check_processes' &&
          s.labels.verdict === 'not-a-daemon' &&
          s.labels.started_as === 'shell-job',
      );
      expect(jobCount!.value).toBeGreaterThanOrEqual(2);
      expect(ours.find((s) => s.name === 'daemon_check_process_info_truncated')!.value).toBe(0);
      const ts = ours.find((s) => s.name === 'daemon_check_scan_timestamp_seconds')!.value;
      expect(ts).toBeGreaterThanOrEqual(Math.floor(before));
      expect(ts).toBeLessThanOrEqual(Date.now() / 1000 + 1);
      expect(ours.find((s) => s.name === 'daemon_check_scan_duration_seconds')!.value).toBeGreaterThan(0);
      expect(exporter.stderr()).not.toMatch(/level=error/);
    } finally {
      await exporter.stop();
    }
    expect(alive(exporter.pid)).toBe(false);
  }, 90_000);
});

// ---------------------------------------------------------------- --output

describe('scan --output', () => {
  it('writes every format whole, 0644 whatever the umask, and leaves only FILE in the folder', async () => {
    const FIXTURE = await captureArgs();
    const dir = tempDir('dc-prom-');
    for (const [format, file] of [
      ['prometheus', 'a.prom'],
      ['json', 'a.json'],
      ['table', 'a.txt'],
    ] as const) {
      const target = path.join(dir, file);
      fs.writeFileSync(target, 'old', { mode: 0o600 });
      // A reader that had the old file open keeps reading the old file: FILE is replaced (rename), never rewritten in place.
      const held = fs.openSync(target, 'r');
      const oldIno = fs.statSync(target).ino;
      const r = spawnSync(
        'bash',
        [
          '-c',
          'umask 077; exec "$@"',
          'bash',
          process.execPath,
          BIN,
          'scan',
          ...FIXTURE,
          '--format',
          format,
          '--output',
          target,
        ],
        { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 },
      );
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout).toBe('');
      expect(fs.statSync(target).mode & 0o777).toBe(0o644);
      expect(fs.statSync(target).ino).not.toBe(oldIno);
      expect(fs.readFileSync(held, 'utf8')).toBe('old');
      fs.closeSync(held);
      const text = fs.readFileSync(target, 'utf8');
      if (format === 'prometheus') assertWhole(text);
      if (format === 'json') expect(JSON.parse(text).schemaVersion).toBe(1);
      if (format === 'table') expect(text).not.toMatch(/\u001b\[/);
    }
    expect(fs.readdirSync(dir).sort()).toEqual(['a.json', 'a.prom', 'a.txt']);
  }, 60_000);

  it('a reader polling FILE while 50 scans rewrite it always reads a whole file', async () => {
    const FIXTURE = await captureArgs();
    const dir = tempDir('dc-prom-');
    const target = path.join(dir, 'daemon_check.prom');
    const args = ['scan', ...FIXTURE, '--format', 'prometheus', '--output', target];
    expect((await runCli(args, { timeoutMs: 60_000 })).code).toBe(0);
    let done = false;
    let reads = 0;
    const timestamps = new Set<number>();
    const reader = (async () => {
      while (!done) {
        const text = fs.readFileSync(target, 'utf8');
        const samples = assertWhole(text);
        timestamps.add(samples.find((s) => s.name === 'daemon_check_scan_timestamp_seconds')!.value);
        reads++;
        await sleep(1);
      }
    })();
    try {
      for (let i = 0; i < 50; i++) {
        const r = await runCli(args, { timeoutMs: 60_000 });
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
      }
    } finally {
      done = true;
      await reader;
    }
    expect(reads).toBeGreaterThan(50);
    expect(timestamps.size).toBeGreaterThan(10);
    expect(fs.readdirSync(dir)).toEqual(['daemon_check.prom']);
  }, 120_000);

  it('a bad FILE is one line on stderr and exit 2, before any scan, and leaves nothing behind', async () => {
    const dir = tempDir('dc-prom-');
    const cases: Array<{ args: string[]; re: RegExp; opts?: { uid: number; gid: number } }> = [
      {
        args: ['--output', path.join(dir, 'missing', 'x.prom')],
        re: /^daemon-check: --output .*missing\/x\.prom: its folder .*missing cannot be used: no such file or directory \(ENOENT\); create the folder/,
      },
      {
        args: ['--output', dir],
        re: /^daemon-check: --output .* is a folder; give a file name in it, such as .*daemon_check\.prom$/,
      },
      { args: ['--output', path.join(dir, 'f', 'x.prom')], re: /^daemon-check: --output .*: .*\/f is not a folder/ },
      {
        args: ['--format', 'prometheus', '--max-series', 'lots'],
        re: /^daemon-check: --max-series 'lots' is not a whole number/,
      },
      { args: ['--max-series', '5'], re: /^daemon-check: --max-series applies to --format prometheus only$/ },
    ];
    fs.writeFileSync(path.join(dir, 'f'), '');
    // Not writable: a root-owned 0755 folder for nobody (as root), a 0555 folder otherwise.
    const ro = path.join(dir, 'ro');
    fs.mkdirSync(ro, { mode: 0o755 });
    if (process.getuid!() === 0) {
      fs.chmodSync(dir, 0o755);
      cases.push({
        args: ['--output', path.join(ro, 'x.prom')],
        re: /^daemon-check: --output .*ro\/x\.prom: cannot create files in .*ro: permission denied \(EACCES\); give a folder this user can write$/,
        opts: { uid: 65534, gid: 65534 },
      });
    } else {
      fs.chmodSync(ro, 0o555);
      cases.push({
        args: ['--output', path.join(ro, 'x.prom')],
        re: /cannot create files in .*ro: permission denied \(EACCES\)/,
      });
    }
    for (const c of cases) {
      const r = await runCli(['scan', ...c.args], { ...c.opts, timeoutMs: 60_000 });
      expect(r.code, c.args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.split('\n')).toHaveLength(2);
      expect(r.stderr.trimEnd()).toMatch(c.re);
    }
    expect(fs.readdirSync(dir).sort()).toEqual(['f', 'ro']);
    expect(fs.readdirSync(ro)).toEqual([]);
  }, 60_000);

  it('a write that fails half-way (the file size limit) is exit 2, removes its temporary file and keeps the old FILE', async () => {
    const FIXTURE = await captureArgs();
    const dir = tempDir('dc-prom-');
    const target = path.join(dir, 'scan.json');
    fs.writeFileSync(target, '{"old": true}\n');
    // ulimit -f 1: writes past 1 KiB fail with EFBIG (Node ignores SIGXFSZ); the scan's JSON is bigger.
    const r = spawnSync(
      'bash',
      ['-c', 'ulimit -f 1; exec "$@"', 'bash', process.execPath, BIN, 'scan', ...FIXTURE, '--json', '--output', target],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(r.stderr).toMatch(/^daemon-check: cannot write --output .*scan\.json: file too large \(EFBIG\)\n$/);
    expect(r.status).toBe(2);
    expect(fs.readdirSync(dir)).toEqual(['scan.json']);
    expect(fs.readFileSync(target, 'utf8')).toBe('{"old": true}\n');
  }, 60_000);
});

// ---------------------------------------------------------------- deploy/

interface Container {
  name: string;
  command?: string[];
  args?: string[];
  volumeMounts?: Array<{ name: string; mountPath: string; readOnly?: boolean }>;
}

describe('deploy/', () => {
  const ds = parseYaml(fs.readFileSync(path.join(ROOT, 'deploy', 'daemonset.yaml'), 'utf8'));
  const pod = ds.spec.template.spec as {
    hostPID: boolean;
    containers: Container[];
    volumes: Array<{ name: string; hostPath?: { path: string }; emptyDir?: object }>;
  };
  const dc = pod.containers.find((c) => c.name === 'daemon-check')!;
  const exporter = pod.containers.find((c) => c.name === 'node-exporter')!;
  const volume = (name: string) => pod.volumes.find((v) => v.name === name)!;
  const mount = (c: Container, at: string) => c.volumeMounts!.find((m) => m.mountPath === at)!;
  const ARGS = [
    'daemon-check',
    'scan',
    '--all',
    '--proc-root',
    '/host/proc',
    '--host-root',
    '/host',
    '--format',
    'prometheus',
    '--output',
    '/textfile/daemon_check.prom',
  ];

  it('daemonset.yaml: a DaemonSet with hostPID, the host /proc and / read-only, the scan args, and the textfile folder shared with node_exporter', () => {
    expect(ds.apiVersion).toBe('apps/v1');
    expect(ds.kind).toBe('DaemonSet');
    expect(ds.spec.selector.matchLabels).toEqual(ds.spec.template.metadata.labels);
    expect(pod.hostPID).toBe(true);
    expect(dc.args).toEqual(ARGS);
    expect(mount(dc, '/host/proc')).toMatchObject({ readOnly: true });
    expect(volume(mount(dc, '/host/proc').name).hostPath!.path).toBe('/proc');
    expect(mount(dc, '/host')).toMatchObject({ readOnly: true });
    expect(volume(mount(dc, '/host').name).hostPath!.path).toBe('/');
    // Every host path is mounted read-only; only the textfile folder is written.
    for (const m of dc.volumeMounts!) if (volume(m.name).hostPath) expect(m.readOnly, m.mountPath).toBe(true);
    const tf = mount(dc, '/textfile');
    expect(tf.readOnly).toBeFalsy();
    expect(volume(tf.name).emptyDir).toBeDefined();
    expect(exporter.volumeMounts!.find((m) => m.name === tf.name)).toMatchObject({
      mountPath: '/textfile',
      readOnly: true,
    });
    expect(exporter.args).toEqual(
      expect.arrayContaining(['--collector.textfile', '--collector.textfile.directory=/textfile']),
    );
    expect(dc.command!.slice(0, 2)).toEqual(['/bin/sh', '-c']);
    expect(dc.command![2]).toMatch(/"\$@"/);
    expect(dc.command![2]).toMatch(/sleep 60/);
  });

  it("daemonset.yaml: the container's loop runs the scan and writes the file again and again (run here on /proc and /)", async () => {
    const dir = tempDir('dc-prom-');
    const target = path.join(dir, 'daemon_check.prom');
    const args = [process.execPath, BIN, ...ARGS.slice(1)].map(
      (a) => ({ '/host/proc': '/proc', '/host': '/', '/textfile/daemon_check.prom': target })[a] ?? a,
    );
    const loop = spawn(dc.command![0]!, [...dc.command!.slice(1), ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    const sh = tracker.track(loop.pid!);
    let err = '';
    loop.stderr.on('data', (d) => (err += d));
    // The loop has written the file once it sleeps its minute.
    const pause = tracker.track(
      await waitFor('the loop to sleep after its first scan', () => childOf(sh, 'sleep'), 60_000),
    );
    expect(err).toBe('');
    assertWhole(fs.readFileSync(target, 'utf8'));
    expect(fs.readdirSync(dir)).toEqual(['daemon_check.prom']);
    process.kill(sh, 'SIGKILL');
    process.kill(pause, 'SIGKILL');
    await waitFor('the loop to end', () => !alive(sh) && !alive(pause));
  }, 90_000);

  it("docs/scan.md's Fleet section: the cron line, and the alert rule as in alerts.yml (promtool accepts the doc's copy too)", () => {
    const readme = fs.readFileSync(path.join(ROOT, 'docs', 'scan.md'), 'utf8');
    const start = readme.indexOf('## Fleet: Prometheus');
    expect(start).toBeGreaterThan(-1);
    const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
    expect(section).toContain(
      '* * * * * root daemon-check scan --all --format prometheus --output /var/lib/prometheus/node-exporter/daemon_check.prom',
    );
    expect(section).toContain('deploy/daemonset.yaml');
    const block = /```yaml\n([\s\S]*?)```/.exec(section)![1]!;
    const file = path.join(tempDir('dc-prom-'), 'readme-rules.yml');
    fs.writeFileSync(file, block);
    const check = promtool(['check', 'rules', file]);
    expect(check.out).toMatch(/SUCCESS: 1 rules found/);
    expect(check.code).toBe(0);
    type Rule = { alert: string; expr: string; for: string; labels: object; annotations: { summary: string } };
    const inReadme = (parseYaml(block) as { groups: Array<{ rules: Rule[] }> }).groups[0]!.rules[0]!;
    const shipped = (
      parseYaml(fs.readFileSync(path.join(ROOT, 'deploy', 'alerts.yml'), 'utf8')) as {
        groups: Array<{ rules: Rule[] }>;
      }
    ).groups[0]!.rules[0]!;
    expect(inReadme).toMatchObject({
      alert: shipped.alert,
      expr: shipped.expr,
      for: '1h',
      labels: shipped.labels,
      annotations: { summary: shipped.annotations.summary },
    });
    expect(inReadme.expr).toMatch(/daemon_check_process_info\{started_as="nohup-job"/);
  });

  it('alerts.yml: promtool check rules accepts it, and the nohup alert fires after an hour on production hosts only (promtool test rules)', () => {
    const rules = path.join(ROOT, 'deploy', 'alerts.yml');
    const check = promtool(['check', 'rules', rules]);
    expect(check.out).toMatch(/SUCCESS: 3 rules found/);
    expect(check.code).toBe(0);

    const dir = tempDir('dc-prom-');
    const labels = (env: string, instance: string, pid: string) =>
      `instance="${instance}",env="${env}",pid="${pid}",comm="sleep",user="alice",verdict="not-a-daemon",started_as="nohup-job"`;
    const spec = {
      rule_files: [rules],
      evaluation_interval: '1m',
      tests: [
        {
          interval: '1m',
          input_series: [
            { series: `daemon_check_process_info{${labels('production', 'prod1:9100', '4242')}}`, values: '1x120' },
            { series: `daemon_check_process_info{${labels('dev', 'dev1:9100', '77')}}`, values: '1x120' },
            { series: 'daemon_check_scan_timestamp_seconds{instance="prod1:9100"}', values: '0+60x120' },
          ],
          alert_rule_test: [
            { eval_time: '59m', alertname: 'NohupJobOnProductionHost', exp_alerts: [] },
            {
              eval_time: '61m',
              alertname: 'NohupJobOnProductionHost',
              exp_alerts: [
                {
                  exp_labels: {
                    severity: 'warning',
                    instance: 'prod1:9100',
                    env: 'production',
                    pid: '4242',
                    comm: 'sleep',
                    user: 'alice',
                    verdict: 'not-a-daemon',
                    started_as: 'nohup-job',
                  },
                  exp_annotations: {
                    summary: 'nohup job on prod1:9100: pid 4242 (sleep, user alice)',
                    description:
                      'pid 4242 (sleep) on prod1:9100 was started with nohup by alice more than an hour ago and is not a daemon. Run `daemon-check 4242` on the host for the evidence and the fix.',
                  },
                },
              ],
            },
            { eval_time: '100m', alertname: 'DaemonCheckScanStale', exp_alerts: [] },
          ],
        },
      ],
    };
    const file = path.join(dir, 'alerts.test.yml');
    fs.writeFileSync(file, JSON.stringify(spec));
    const t = promtool(['test', 'rules', file]);
    expect(t.out).toMatch(/SUCCESS/);
    expect(t.code).toBe(0);
  });
});
