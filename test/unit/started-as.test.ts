/** startedAs, one launch pattern at a time, on snapshots built in memory. */
import { describe, expect, it } from 'vitest';
import { buildReport } from '../../src/audit.js';
import { makeRelated, makeSnapshot, makeStat } from '../helpers/snapshot.js';

describe('startedAs', () => {
  it('a detached tmux server (leads its own session, parent init, no terminal) is single-fork, not shell-job', () => {
    const snap = makeSnapshot({
      pid: 500,
      stat: { comm: 'tmux: server', session: 500, pgrp: 500, ppid: 1 },
      cmdline: ['tmux', '-L', 'x'],
    });
    snap.sessionLeader = makeRelated(snap.stat, snap.cmdline);
    const r = buildReport(snap);
    expect(r.startedAs.kind).toBe('single-fork');
  });

  it('a detached SCREEN server is single-fork', () => {
    const snap = makeSnapshot({
      pid: 600,
      stat: { comm: 'screen', session: 600, pgrp: 600, ppid: 1 },
      cmdline: ['SCREEN', '-dmS', 'x', 'sleep', '9'],
    });
    snap.sessionLeader = makeRelated(snap.stat, snap.cmdline);
    expect(buildReport(snap).startedAs.kind).toBe('single-fork');
  });

  it('a job whose session leader is an interactive bash is a shell-job', () => {
    const bash = makeStat({ pid: 100, comm: 'bash', ppid: 99, session: 100, pgrp: 100, ttyNr: 34816, tpgid: 100 });
    const snap = makeSnapshot({
      pid: 200,
      stat: { comm: 'sleep', ppid: 100, session: 100, pgrp: 200, ttyNr: 34816, tpgid: 100 },
    });
    snap.parent = makeRelated(bash, ['-bash']);
    snap.sessionLeader = snap.parent;
    snap.tty = '/dev/pts/0';
    expect(buildReport(snap).startedAs.kind).toBe('shell-job');
  });
});
