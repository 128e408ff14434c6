/**
 * One audit finds the other holders of its pipes in a pass of its own over
 * every process; a scan indexes every process's links at once. Both must
 * name the same holders, in the same order, on real processes sharing a
 * pipe. And that pass makes the audit's process table a full one, which the
 * session's members then come from: a member adopted by a subreaper outside
 * the session is found only there (src/proc/table.ts).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { audit } from '../../src/api.js';
import { LiveProcSource } from '../../src/proc/source.js';
import { ProcessTable } from '../../src/proc/table.js';
import { findPeers, holdersByTarget } from '../../src/snapshot/peers.js';
import { psView, realPython, trackProcesses, uniqueSeconds, waitFor } from '../helpers/procs.js';

const live = new LiveProcSource('/proc');
const tracker = trackProcesses();

describe("a pipe's other holders", () => {
  it('one audit and a scan name the same holders of a shared stdout: the shell and its other job', async () => {
    const secs = uniqueSeconds();
    // sh and two sleeps share one stdout (a socket).
    const sh = spawn('sh', ['-c', `sleep ${secs} & sleep ${secs} & wait`], { stdio: ['ignore', 'pipe', 'ignore'] });
    tracker.track(sh.pid!);
    const sleeps = await waitFor('the two sleeps', () => {
      const kids = live.readText(`${sh.pid}/task/${sh.pid}/children`).trim().split(/\s+/).filter(Boolean).map(Number);
      for (const k of kids) tracker.track(k); // killed by pid even if this wait times out
      return kids.length === 2 && kids.every((k) => fs.readFileSync(`/proc/${k}/cmdline`, 'utf8').startsWith('sleep'))
        ? kids
        : null;
    });
    const [subject, other] = sleeps as [number, number];
    const key = fs.readlinkSync(`/proc/${subject}/fd/1`);
    expect(key).toMatch(/^socket:\[\d+\]$/); // Node's 'pipe' stdio is a socketpair

    const keys = new Set([key]);
    const audit = findPeers(live, ProcessTable.lazy(live), subject, keys, null, null, new Set());
    const table = ProcessTable.read(live);
    const index = holdersByTarget(
      live,
      table,
      () => false,
      (t) => keys.has(t),
    );
    const scan = findPeers(live, table, subject, keys, null, () => index, new Set());

    expect(audit).toEqual(scan);
    const holders = audit.peers[key]!.map((h) => h.pid);
    // This test holds the socketpair's other socket, another inode: not a holder of this one.
    expect(holders.sort((a, b) => a - b)).toEqual([sh.pid!, other].sort((a, b) => a - b));
    expect(holders).not.toContain(subject);
    // /proc's order: the listing's, as Node's readdir gives it
    expect(audit.peers[key]!.map((h) => String(h.pid))).toEqual(audit.peers[key]!.map((h) => String(h.pid)).sort());
    expect(audit.peers[key]!.find((h) => h.pid === sh.pid)).toMatchObject({ comm: 'sh', fds: [1] });
    sh.stdout!.destroy();
  });

  it('an audit that traces a pipe lists a session member adopted by a subreaper outside the session', async () => {
    // R (a subreaper) starts L, which leads a new session, forks A (stdout: a
    // pipe R holds) and B, prints their pids and exits: A and B are R's now.
    const script = [
      'import ctypes, os, sys',
      'ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER',
      'r, w = os.pipe()',
      'if os.fork() == 0:',
      '    os.setsid()',
      '    pids = []',
      '    for name in "AB":',
      '        pid = os.fork()',
      '        if pid == 0:',
      '            if name == "A":',
      '                os.dup2(w, 1)',
      '            os.execvp("sleep", ["sleep", sys.argv[1]])',
      '        pids.append(pid)',
      '    print(*pids, flush=True)',
      '    os._exit(0)',
      'os.wait()',
      'sys.stdin.read()',
    ].join('\n');
    const r = spawn(realPython() ?? 'python3', ['-c', script, String(uniqueSeconds())], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    tracker.track(r.pid!);
    let out = '';
    r.stdout!.on('data', (d: Buffer) => (out += d.toString('utf8')));
    const [a, b] = (await waitFor('the pids of A and B', () =>
      out.includes('\n') ? out.trim().split(' ').map(Number) : null,
    )) as [number, number];
    tracker.track(a);
    tracker.track(b);
    await waitFor('A and B adopted by the subreaper', () => [a, b].every((p) => psView(p).ppid === r.pid));
    expect(fs.readlinkSync(`/proc/${a}/fd/1`)).toMatch(/^pipe:/);

    const report = await audit(a);
    const members = report.facts.session!.groups.flatMap((g) => g.members.map((m) => m.pid));
    expect(members).toEqual(expect.arrayContaining([a, b]));
    r.stdin!.end();
  });
});
