/** What a CI job sees: exit codes, JUnit, TAP and JSON that validates against the shipped schema. */
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { Parser as TapParser } from 'tap-parser';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checks } from '../../src/checks/index.js';
import { runCli } from '../helpers/cli.js';
import { findProcess, startPyDaemon, tempDir, Tracker, uniqueSeconds, waitFor } from '../helpers/procs.js';
import type { Report } from '../../src/audit-types.js';

const tracker = new Tracker();
let daemonPid = 0; // verdict daemon: textbook double fork, pidfile locked, SIGTERM caught
let warnPid = 0; // verdict daemon-with-warnings: setsid(1), no second fork
let shortPid = 0; // verdict not-a-daemon: a plain child of this test runner
let rootDetachedPid = 0; // audited by nobody: inconclusive

beforeAll(async () => {
  const dir = tempDir();
  fs.chmodSync(dir, 0o755);
  daemonPid = (await startPyDaemon(tracker, ['--pidfile', path.join(dir, 'd.pid'), '--sleep', '300'])).pid;
  const s = uniqueSeconds();
  execFileSync('setsid', ['-f', 'sleep', String(s)], { stdio: 'ignore', cwd: '/' });
  warnPid = tracker.track(await waitFor('setsid sleep', () => findProcess(new RegExp(`^sleep ${s}$`))));
  shortPid = tracker.track(spawn('sleep', ['300'], { stdio: 'ignore' }).pid!);
  const s2 = uniqueSeconds();
  execFileSync('setsid', ['-f', 'sleep', String(s2)], { stdio: 'ignore', cwd: '/' });
  rootDetachedPid = tracker.track(await waitFor('setsid sleep', () => findProcess(new RegExp(`^sleep ${s2}$`))));
});
afterAll(() => tracker.killAll());

const WARNING_IDS = 'not-session-leader,no-leaked-fds,umask,cwd,signal-mask,reaps-children,world-writable-files';
const AS_NOBODY = { uid: 65534, gid: 65534 };

describe('exit-code matrix on live processes', () => {
  const cases: Array<{ verdict: string; pid: () => number; args: string[]; code: number; as?: object }> = [
    { verdict: 'daemon', pid: () => daemonPid, args: [], code: 0 },
    { verdict: 'daemon', pid: () => daemonPid, args: ['--fail-on', 'warn'], code: 0 },
    { verdict: 'daemon', pid: () => daemonPid, args: ['--require', 'handles-sigterm,single-instance'], code: 0 },
    { verdict: 'daemon', pid: () => daemonPid, args: ['--expect-umask', '0022'], code: 0 }, // a warning only
    { verdict: 'daemon', pid: () => daemonPid, args: ['--expect-umask', '0022', '--fail-on', 'warn'], code: 1 },
    { verdict: 'daemon', pid: () => daemonPid, args: ['--expect-cwd', '/srv', '--fail-on', 'warn'], code: 1 },
    { verdict: 'daemon-with-warnings', pid: () => warnPid, args: [], code: 0 },
    { verdict: 'daemon-with-warnings', pid: () => warnPid, args: ['--fail-on', 'warn'], code: 1 },
    {
      verdict: 'daemon-with-warnings',
      pid: () => warnPid,
      args: ['--fail-on', 'warn', '--ignore', WARNING_IDS],
      code: 0,
    },
    { verdict: 'daemon-with-warnings', pid: () => warnPid, args: ['--require', 'handles-sigterm'], code: 1 },
    { verdict: 'daemon-with-warnings', pid: () => warnPid, args: ['--require', 'not-session-leader'], code: 1 },
    { verdict: 'not-a-daemon', pid: () => shortPid, args: [], code: 1 },
    { verdict: 'not-a-daemon', pid: () => shortPid, args: ['--fail-on', 'warn'], code: 1 },
    {
      verdict: 'not-a-daemon',
      pid: () => shortPid,
      args: ['--ignore', 'detached-parent,own-session,no-controlling-tty,stdio-detached'],
      code: 0,
    },
    { verdict: 'inconclusive', pid: () => rootDetachedPid, args: [], code: 3, as: AS_NOBODY },
    {
      verdict: 'inconclusive',
      pid: () => rootDetachedPid,
      args: ['--ignore', 'stdio-detached'],
      code: 0,
      as: AS_NOBODY,
    },
    {
      verdict: 'inconclusive',
      pid: () => rootDetachedPid,
      args: ['--require', 'stdio-detached'],
      code: 1,
      as: AS_NOBODY,
    },
  ];
  it.each(cases)('$verdict with $args -> exit $code', async ({ verdict, pid, args, code, as }) => {
    const r = await runCli([String(pid()), '--json', ...args], as ?? {});
    // Exit 0 is silent on stderr; 1 and 3 say why in one line.
    if (code === 0) expect(r.stderr).toBe('');
    else expect(r.stderr).toMatch(new RegExp(`^daemon-check: pid ${pid()} \\((sleep|python3)\\)[^\\n]*\\n$`));
    const rep = JSON.parse(r.stdout) as Report;
    if (!args.includes('--ignore') && !args.includes('--expect-umask') && !args.includes('--expect-cwd'))
      expect(rep.verdict).toBe(verdict);
    expect(r.code).toBe(code);
  });
});

function parseJunit(xml: string) {
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    isArray: (name) => name === 'testsuite' || name === 'testcase',
  });
  return parser.parse(xml) as {
    testsuites: {
      tests: string;
      failures: string;
      skipped: string;
      testsuite: Array<{
        name: string;
        tests: string;
        failures: string;
        skipped: string;
        errors: string;
        testcase: Array<Record<string, unknown>>;
      }>;
    };
  };
}

