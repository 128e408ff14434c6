/**
 * The fixes daemon-check prints start the app for real. Four apps, each
 * reading a file by relative path from its own directory, are started the
 * way users start them, typed into a login shell on a pty: `python3 app.py`,
 * `python app.py` from an activated venv with a package only the venv has,
 * `node app.js` (as www-data), and `gunicorn wsgi:app`. For each, what
 * `daemon-check unit` writes runs under a private supervisord and under runsv,
 * the systemd unit passes `systemd-analyze verify` and says what the running
 * app had, and the `daemon-check run` line from "What to do" starts it as
 * printed; every one of them answers HTTP with the file's content, and no
 * audit advises a working directory of /, which would break it.
 */
import { execFile, spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type App,
  type AppKind,
  appChildOf,
  cliOnPath,
  environOf,
  findApp,
  killTree,
  makeApp,
  onPath,
  runitService,
  supervisordConf,
  userOf,
  waitAnswers,
  waitPortFree,
} from '../helpers/apps.js';
import { runCli } from '../helpers/cli.js';
import { PtyShell, Tracker, alive, cmdlineOf, freePort, tempDir, waitFor } from '../helpers/procs.js';

const tracker = new Tracker();
const dirs: string[] = [];
const shell = new PtyShell('login');
let binDir = '';

beforeAll(async () => {
  const home = tempDir('dc-apps-home-');
  dirs.push(home);
  await shell.start(tracker, home);
  binDir = cliOnPath();
  dirs.push(binDir);
});

