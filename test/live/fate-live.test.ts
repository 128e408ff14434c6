/**
 * The fate model's predictions (docs/fate.md) checked against what really
 * happens: each test starts real processes, audits them, asserts the
 * prediction, then makes the event happen where this host can (SIGTERM,
 * SIGKILL, a supervisor's restart, logind's stop of a scope done by hand) and
 * asserts the outcome. There is no systemd here: logind's settings come from
 * host roots made in temp dirs, and its kill is emulated the way systemd stops
 * a scope (SIGTERM to every process in the cgroup, then SIGKILL).
 *
 * Every prediction is checked against what the event really does.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { audit } from '../../src/api.js';
import { supervisordConf } from '../helpers/apps.js';
import { contradictions } from '../helpers/consistency.js';
import type { Report } from '../../src/audit-types.js';
import {
  cgroupMembers,
  enterLoginScope,
  loginScopeUnsupported,
  type LoginScopeHandle,
} from '../helpers/login-scope.js';
import {
  Tracker,
  alive,
  bundleSrc,
  childOf,
  commandLine,
  findProcess,
  killPid,
  ppidOf,
  procIdentity,
  sleep,
  startPyDaemon,
  tempDir,
  uniqueSeconds,
  waitFor,
} from '../helpers/procs.js';

const tracker = new Tracker();
const scopes: LoginScopeHandle[] = [];
const children: ChildProcess[] = [];

/** Slices the helper made but had to leave: another test file put a cgroup of its own beside ours. */
const leftSlices: string[] = [];

/**
 * Scopes first: restore() moves the live members back, then removes what the
 * helper made. Our scope must go; a parent slice we made may hold another
 * test's cgroup meanwhile (they run side by side): it is retried in afterAll.
 */
async function restoreScopes(): Promise<void> {
  for (const h of scopes.splice(0).reverse()) {
    const rep = await h.restore();
    const foreign = (p: string) => /: EBUSY \(holds cgroups the helper did not make: /.test(p);
    expect(
      rep.problems.filter((p) => !foreign(p)),
      `restoring ${h.cgroupPath}`,
    ).toEqual([]);
    for (const d of Object.values(h.dirs)) expect(rep.left, `restoring ${h.cgroupPath}`).not.toContain(d);
    leftSlices.push(...rep.left);
  }
}

/** Removes the slices left behind once the other test's cgroups are gone (deepest first), for at most 20 s. */
async function removeLeftSlices(): Promise<void> {
  const todo = [...new Set(leftSlices.splice(0))].sort((a, b) => b.length - a.length);
  const deadline = Date.now() + 20_000;
  for (const d of todo) {
    for (;;) {
      try {
        fs.rmdirSync(d);
        break;
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ENOENT') break;
        if (Date.now() > deadline) {
          console.warn(`left ${d} in place (${code}): another test still has cgroups in it`);
          break;
        }
        await sleep(100);
      }
    }
  }
}

afterEach(async () => {
  await restoreScopes();
  await tracker.killAll();
});
afterAll(async () => {
  await restoreScopes();
  await tracker.killAll();
  await removeLeftSlices();
});

// ---------------------------------------------------------------- helpers

const row = (r: Report, id: string) => r.checks.find((c) => c.id === id)!;

/** Audits, and holds every report to the rule that no sentence contradicts its fate. */
async function auditOf(pid: number, hostRoot?: string): Promise<Report> {
  const r = await audit(pid, hostRoot ? { hostRoot } : {});
  expect(contradictions(r)).toEqual([]);
  return r;
}

const commOf = (pid: number): string => {
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
};
const cgroupOf = (pid: number): string => {
  try {
    return fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8');
  } catch {
    return '';
  }
};

/** Every pid whose whole command line matches. */
function findAll(re: RegExp): number[] {
  return fs
    .readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d) && re.test(commandLine(Number(d))))
    .map(Number);
}