describe('JUnit', () => {
  it.each([
    ['fail', 0],
    ['warn', 1],
  ])('counts match the report rows (--fail-on %s)', async (failOn) => {
    const json = JSON.parse((await runCli([String(warnPid), '--json'])).stdout) as Report;
    const r = await runCli([String(warnPid), '--format', 'junit', '--fail-on', failOn as string]);
    const doc = parseJunit(r.stdout);
    const suite = doc.testsuites.testsuite[0]!;
    expect(suite.testcase).toHaveLength(json.checks.length);
    const fails = json.checks.filter((c) => c.status === 'fail' || (failOn === 'warn' && c.status === 'warn')).length;
    const skips = json.checks.filter(
      (c) => c.status === 'skip' || c.status === 'info' || (c.status === 'unknown' && c.severity !== 'critical'),
    ).length;
    expect(Number(suite.failures)).toBe(fails);
    expect(suite.testcase.filter((t) => 'failure' in t)).toHaveLength(fails);
    expect(Number(suite.skipped)).toBe(skips);
    expect(suite.testcase.filter((t) => 'skipped' in t)).toHaveLength(skips);
    expect(suite.testcase.map((t) => t.name)).toEqual(json.checks.map((c) => c.id));
    if (failOn === 'warn') expect(fails).toBeGreaterThan(0);
    expect(r.code).toBe(failOn === 'warn' ? 1 : 0);
  });

  it('one testsuite per process with --name', async () => {
    const dir = tempDir();
    const prog = path.join(dir, 'junitpair');
    fs.copyFileSync('/bin/sleep', prog);
    for (const a of ['300', '301']) tracker.track(spawn(prog, [a], { stdio: 'ignore' }).pid!);
    await waitFor('two processes', () => findProcess(/junitpair 301/));
    const r = await runCli(['--name', 'junitpair', '--format', 'junit']);
    const doc = parseJunit(r.stdout);
    expect(doc.testsuites.testsuite).toHaveLength(2);
    expect(Number(doc.testsuites.tests)).toBe(2 * checks.length);
  });
});

describe('TAP', () => {
  it('is TAP version 14 with a plan and one line per check, as a TAP parser reads it', async () => {
    const json = JSON.parse((await runCli([String(shortPid), '--json'])).stdout) as Report;
    const r = await runCli([String(shortPid), '--format', 'tap']);
    expect(r.stdout.split('\n')[0]).toBe('TAP version 14');
    const result = await new Promise<{
      ok: boolean;
      count: number;
      pass: number;
      fail: number;
      skip: number;
      plan: { end: number };
    }>((resolve) => {
      const p = new TapParser((res) => resolve(res as never));
      p.end(r.stdout);
    });
    expect(result.plan.end).toBe(json.checks.length);
    expect(result.count).toBe(json.checks.length);
    expect(result.fail).toBe(
      json.checks.filter((c) => c.status === 'fail' || (c.status === 'unknown' && c.severity === 'critical')).length,
    );
    expect(result.ok).toBe(false);
    expect(result.skip).toBe(
      json.checks.filter(
        (c) => c.status === 'skip' || c.status === 'info' || (c.status === 'unknown' && c.severity !== 'critical'),
      ).length,
    );
  });
});

describe('JSON Schema', () => {
  const schema = JSON.parse(
    fs.readFileSync(path.resolve(__dirname, '..', '..', 'schema', 'report.schema.json'), 'utf8'),
  );
  const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false });
  const validate = ajv.compile(schema);

  it('accepts real reports of every verdict, --name wrappers and every fixture', async () => {
    const docs: unknown[] = [];
    for (const pid of [daemonPid, warnPid, shortPid, 1])
      docs.push(JSON.parse((await runCli([String(pid), '--json'])).stdout));
    docs.push(JSON.parse((await runCli([String(rootDetachedPid), '--json'], AS_NOBODY)).stdout));
    const prog = path.join(tempDir(), 'schemapair');
    fs.copyFileSync('/bin/sleep', prog);
    for (const a of ['300', '301']) tracker.track(spawn(prog, [a], { stdio: 'ignore' }).pid!);
    await waitFor('two processes', () => findProcess(/schemapair 301/));
    docs.push(JSON.parse((await runCli(['--name', 'schemapair', '--json'])).stdout));
    const fx = path.resolve(__dirname, '..', '..', 'fixtures');
    for (const d of fs.readdirSync(fx)) {
      const f = path.join(fx, d, 'expected.json');
      if (fs.existsSync(f)) docs.push(JSON.parse(fs.readFileSync(f, 'utf8')));
    }
    expect(docs.length).toBeGreaterThan(10);
    for (const doc of docs) {
      const ok = validate(doc);
      expect(ok, JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
    }
  });

  it('rejects a report with a renamed field or an unknown check id', () => {
    const good = JSON.parse(
      fs.readFileSync(path.resolve(__dirname, '..', '..', 'fixtures', 'nohup-job', 'expected.json'), 'utf8'),
    );
    expect(validate(good)).toBe(true);
    const renamed = { ...good, verdicts: good.verdict };
    delete renamed.verdict;
    expect(validate(renamed)).toBe(false);
    const badId = structuredClone(good);
    badId.checks[0].id = 'no-tty';
    expect(validate(badId)).toBe(false);
  });
});