afterAll(async () => {
  await tracker.killAll();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** What the running app had, read from /proc while it ran as the user started it. */
interface Original {
  pid: number;
  argv: string[];
  cwd: string;
  uid: number;
  path: string;
  /** `daemon-check PID` (table), `--json`, and `unit PID --for` each manager. */
  table: string;
  json: AuditJson;
  units: Record<'systemd' | 'supervisord' | 'runit', string>;
}

interface AuditJson {
  checks: Array<{ id: string; status: string; observed: string; detail: string }>;
  remediation: string[];
}

/** What the CLI printed; CODES: the exit codes that mean it did its job (an audit exits 1 for a non-daemon). */
async function cli(args: string[], codes = [0]): Promise<string> {
  const r = await runCli(args);
  expect(codes, `daemon-check ${args.join(' ')} exited ${r.code}: ${r.stderr}`).toContain(r.code);
  return r.stdout;
}

/** Its audit in JSON form, and in table form too when asked (the table holds the same findings and advice). */
async function audit(pid: number, table = false): Promise<{ table: string; json: AuditJson }> {
  const [text, json] = await Promise.all([
    table ? cli([String(pid)], [0, 1]) : '',
    cli([String(pid), '--json'], [0, 1]),
  ]);
  return { table: text, json: JSON.parse(json) as AuditJson };
}

/**
 * No advice that would move it to / (its files are read from its directory),
 * in the words of any fix: the C call, run's option, supervisord's and
 * systemd's settings; and its cwd row passes.
 */
function expectNoBreakingAdvice(a: { table: string; json: AuditJson }, app: App, who: string): void {
  const text = [a.table, ...a.json.remediation, ...a.json.checks.map((c) => c.detail)].join('\n');
  expect(text, who).not.toMatch(/chdir\("\/"\)/);
  expect(text, who).not.toMatch(/--chdir \/(?=\s|$)/m);
  expect(text, who).not.toMatch(/directory=\/(?=[\s,;]|$)/m);
  expect(text, who).not.toMatch(/WorkingDirectory=\/(?=\s|$)/m);
  const cwd = a.json.checks.find((c) => c.id === 'cwd');
  expect(cwd, who).toMatchObject({ status: 'pass', observed: app.dir });
}

async function startAsTyped(app: App): Promise<Original> {
  for (const line of app.typed) shell.type(line);
  await waitAnswers(app, 'started from the shell');
  const pid = tracker.track(await waitFor(`the ${app.kind} app's process`, () => findApp(app)));
  const original = {
    pid,
    argv: cmdlineOf(pid)!,
    cwd: fs.readlinkSync(`/proc/${pid}/cwd`),
    uid: uidOf(pid),
    path: environOf(pid, 'PATH') ?? '',
  };
  const [a, systemd, supervisord, runit] = await Promise.all([
    audit(pid, true),
    cli(['unit', String(pid), '--for', 'systemd']),
    cli(['unit', String(pid), '--for', 'supervisord']),
    cli(['unit', String(pid), '--for', 'runit']),
  ]);
  return { ...original, ...a, units: { systemd, supervisord, runit } };
}

/** Its effective uid. */
function uidOf(pid: number): number {
  return Number(/^Uid:\s+\d+\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);
}

/** The [Service] settings of a unit, by key (the last one wins, as for these single-valued keys). */
function serviceFields(unit: string): Map<string, string> {
  const fields = new Map<string, string>();
  let section = '';
  for (const line of unit.split('\n')) {
    const s = /^\[(.+)\]$/.exec(line);
    if (s) section = s[1]!;
    const kv = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (kv && section === 'Service') fields.set(kv[1]!, kv[2]!);
  }
  return fields;
}

/** Starts a manager process (its own cwd is /, so only the definition can put the app in its directory). */
function startManager(cmd: string, args: string[]): number {
  const child = spawn(cmd, args, { cwd: '/', stdio: 'ignore' });
  return tracker.track(child.pid!);
}

function runLine(line: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'bash',
      ['-c', line],
      {
        cwd: '/',
        env: { ...process.env, NO_COLOR: '1', PATH: `${binDir}:${process.env.PATH ?? ''}` },
        timeout: 30_000,
      },
      (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const KINDS: AppKind[] = ['python3', 'venv', 'node', 'gunicorn'];

describe.each(KINDS)('%s app, started from a login shell', (kind) => {
  let app: App;
  let orig: Original;

  beforeAll(async () => {
    app = makeApp(kind, await freePort());
    dirs.push(app.dir);
    orig = await startAsTyped(app);
  });

  it('runs in its directory as its user, and its audit gives no advice that would break it', () => {
    expect(orig.cwd).toBe(app.dir);
    expect(userOf(orig.uid)).toBe(app.user);
    expectNoBreakingAdvice(orig, app, 'the app as started');
  });

  it('3. --for systemd passes systemd-analyze verify; ExecStart, WorkingDirectory and User are what it had', () => {
    const d = tempDir('dc-apps-systemd-');
    dirs.push(d);
    const file = path.join(d, `dc-${kind}.service`);
    fs.writeFileSync(file, orig.units.systemd);
    const v = spawnSync('systemd-analyze', ['verify', '--man=no', file], { encoding: 'utf8', timeout: 20_000 });
    expect(v.status, v.stderr).toBe(0);
    expect(v.stderr).not.toContain(`dc-${kind}.service`);

    const f = serviceFields(orig.units.systemd);
    const exe = onPath(orig.argv[0]!, orig.cwd, orig.path);
    expect(exe).not.toBeNull();
    expect(f.get('ExecStart')).toBe([exe, ...orig.argv.slice(1)].join(' '));
    expect(f.get('WorkingDirectory')).toBe(orig.cwd);
    // root is systemd's default user: the unit writes User= only for another.
    expect(f.get('User')).toBe(app.user === 'root' ? undefined : userOf(orig.uid));
    // The program as the user started it, never the interpreter a venv's link leads to.
    if (kind === 'venv') expect(f.get('ExecStart')).toBe(`${app.dir}/venv/bin/python app.py ${app.port}`);
    if (kind === 'gunicorn') expect(f.get('ExecStart')).toMatch(/\/gunicorn -b 127\.0\.0\.1:\d+ wsgi:app$/);
  });

  it('1. --for supervisord runs under a private supervisord, which starts it, and it answers', async () => {
    await killTree(orig.pid);
    await waitPortFree(app.port);
    const d = tempDir('dc-apps-supervisord-');
    dirs.push(d);
    expect(orig.units.supervisord).toContain(`directory=${app.dir}\n`);
    const sd = startManager('supervisord', ['-n', '-c', supervisordConf(d, orig.units.supervisord)]);
    try {
      await waitAnswers(app, 'under supervisord');
      const pid = tracker.track(await waitFor('its process under supervisord', () => appChildOf(sd, app)));
      expect(fs.readlinkSync(`/proc/${pid}/cwd`)).toBe(app.dir);
      expectNoBreakingAdvice(await audit(pid), app, 'under supervisord');
    } finally {
      await killTree(sd);
    }
    await waitPortFree(app.port);
  });

  it('2. --for runit runs under runsv, which starts it, and it answers', async () => {
    const d = tempDir('dc-apps-runit-');
    dirs.push(d);
    const svc = runitService(d, 'app', orig.units.runit);
    const runsv = startManager('runsv', [svc]);
    try {
      await waitAnswers(app, 'under runsv');
      const pid = tracker.track(await waitFor('its process under runsv', () => appChildOf(runsv, app)));
      expect(fs.readlinkSync(`/proc/${pid}/cwd`)).toBe(app.dir);
      expectNoBreakingAdvice(await audit(pid), app, 'under runsv');
    } finally {
      await killTree(runsv);
    }
    await waitPortFree(app.port);
  });

  it('4. the `daemon-check run` line of "What to do", run as printed, starts it, and it answers', async () => {
    const line = /Start it properly with: (daemon-check run .+)$/m.exec(orig.table)?.[1];
    expect(line, orig.table).toBeDefined();
    expect(line).toContain(`--chdir ${app.dir} `);
    const pidfile = /--pidfile (\S+)/.exec(line!)![1]!;
    tracker.onCleanup(() => fs.rmSync(pidfile, { force: true }));
    const r = await runLine(line!);
    expect(r.code, `${line}\n${r.stdout}${r.stderr}`).toBe(0);
    const pid = tracker.track(Number(fs.readFileSync(pidfile, 'utf8').trim()));
    try {
      await waitAnswers(app, 'started by daemon-check run');
      expect(alive(pid)).toBe(true);
      expect(fs.readlinkSync(`/proc/${pid}/cwd`)).toBe(app.dir);
      // As the user it ran as: the line is run by root here, and run starts it as whoever runs the line.
      expect(uidOf(pid)).toBe(orig.uid);
      // 5. and the audit of the daemon it started gives no advice that would break it.
      expectNoBreakingAdvice(await audit(pid), app, 'started by daemon-check run');
    } finally {
      await killTree(pid);
      fs.rmSync(pidfile, { force: true });
    }
  });
});
