/**
 * daemon-check run by an unprivileged user: what it cannot read is `unknown`
 * with the reason, never `pass`, and it says what root would add.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { findProcess, tempDir, trackProcesses, uniqueSeconds, waitFor } from '../helpers/procs.js';
import type { Report } from '../../src/audit-types.js';

const tracker = trackProcesses();
const NOBODY = { uid: 65534, gid: 65534 };

async function detachedSleep(asNobody: boolean): Promise<number> {
  const secs = uniqueSeconds();
  const cmd = asNobody
    ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', 'setsid', '-f', 'sleep', String(secs)]
    : ['setsid', '-f', 'sleep', String(secs)];
  execFileSync(cmd[0]!, cmd.slice(1), { stdio: 'ignore', cwd: '/' });
  return tracker.track(await waitFor('the sleeper', () => findProcess(new RegExp(`^sleep ${secs}$`))));
}

describe('as nobody', () => {
  it("against root's daemon: unknown rows with the reason, inconclusive, exit 3, and what root would add", async () => {
    const pid = await detachedSleep(false);
    const r = await runCli([String(pid), '--json'], NOBODY);
    expect(r.code).toBe(3);
    const rep = JSON.parse(r.stdout) as Report;
    expect(rep.verdict).toBe('inconclusive');
    expect(rep.auditorUid).toBe(65534);
    for (const id of ['stdio-detached', 'no-leaked-fds', 'cwd', 'world-writable-files', 'clean-environment']) {
      const row = rep.checks.find((c) => c.id === id)!;
      expect(row.status, id).toBe('unknown');
      expect(row.detail, id).toMatch(/permission denied .*running as root/);
    }
    // What stat and status give anyone is still judged.
    expect(rep.checks.find((c) => c.id === 'no-controlling-tty')!.status).toBe('pass');
    expect(rep.facts.unreadable).toMatchObject({ fds: 'EACCES', cwd: 'EACCES', environ: 'EACCES' });
    const table = await runCli([String(pid)], NOBODY);
    expect(table.code).toBe(3);
    expect(table.stdout).toMatch(
      new RegExp(`Not readable as uid 65534: .*fds.*Running as root \\(sudo daemon-check ${pid}\\) would add`),
    );
  });

  it('against its own daemon: everything is readable and judged', async () => {
    const pid = await detachedSleep(true);
    const r = await runCli([String(pid), '--json'], NOBODY);
    const rep = JSON.parse(r.stdout) as Report;
    expect(rep.facts.unreadable).toEqual({});
    expect(rep.checks.filter((c) => c.status === 'unknown')).toEqual([]);
    expect(rep.verdict).toBe('daemon-with-warnings');
    expect(rep.user).toBe('nobody');
    expect(r.code).toBe(0);
  });

  it("under a hidepid=2 proc mount: other users' processes are invisible, and the error says why", async () => {
    const mnt = tempDir('dc-hidepid-');
    execFileSync('mount', ['-t', 'proc', '-o', 'hidepid=2', 'proc', mnt]);
    tracker.onCleanup(() => execFileSync('umount', [mnt]));
    const root = await detachedSleep(false);
    const mine = await detachedSleep(true);
    expect(fs.existsSync(`${mnt}/${root}`)).toBe(true); // root sees everything
    const hidden = await runCli([String(root), '--proc-root', mnt], NOBODY);
    expect(hidden.code).toBe(3);
    expect(hidden.stderr).toMatch(
      new RegExp(`no process with pid ${root} is visible: ${mnt} is mounted with hidepid=(2|invisible)`),
    );
    const own = await runCli([String(mine), '--proc-root', mnt, '--json'], NOBODY);
    expect(own.code).toBe(0);
    expect((JSON.parse(own.stdout) as Report).pid).toBe(mine);
  });
});