/** A mask line of /proc/PID/status (SigIgn, SigCgt, SigBlk), or null. */
function statusMask(pid: number, field: 'SigIgn' | 'SigCgt' | 'SigBlk'): bigint | null {
  try {
    const m = new RegExp(`^${field}:\\s*([0-9a-f]+)$`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? BigInt(`0x${m[1]}`) : null;
  } catch {
    return null;
  }
}
const hasSignal = (mask: bigint | null, signo: number): boolean =>
  mask !== null && ((mask >> BigInt(signo - 1)) & 1n) === 1n;
const SIGTERM = 15;

/** Dead: gone, or a zombie (PID 1 here reaps orphans only after a second or two). */
async function waitDead(pid: number, what: string, ms = 10_000): Promise<void> {
  await waitFor(what, () => !alive(pid), ms).catch((e: Error) => {
    throw new Error(`${e.message}: ${pid} is still there: ${describeProcess(pid)}`);
  });
}

/** What /proc says about a process that did not do what was expected, for the failure message. */
function describeProcess(pid: number): string {
  const read = (f: string) => {
    try {
      return fs.readFileSync(`/proc/${pid}/${f}`, 'utf8');
    } catch (e) {
      return `(${(e as NodeJS.ErrnoException).code})`;
    }
  };
  const status = read('status')
    .split('\n')
    .filter((l) => /^(State|PPid|NSpid|Sig|ShdPnd)/.test(l))
    .join(', ');
  return `${commandLine(pid)}; ${status}; wchan ${read('wchan')}; children ${read(`task/${pid}/children`).trim() || 'none'}`;
}

/**
 * Whether it is still running after a bounded number of polls (25 x 20 ms),
 * each of which would catch its death: for "this signal does nothing".
 */
async function stillRunningAfterPolls(pid: number, polls = 25): Promise<boolean> {
  for (let i = 0; i < polls; i++) {
    if (!alive(pid)) return false;
    await sleep(20);
  }
  return alive(pid);
}

/** A child of this test (node reaps it), in a session of its own, tracked for cleanup. */
function spawnChild(cmd: string, args: string[], opts: { cwd?: string } = {}): number {
  const c = spawn(cmd, args, { stdio: 'ignore', detached: true, cwd: opts.cwd ?? '/' });
  if (c.pid === undefined) throw new Error(`could not start ${cmd}`);
  children.push(c);
  return tracker.track(c.pid);
}

/** The textbook double-forked daemon (test/subjects/pydaemon.py), tracked here. */
async function pyDaemon(): Promise<number> {
  const { pid } = await startPyDaemon(new Tracker(), []);
  return tracker.track(pid);
}

/** A setup step, named in the error when it throws. */
async function setup<T>(what: string, f: () => Promise<T>): Promise<T> {
  try {
    return await f();
  } catch (e) {
    throw new Error(`setup of "${what}" failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}

// ------------------------------------------------------------- host roots

/** The head of Debian 12's packaged /etc/systemd/logind.conf: the build default as a comment line. */
const DEBIAN_LOGIND_CONF = [
  '#  This file is part of systemd.',
  '#',
  '# Entries in this file show the compile time defaults. Local configuration',
  '# should be created by either modifying this file, or by creating "drop-ins" in',
  '# the logind.conf.d/ subdirectory. The latter is generally recommended.',
  '#',
  '# See logind.conf(5) for details.',
  '',
  '[Login]',
  '#NAutoVTs=6',
  '#ReserveVT=6',
  '#KillUserProcesses=no',
  '#KillOnlyUsers=',
  '#KillExcludeUsers=root',
  '#InhibitDelayMaxSec=5',
  '',
].join('\n');
const DROPIN = '/etc/systemd/logind.conf.d/50-dc-fate.conf';

/** The host's users, the same as this machine's for the two that matter. */
const HOST_PASSWD = 'root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n';

/**
 * A host root: a passwd, the packaged main file, these files (host path ->
 * text), and /run/systemd/system unless told otherwise.
 */
function hostRoot(files: Record<string, string> = {}, opts: { systemd?: boolean } = {}): string {
  const root = tempDir('dc-fate-host-');
  const all: Record<string, string> = {
    '/etc/passwd': HOST_PASSWD,
    '/etc/systemd/logind.conf': DEBIAN_LOGIND_CONF,
    ...files,
  };
  for (const [p, text] of Object.entries(all)) {
    const f = path.join(root, p);
    fs.mkdirSync(path.dirname(f), { recursive: true });
    fs.writeFileSync(f, text);
  }
  if (opts.systemd !== false) fs.mkdirSync(path.join(root, 'run/systemd/system'), { recursive: true });
  return root;
}

// ------------------------------------------------------------ login scopes

/** A uid in no passwd here (checked below), and one that is: nobody. */
const UNKNOWN_UID = 4343;
const NOBODY = 65534;
let sessionSeq = 0;

async function enterScope(pid: number, uid = UNKNOWN_UID): Promise<LoginScopeHandle> {
  const h = await enterLoginScope(pid, { uid, session: `${process.pid}f${++sessionSeq}` });
  scopes.push(h);
  return h;
}

/** Puts one more live process into the same scope, in both hierarchies (restore() moves it back). */
function addToScope(h: LoginScopeHandle, pid: number): void {
  for (const d of Object.values(h.dirs)) fs.writeFileSync(path.join(d!, 'cgroup.procs'), `${pid}\n`);
}

/**
 * What systemd does when logind stops a session's scope (KillMode=control-group):
 * SIGTERM to every process in the scope's cgroup, a wait for the scope to
 * empty (TimeoutStopSec, 90 s there; here until it is empty or has not shrunk
 * for 1 s, at most 5 s), then SIGKILL to whatever is left. Returns who got which.
 */
async function logindStopsScope(h: LoginScopeHandle): Promise<{ termed: number[]; killed: number[] }> {
  const d = h.dirs.unified!;
  const termed = cgroupMembers(d);
  for (const p of termed) killPid(p, 'SIGTERM');
  const end = Date.now() + 5_000;
  let left = cgroupMembers(d);
  let since = Date.now();
  while (left.length > 0 && Date.now() - since < 1_000 && Date.now() < end) {
    await sleep(20);
    const now = cgroupMembers(d);
    if (now.length < left.length) since = Date.now();
    left = now;
  }
  const killed = cgroupMembers(d);
  for (const p of killed) killPid(p, 'SIGKILL');
  await waitFor('the scope to empty', () => cgroupMembers(d).length === 0, 5_000);
  return { termed: termed.sort(), killed: killed.sort() };
}

/** A python script in a directory anyone can read. */
function pyScript(name: string, text: string): string {
  const d = tempDir('dc-fate-py-');
  fs.chmodSync(d, 0o755);
  const f = path.join(d, name);
  fs.writeFileSync(f, text);
  return f;
}
/** Catches SIGTERM and carries on. */
const CATCHER =
  'import signal, time\nsignal.signal(signal.SIGTERM, lambda *a: None)\nwhile True:\n    time.sleep(60)\n';

/** The audit, run by a node process as nobody (the current src/, bundled). */
let bundle: string | null = null;
async function auditAsNobody(pid: number, root: string): Promise<Report> {
  if (!bundle) {
    const d = tempDir('dc-fate-bundle-');
    fs.chmodSync(d, 0o755);
    const out = path.join(d, 'audit.mjs');
    await bundleSrc(
      out,
      { audit: 'api.ts' },
      'audit(Number(process.argv[2]), { hostRoot: process.argv[3] }).then(' +
        '(r) => process.stdout.write(JSON.stringify(r)), (e) => { process.stderr.write(String(e?.stack ?? e)); process.exit(1); });',
    );
    bundle = out;
  }
  const r = spawnSync(process.execPath, [bundle, String(pid), root], {
    uid: NOBODY,
    gid: NOBODY,
    encoding: 'utf8',
    cwd: '/',
    timeout: 20_000,
  });
  expect(r.status, r.stderr).toBe(0);
  const rep = JSON.parse(r.stdout) as Report;
  expect(rep.auditorUid).toBe(NOBODY);
  expect(contradictions(rep)).toEqual([]);
  return rep;
}

// ----------------------------------------------- cron: started first thing

/**
 * cron runs a job at the next minute boundary, so it is started before
 * anything else and its job is looked at last: the other tests run meanwhile.
 */
const CRON_SECS = uniqueSeconds();
const CRON_JOB = new RegExp(`^sleep ${CRON_SECS}$`);
const CRON_FILE = `/etc/cron.d/dc-test-${process.pid}-${CRON_SECS}`;
const cronState = { started: 0, pid: null as number | null, refused: '' };

beforeAll(async () => {
  // Debian's cron skips cron.d names with dots; it wants root's, mode 0644.
  fs.writeFileSync(CRON_FILE, `* * * * * root sleep ${CRON_SECS}\n`, { mode: 0o644 });
  cronState.started = Date.now();
  const c = spawn('/usr/sbin/cron', ['-f'], { stdio: ['ignore', 'ignore', 'pipe'], detached: true, cwd: '/' });
  children.push(c);
  c.stderr!.on('data', (d: Buffer) => (cronState.refused += d.toString()));
  let exited = false;
  c.once('exit', () => (exited = true));
  // It writes its pid to /run/crond.pid once it holds the lock; a cron already running makes it exit.
  const pidfile = (): string => {
    try {
      return fs.readFileSync('/run/crond.pid', 'utf8').trim();
    } catch {
      return '';
    }
  };
  await waitFor('cron to take its pidfile lock (or refuse)', () => exited || pidfile() === String(c.pid), 10_000).catch(
    () => undefined,
  );
  cronState.pid = exited ? null : (c.pid ?? null);
});

afterAll(async () => {
  fs.rmSync(CRON_FILE, { force: true });
  // Our cron, then its job children (CRON), the jobs' shells and the jobs: by pid, never by name.
  const jobs = findAll(CRON_JOB);
  const shells = jobs
    .map(ppidOf)
    .filter((p): p is number => p !== null && commandLine(p) === `/bin/sh -c sleep ${CRON_SECS}`);
  const cronChildren = shells
    .map(ppidOf)
    .filter((p): p is number => p !== null && p > 1 && commOf(p) === 'cron' && p !== cronState.pid);
  const ours = [...(cronState.pid !== null ? [cronState.pid] : []), ...cronChildren, ...shells, ...jobs];
  for (const p of ours) killPid(p, 'SIGKILL');
  for (const p of ours) await waitDead(p, `cron process ${p} to exit`, 5_000).catch(() => undefined);
});

// ====================================================================== 1

describe('logout: logind, without a logind (host roots in temp dirs, a real daemon in a login scope)', () => {
  beforeAll(() => {
    const unsupported = loginScopeUnsupported();
    if (unsupported) throw new Error(`cannot place a process in a login scope here: ${unsupported}`);
    const passwd = fs.readFileSync('/etc/passwd', 'utf8');
    if (new RegExp(`^[^:]*:[^:]*:${UNKNOWN_UID}:`, 'm').test(passwd))
      throw new Error(`uid ${UNKNOWN_UID} is in /etc/passwd here`);
    if (!/^nobody:[^:]*:65534:/m.test(passwd)) throw new Error('no nobody (65534) in /etc/passwd here');
  });

  it('KillUserProcesses=yes in a drop-in: critical, not-a-daemon, dies by systemd-logind naming file:line; the stop done by hand kills it, and SIGKILL gets an ignorer and a catcher', async () => {
    const root = hostRoot({ [DROPIN]: '[Login]\nKillUserProcesses=yes\n' });
    const pid = await pyDaemon();
    const h = await enterScope(pid);
    const r = await auditOf(pid, root);
    expect(row(r, 'outside-login-scope')).toMatchObject({ status: 'fail', severity: 'critical' });
    expect(row(r, 'outside-login-scope').observed).toContain(h.cgroupPath);
    expect(r.verdict).toBe('not-a-daemon');
    expect(r.fate.logout).toMatchObject({ outcome: 'dies', by: 'systemd-logind' });
    expect(r.fate.logout.why).toContain(`${DROPIN}:2`);
    expect(r.fate.logout.why).toContain(`session-${h.session}.scope`);
    expect(r.fate.logout.why).toMatch(
      /SIGTERM, then SIGKILL, to every process in it, whatever its signal dispositions/,
    );
    // The textbook daemon catches SIGTERM and exits: logind's SIGTERM alone ends it.
    expect(r.fate.stop.outcome).toBe('dies');

    // Two more in the same scope: one ignores SIGTERM, one catches it and carries on.
    const secs = uniqueSeconds();
    const ignorer = spawnChild('sh', ['-c', `trap '' TERM; exec sleep ${secs}`]);
    await waitFor(
      'the ignorer to exec sleep with SIGTERM ignored',
      () => commandLine(ignorer) === `sleep ${secs}` && hasSignal(statusMask(ignorer, 'SigIgn'), SIGTERM),
    );
    const catcher = spawnChild('/usr/bin/python3', [pyScript('catcher.py', CATCHER)]);
    await waitFor('the catcher to install its handler', () => hasSignal(statusMask(catcher, 'SigCgt'), SIGTERM));
    addToScope(h, ignorer);
    addToScope(h, catcher);
    const ri = await auditOf(ignorer, root);
    expect(ri.fate.stop).toMatchObject({ outcome: 'lives' });
    expect(ri.fate.stop.why).toMatch(/ignores SIGTERM/);
    expect(ri.fate.logout).toMatchObject({ outcome: 'dies', by: 'systemd-logind' });
    const rc = await auditOf(catcher, root);
    expect(rc.fate.stop).toMatchObject({ outcome: 'dies', unless: 'its SIGTERM handler does not exit' });
    expect(rc.fate.logout).toMatchObject({ outcome: 'dies', by: 'systemd-logind' });

    // The event, as systemd carries it out when logind stops the scope.
    const { termed, killed } = await logindStopsScope(h);
    expect(termed).toEqual([pid, ignorer, catcher].sort());
    // The daemon was gone after SIGTERM; the ignorer and the catcher were still there for SIGKILL.
    expect(killed).toEqual([ignorer, catcher].sort());
    for (const p of [pid, ignorer, catcher]) await waitDead(p, `${p} to be dead after the scope's stop`);
  });

  it('KillUserProcesses=no: warns, and logind leaves it running', async () => {
    const root = hostRoot({ [DROPIN]: '[Login]\nKillUserProcesses=no\n' });
    const pid = await pyDaemon();
    await enterScope(pid);
    const r = await auditOf(pid, root);
    expect(row(r, 'outside-login-scope').status).toBe('warn');
    expect(row(r, 'outside-login-scope').detail).toMatch(/logind would leave it running today/);
    expect(r.fate.logout.outcome).toBe('lives');
    expect(r.fate.logout.why).toContain(`KillUserProcesses=no (${DROPIN}:2)`);
    expect(r.fate.logout.by).toBeUndefined();
    expect(r.verdict).not.toBe('not-a-daemon');
  });

  it("the scope's user (uid 65534, nobody in passwd) listed in KillExcludeUsers: lives", async () => {
    const root = hostRoot({ [DROPIN]: '[Login]\nKillUserProcesses=yes\nKillExcludeUsers=nobody\n' });
    const pid = await pyDaemon();
    await enterScope(pid, NOBODY);
    const r = await auditOf(pid, root);
    expect(row(r, 'outside-login-scope').status).toBe('warn');
    expect(r.fate.logout.outcome).toBe('lives');
    expect(r.fate.logout.why).toContain(`nobody is listed in KillExcludeUsers= (${DROPIN}:3)`);
  });

  it('a uid with no passwd entry is named by its number (so a KillOnlyUsers= list of names does not hold it)', async () => {
    const root = hostRoot({ [DROPIN]: '[Login]\nKillUserProcesses=yes\nKillOnlyUsers=alice\n' });
    const pid = await pyDaemon();
    await enterScope(pid, UNKNOWN_UID);
    const r = await auditOf(pid, root);
    expect(r.fate.logout.outcome).toBe('lives');
    expect(r.fate.logout.why).toContain(`KillOnlyUsers= (${DROPIN}:3) does not list ${UNKNOWN_UID}`);
  });

  it('KillUserProcesses= set nowhere, Debian\'s "#KillUserProcesses=no" in the main file: lives, unless the build default is yes', async () => {
    const root = hostRoot();
    const pid = await pyDaemon();
    await enterScope(pid);
    const r = await auditOf(pid, root);
    expect(row(r, 'outside-login-scope').status).toBe('warn');
    expect(r.fate.logout.outcome).toBe('lives');
    expect(r.fate.logout.why).toMatch(
      /KillUserProcesses= is set nowhere, and this logind\.conf's commented default line says no/,
    );
    expect(r.fate.logout.unless).toMatch(/built with KillUserProcesses=yes/);
    expect(r.fate.logout.unless).toContain(
      'busctl get-property org.freedesktop.login1 /org/freedesktop/login1 org.freedesktop.login1.Manager KillUserProcesses',
    );
  });

  it('no /run/systemd/system: systemd is not pid 1, nothing kills the scope, even with KillUserProcesses=yes', async () => {
    const root = hostRoot({ [DROPIN]: '[Login]\nKillUserProcesses=yes\n' }, { systemd: false });
    const pid = await pyDaemon();
    await enterScope(pid);
    const r = await auditOf(pid, root);
    expect(row(r, 'outside-login-scope').status).toBe('warn');
    expect(r.fate.logout.outcome).toBe('lives');
    expect(r.fate.logout.why).toMatch(/systemd is not pid 1 here \(\/run\/systemd\/system is missing under /);
    expect(r.fate.logout.why).toContain(root);
  });

  it('a chmod 000 drop-in: unknown for an auditor that cannot read it (nobody), decided for root, who reads it as logind does', async () => {
    const locked = '/etc/systemd/logind.conf.d/10-locked.conf';
    const root = hostRoot({
      [DROPIN]: '[Login]\nKillUserProcesses=yes\n',
      [locked]: '[Login]\nKillExcludeUsers=nobody\n',
    });
    fs.chmodSync(root, 0o755); // mkdtemp makes it 0700: nobody must reach the file to be refused by its mode
    fs.chmodSync(path.join(root, locked), 0o000);
    const pid = await pyDaemon();
    await enterScope(pid, NOBODY);
    const r = await auditAsNobody(pid, root);
    expect(r.fate.logout.outcome).toBe('unknown');
    expect(r.fate.logout.why).toContain(
      `${locked}: cannot be read by this user (EACCES), though logind, as root, reads it`,
    );
    const check = r.checks.find((c) => c.id === 'outside-login-scope')!;
    expect(check.status).toBe('warn');
    expect(check.detail).toMatch(/whether logind kills it is unknown/);
    // logind runs as root and reads a mode-000 file; so does a root auditor.
    const asRoot = await auditOf(pid, root);
    expect(asRoot.fate.logout.outcome).toBe('lives');
    expect(asRoot.fate.logout.why).toContain(`nobody is listed in KillExcludeUsers= (${locked}:2)`);
  });

  // systemd v252 lists drop-ins with no type check (conf_files_list_dropins, flags 0): a
  // directory named like one is fopen()ed, its read fails with EISDIR and config_parse_many()
  // stops there, so later drop-ins are never applied. The outcome is then unknown, naming it.
  it('a directory where a drop-in should be stops logind\'s parse: logout is not "lives" but unknown, naming it', async () => {
    const r = await setup('directory drop-in', async () => {
      const root = hostRoot({
        '/etc/systemd/logind.conf': `${DEBIAN_LOGIND_CONF}KillUserProcesses=yes\n`,
        '/etc/systemd/logind.conf.d/60-no.conf': '[Login]\nKillUserProcesses=no\n',
      });
      const dropinDir = path.join(root, 'etc/systemd/logind.conf.d/40-dir.conf');
      fs.mkdirSync(dropinDir);
      // What fopen()+read() give for it: the open succeeds, the read fails (cat does both).
      expect(spawnSync('cat', [dropinDir], { encoding: 'utf8' }).stderr).toMatch(/Is a directory/);
      const pid = await pyDaemon();
      await enterScope(pid);
      return auditOf(pid, root);
    });
    expect(r.fate.logout.outcome).toBe('unknown');
    expect(r.fate.logout.why).toContain('/etc/systemd/logind.conf.d/40-dir.conf');
  });

  // logind names the scope's uid from the host's passwd: with --host-root, the host root's.
  it("the scope's uid is named from the host root's passwd, as the host's logind names it", async () => {
    const r = await setup('host passwd', async () => {
      const root = hostRoot({
        '/etc/passwd': `${HOST_PASSWD}dcfate:x:${UNKNOWN_UID}:${UNKNOWN_UID}::/nonexistent:/usr/sbin/nologin\n`,
        [DROPIN]: '[Login]\nKillUserProcesses=yes\nKillExcludeUsers=dcfate\n',
      });
      const pid = await pyDaemon();
      await enterScope(pid, UNKNOWN_UID);
      return auditOf(pid, root);
    });
    expect(r.fate.logout.outcome).toBe('lives');
    expect(r.fate.logout.why).toContain(`dcfate is listed in KillExcludeUsers= (${DROPIN}:3)`);
  });

  it('a daemon in no login scope: outside-login-scope passes, logout lives whatever logind.conf says', async () => {
    const root = hostRoot({ [DROPIN]: '[Login]\nKillUserProcesses=yes\n' });
    const pid = await pyDaemon();
    const r = await auditOf(pid, root);
    expect(row(r, 'outside-login-scope').status).toBe('pass');
    expect(r.fate.logout.outcome).toBe('lives');
    expect(r.fate.logout.why).toMatch(/not in a login session's scope cgroup/);
  });
});

// ====================================================================== 2

describe('stop: the init of a pid namespace (unshare --fork --pid --mount-proc, under setsid -f)', () => {
  /**
   * Starts CMD as pid 1 of a new pid namespace, outside this test's process
   * group; returns its host pid and unshare's. The init is found by the
   * command it runs (until its exec, unshare's child has unshare's command
   * line: the newest "unshare ..." may be that child), and unshare is its parent.
   */
  async function nsInit(cmd: string[], match: RegExp): Promise<{ init: number; unshare: number }> {
    execFileSync('setsid', ['-f', 'unshare', '--fork', '--pid', '--mount-proc', ...cmd], { stdio: 'ignore', cwd: '/' });
    // tini's child runs tini's command line too until its own exec: the init is the one whose parent is unshare.
    const init = tracker.track(
      await waitFor(
        'the namespace init',
        () => findAll(match).find((p) => commandLine(ppidOf(p) ?? 0).startsWith('unshare ')),
        20_000,
      ),
    );
    const unshare = tracker.track(ppidOf(init)!);
    expect(commandLine(unshare)).toBe(`unshare --fork --pid --mount-proc ${cmd.join(' ')}`);
    expect(fs.readFileSync(`/proc/${init}/status`, 'utf8')).toMatch(new RegExp(`^NSpid:\\s+${init}\\s+1$`, 'm'));
    return { init, unshare };
  }

  it('sleep as its init: SIGTERM from the host is dropped by the kernel, SIGKILL is not', async () => {
    const secs = uniqueSeconds();
    const { init, unshare } = await nsInit(['sleep', String(secs)], new RegExp(`^sleep ${secs}$`));
    const r = await auditOf(init);
    expect(r.startedAs.kind).toBe('namespace-init');
    expect(r.fate.stop).toMatchObject({ outcome: 'lives', by: 'the kernel' });
    expect(r.fate.stop.why).toMatch(new RegExp(`init of its pid namespace \\(NSpid ${init} 1\\)`));
    expect(row(r, 'init-duties').status).toBe('warn');
    expect(row(r, 'init-duties').detail).toMatch(/SIGTERM is left at its default action\b.*\bdoes not stop on SIGTERM/);

    process.kill(init, 'SIGTERM');
    expect(await stillRunningAfterPolls(init)).toBe(true);
    expect(procIdentity(init)?.state).toBe('S');
    process.kill(init, 'SIGKILL');
    await waitDead(init, 'the namespace init to die of SIGKILL');
    await waitDead(unshare, 'unshare to exit with its child');
  });

  it('tini as its init: it forwards SIGTERM to its child, and both end', async () => {
    const secs = uniqueSeconds();
    const { init: tini } = await nsInit(['tini', '--', 'sleep', String(secs)], new RegExp(`^tini -- sleep ${secs}$`));
    const child = tracker.track(await waitFor("tini's child", () => childOf(tini, 'sleep')));
    const r = await auditOf(tini);
    expect(r.startedAs.kind).toBe('namespace-init');
    expect(r.fate.stop).toMatchObject({ outcome: 'dies', by: `tini (${tini})` });
    expect(r.fate.stop.why).toContain(`forwards it to its child sleep (${child})`);
    expect(row(r, 'init-duties').status).toBe('pass');
    const rc = await auditOf(child);
    expect(rc.fate.crash.outcome).toBe('dies');
    expect(rc.fate.crash.why).toMatch(/container init/);

    process.kill(tini, 'SIGTERM');
    await waitDead(child, "tini's child to die of the forwarded SIGTERM");
    await waitDead(tini, 'tini to exit with its child');
  });

  it('a python init with a SIGTERM handler that exits: dies on SIGTERM', async () => {
    const secs = uniqueSeconds();
    const script = pyScript(
      'nsinit.py',
      'import os, signal, time\nsignal.signal(signal.SIGTERM, lambda *a: os._exit(0))\nwhile True:\n    time.sleep(60)\n',
    );
    const match = new RegExp(`^/usr/bin/python3 ${script.replace(/[.]/g, '\\.')} ${secs}$`);
    const { init } = await nsInit(['/usr/bin/python3', script, String(secs)], match);
    await waitFor('its SIGTERM handler', () => hasSignal(statusMask(init, 'SigCgt'), SIGTERM));
    const r = await auditOf(init);
    expect(r.startedAs.kind).toBe('namespace-init');
    expect(r.fate.stop).toMatchObject({ outcome: 'dies', unless: 'its SIGTERM handler does not exit' });
    expect(r.fate.stop.why).toMatch(/init of its pid namespace .* catches SIGTERM/);
    expect(row(r, 'init-duties').status).toBe('pass');

    process.kill(init, 'SIGTERM');
    await waitDead(init, 'the python init to exit from its handler');
  });
});

// ====================================================================== 3

describe('crash: real supervisors start it again', () => {
  it('runsv restarts a SIGKILLed service; runsvdir blocks SIGCHLD by design', async () => {
    const d = tempDir('dc-fate-runit-');
    const secs = uniqueSeconds();
    const svc = `dcf${secs}`;
    fs.mkdirSync(path.join(d, svc));
    fs.writeFileSync(path.join(d, svc, 'run'), `#!/bin/sh\nexec sleep ${secs}\n`, { mode: 0o755 });
    const runsvdir = spawnChild('runsvdir', ['-P', d]);
    const runsv = tracker.track(await waitFor('runsv', () => childOf(runsvdir, 'runsv')));
    const first = tracker.track(await waitFor('the service', () => childOf(runsv, 'sleep'), 15_000));
    const r = await auditOf(first);
    expect(r.profile).toBe('managed');
    expect(r.startedAs.kind).toBe('supervised');
    expect(r.fate.crash).toMatchObject({ outcome: 'lives', by: `runsv (${runsv})` });
    expect(r.fate.crash.unless).toMatch(/marked down/);

    process.kill(first, 'SIGKILL');
    const again = tracker.track(
      await waitFor(
        'runsv to start the service again',
        () => {
          const c = childOf(runsv, 'sleep');
          return c && c !== first && commandLine(c) === `sleep ${secs}` ? c : null;
        },
        15_000,
      ),
    );
    expect(ppidOf(again)).toBe(runsv);
    expect(alive(first)).toBe(false);

    const rd = await auditOf(runsvdir);
    expect(rd.facts.signals!.blocked).toContain('SIGCHLD');
    expect(row(rd, 'signal-mask').status).toBe('pass');
    expect(row(rd, 'signal-mask').detail).toMatch(/by design/);
  });

  describe('supervisord', () => {
    const supervisorConf = (d: string, secs: number): string =>
      supervisordConf(d, `[program:dcf${secs}]\ncommand=sleep ${secs}\nstartsecs=0\n`, ['nodaemon=true']);

    const found: { sd?: number; detail?: string; tempName?: string; tempBindable?: boolean } = {};

    it('restarts a SIGKILLed program; its control socket is a single-instance guard that refuses a second supervisord', async () => {
      const d = tempDir('dc-fate-supervisord-');
      const secs = uniqueSeconds();
      const conf = supervisorConf(d, secs);
      const sd = spawnChild('supervisord', ['-c', conf]);
      const first = tracker.track(await waitFor('the program', () => childOf(sd, 'sleep'), 15_000));
      const r = await auditOf(first);
      expect(r.profile).toBe('managed');
      expect(r.startedAs.kind).toBe('supervised');
      expect(r.fate.crash).toMatchObject({ outcome: 'lives', by: `supervisord (${sd})` });
      expect(r.fate.crash.unless).toMatch(/autorestart=false/);

      process.kill(first, 'SIGKILL');
      const again = tracker.track(
        await waitFor(
          'supervisord to start the program again',
          () => {
            const c = childOf(sd, 'sleep');
            return c && c !== first && commandLine(c) === `sleep ${secs}` ? c : null;
          },
          15_000,
        ),
      );
      expect(ppidOf(again)).toBe(sd);

      const rs = await auditOf(sd);
      const guard = row(rs, 'single-instance');
      expect(guard.status).toBe('pass');
      expect(guard.observed).toMatch(/^unix socket:\[\d+\] \(listening\)/);
      expect(guard.detail).toMatch(/bind-time name has since been removed or renamed/);
      found.sd = sd;
      found.detail = guard.detail;

      // What refuses a second copy: supervisord hard-links its socket to the configured name
      // and a second one, failing to link, connects to it and finds a listener.
      const second = spawnSync('supervisord', ['-c', conf], { encoding: 'utf8', timeout: 20_000, cwd: '/' });
      expect(second.signal).toBeNull();
      expect(second.status).not.toBe(0);
      expect(`${second.stdout}${second.stderr}`).toMatch(/Another program is already listening/);
      expect(alive(sd)).toBe(true);

      // The name it was bound under (supervisor/http.py binds "<file>.<pid>", links, unlinks) is gone:
      // anyone can bind it again.
      found.tempName = `${d}/supervisor.sock.${sd}`;
      expect(fs.existsSync(found.tempName)).toBe(false);
      const bind = spawnSync(
        '/usr/bin/python3',
        ['-c', 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])', found.tempName],
        { encoding: 'utf8' },
      );
      found.tempBindable = bind.status === 0;
      fs.rmSync(found.tempName, { force: true });
      expect(found.tempBindable, bind.stderr).toBe(true);
    });

    // /proc/net/unix keeps the bind-time name: supervisord binds "<file>.<pid>", hard-links it to
    // <file> and unlinks the first (supervisor/http.py). That name guards nothing and is not offered.
    it('single-instance does not offer the unlinked bind-time name as the guard', () => {
      expect(
        found.detail && found.tempName && found.tempBindable,
        'the test above saw the bind-time name unlinked and bindable',
      ).toBeTruthy();
      expect(found.detail).not.toContain(found.tempName);
    });
  });
});

// ====================================================================== 4

describe('sessions without a terminal: atd and cron', () => {
  it("an at job runs under a child of atd, in atd's session: at-job, own-session warns naming atd", async () => {
    // An atd already running (not one of its own job children) does the job; else a private one.
    const running = fs
      .readdirSync('/proc')
      .filter((p) => /^\d+$/.test(p))
      .map(Number)
      .filter((p) => commOf(p) === 'atd' && alive(p) && commOf(ppidOf(p) ?? 0) !== 'atd');
    let atd = running[0] ?? null;
    let started = false;
    if (atd === null) {
      const c = spawn('/usr/sbin/atd', ['-f'], { stdio: 'ignore', detached: true, cwd: '/' });
      children.push(c);
      atd = c.pid!;
      started = true;
      await waitFor('atd to write its pidfile', () => {
        try {
          return fs.readFileSync('/run/atd.pid', 'utf8').trim() === String(atd);
        } catch {
          return false;
        }
      });
    }
    const secs = uniqueSeconds();
    let job: number | null = null;
    let atJob: string | null = null;
    try {
      const q = spawnSync('at', ['now'], { input: `sleep ${secs}\n`, encoding: 'utf8', cwd: '/' });
      expect(q.status, q.stderr).toBe(0);
      atJob = /job (\d+) at/.exec(q.stderr)?.[1] ?? null;
      job = await waitFor('the at job', () => findProcess(new RegExp(`^sleep ${secs}$`)), 15_000);
      const sh = ppidOf(job)!;
      const atdChild = ppidOf(sh)!;
      expect(commandLine(atdChild)).toMatch(/atd/);
      expect(ppidOf(atdChild)).toBe(atd);
      const r = await auditOf(job);
      expect(r.startedAs.kind).toBe('at-job');
      expect(r.startedAs.detail).toContain(`atd (${atdChild})`);
      expect(row(r, 'own-session').status).toBe('warn');
      expect(row(r, 'own-session').detail).toContain(`under atd (${atdChild})`);
      expect(row(r, 'own-session').detail).toMatch(/atd mails what the job writes/);
      expect(r.facts.sid).toBe(atd);
      expect(r.fate.hangup.outcome).toBe('lives');
    } finally {
      // The job first: atd's child then finishes the job and removes its spool file.
      if (job !== null) {
        const sh = ppidOf(job);
        const atdChild = sh ? ppidOf(sh) : null;
        killPid(job, 'SIGKILL');
        if (atdChild && atdChild !== atd)
          await waitDead(atdChild, "atd's job child to finish", 10_000).catch(() => undefined);
      }
      if (
        atJob &&
        spawnSync('atq', { encoding: 'utf8' })
          .stdout.split('\n')
          .some((l) => l.split(/\s+/)[0] === atJob)
      )
        spawnSync('atrm', [atJob]);
      // SIGTERM: atd removes /run/atd.pid, so `at` never signals a stale pid.
      if (started) {
        killPid(atd, 'SIGTERM');
        await waitDead(atd, 'atd to exit', 5_000).catch(() => killPid(atd!, 'SIGKILL'));
      }
    }
  });

  it('a cron job: its shell leads a session under a cron child; own-session warns naming cron and where the output goes', async () => {
    const deadline = cronState.started + 75_000;
    const job = await waitFor(
      `the cron job (cron ${cronState.pid ?? 'already running'}${cronState.refused ? `: ${cronState.refused.trim()}` : ''})`,
      () => findProcess(CRON_JOB),
      Math.max(1, deadline - Date.now()),
    );
    tracker.track(job);
    const sh = ppidOf(job)!;
    const cronChild = ppidOf(sh)!;
    tracker.track(sh);
    if (cronState.pid !== null) expect(ppidOf(cronChild)).toBe(cronState.pid);
    const r = await auditOf(job);
    fs.rmSync(CRON_FILE, { force: true }); // no second run next minute
    expect(r.facts.sid).toBe(sh);
    expect(r.facts.sessionLeader).toEqual({ pid: sh, comm: 'sh' });
    expect(r.startedAs.kind).toBe('cron-job');
    expect(r.startedAs.detail).toContain(`cron (${cronChild})`);
    const own = row(r, 'own-session');
    expect(own.status).toBe('warn');
    expect(own.detail).toContain(`cron (${cronChild})`);
    // Debian's cron: the output goes to a temporary file it unlinked and holds, mailed when the shell exits.
    const fd1 = fs.readlinkSync(`/proc/${job}/fd/1`);
    expect(fd1).toMatch(/ \(deleted\)$/);
    expect(own.detail).toContain(`collects the job's output in a temporary file (${fd1})`);
    expect(r.fate.hangup.outcome).toBe('lives');
    expect(r.fate.hangup.why).toMatch(/Neither it nor its session has a controlling terminal/);
  }, 100_000);
});

// ====================================================================== 5

describe('logout: a detached tmux server in a login scope', () => {
  const found: { pane?: Report; paneDiedWithServer?: boolean; paneSignalled?: boolean } = {};

  it('the server: single-fork, dies on logout; a window opened after the move is in the scope and dies; one born before is not in it', async () => {
    const root = hostRoot({ [DROPIN]: '[Login]\nKillUserProcesses=yes\n' });
    const sock = `dc-fate-${process.pid}-${uniqueSeconds()}`;
    const [s1, s2] = [uniqueSeconds(), uniqueSeconds()];
    const tmux = (...args: string[]) =>
      execFileSync('tmux', ['-L', sock, '-f', '/dev/null', ...args], {
        encoding: 'utf8',
        cwd: '/',
        env: { ...process.env, TMUX: '' },
      });
    tmux('new-session', '-d', `sleep ${s1}`);
    const [serverText, paneText, socketPath] = tmux('display-message', '-p', '#{pid} #{pane_pid} #{socket_path}')
      .trim()
      .split(' ') as [string, string, string];
    tracker.onCleanup(() => execFileSync('tmux', ['-L', sock, 'kill-server'], { stdio: 'ignore' }));
    // A server killed by a signal leaves its socket behind.
    tracker.onCleanup(() => fs.rmSync(socketPath, { force: true }));
    const server = tracker.track(Number(serverText));
    const pane1 = tracker.track(Number(paneText));
    await waitFor('the first pane to run sleep', () => commandLine(pane1) === `sleep ${s1}`);

    // The server goes into a login scope after it forked its first pane: only what it forks from now on is born there.
    const h = await enterScope(server);
    tmux('new-window', '-d', `sleep ${s2}`);
    const pane2 = tracker.track(await waitFor('the second window', () => findProcess(new RegExp(`^sleep ${s2}$`))));
    expect(ppidOf(pane2)).toBe(server);
    expect(cgroupOf(pane2)).toContain(`0::${h.cgroupPath}\n`);
    expect(cgroupOf(pane1)).not.toContain('session-');

    const rs = await auditOf(server, root);
    expect(rs.startedAs.kind).toBe('single-fork');
    expect(rs.fate.logout).toMatchObject({ outcome: 'dies', by: 'systemd-logind' });
    expect(row(rs, 'outside-login-scope')).toMatchObject({ status: 'fail', severity: 'critical' });

    const r2 = await auditOf(pane2, root);
    expect(r2.startedAs.kind).toBe('multiplexer-pane');
    expect(r2.startedAs.detail).toContain(`tmux: server (${server})`);
    expect(r2.fate.hangup.outcome).toBe('lives');
    expect(r2.fate.logout).toMatchObject({ outcome: 'dies', by: 'systemd-logind' });

    const r1 = await auditOf(pane1, root);
    expect(r1.startedAs.kind).toBe('multiplexer-pane');
    expect(r1.fate.hangup.outcome).toBe('lives');
    expect(row(r1, 'outside-login-scope').status).toBe('pass'); // true: its own cgroup is no login scope
    found.pane = r1;

    // The event: logind stops the scope. The server and the second window get the signals.
    const { termed } = await logindStopsScope(h);
    expect(termed).toEqual([server, pane2].sort());
    await waitDead(server, 'the tmux server');
    await waitDead(pane2, 'the window born in the scope');
    // The first pane was signalled by nobody, but its terminal was the dead server's pty:
    // the kernel hangs it up and sends SIGHUP to its session's leader, the sleep.
    found.paneSignalled = termed.includes(pane1);
    await waitFor('the first pane to die with its server', () => !alive(pane1), 5_000).then(
      () => (found.paneDiedWithServer = true),
      () => (found.paneDiedWithServer = false),
    );
    expect(found.paneDiedWithServer).toBe(true);
  });

  // A pane's terminal is its server's pty: when logind ends the server's scope, the kernel hangs
  // the pane up even though the pane itself is in no scope.
  it('a pane born outside the scope dies with its server: fate.logout follows the multiplexer server', () => {
    expect(
      found.pane && found.paneDiedWithServer === true && found.paneSignalled === false,
      'the test above saw the unsignalled pane die with its server',
    ).toBe(true);
    expect(found.pane!.fate.logout.outcome).toBe('dies');
  });
});
