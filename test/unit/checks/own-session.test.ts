/** own-session: not a member of a terminal login session (checklist.md). */
import { describe, expect, it } from 'vitest';
import { checkMessage, runCheck } from '../../helpers/check.js';
import { makeRelated, makeSnapshot, makeStat, ptsTtyNr, makeStatus } from '../../helpers/snapshot.js';
import { NO_MANAGER, nohupJob } from '../../helpers/situations.js';

const ID = 'own-session';

/** A process whose session (sid) is led by `leader`; no terminal on the process itself. */
function inSessionOf(leader: ReturnType<typeof makeStat>, leaderArgv: string[], pid = 302, ppid = leader.pid) {
  const snap = makeSnapshot({ pid, stat: { ppid, session: leader.pid, pgrp: pid } });
  snap.sessionLeader = makeRelated(leader, leaderArgv);
  return snap;
}

describe(ID, () => {
  describe('valid', () => {
    it('passes when it leads its own session with no terminal (setsid)', () => {
      const snap = makeSnapshot({ pid: 500, stat: { session: 500, pgrp: 500 } });
      const { row, messageId } = checkMessage(ID, snap);
      expect(row).toMatchObject({
        status: 'pass',
        severity: 'critical',
        observed: 'leads session 500',
        expected: "own session, or a daemon's",
      });
      expect(messageId).toBe('leader');
    });

    it('passes when the session leader is gone and there is no terminal: the double fork', () => {
      const { row, messageId } = checkMessage(ID, makeSnapshot());
      expect(row.status).toBe('pass');
      expect(row.observed).toBe('session 4241, leader gone');
      expect(messageId).toBe('leaderGone');
    });

    it("passes for an nginx worker in its detached master's session, naming the master", () => {
      const master = makeStat({ pid: 300, comm: 'nginx', ppid: 1, session: 300, pgrp: 300 });
      const snap = inSessionOf(master, ['nginx: master process /usr/sbin/nginx'], 301);
      snap.parent = snap.sessionLeader;
      snap.ancestors = [master];
      const { row, messageId, data } = checkMessage(ID, snap);
      expect(row.status).toBe('pass');
      expect(row.observed).toBe('session 300 led by nginx (300)');
      expect({ messageId, data }).toEqual({ messageId: 'detachedLeader', data: { leader: 'nginx (300)' } });
    });
  });

  describe('invalid', () => {
    it('fails when its session has a terminal, naming the leader and the device', () => {
      const bash = makeStat({
        pid: 100,
        comm: 'bash',
        ppid: 99,
        session: 100,
        pgrp: 100,
        ttyNr: ptsTtyNr(0),
        tpgid: 100,
      });
      const snap = makeSnapshot({
        pid: 200,
        stat: { ppid: 100, session: 100, pgrp: 200, ttyNr: ptsTtyNr(0), tpgid: 100 },
        tty: '/dev/pts/0',
      });
      snap.sessionLeader = makeRelated(bash, ['-bash']);
      const { row, messageId, data } = checkMessage(ID, snap);
      expect(row.status).toBe('fail');
      expect(row.observed).toBe('session 100 led by bash (100) on /dev/pts/0');
      expect(row.expected).toBe('a session with no terminal');
      expect(messageId).toBe('terminal');
      expect(data.tty).toBe('/dev/pts/0');
    });

    it('fails on its own terminal even when it leads the session (pid = sid)', () => {
      const snap = makeSnapshot({
        pid: 500,
        stat: { session: 500, pgrp: 500, ttyNr: ptsTtyNr(4), tpgid: 500 },
        tty: '/dev/pts/4',
      });
      snap.sessionLeader = makeRelated(snap.stat, ['/usr/sbin/daemon']);
      const { row, messageId, data } = checkMessage(ID, snap);
      expect(row.status).toBe('fail');
      expect(messageId).toBe('terminal');
      expect(data.tty).toBe('/dev/pts/4');
    });

    it('fails on a terminal session whose leader is gone, without naming a leader', () => {
      const snap = makeSnapshot({
        pid: 200,
        stat: { session: 100, ttyNr: ptsTtyNr(2), tpgid: 100 },
        tty: '/dev/pts/2',
      });
      const row = runCheck(ID, snap);
      expect(row.status).toBe('fail');
      expect(row.observed).toBe('session 100 on /dev/pts/2');
    });

    it('fails when the session leader is an interactive shell on a terminal, telling the SIGHUP story', () => {
      const bash = makeStat({ pid: 100, comm: 'bash', session: 100, pgrp: 100, ttyNr: ptsTtyNr(0), tpgid: 100 });
      const { row, messageId, data } = checkMessage(ID, inSessionOf(bash, ['-bash'], 200));
      expect(row.status).toBe('fail');
      expect(row.observed).toBe('session 100 led by bash (100) on /dev/pts/0');
      expect(messageId).toBe('terminal');
      expect(data.tty).toBe('/dev/pts/0');
      // The hangup story is the fate model's, quoted as a clause.
      expect(data.hangup).toMatch(/a hangup of the login's terminal (ends it|does not end it)/);
    });

    it('fails when the session leader is sshd (a login program)', () => {
      const sshd = makeStat({ pid: 90, comm: 'sshd-session', session: 90, pgrp: 90, ttyNr: ptsTtyNr(1), tpgid: 90 });
      const { row, messageId, data } = checkMessage(ID, inSessionOf(sshd, ['sshd-session: alice@pts/1'], 200));
      expect(row.status).toBe('fail');
      expect(messageId).toBe('terminal');
      expect(data.tty).toBe('/dev/pts/1');
    });

    it('fails when the session leader is a build step on a terminal (make)', () => {
      const make = makeStat({ pid: 80, comm: 'make', session: 80, pgrp: 80, ttyNr: ptsTtyNr(1), tpgid: 80 });
      const { row, messageId } = checkMessage(ID, inSessionOf(make, ['make', 'run'], 200));
      expect(row.status).toBe('fail');
      expect(messageId).toBe('terminal');
    });

    it('fails when the session leader is not a shell but has a controlling terminal', () => {
      const py = makeStat({ pid: 70, comm: 'python3', session: 70, pgrp: 70, ttyNr: ptsTtyNr(5), tpgid: 70 });
      const { row, messageId, data } = checkMessage(ID, inSessionOf(py, ['python3', 'launch.py'], 200));
      expect(row.status).toBe('fail');
      expect(row.observed).toBe('session 70 led by python3 (70) on /dev/pts/5');
      expect(messageId).toBe('terminal');
      expect(data.tty).toBe('/dev/pts/5');
    });

    // Was a bug: checklist.md: "In a session with no terminal (cron's and at's jobs, a script started without one)
    // no hangup can reach it: warn, naming the leader ..., never a hangup story". own-session fails any
    // session led by a shell, terminal-less or not, and tells the SIGHUP story.
    it("warns, without a hangup story, when the session is a terminal-less script's (setsid sh ./start.sh)", () => {
      const sh = makeStat({ pid: 500, comm: 'sh', ppid: 1, session: 500, pgrp: 500 });
      const snap = inSessionOf(sh, ['sh', './start.sh'], 600);
      snap.parent = snap.sessionLeader;
      snap.ancestors = [sh];
      const { row, messageId, data } = checkMessage(ID, snap);
      expect(row.status).toBe('warn');
      // The script message tells no hangup story (test/golden/messages.json has its wording).
      expect({ messageId, data }).toEqual({ messageId: 'script', data: { keeper: 'sh (500)' } });
    });

    // Was a bug: checklist.md names cron's and at's jobs as the warn case ("naming the leader and what it does
    // (cron waits for the output pipe and mails it)"). own-session takes cron for a detached daemon leader: pass.
    it('warns for a cron job, naming cron and that it mails the output', () => {
      const cronMain = makeStat({ pid: 299, comm: 'cron', ppid: 1, session: 299, pgrp: 299 });
      const cronJob = makeStat({ pid: 300, comm: 'cron', ppid: 299, session: 300, pgrp: 300 });
      const sh = makeStat({ pid: 301, comm: 'sh', ppid: 300, session: 300, pgrp: 301 });
      const snap = inSessionOf(cronJob, ['/usr/sbin/CRON', '-f'], 302, 301);
      snap.parent = makeRelated(sh, ['/bin/sh', '-c', '/usr/local/bin/backup']);
      snap.ancestors = [sh, cronJob, cronMain];
      const { row, messageId, data } = checkMessage(ID, snap);
      expect(row.status).toBe('warn');
      // Every cron message says cron mails the output, and none tells a hangup story.
      expect(messageId).toMatch(/^cron(Pipe|TempFile|Mail)$/);
      expect(data.cron).toBe('cron (300)');
    });
  });

  describe('unknown', () => {
    it('is unknown, not "leader gone", when the leader\'s stat was denied (hidepid)', () => {
      const snap = makeSnapshot({ unreadable: { sessionLeader: 'EACCES' }, auditorUid: 1000 });
      const { row, messageId, data } = checkMessage(ID, snap);
      expect(row.status).toBe('unknown');
      expect(row.observed).toBe('sessionLeader unreadable (EACCES)');
      expect(messageId).toBe('unreadable');
      expect(data.reason).toMatch(/^permission denied \(another user's process/);
    });

    it('names a garbled leader stat as unparsable content', () => {
      const { row, messageId, data } = checkMessage(ID, makeSnapshot({ unreadable: { sessionLeader: 'EPARSE' } }));
      expect(row.status).toBe('unknown');
      expect(messageId).toBe('unreadable');
      expect(data.reason).toContain('did not parse');
    });

    it('still fails on a terminal even when the leader is unreadable', () => {
      const snap = makeSnapshot({
        stat: { ttyNr: ptsTtyNr(0), tpgid: 1 },
        tty: '/dev/pts/0',
        unreadable: { sessionLeader: 'EACCES' },
      });
      expect(runCheck(ID, snap).status).toBe('fail');
    });
  });

  describe('edge cases', () => {
    it('a login shell\'s argv[0] "-bash" is a shell even when comm is not; without a terminal it leads a script\'s session', () => {
      const leader = makeStat({ pid: 100, comm: 'xyz', session: 100, pgrp: 100 });
      const { row, messageId, data } = checkMessage(ID, inSessionOf(leader, ['-bash'], 200));
      expect(row.status).toBe('warn');
      expect({ messageId, data }).toEqual({ messageId: 'script', data: { keeper: 'xyz (100)' } });
    });

    it('a supervisor leading the session (tini) passes as detached', () => {
      const tini = makeStat({ pid: 40, comm: 'tini', session: 40, pgrp: 40 });
      const snap = inSessionOf(tini, ['tini', '--', 'app'], 41);
      snap.parent = snap.sessionLeader;
      const row = runCheck(ID, snap);
      expect(row.status).toBe('pass');
      expect(row.observed).toBe('session 40 led by tini (40)');
    });
  });
});

// A tie whose risk the fate model rules out warns (docs/checklist.md, "Severity, status, verdict").
describe(`${ID}: a nohup job, which the hangup and the shell's exit spare`, () => {
  it('warns, stating the fact and its remaining risk, not the fate', () => {
    const { row, messageId, data } = checkMessage(ID, nohupJob(['python3', 'app.py'], NO_MANAGER));
    expect(row).toMatchObject({
      status: 'warn',
      severity: 'critical',
      observed: 'session 900 led by bash (900) on /dev/pts/0',
    });
    expect(messageId).toBe('spared');
    expect(data).toMatchObject({ tty: '/dev/pts/0', sid: 900 });
    expect(row.detail).not.toMatch(/ends it/);
  });

  it('fails for the same job without nohup, which the hangup ends', () => {
    const snap = nohupJob(['python3', 'app.py'], NO_MANAGER, { status: makeStatus({ sigIgn: 0n }) });
    expect(runCheck(ID, snap).status).toBe('fail');
  });
});
