/**
 * fate.hangup: the login's terminal goes away (docs/fate.md, "Terminal
 * hangup"). Each snapshot is what /proc showed for the pattern over a real
 * SSH login (test/helpers/fate.ts); the outcomes are the measured ones.
 */
import { describe, expect, it } from 'vitest';
import {
  JOB,
  SHELL,
  SIG,
  SSHD,
  fateOf,
  member,
  nestedBashWorld,
  signals,
  sshLogin,
  suWorld,
  typed,
  typedWorld,
} from '../../helpers/fate.js';
import { makeFile, makeTerminalFd, ptsTtyNr } from '../../helpers/snapshot.js';
import type { FateEntry } from '../../../src/core/types.js';
import type { Snapshot } from '../../../src/snapshot/types.js';

const hangup = (snap: Snapshot): FateEntry => fateOf(snap).hangup;

describe('hangup', () => {
  describe("a job in the login bash's table: bash passes the SIGHUP on", () => {
    it('`sleep N &` dies of the SIGHUP bash sends its jobs', () => {
      const f = hangup(typed('sleep N &'));
      expect(f).toMatchObject({ outcome: 'dies', by: `bash (${SHELL})` });
      expect(f.why).toContain(`The kernel sends SIGHUP to bash (${SHELL}), the session's leader`);
      expect(f.why).toContain('sends SIGHUP to the jobs in its table');
      expect(f.why).toContain('default action');
    });

    it('`sleep N & disown` looks the same in /proc: predicted dies, with an unless naming disown (measured: lives)', () => {
      const f = hangup(typed('sleep N &'));
      expect(f.outcome).toBe('dies');
      expect(f.unless).toContain('`disown`');
      expect(f.unless).toContain('`disown -h`');
      expect(f.unless).toContain('(not visible in /proc)');
    });

    it('names PROMPT_COMMAND and traps in unless: bash is not interactive then and signals no job', () => {
      expect(hangup(typed('sleep N &')).unless).toMatch(/PROMPT_COMMAND or a trap/);
    });

    it('`nohup sleep N &` lives: bash sends SIGHUP, which it ignores', () => {
      const f = hangup(typed('nohup sleep N &'));
      expect(f).toMatchObject({ outcome: 'lives', by: `bash (${SHELL})` });
      expect(f.why).toContain('it ignores SIGHUP (as nohup arranges)');
      expect(f.unless).toBeUndefined();
    });

    it("`sleep N` in the foreground dies of bash's SIGHUP (it is a job, foreground or not)", () => {
      const f = hangup(typed('sleep N'));
      expect(f).toMatchObject({ outcome: 'dies', by: `bash (${SHELL})` });
    });

    it("`set +m; sleep N &` (in bash's own group) dies of bash's SIGHUP", () => {
      const f = hangup(typed('set +m; sleep N &'));
      expect(f).toMatchObject({ outcome: 'dies', by: `bash (${SHELL})` });
    });

    it('`set +m; nohup sleep N &` lives', () => {
      const f = hangup(typed('set +m; sleep N &', { status: signals({ ign: [SIG.HUP, SIG.INT, SIG.QUIT] }) }));
      expect(f.outcome).toBe('lives');
    });

    it('a job that catches SIGHUP lives, its handler deciding', () => {
      const f = hangup(typed('sleep N &', { status: signals({ cgt: [SIG.HUP, SIG.TERM] }) }));
      expect(f).toMatchObject({ outcome: 'lives', by: `bash (${SHELL})` });
      expect(f.why).toContain('it catches SIGHUP');
      expect(f.unless).toBe('its SIGHUP handler exits');
    });

    it('a job that blocks SIGHUP lives while it stays pending', () => {
      const f = hangup(typed('sleep N &', { status: signals({ blk: [SIG.HUP] }) }));
      expect(f.outcome).toBe('lives');
      expect(f.why).toContain('it blocks SIGHUP');
      expect(f.unless).toBe('it unblocks SIGHUP, which then has its default action');
    });

    it('a job whose status could not be read is unknown, still naming bash as the sender', () => {
      const f = hangup(typed('sleep N &', { status: null, unreadable: { status: 'EACCES' } }));
      expect(f).toMatchObject({ outcome: 'unknown', by: `bash (${SHELL})` });
      expect(f.why).toContain('its signal dispositions (status) could not be read');
    });

    it("a job that dropped its controlling terminal (TIOCNOTTY) still gets bash's SIGHUP: the session's terminal is the leader's", () => {
      const w = sshLogin();
      member(w, JOB, 'sleep', ['sleep', '3001'], SHELL, { ttyNr: 0, tpgid: -1 });
      const snap = w.snapshot(JOB);
      expect(snap.tty).toBeNull();
      expect(hangup(snap)).toMatchObject({ outcome: 'dies', by: `bash (${SHELL})` });
    });

    it("the survivor of a pipeline job whose first process exited (`sh -c 'sleep N &' | cat &`) is still in the job: dies", () => {
      const w = sshLogin();
      member(w, 7002, 'cat', ['cat'], SHELL, { pgrp: 7000 });
      member(w, JOB, 'sleep', ['sleep', '3001'], 1, { pgrp: 7000 });
      const f = hangup(w.snapshot(JOB, { status: signals({ ign: [SIG.INT, SIG.QUIT] }) }));
      expect(f).toMatchObject({ outcome: 'dies', by: `bash (${SHELL})` });
    });
  });

  describe('stopped jobs (Ctrl-Z): bash sends SIGHUP and SIGCONT, and SIGTERM as it exits', () => {
    it("`sleep N`, Ctrl-Z dies of bash's SIGHUP, and the why says SIGCONT too", () => {
      const f = hangup(typed('sleep N, Ctrl-Z'));
      expect(f).toMatchObject({ outcome: 'dies', by: `bash (${SHELL})` });
      expect(f.why).toContain('(and SIGCONT, as it is stopped)');
    });

    it('`nohup sleep N`, Ctrl-Z dies: it ignores SIGHUP but not the SIGTERM bash sends its stopped jobs', () => {
      const f = hangup(typed('nohup sleep N, Ctrl-Z'));
      expect(f).toMatchObject({ outcome: 'dies', by: `bash (${SHELL})` });
      expect(f.why).toContain('it ignores SIGHUP, but it is stopped, and bash sends SIGTERM and SIGCONT');
    });

    it('its unless names the race that spares it (bash already saw it continue), before disown', () => {
      const u = hangup(typed('nohup sleep N, Ctrl-Z')).unless ?? '';
      expect(u).toMatch(
        /^bash has already seen it continue \(after the SIGCONT\) when it sends SIGTERM to the jobs it still counts as stopped.*: then it lives; or it was removed from/,
      );
    });

    it('a stopped job with SIGHUP at its default action names no such race', () => {
      expect(hangup(typed('sleep N, Ctrl-Z')).unless ?? '').not.toContain('seen it continue');
    });

    it('`nohup sleep N`, Ctrl-Z, disown looks the same: its unless names disown (measured: lives)', () => {
      expect(hangup(typed('nohup sleep N, Ctrl-Z')).unless).toContain('`disown`');
    });

    it('a stopped job ignoring both SIGHUP and SIGTERM lives', () => {
      const f = hangup(typed('nohup sleep N, Ctrl-Z', { status: signals({ ign: [SIG.HUP, SIG.TERM] }) }));
      expect(f.outcome).toBe('lives');
    });

    // BUG: a stopped job that keeps SIGHUP's default action dies whatever /proc cannot show: disowned,
    // its group is orphaned with a stopped member when bash exits and the kernel sends SIGHUP and SIGCONT
    // (measured: "Ctrl-Z, then disown" dies on hangup); marked with `disown -h` it still gets bash's
    // SIGTERM at exit; a hangup during PROMPT_COMMAND still ends in end_job_control's SIGTERM. The model's
    // unless names disown, a condition that would not flip the outcome (docs/fate.md: "A prediction that
    // turns out wrong must be wrong for the reason its `unless` names").
    it('`sleep N`, Ctrl-Z: no unless names disown, since a disowned stopped job dies too (the kernel)', () => {
      const f = hangup(typed('sleep N, Ctrl-Z'));
      expect(f.outcome).toBe('dies');
      expect(f.unless ?? '').not.toMatch(/disown/);
    });
  });

  describe('nested shells: the hangup reaches a job of a shell that is itself a job of the login bash', () => {
    it('`bash`, then `sleep N &` in it: the login bash SIGHUPs the inner bash, which SIGHUPs its jobs', () => {
      const f = hangup(nestedBashWorld().snapshot(JOB));
      expect(f).toMatchObject({ outcome: 'dies', by: 'bash (6300)' });
      expect(f.why).toContain(
        `The kernel sends SIGHUP to bash (${SHELL}), the session's leader, which sends SIGHUP to its jobs, bash (6300) among them`,
      );
      expect(f.unless).toContain("bash (6300)'s job table");
    });

    it("under `su - alice`, `sleep N` in the foreground of alice's bash: the kernel's SIGHUP to the foreground group after the leader exits", () => {
      const f = hangup(suWorld(true).snapshot(JOB));
      expect(f).toMatchObject({ outcome: 'dies', by: 'the kernel' });
      expect(f.why).toContain(`It holds the terminal's foreground but is in no job of bash (${SHELL})`);
      expect(f.why).toContain('sends SIGHUP and SIGCONT to the process group that held the foreground');
    });

    it('a foreground process that ignores SIGHUP lives the foreground rule', () => {
      const f = hangup(suWorld(true).snapshot(JOB, { status: signals({ ign: [SIG.HUP] }) }));
      expect(f).toMatchObject({ outcome: 'lives', by: 'the kernel' });
    });

    // BUG: alice's bash (6291) holds the terminal's foreground at its prompt. docs/fate.md: "When the leader
    // exits after the hangup, the kernel sends SIGHUP and SIGCONT to the process group that held the
    // terminal's foreground", and "An interactive bash that gets SIGHUP sends SIGHUP to every job in its
    // table": alice's bash passes it to `sleep N &`, which dies. The model finds the job's shell (jobOf
    // 6291) but, su not being a shell, not the way the hangup reaches it, and says lives.
    it("under `su - alice`, `sleep N &` in alice's bash dies: its shell holds the foreground and gets the kernel's SIGHUP", () => {
      const f = hangup(suWorld(false).snapshot(JOB));
      expect(f.outcome).toBe('dies');
      expect(f.by).toBe('bash (6291)');
    });
  });

  describe('no SIGHUP reaches it', () => {
    it("`(sleep N &)` lives: init adopted it, its group is a dead subshell's, in no job", () => {
      const f = hangup(typed('(sleep N &)'));
      expect(f.outcome).toBe('lives');
      expect(f.by).toBeUndefined();
      expect(f.why).toContain("this process's group is not one of them");
      expect(f.why).toContain('its parent is now systemd (1)');
    });

    it("`bash -c 'sleep N &'` lives the same way", () => {
      expect(hangup(typed("bash -c 'sleep N &'")).outcome).toBe('lives');
    });

    it('names the dead terminal in unless when fds 0-2 are on it', () => {
      const f = hangup(typed('(sleep N &)'));
      expect(f.unless).toContain('/dev/pts/0 (fd 0, fd 1, fd 2)');
      expect(f.unless).toContain('writes fail with EIO');
    });

    it('has no unless when its stdio is off the terminal', () => {
      const f = hangup(
        typed('(sleep N &)', { fds: [makeFile(0, '/dev/null'), makeFile(1, '/tmp/log'), makeFile(2, '/tmp/log')] }),
      );
      expect(f.outcome).toBe('lives');
      expect(f.unless).toBeUndefined();
    });

    it('a child that moved to a group of its own (setpgid) under a job (`make run &`) gets no SIGHUP, its parent still in the session', () => {
      const w = sshLogin();
      member(w, 7000, 'make', ['make', 'run'], SHELL);
      member(w, JOB, 'server', ['./server'], 7000);
      const quiet = hangup(w.snapshot(JOB, { fds: [0, 1, 2].map((fd) => makeFile(fd, '/dev/null')) }));
      expect(quiet.outcome).toBe('lives');
      expect(quiet.why).toContain('no SIGHUP reaches it');
      expect(quiet.why).not.toContain('has exited');
      // Its stdout on the login's terminal: the next write after the hangup fails with EIO.
      const writer = hangup(w.snapshot(JOB));
      expect(writer).toMatchObject({ outcome: 'dies', by: 'EIO on its next write to the dead terminal' });
      expect(writer.why).toContain('no SIGHUP reaches it');
      expect(writer.why).toContain('its next write fails with EIO');
      expect(writer.unless).toMatch(/ignores the write error \(EIO\)/);
    });

    it('`setsid sleep N &` lives: neither it nor its session has a terminal', () => {
      const f = hangup(typed('setsid sleep N &'));
      expect(f.outcome).toBe('lives');
      expect(f.why).toContain('Neither it nor its session has a controlling terminal');
      expect(f.unless).toContain('/dev/pts/0');
    });

    it('a double-forked daemon with stdio on /dev/null lives with no unless', () => {
      const w = sshLogin();
      w.add({ pid: JOB, comm: 'daemon', ppid: 1, pgrp: 7000, session: 7000 }, ['/usr/sbin/daemon']);
      const f = hangup(w.snapshot(JOB));
      expect(f).toEqual({ outcome: 'lives', why: expect.stringContaining('Neither it nor its session') });
    });

    it.each(['screen -dmS x sleep N', 'tmux new -d sleep N'] as const)(
      "`%s` lives: its terminal is the multiplexer's pty",
      (line) => {
        const f = hangup(typed(line));
        expect(f.outcome).toBe('lives');
        expect(f.why).toContain('Its terminal /dev/pts/1 is a pty of the multiplexer server');
        expect(f.why).toContain('(7100)');
      },
    );

    it("`sleep N &` in a bash in a tmux pane lives: its session's terminal is the pane's", () => {
      const w = typedWorld('tmux new -d sleep N');
      w.add({ pid: 7200, comm: 'bash', ppid: 7100, ttyNr: ptsTtyNr(2), tpgid: 7200 }, ['-bash']);
      w.add({ pid: 7201, comm: 'sleep', ppid: 7200, session: 7200, ttyNr: ptsTtyNr(2), tpgid: 7200 }, [
        'sleep',
        '3002',
      ]);
      const f = hangup(w.snapshot(7201));
      expect(f.outcome).toBe('lives');
      expect(f.why).toContain('tmux: server (7100)');
    });
  });

  describe("it leads the terminal's session: the kernel signals it directly", () => {
    it('the login bash itself dies (a shell exits on SIGHUP)', () => {
      const f = hangup(sshLogin().snapshot(SHELL));
      expect(f).toMatchObject({ outcome: 'dies', by: 'the kernel' });
      expect(f.why).toContain('It leads the session of /dev/pts/0');
    });

    it("a program leading its session on a terminal (`ssh -t host top`) dies with SIGHUP's default action", () => {
      const f = hangup(sshLogin(['top'], 'top').snapshot(SHELL));
      expect(f).toMatchObject({ outcome: 'dies', by: 'the kernel' });
      expect(f.why).toContain("the leader of /dev/pts/0's session");
    });

    it('such a leader that ignores SIGHUP lives', () => {
      const f = hangup(sshLogin(['top'], 'top').snapshot(SHELL, { status: signals({ ign: [SIG.HUP] }) }));
      expect(f).toMatchObject({ outcome: 'lives', by: 'the kernel' });
    });

    it('such a leader that catches SIGHUP lives, unless its handler exits', () => {
      const f = hangup(sshLogin(['top'], 'top').snapshot(SHELL, { status: signals({ cgt: [SIG.HUP] }) }));
      expect(f).toMatchObject({ outcome: 'lives', unless: 'its SIGHUP handler exits' });
    });

    it('such a leader whose status is unreadable is unknown', () => {
      expect(hangup(sshLogin(['top'], 'top').snapshot(SHELL, { status: null })).outcome).toBe('unknown');
    });
  });

  describe('unknown: the leader cannot be read, or its rules are not known', () => {
    // BUG: docs/fate.md: `unknown` "when the evidence could not be read". alice typed `sudo -u alice sleep N &`
    // (sudo without a pty runs the command in its own process group, the job's); with hidepid she cannot
    // read root's sudo (unreadable.parent EACCES), so neither the ancestors nor the group's other member
    // show the job, and the model says lives ("this process's group is not one of them"). bash sends the
    // job's group SIGHUP: it dies. Whether it is a job is exactly what could not be read.
    it('is not "lives" when its parent could not be read (hidepid): job membership turns on it', () => {
      const w = sshLogin();
      member(w, 6400, 'sudo', ['sudo', '-u', 'alice', 'sleep', '3001'], SHELL);
      member(w, JOB, 'sleep', ['sleep', '3001'], 6400, { pgrp: 6400 });
      const snap = w.hide(1).hide(700).hide(SSHD).hide(6400).snapshot(JOB, { auditorUid: 1000 });
      expect(snap.unreadable).toEqual({ parent: 'EACCES' });
      expect(['dies', 'unknown']).toContain(hangup(snap).outcome);
    });

    it('is unknown when the session leader could not be read (hidepid)', () => {
      const w = typedWorld('sleep N &').hide(SHELL);
      const snap = w.snapshot(JOB, { auditorUid: 1000 });
      expect(snap.unreadable.sessionLeader).toBe('EACCES');
      const f = hangup(snap);
      expect(f.outcome).toBe('unknown');
      expect(f.why).toContain(`Its session's leader (${SHELL}) could not be read`);
    });

    it('is unknown under a non-interactive bash leading the terminal (`ssh -t host ./run.sh`)', () => {
      const w = sshLogin(['/bin/bash', './run.sh'], 'run.sh');
      member(w, JOB, 'sleep', ['sleep', '3001'], SHELL, { pgrp: SHELL });
      const f = hangup(w.snapshot(JOB, { status: signals({ ign: [SIG.INT, SIG.QUIT] }) }));
      expect(f.outcome).toBe('unknown');
      expect(f.why).toContain(`The kernel sends SIGHUP to run.sh (${SHELL}) alone`);
      expect(f.why).toContain('this model knows the rules of an interactive bash, zsh, fish and dash');
    });

    it('lives for `(sleep N &)` under a zsh login: in no job of zsh', () => {
      const w = sshLogin(['-zsh'], 'zsh');
      member(w, JOB, 'sleep', ['sleep', '3001'], 1, { pgrp: JOB - 1 });
      const f = hangup(w.snapshot(JOB));
      expect(f.outcome).toBe('lives');
      expect(f.why).toContain('zsh sends SIGHUP only to the jobs in its table');
    });

    it('is unknown for `sleep N &` under a ksh login, naming `daemon-check try`', () => {
      const w = sshLogin(['-ksh'], 'ksh');
      member(w, JOB, 'sleep', ['sleep', '3001'], SHELL);
      const f = hangup(w.snapshot(JOB));
      expect(f.outcome).toBe('unknown');
      expect(f.why).toContain('no rules for ksh');
      expect(f.why).toContain('`daemon-check try`');
    });
  });

  it("`sudo -b sleep N` under use_pty lives: its terminal is a pty sudo made, not the login's", () => {
    const w = sshLogin();
    // The main sudo went to the background (init adopted it); its monitor leads a session on /dev/pts/1.
    w.add({ pid: 7100, comm: 'sudo', ppid: 1, pgrp: 7100, session: SHELL, ttyNr: ptsTtyNr(0), tpgid: SHELL }, [
      'sudo',
      '-b',
      'sleep',
      '3001',
    ]);
    w.add({ pid: 7101, comm: 'sudo', ppid: 7100, ttyNr: ptsTtyNr(1), tpgid: 7101 }, ['sudo', '-b', 'sleep', '3001']);
    w.add({ pid: JOB, comm: 'sleep', ppid: 7101, session: 7101, ttyNr: ptsTtyNr(1), tpgid: 7101 }, ['sleep', '3001']);
    for (const pid of [7101, JOB]) {
      const f = fateOf(w.snapshot(pid));
      expect(f.hangup.outcome, String(pid)).toBe('lives');
      expect(f.hangup.why).toContain('a pty that sudo (7100) made');
      expect(f['shell-exit'].outcome, String(pid)).toBe('lives');
    }
  });

  describe('zsh, fish and dash logins (docs/fate.md; measured over SSH in test/live/ssh-login-shells.test.ts)', () => {
    const job = (argv: string[], comm: string, ign: number[] = []): Snapshot => {
      const w = sshLogin(argv, comm);
      member(w, JOB, 'sleep', ['sleep', '3001'], SHELL);
      return w.snapshot(JOB, { status: signals({ ign }) });
    };

    it('`sleep N &` under zsh dies of the SIGHUP its HUP option sends, unless `&!`, disown or nohup', () => {
      const f = hangup(job(['-zsh'], 'zsh'));
      expect(f).toMatchObject({ outcome: 'dies', by: `zsh (${SHELL})` });
      expect(f.why).toContain('its HUP option, on by default');
      expect(f.unless).toContain('`&!`');
      expect(f.unless).toContain('`setopt nohup`');
    });

    it('`sleep N &` under fish dies of the SIGHUP fish sends its jobs', () => {
      const f = hangup(job(['-fish'], 'fish'));
      expect(f).toMatchObject({ outcome: 'dies', by: `fish (${SHELL})` });
      expect(f.unless).toContain('`disown`');
    });

    it.each([
      ['-dash', 'dash'],
      ['-sh', 'sh'],
    ])('`sleep N &` under %s lives: dash sends its jobs nothing', (argv, comm) => {
      const f = hangup(job([argv], comm));
      expect(f.outcome).toBe('lives');
      expect(f.why).toContain('dash sends its jobs no signal');
    });

    it.each([
      ['-zsh', 'zsh'],
      ['-fish', 'fish'],
      ['-dash', 'dash'],
    ])('`nohup sleep N &` under %s lives: it ignores SIGHUP', (argv, comm) => {
      expect(hangup(job([argv], comm, [SIG.HUP])).outcome).toBe('lives');
    });

    it('zsh with `setopt nohup` in ~/.zshrc: the file decides, no SIGHUP', () => {
      const rc = {
        shell: 'zsh' as const,
        option: 'HUP' as const,
        home: '/home/u',
        setting: { value: false, where: '/home/u/.zshrc', conditional: [], unread: [] },
      };
      const w = sshLogin(['-zsh'], 'zsh');
      member(w, JOB, 'sleep', ['sleep', '3001'], SHELL);
      const f = hangup(w.snapshot(JOB, { shellRc: rc }));
      expect(f.outcome).toBe('lives');
      expect(f.why).toContain('`setopt nohup` in /home/u/.zshrc');
      expect(f.unless ?? '').not.toContain('setopt');
    });
  });

  it("an old-style daemon that dropped its terminal (TIOCNOTTY) and was adopted by init: the session's terminal is the leader's, and it is in no job", () => {
    const w = sshLogin();
    member(w, JOB, 'daemon', ['/usr/sbin/olddaemon'], 1, { ttyNr: 0, tpgid: -1 });
    const f = hangup(w.snapshot(JOB, { fds: [0, 1, 2].map((fd) => makeTerminalFd(fd, '/dev/pts/0')) }));
    // No SIGHUP reaches it; its writes to the dead terminal fail with EIO.
    expect(f.outcome).toBe('dies');
    expect(f.why).toContain(`The kernel sends SIGHUP to bash (${SHELL})`);
    expect(f.why).toContain('EIO');
  });
});
