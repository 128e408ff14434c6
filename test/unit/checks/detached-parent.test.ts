/** detached-parent: the parent is init, a supervisor or another daemon (checklist.md). */
import { describe, expect, it } from 'vitest';
import { checkMessage, judgeCheck, runCheck } from '../../helpers/check.js';
import { makeRelated, makeSnapshot, makeStat, ptsTtyNr, makeStatus } from '../../helpers/snapshot.js';
import { NO_MANAGER, nohupJob } from '../../helpers/situations.js';
import type { ProcStat } from '../../../src/proc/stat.js';

const ID = 'detached-parent';

/** pid 600 whose parent is `parent` (argv `argv`), with `above` the parent's own ancestors. */
function childOf(parent: ProcStat, argv: string[], above: ProcStat[] = [], stat: Partial<ProcStat> = {}) {
  const snap = makeSnapshot({ pid: 600, stat: { ppid: parent.pid, session: parent.session, pgrp: 600, ...stat } });
  snap.parent = makeRelated(parent, argv);
  snap.ancestors = [parent, ...above];
  return snap;
}

describe(ID, () => {
  describe('valid', () => {
    it('passes when orphaned to init whose stat is out of sight (ppid 1, no parent read)', () => {
      const { row, messageId } = checkMessage(ID, makeSnapshot());
      expect(row).toMatchObject({
        status: 'pass',
        severity: 'critical',
        observed: 'init (1)',
        expected: 'init or a supervisor',
      });
      expect(messageId).toBe('init');
    });

    it('passes when orphaned to init, naming it', () => {
      const init = makeStat({ pid: 1, comm: 'systemd', ppid: 0, session: 1, pgrp: 1 });
      const snap = childOf(init, ['/sbin/init'], [], { session: 4241 });
      const row = runCheck(ID, snap);
      expect(row.status).toBe('pass');
      expect(row.observed).toBe('init systemd (1)');
    });

    it('passes for the root of a pid namespace (ppid 0)', () => {
      const row = runCheck(ID, makeSnapshot({ stat: { ppid: 0 } }));
      expect(row.status).toBe('pass');
      expect(row.observed).toBe('none (ppid 0)');
    });

    it('passes under a supervisor (runsv), which also makes the profile managed', () => {
      const runsv = makeStat({ pid: 50, comm: 'runsv', ppid: 49, session: 50, pgrp: 50 });
      const { row, profile, messageId, data } = judgeCheck(ID, childOf(runsv, ['runsv', 'app']));
      expect(profile).toBe('managed');
      expect(row.status).toBe('pass');
      expect(row.observed).toBe('supervisor runsv (50)');
      expect({ messageId, data }).toEqual({ messageId: 'supervisor', data: { who: 'runsv (50)' } });
    });

    it('passes under supervisord run by an interpreter (python3 /usr/bin/supervisord)', () => {
      const py = makeStat({ pid: 70, comm: 'python3', ppid: 1, session: 70, pgrp: 70 });
      const row = runCheck(ID, childOf(py, ['/usr/bin/python3', '/usr/bin/supervisord', '-n']));
      expect(row.status).toBe('pass');
      expect(row.observed).toBe('supervisor python3 (70)');
    });

    it('passes when adopted by the systemd --user subreaper (sysv profile: an orphanage, not a supervisor)', () => {
      const user = makeStat({ pid: 900, comm: 'systemd', ppid: 1, session: 900, pgrp: 900 });
      const { row, profile } = judgeCheck(ID, childOf(user, ['/lib/systemd/systemd', '--user'], [], { session: 4241 }));
      expect(profile).toBe('sysv');
      expect(row.status).toBe('pass');
      expect(row.observed).toBe('supervisor systemd (900)');
    });

    it('passes for a worker whose parent is a detached master (nginx)', () => {
      const master = makeStat({ pid: 300, comm: 'nginx', ppid: 1, session: 300, pgrp: 300 });
      const { row, messageId } = checkMessage(ID, childOf(master, ['nginx: master process /usr/sbin/nginx']));
      expect(row.status).toBe('pass');
      expect(row.observed).toBe('daemon nginx (300)');
      expect(messageId).toBe('daemon');
    });

    it("passes for a worker whose master's own parent is out of sight (another pid namespace)", () => {
      const master = makeStat({ pid: 300, comm: 'gunicorn', ppid: 290, session: 280, pgrp: 300 });
      const row = runCheck(ID, childOf(master, ['gunicorn']));
      expect(row.status).toBe('pass');
      expect(row.observed).toBe('daemon gunicorn (300)');
    });
  });

  describe('invalid', () => {
    it('fails when the parent is an interactive shell, telling what a shell does', () => {
      const bash = makeStat({
        pid: 100,
        comm: 'bash',
        ppid: 99,
        session: 100,
        pgrp: 100,
        ttyNr: ptsTtyNr(0),
        tpgid: 100,
      });
      const { row, messageId, data } = checkMessage(ID, childOf(bash, ['-bash']));
      expect(row.status).toBe('fail');
      expect(row.observed).toBe('interactive shell bash (100)');
      // What that shell does to it is the fate model's story, quoted as a clause.
      expect(messageId).toBe('interactiveShell');
      expect(data.who).toBe('bash (100)');
      expect(data.hangup).toMatch(/a hangup of the login's terminal (ends it|does not end it)|what a hangup/);
    });

    it('fails when the parent owns a terminal session (tmux server)', () => {
      const tmux = makeStat({ pid: 900, comm: 'tmux: server', ppid: 1, session: 900, pgrp: 900 });
      const { row, messageId } = checkMessage(ID, childOf(tmux, ['tmux']));
      expect(row.status).toBe('fail');
      expect(row.observed).toBe('terminal tmux: server (900)');
      expect(messageId).toBe('terminal');
    });

    it('fails when the parent is a build or CI step (make)', () => {
      const make = makeStat({ pid: 700, comm: 'make', ppid: 699, session: 690, pgrp: 700 });
      const { row, messageId } = checkMessage(ID, childOf(make, ['make', 'serve']));
      expect(row.status).toBe('fail');
      expect(row.observed).toBe('job runner make (700)');
      expect(messageId).toBe('jobRunner');
    });

    it('fails when the parent is an ordinary program on a terminal, naming the terminal', () => {
      const py = makeStat({
        pid: 800,
        comm: 'python3',
        ppid: 100,
        session: 100,
        pgrp: 800,
        ttyNr: ptsTtyNr(2),
        tpgid: 800,
      });
      const { row, messageId, data } = checkMessage(ID, childOf(py, ['python3', 'launch.py']));
      expect(row.status).toBe('fail');
      expect(row.observed).toBe('python3 (800) on /dev/pts/2');
      expect(messageId).toBe('onTerminal');
      expect(data.tty).toBe('/dev/pts/2');
    });

    it('fails when a terminal-less parent sits under a CI job step (node under npm)', () => {
      const worker = makeStat({ pid: 10, comm: 'Runner.Worker', ppid: 1, session: 10, pgrp: 10 });
      const npm = makeStat({ pid: 20, comm: 'npm', ppid: 10, session: 10, pgrp: 20 });
      const node = makeStat({ pid: 30, comm: 'node', ppid: 20, session: 10, pgrp: 20 });
      const { row, messageId, data } = checkMessage(ID, childOf(node, ['node', 'server.js'], [npm, worker]));
      expect(row.status).toBe('fail');
      expect(row.observed).toBe('node (30)');
      expect(messageId).toBe('inSession');
      expect(data.session).toBe(10);
    });

    it("fails for an orphaned master still in a login shell's session (`cmd &` whose shell moved on)", () => {
      const bash = makeStat({
        pid: 100,
        comm: 'bash',
        ppid: 99,
        session: 100,
        pgrp: 100,
        ttyNr: ptsTtyNr(0),
        tpgid: 100,
      });
      const master = makeStat({ pid: 300, comm: 'app', ppid: 1, session: 100, pgrp: 300 });
      const snap = childOf(master, ['app']);
      snap.ancestorLeaders = [bash];
      const row = runCheck(ID, snap);
      expect(row.status).toBe('fail');
      expect(row.observed).toBe('app (300)');
    });

    // Was a bug (every shell parent failed); checklist.md: "A non-interactive script as parent warns".
    it('warns when the parent is a non-interactive script with no terminal (setsid sh ./start.sh)', () => {
      const sh = makeStat({ pid: 500, comm: 'sh', ppid: 1, session: 500, pgrp: 500 });
      const snap = childOf(sh, ['sh', './start.sh']);
      snap.sessionLeader = snap.parent;
      const { row, messageId, data } = checkMessage(ID, snap);
      expect(row.status).toBe('warn');
      expect({ messageId, data }).toEqual({ messageId: 'script', data: { who: 'sh (500)' } });
    });
  });

  describe('unknown', () => {
    it('is unknown when the parent vanished while it was being read', () => {
      const { row, messageId, data } = checkMessage(ID, makeSnapshot({ stat: { ppid: 777 } }));
      expect(row.status).toBe('unknown');
      expect(row.observed).toBe('ppid 777, not read');
      expect({ messageId, data }).toEqual({ messageId: 'parentVanished', data: { ppid: 777 } });
    });

    // Was a bug (always "vanished"): the row says why the evidence is missing.
    it('names the reason when the parent could not be read (EACCES), not "vanished"', () => {
      const { row, messageId, data } = checkMessage(
        ID,
        makeSnapshot({ stat: { ppid: 777 }, unreadable: { parent: 'EACCES' }, auditorUid: 1000 }),
      );
      expect(row.status).toBe('unknown');
      expect(messageId).toBe('parentUnreadable');
      expect(data.ppid).toBe(777);
      expect(data.reason).toMatch(/^permission denied/);
    });
  });

  describe('edge cases', () => {
    it("ppid 1 is init even when the parent read shows another comm (a container's init)", () => {
      const init = makeStat({ pid: 1, comm: 'bash', ppid: 0, session: 1, pgrp: 1 });
      const row = runCheck(ID, childOf(init, ['/bin/bash'], [], { session: 4241 }));
      expect(row.status).toBe('pass');
      expect(row.observed).toBe('init bash (1)');
    });

    it("a master with a shell above it is not a daemon's master", () => {
      const bash = makeStat({ pid: 100, comm: 'bash', ppid: 99, session: 100, pgrp: 100 });
      const master = makeStat({ pid: 300, comm: 'app', ppid: 100, session: 100, pgrp: 300 });
      const { row, messageId } = checkMessage(ID, childOf(master, ['app'], [bash]));
      expect(row.status).toBe('fail');
      expect(messageId).toBe('inSession');
    });

    it('passes a supervisor parent under --profile sysv as well', () => {
      const runsv = makeStat({ pid: 50, comm: 'runsv', ppid: 49, session: 50, pgrp: 50 });
      const { row, profile } = judgeCheck(ID, childOf(runsv, ['runsv', 'app']), { profile: 'sysv' });
      expect(profile).toBe('sysv');
      expect(row.status).toBe('pass');
    });
  });
});

// A tie whose risk the fate model rules out warns (docs/checklist.md, "Severity, status, verdict").
describe(`${ID}: a nohup job, which the hangup and the shell's exit spare`, () => {
  it('warns, stating the fact and its remaining risk, not the fate', () => {
    const { row, messageId, data } = checkMessage(ID, nohupJob(['python3', 'app.py'], NO_MANAGER));
    expect(row).toMatchObject({ status: 'warn', severity: 'critical', observed: 'interactive shell bash (900)' });
    expect(messageId).toBe('interactiveShellSpared');
    expect(data).toMatchObject({ who: 'bash (900)' });
    expect(row.detail).not.toMatch(/ends it/);
  });

  it('fails for the same job without nohup, which the hangup ends', () => {
    const snap = nohupJob(['python3', 'app.py'], NO_MANAGER, { status: makeStatus({ sigIgn: 0n }) });
    expect(runCheck(ID, snap).status).toBe('fail');
  });
});
