/**
 * sessionView: the facts of a process's session the hangup and exit rules
 * turn on (src/fate/session.ts): its terminal, a multiplexer, the interactive
 * shell whose job table holds its group, foreground, stopped, and the kind of
 * session (a login's terminal, cron's, atd's, a script's, a build step's, a
 * daemon's, an orphaned job's).
 */
import { describe, expect, it } from 'vitest';
import {
  JOB,
  ProcWorld,
  SHELL,
  SSHD,
  member,
  nestedBashWorld,
  sshLogin,
  suWorld,
  typed,
  typedWorld,
  viewOf,
} from '../../helpers/fate.js';
import { makeFile, makeSnapshot, makeTerminalFd, ptsTtyNr } from '../../helpers/snapshot.js';

/** init, then each [pid, comm, argv, session] a child of the one before it (its own session when none is given). */
function chain(procs: Array<[number, string, string[], number?]>): ProcWorld {
  const w = new ProcWorld();
  w.add({ pid: 1, comm: 'systemd', ppid: 0, pgrp: 1, session: 1 }, ['/sbin/init']);
  let ppid = 1;
  for (const [pid, comm, argv, session] of procs) {
    w.add({ pid, comm, ppid, pgrp: session ?? pid, session: session ?? pid }, argv);
    ppid = pid;
  }
  return w;
}

