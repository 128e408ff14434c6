/**
 * One audit finds the other holders of its pipes in a pass of its own, which
 * reads every process's fd links but the stat only of the holders; a scan
 * indexes every process's links from the full process table. Both must name
 * the same holders, in the same order, on real processes sharing a pipe.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { LiveProcSource } from '../src/proc/source.js';
import { ProcessTable } from '../src/proc/table.js';
import { findPeers, holdersByTarget } from '../src/snapshot/peers.js';
import { Tracker, uniqueSeconds, waitFor } from './helpers/procs.js';

const live = new LiveProcSource('/proc');
const tracker = new Tracker();
afterAll(() => tracker.killAll());

describe("a pipe's other holders", () => {
  it('one audit and a scan name the same holders of a shared stdout: the shell and its other job', async () => {
    const secs = uniqueSeconds();
    // sh and two sleeps share one stdout (a socket).
    const sh = spawn('sh', ['-c', `sleep ${secs} & sleep ${secs} & wait`], { stdio: ['ignore', 'pipe', 'ignore'] });
    tracker.track(sh.pid!);
    const sleeps = await waitFor('the two sleeps', () => {
      const kids = live.readText(`${sh.pid}/task/${sh.pid}/children`).trim().split(/\s+/).filter(Boolean).map(Number);
      return kids.length === 2 && kids.every((k) => fs.readFileSync(`/proc/${k}/cmdline`, 'utf8').startsWith('sleep')) ? kids : null;
    });
    for (const k of sleeps) tracker.track(k);
    const [subject, other] = sleeps as [number, number];
    const key = fs.readlinkSync(`/proc/${subject}/fd/1`);
    expect(key).toMatch(/^socket:\[\d+\]$/); // Node's 'pipe' stdio is a socketpair

    const keys = new Set([key]);
    const audit = findPeers(live, ProcessTable.lazy(live), subject, keys, null, null, new Set());
    const table = ProcessTable.read(live);
    const index = holdersByTarget(live, table, () => false, (t) => keys.has(t));
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
});
