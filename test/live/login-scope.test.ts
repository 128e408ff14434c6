/**
 * A process in a login session's scope cgroup, made for real: the helper puts
 * a child where logind would and the pure /proc/PID/cgroup parser must find
 * it, in the cgroup2 tree and the v1 name=systemd tree. Everything is put back.
 * The parser alone, on cgroup lines: test/unit/cgroup-scope.test.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cgroupPlacements, findLoginScope, systemdCgroupLines } from '../../src/proc/cgroup-scope.js';
import {
  HIERARCHIES,
  cgroupMembers,
  cgroupMounts,
  enterLoginScope,
  loginScopeUnsupported,
  type LoginScopeHandle,
} from '../helpers/login-scope.js';
import { killPid, procIdentity, waitFor } from '../helpers/procs.js';

const mounts = cgroupMounts();
const unsupported = loginScopeUnsupported(mounts);
const UID = 4242;

/** The directories under user.slice (or that it is absent) in both trees. */
function tree(): Record<string, string[] | null> {
  const walk = (d: string): string[] =>
    fs
      .readdirSync(d, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .flatMap((e) => [path.join(d, e.name), ...walk(path.join(d, e.name))]);
  return Object.fromEntries(
    HIERARCHIES.map((h) => {
      const top = path.join(mounts[h]!, 'user.slice');
      return [h, fs.existsSync(top) ? [top, ...walk(top)].sort() : null];
    }),
  );
}
const cgroupOf = (pid: number): string => fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8');
const systemdLines = (pid: number) => systemdCgroupLines(cgroupOf(pid));

const children: ChildProcess[] = [];
const otherPids: number[] = [];
const handles: LoginScopeHandle[] = [];
const cleanups: Array<() => void> = [];
afterEach(async () => {
  for (const h of handles.splice(0)) await h.restore();
  for (const f of cleanups.splice(0).reverse()) f();
  for (const pid of otherPids.splice(0)) killPid(pid);
  for (const c of children.splice(0)) {
    if (c.exitCode === null && c.signalCode === null) {
      const exited = new Promise((r) => c.once('exit', r));
      c.kill('SIGKILL');
      await exited;
    }
  }
});

/** A child of this test (so node reaps it), running until killed. */
async function child(script: string): Promise<ChildProcess & { pid: number }> {
  const c = spawn('sh', ['-c', script], { stdio: ['pipe', 'pipe', 'ignore'] });
  children.push(c);
  await new Promise((ok, fail) => {
    c.once('spawn', ok);
    c.once('error', fail);
  });
  return c as ChildProcess & { pid: number };
}
const firstLine = (c: ChildProcess): Promise<string> =>
  new Promise((ok) => {
    let buf = '';
    c.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      if (buf.includes('\n')) ok(buf.split('\n')[0]!);
    });
  });
async function enter(pid: number, session: string): Promise<LoginScopeHandle> {
  const h = await enterLoginScope(pid, { uid: UID, session, mounts });
  handles.push(h);
  return h;
}
const session = (n: number): string => `${process.pid}${n}`;