describe('sessionView', () => {
  describe('kind: whose session it is', () => {
    it("a job on the login's terminal: login-terminal, no keeper", () => {
      expect(viewOf(typed('sleep N &'))).toMatchObject({
        kind: 'login-terminal',
        keeper: null,
        tty: '/dev/pts/0',
        multiplexer: null,
        isLeader: false,
      });
    });

    it('`setsid sleep N &`: own, no terminal', () => {
      expect(viewOf(typed('setsid sleep N &'))).toMatchObject({
        kind: 'own',
        keeper: null,
        tty: null,
        multiplexer: null,
        isLeader: true,
      });
    });

    it('`screen -dmS x sleep N`: multiplexer, kept by the screen server', () => {
      const v = viewOf(typed('screen -dmS x sleep N'));
      expect(v).toMatchObject({
        kind: 'multiplexer',
        keeper: { pid: 7100, comm: 'screen' },
        multiplexer: { pid: 7100, comm: 'screen' },
        tty: '/dev/pts/1',
        isLeader: true,
      });
    });

    it('`tmux new -d sleep N`: the tmux server', () => {
      expect(viewOf(typed('tmux new -d sleep N')).multiplexer).toEqual({ pid: 7100, comm: 'tmux: server' });
    });

    it("a member with no terminal of its own in a session whose leader has one: the leader's terminal, kept by the leader", () => {
      const w = sshLogin();
      member(w, JOB, 'daemon', ['/usr/sbin/olddaemon'], 1, { ttyNr: 0, tpgid: -1 });
      expect(viewOf(w.snapshot(JOB))).toMatchObject({
        kind: 'login-terminal',
        keeper: { pid: SHELL, comm: 'bash' },
        tty: '/dev/pts/0',
      });
    });

    it("a member with no terminal in a tmux pane's session: multiplexer", () => {
      const w = typedWorld('tmux new -d sleep N');
      w.add({ pid: 7200, comm: 'bash', ppid: 7100, ttyNr: ptsTtyNr(2), tpgid: 7200 }, ['-bash']);
      w.add({ pid: 7201, comm: 'daemon', ppid: 1, session: 7200 }, ['/usr/sbin/olddaemon']);
      const v = viewOf(w.snapshot(7201));
      expect(v).toMatchObject({ kind: 'multiplexer', keeper: { pid: 7100, comm: 'tmux: server' }, tty: '/dev/pts/2' });
    });

    it("sshd's per-login process in its [priv] parent's session: a terminal program leads it (login-terminal)", () => {
      const w = chain([
        [700, 'sshd', ['sshd: /usr/sbin/sshd -D'], undefined],
        [SSHD - 1, 'sshd', ['sshd: root [priv]']],
      ]);
      w.add({ pid: SSHD, comm: 'sshd', ppid: SSHD - 1, session: SSHD - 1 }, ['sshd: root@pts/0']);
      expect(viewOf(w.snapshot(SSHD))).toMatchObject({
        kind: 'login-terminal',
        keeper: { pid: SSHD - 1, comm: 'sshd' },
      });
    });

    it("Debian's cron: the job's shell leads its session under a CRON child: cron, kept by that child", () => {
      const w = chain([
        [500, 'cron', ['/usr/sbin/cron', '-f']],
        [600, 'cron', ['/usr/sbin/CRON', '-f'], 500],
        [601, 'sh', ['/bin/sh', '-c', '/usr/local/bin/backup']],
      ]);
      w.add({ pid: 602, comm: 'backup', ppid: 601, pgrp: 601, session: 601 }, ['/usr/local/bin/backup']);
      expect(viewOf(w.snapshot(602))).toMatchObject({ kind: 'cron', keeper: { pid: 600, comm: 'cron' } });
    });

    it("cronie: the job runs in its crond child's session: cron, kept by the main crond (the leader's parent)", () => {
      const w = chain([
        [299, 'crond', ['/usr/sbin/crond', '-n']],
        [300, 'crond', ['/usr/sbin/crond', '-n']],
        [301, 'sh', ['/bin/sh', '-c', 'backup'], 300],
      ]);
      w.add({ pid: 302, comm: 'backup', ppid: 301, pgrp: 300, session: 300 }, ['backup']);
      expect(viewOf(w.snapshot(302))).toMatchObject({ kind: 'cron', keeper: { pid: 299, comm: 'crond' } });
    });

    it('busybox crond keeps its jobs in its own session: cron, kept by the leader', () => {
      const w = chain([
        [299, 'crond', ['crond', '-f', '-l', '8'], undefined],
        [300, 'sh', ['/bin/sh', '-c', 'backup'], 299],
      ]);
      w.add({ pid: 302, comm: 'backup', ppid: 300, pgrp: 299, session: 299 }, ['backup']);
      expect(viewOf(w.snapshot(302))).toMatchObject({ kind: 'cron', keeper: { pid: 299, comm: 'crond' } });
    });

    it("an at job: atd runs it under a child of its own, in atd's session (the at-job fixture's tree)", () => {
      const w = chain([
        [9724, 'atd', ['/usr/sbin/atd']],
        [9731, 'atd', ['/usr/sbin/atd'], 9724],
        [9736, 'sh', ['sh'], 9724],
      ]);
      w.add({ pid: 9737, comm: 'sleep', ppid: 9736, pgrp: 9724, session: 9724 }, ['sleep', '3015']);
      expect(viewOf(w.snapshot(9737))).toMatchObject({ kind: 'at', keeper: { pid: 9731, comm: 'atd' } });
    });

    it('a CI step: a job runner leads the session (job-step, kept by it)', () => {
      const w = chain([
        [3000, 'Runner.Listener', ['/home/runner/bin/Runner.Listener', 'run']],
        [3100, 'Runner.Worker', ['/home/runner/bin/Runner.Worker', 'spawnclient', '107', '110'], 3000],
        [3200, 'bash', ['/usr/bin/bash', '-e', '/home/runner/work/_temp/step.sh'], 3000],
      ]);
      w.add({ pid: 3300, comm: 'sleep', ppid: 3200, pgrp: 3000, session: 3000 }, ['sleep', '3001']);
      expect(viewOf(w.snapshot(3300))).toMatchObject({
        kind: 'job-step',
        keeper: { pid: 3000, comm: 'Runner.Listener' },
      });
    });

    it('a build step between it and a gone leader: job-step, kept by make', () => {
      const w = chain([[3000, 'make', ['make', 'serve'], 2999]]);
      w.add({ pid: 3001, comm: 'server', ppid: 3000, pgrp: 2999, session: 2999 }, ['./server']);
      expect(viewOf(w.snapshot(3001))).toMatchObject({
        kind: 'job-step',
        keeper: { pid: 3000, comm: 'make' },
        leader: null,
      });
    });

    it('a script leading a session with no terminal (`ssh host ./deploy.sh`): script, kept by the leader', () => {
      const w = chain([
        [SSHD, 'sshd', ['sshd: root@notty']],
        [SHELL, 'deploy.sh', ['/bin/bash', './deploy.sh']],
      ]);
      w.add({ pid: JOB, comm: 'sleep', ppid: SHELL, pgrp: SHELL, session: SHELL }, ['sleep', '3001']);
      expect(viewOf(w.snapshot(JOB))).toMatchObject({ kind: 'script', keeper: { pid: SHELL, comm: 'deploy.sh' } });
    });

    it('a shell between it and a daemon leader: script, kept by that shell', () => {
      const w = chain([
        [3000, 'python3', ['python3', '/srv/app.py']],
        [3100, 'sh', ['sh', '-c', 'sleep 3001'], 3000],
      ]);
      w.add({ pid: 3200, comm: 'sleep', ppid: 3100, pgrp: 3000, session: 3000 }, ['sleep', '3001']);
      expect(viewOf(w.snapshot(3200))).toMatchObject({ kind: 'script', keeper: { pid: 3100, comm: 'sh' } });
    });

    it('a worker of a detached master: daemon, kept by the master', () => {
      const w = chain([[300, 'nginx', ['nginx: master process /usr/sbin/nginx']]]);
      w.add({ pid: 301, comm: 'nginx', ppid: 300, pgrp: 300, session: 300 }, ['nginx: worker process']);
      expect(viewOf(w.snapshot(301))).toMatchObject({ kind: 'daemon', keeper: { pid: 300, comm: 'nginx' } });
    });

    it("the double fork (leader gone, its group the session's): daemon, no keeper", () => {
      expect(viewOf(makeSnapshot())).toMatchObject({ kind: 'daemon', keeper: null, leader: null, tty: null });
    });

    it("a job left behind by a hung-up login (no terminal, the dead shell's session, a group of its own): orphaned", () => {
      const w = chain([]);
      w.add({ pid: JOB, comm: 'sleep', ppid: 1, pgrp: JOB, session: SHELL }, ['sleep', '3001']);
      expect(viewOf(w.snapshot(JOB))).toMatchObject({ kind: 'orphaned', keeper: null, tty: null });
    });

    it('a leader that could not be read, with no terminal: unknown', () => {
      const w = chain([[300, 'nginx', ['nginx: master process /usr/sbin/nginx']]]);
      w.add({ pid: 301, comm: 'nginx', ppid: 300, pgrp: 300, session: 300 }, ['nginx: worker process']);
      const snap = w.hide(300).snapshot(301);
      expect(snap.unreadable).toEqual({ sessionLeader: 'EACCES', parent: 'EACCES' });
      expect(viewOf(snap)).toMatchObject({ kind: 'unknown', keeper: null, leader: null });
    });
  });

  describe('the leader as a shell', () => {
    it('the login bash: interactive, login (argv[0] -bash)', () => {
      expect(viewOf(typed('sleep N &')).leaderShell).toEqual({
        pid: SHELL,
        comm: 'bash',
        flavor: 'bash',
        interactive: true,
        login: true,
      });
    });

    it('`ssh -t host bash`: interactive, not a login shell', () => {
      expect(viewOf(typed('sleep N &', { shellArgv: ['bash'] })).leaderShell).toMatchObject({
        interactive: true,
        login: false,
      });
    });

    it('a script on a terminal is not interactive', () => {
      const w = sshLogin(['/bin/bash', './run.sh'], 'run.sh');
      member(w, JOB, 'sleep', ['sleep', '3001'], SHELL, { pgrp: SHELL });
      const v = viewOf(w.snapshot(JOB));
      expect(v.leaderShell).toMatchObject({ flavor: 'bash', interactive: false });
      expect(v.inLeaderGroup).toBe(false);
      expect(v.jobOf).toBeNull();
    });

    it('dash as a login shell (-sh) is flavor dash', () => {
      expect(viewOf(sshLogin(['-sh'], 'sh').snapshot(SHELL)).leaderShell).toMatchObject({
        flavor: 'dash',
        interactive: true,
        login: true,
      });
    });

    it('a program leading the terminal is no shell', () => {
      expect(viewOf(sshLogin(['top'], 'top').snapshot(SHELL))).toMatchObject({ leaderShell: null, isLeader: true });
    });
  });

  describe('the job table that holds its group', () => {
    it('`sleep N &`: a job of the login bash, which the hangup reaches', () => {
      const v = viewOf(typed('sleep N &'));
      expect(v.jobOf).toMatchObject({ pid: SHELL, flavor: 'bash' });
      expect(v).toMatchObject({
        jobOfReached: 'leader',
        inLeaderGroup: false,
        foreground: false,
        stopped: false,
        orphanedOnLeaderExit: true,
      });
    });

    it("`(sleep N &)`: in no job (its group is a dead subshell's), its parent init", () => {
      expect(viewOf(typed('(sleep N &)'))).toMatchObject({
        jobOf: null,
        jobOfReached: null,
        orphanedOnLeaderExit: false,
      });
    });

    it("`set +m; sleep N &`: in the leader's own group, the foreground", () => {
      const v = viewOf(typed('set +m; sleep N &'));
      expect(v).toMatchObject({
        inLeaderGroup: true,
        jobOfReached: 'leader',
        foreground: true,
        orphanedOnLeaderExit: false,
      });
      expect(v.jobOf?.pid).toBe(SHELL);
    });

    it('a job of a nested bash that is itself a job of the login bash: the chain reaches it', () => {
      const v = viewOf(nestedBashWorld().snapshot(JOB));
      expect(v.jobOf).toMatchObject({ pid: 6300, comm: 'bash', interactive: true, login: false });
      expect(v.jobOfReached).toBe('job');
      expect(v.orphanedOnLeaderExit).toBe(false);
    });

    it("a job of alice's bash under `su - alice`: su is no shell, but alice's bash holds the foreground", () => {
      const v = viewOf(suWorld().snapshot(JOB));
      expect(v.jobOf).toMatchObject({ pid: 6291, login: true });
      expect(v.jobOfReached).toBe('foreground');
    });

    it("the survivor of a pipeline job whose first process exited is found through its group's other member", () => {
      const w = sshLogin();
      member(w, 7002, 'cat', ['cat'], SHELL, { pgrp: 7000 });
      member(w, JOB, 'sleep', ['sleep', '3001'], 1, { pgrp: 7000 });
      expect(viewOf(w.snapshot(JOB))).toMatchObject({ jobOf: { pid: SHELL }, jobOfReached: 'leader' });
    });

    it('a child that moved to a group of its own under a job is in no job', () => {
      const w = sshLogin();
      member(w, 7000, 'make', ['make', 'run'], SHELL);
      member(w, JOB, 'server', ['./server'], 7000);
      expect(viewOf(w.snapshot(JOB))).toMatchObject({ jobOf: null, orphanedOnLeaderExit: false });
    });

    it('a process leading its own session is no job', () => {
      expect(viewOf(sshLogin().snapshot(SHELL))).toMatchObject({ isLeader: true, jobOf: null, jobOfReached: null });
    });
  });

  describe('foreground, stopped, stdio', () => {
    it('`sleep N` in the foreground holds it', () => {
      expect(viewOf(typed('sleep N')).foreground).toBe(true);
    });

    it('no terminal means no foreground, whatever tpgid says', () => {
      const w = chain([]);
      w.add({ pid: JOB, comm: 'sleep', ppid: 1, tpgid: JOB }, ['sleep', '3001']);
      expect(viewOf(w.snapshot(JOB)).foreground).toBe(false);
    });

    it('Ctrl-Z: stopped (state T), not in the foreground, its group orphaned when bash exits', () => {
      expect(viewOf(typed('sleep N, Ctrl-Z'))).toMatchObject({
        stopped: true,
        foreground: false,
        orphanedOnLeaderExit: true,
      });
    });

    it('lists fds 0-2 on a terminal', () => {
      expect(viewOf(typed('sleep N &')).stdioTerminal).toEqual([
        { fd: 0, target: '/dev/pts/0' },
        { fd: 1, target: '/dev/pts/0' },
        { fd: 2, target: '/dev/pts/0' },
      ]);
    });

    it("nohup's redirections leave none on the terminal", () => {
      expect(viewOf(typed('nohup sleep N &')).stdioTerminal).toEqual([]);
    });

    it('a terminal above fd 2 does not count', () => {
      const snap = typed('sleep N &', {
        fds: [
          makeFile(0, '/dev/null'),
          makeFile(1, '/tmp/log'),
          makeFile(2, '/tmp/log'),
          makeTerminalFd(3, '/dev/pts/0'),
        ],
      });
      expect(viewOf(snap).stdioTerminal).toEqual([]);
    });
  });
});