// CI runs as root with both cgroup trees writable: a host without them fails here, it is not skipped.
describe('live login scope (root, both hierarchies writable)', () => {
  beforeAll(() => {
    if (unsupported !== null) throw new Error(`cannot place a process in a login scope here: ${unsupported}`);
  });

  it('a sleep moved into session-N.scope is found by the parser in both hierarchies; restore puts all back', async () => {
    const before = tree();
    const c = await child('exec sleep 300');
    const origin = systemdLines(c.pid);
    const h = await enter(c.pid, session(1));
    const scope = `/user.slice/user-${UID}.slice/session-${session(1)}.scope`;
    expect(h.cgroupPath).toBe(scope);
    const placed = cgroupPlacements(cgroupOf(c.pid));
    expect(placed.map((p) => [p.hierarchy, p.kind, p.unit, p.session, p.uid, p.path])).toEqual(
      HIERARCHIES.map((hh) => [hh, 'login-session', `session-${session(1)}.scope`, session(1), UID, scope]),
    );
    expect(findLoginScope(cgroupOf(c.pid))).toEqual({
      scope: `session-${session(1)}.scope`,
      session: session(1),
      uid: UID,
      path: scope,
      hierarchy: 'unified',
      deleted: false,
    });
    for (const hh of HIERARCHIES) expect(cgroupMembers(h.dirs[hh]!)).toEqual([c.pid]);

    const report = await h.restore();
    expect(report.problems).toEqual([]);
    expect(report.left).toEqual([]);
    expect(await h.restore()).toBe(report); // idempotent: the same report, nothing done twice
    expect(systemdLines(c.pid)).toEqual(origin);
    expect(tree()).toEqual(before);
  });

  it('children born inside the scope are moved out too, so the scope can go', async () => {
    const before = tree();
    const c = await child('read go; sleep 300 & echo $!; wait');
    const h = await enter(c.pid, session(2));
    const grandchild = firstLine(c);
    c.stdin!.write('go\n');
    const g = Number(await grandchild);
    otherPids.push(g); // killed by pid in afterEach if the test stops early; its parent sh reaps it
    expect(findLoginScope(cgroupOf(g))).toMatchObject({ session: session(2), uid: UID });
    const report = await h.restore();
    expect(report.problems).toEqual([]);
    expect(report.moved).toEqual(expect.arrayContaining([c.pid, g]));
    expect(findLoginScope(cgroupOf(g))).toBeNull();
    expect(tree()).toEqual(before);
    process.kill(g, 'SIGKILL');
    await waitFor('the grandchild to be reaped by sh', () => procIdentity(g) === null);
  });

  it('a zombie: not in cgroup.procs, cannot be moved, and does not keep the scope busy', async () => {
    const before = tree();
    // The inner sleep's parent execs into a sleep that never waits, so the inner one stays a zombie.
    const c = await child('sleep 300 & echo $!; exec sleep 301');
    const z = Number(await firstLine(c));
    const h = await enter(z, session(3));
    // Killed only once sh has become the sleep that never waits: sh itself would reap it.
    await waitFor(
      'sh to exec sleep 301',
      () => fs.readFileSync(`/proc/${c.pid}/cmdline`, 'utf8') === 'sleep\0' + '301\0',
    );
    process.kill(z, 'SIGKILL');
    await waitFor('a zombie', () => procIdentity(z)?.state === 'Z');
    for (const hh of HIERARCHIES) expect(cgroupMembers(h.dirs[hh]!), hh).toEqual([]);
    // Measured on this kernel: the 0:: line keeps the scope; the name=systemd line of a zombie reads "/".
    expect(findLoginScope(cgroupOf(z))).toMatchObject({ hierarchy: 'unified', session: session(3) });
    const report = await h.restore();
    expect(report).toMatchObject({ problems: [], left: [], moved: [] });
    expect(findLoginScope(cgroupOf(z))).toMatchObject({ session: session(3), deleted: true });
    expect(tree()).toEqual(before);
  });

  it('restore after the process died and was reaped removes what the helper made', async () => {
    const before = tree();
    const c = await child('exec sleep 300');
    const h = await enter(c.pid, session(4));
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await exited;
    const report = await h.restore();
    expect(report).toMatchObject({ problems: [], left: [], moved: [] });
    expect(report.removed.length).toBeGreaterThan(0);
    expect(tree()).toEqual(before);
  });

  it('removes only what it made: a pre-existing user.slice stays, a foreign cgroup keeps its parent (EBUSY, no wait)', async () => {
    const before = tree();
    // Removed by the test, deepest first: foreign scopes, the user slices the helper had to leave, user.slice.
    const mine: string[][] = [[], [], []];
    cleanups.push(() => {
      for (const d of mine.flat()) if (fs.existsSync(d)) fs.rmdirSync(d);
    });
    for (const hh of HIERARCHIES) {
      const top = path.join(mounts[hh]!, 'user.slice');
      if (!fs.existsSync(top)) {
        fs.mkdirSync(top);
        mine[2]!.push(top);
      }
    }
    const c = await child('exec sleep 300');
    const h = await enter(c.pid, session(7));
    const slices = HIERARCHIES.map((hh) => path.dirname(h.dirs[hh]!));
    mine[1]!.push(...slices);
    for (const slice of slices) {
      fs.mkdirSync(path.join(slice, 'session-foreign.scope'));
      mine[0]!.push(path.join(slice, 'session-foreign.scope'));
    }
    const t0 = Date.now();
    const report = await h.restore();
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(report.removed.sort()).toEqual(HIERARCHIES.map((hh) => h.dirs[hh]!).sort());
    expect(report.left.sort()).toEqual([...slices].sort());
    expect(report.problems).toEqual(
      slices.map(() =>
        expect.stringMatching(/EBUSY \(holds cgroups the helper did not make: session-foreign\.scope\)/),
      ),
    );
    for (const hh of HIERARCHIES) expect(fs.existsSync(path.join(mounts[hh]!, 'user.slice')), hh).toBe(true);
    cleanups.pop()!();
    expect(tree()).toEqual(before);
  });

  it('a failure half-way (no name=systemd mount) undoes the unified half before throwing', async () => {
    const before = tree();
    const c = await child('exec sleep 300');
    const origin = systemdLines(c.pid);
    await expect(
      enterLoginScope(c.pid, { uid: UID, session: session(5), mounts: { ...mounts, 'name=systemd': null } }),
    ).rejects.toThrow(/no name=systemd hierarchy/);
    expect(systemdLines(c.pid)).toEqual(origin);
    expect(tree()).toEqual(before);
    await expect(enterLoginScope(2 ** 30, { uid: UID, session: session(6), mounts })).rejects.toThrow(/no process/);
    expect(tree()).toEqual(before);
  });
});
