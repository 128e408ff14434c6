/**
 * fate['shell-exit']: `exit` typed in the login shell (docs/fate.md, "Shell
 * exit"), on the /proc facts of each launch pattern over a real SSH login.
 */
import { describe, expect, it } from 'vitest';
import type { Snapshot } from '../../../src/snapshot/types.js';
import type { FateEntry } from '../../../src/core/types.js';
import {
  JOB,
  SHELL,
  SIG,
  fateOf,
  member,
  nestedBashWorld,
  signals,
  sshLogin,
  typed,
  typedWorld,
} from '../../helpers/fate.js';

const shellExit = (snap: Snapshot): FateEntry => fateOf(snap)['shell-exit'];

describe('shell-exit', () => {
  describe('a running job of the login bash: bash sends it nothing', () => {
    it("`sleep N &` lives: huponexit is off by default, and the kernel signals only bash's own group", () => {
      const f = shellExit(typed('sleep N &'));
      expect(f.outcome).toBe('lives');
      expect(f.by).toBeUndefined();
      expect(f.why).toContain(`bash (${SHELL}) sends its jobs no signal when it exits (huponexit is off by default)`);
      expect(f.why).toContain("the terminal's foreground process group, which is bash's own");
    });

    it('names huponexit in unless for a login shell (argv[0] -bash): measured, `shopt -s huponexit` makes it die', () => {
      const f = shellExit(typed('sleep N &'));
      expect(f.unless).toContain('`shopt -s huponexit` is set in bash (6264)');
      expect(f.unless).toContain('(not visible in /proc)');
    });

    it.each([[['bash', '--login']], [['bash', '-l']], [['bash', '-il']]])(
      'a login shell started as %j gets the huponexit unless too',
      (argv) => {
        expect(shellExit(typed('sleep N &', { shellArgv: argv })).unless).toContain('huponexit');
      },
    );

    it('does not name huponexit for a non-login interactive bash (`ssh -t host bash`): bash honours it in login shells only', () => {
      const f = shellExit(typed('sleep N &', { shellArgv: ['bash'] }));
      expect(f.outcome).toBe('lives');
      expect(f.unless).not.toContain('huponexit');
    });

    it('names the dead terminal in unless when fds 0-2 are on it', () => {
      const f = shellExit(typed('sleep N &'));
      expect(f.unless).toContain(
        '; or it reads from or writes to the terminal /dev/pts/0 (fd 0, fd 1, fd 2), which is dead after the login ends',
      );
    });

    it("`nohup sleep N &` lives with no unless: huponexit's SIGHUP is ignored, and nohup.out is no terminal", () => {
      const f = shellExit(typed('nohup sleep N &'));
      expect(f.outcome).toBe('lives');
      expect(f.unless).toBeUndefined();
    });

    it("the survivor of a pipeline job is still the login bash's job (`sh -c 'sleep N &' | cat &`)", () => {
      const w = sshLogin();
      member(w, 7002, 'cat', ['cat'], SHELL, { pgrp: 7000 });
      member(w, JOB, 'sleep', ['sleep', '3001'], 1, { pgrp: 7000 });
      const f = shellExit(w.snapshot(JOB));
      expect(f.outcome).toBe('lives');
      expect(f.unless).toContain('huponexit');
    });
  });

  describe('in no job of the login bash', () => {
    it('`(sleep N &)` lives', () => {
      const f = shellExit(typed('(sleep N &)'));
      expect(f.outcome).toBe('lives');
      expect(f.why).toContain(`It is in no job of bash (${SHELL})`);
      expect(f.unless).not.toContain('huponexit');
      expect(f.unless).toContain('/dev/pts/0');
    });

    it("`bash -c 'sleep N &'` lives", () => {
      expect(shellExit(typed("bash -c 'sleep N &'")).outcome).toBe('lives');
    });

    it("an old-style daemon that dropped its terminal (TIOCNOTTY) is still judged on the leader's terminal: in no job, lives", () => {
      const w = sshLogin();
      member(w, JOB, 'daemon', ['/usr/sbin/olddaemon'], 1, { ttyNr: 0, tpgid: -1 });
      const f = shellExit(w.snapshot(JOB));
      expect(f.outcome).toBe('lives');
      expect(f.why).toContain(`It is in no job of bash (${SHELL})`);
    });

    it('a job of a nested bash is in no job of the login bash', () => {
      const f = shellExit(nestedBashWorld().snapshot(JOB));
      expect(f.outcome).toBe('lives');
      expect(f.why).toContain(`no job of bash (${SHELL})`);
    });
  });

  describe("job control off (`set +m`): the job is in bash's own group, the foreground one", () => {
    it("`set +m; sleep N &` dies of the kernel's SIGHUP to the foreground group", () => {
      const f = shellExit(typed('set +m; sleep N &'));
      expect(f).toMatchObject({ outcome: 'dies', by: 'the kernel' });
      expect(f.why).toContain(
        "the kernel sends SIGHUP to the terminal's foreground process group, which is bash's own and holds this process (job control is off)",
      );
      expect(f.unless).toBeUndefined();
    });

    it('`set +m; nohup sleep N &` lives', () => {
      const f = shellExit(typed('set +m; sleep N &', { status: signals({ ign: [SIG.HUP, SIG.INT, SIG.QUIT] }) }));
      expect(f).toMatchObject({ outcome: 'lives', by: 'the kernel' });
    });
  });

  it('`sleep N` in the foreground: `exit` cannot be typed, so it lives', () => {
    const f = shellExit(typed('sleep N'));
    expect(f.outcome).toBe('lives');
    expect(f.why).toContain("It holds the terminal's foreground");
    expect(f.why).toContain('reads no `exit` until it ends or is stopped');
  });

  describe('stopped jobs: bash refuses the first exit, and sends SIGTERM and SIGCONT at the second', () => {
    it("`sleep N`, Ctrl-Z dies of bash's SIGTERM, with no unless (disowned, the kernel's SIGHUP ends it too)", () => {
      const f = shellExit(typed('sleep N, Ctrl-Z'));
      expect(f).toMatchObject({ outcome: 'dies', by: `bash (${SHELL})` });
      expect(f.why).toContain('"There are stopped jobs."');
      expect(f.why).toContain('at the second it sends SIGTERM and SIGCONT to them');
      expect(f.unless).toBeUndefined();
    });

    it('`nohup sleep N`, Ctrl-Z dies; unless disowned, when only the ignored kernel SIGHUP reaches it (measured: lives)', () => {
      const f = shellExit(typed('nohup sleep N, Ctrl-Z'));
      expect(f).toMatchObject({ outcome: 'dies', by: `bash (${SHELL})` });
      expect(f.unless).toContain('`disown`');
      expect(f.unless).toContain("the kernel's SIGHUP to its orphaned group");
    });

    it('a stopped job that ignores SIGTERM lives', () => {
      const f = shellExit(typed('sleep N, Ctrl-Z', { status: signals({ ign: [SIG.TERM] }) }));
      expect(f).toMatchObject({ outcome: 'lives', by: `bash (${SHELL})` });
      expect(f.why).toContain('it ignores SIGTERM');
    });

    it('a stopped job that catches SIGTERM dies, unless its handler does not exit', () => {
      const f = shellExit(typed('sleep N, Ctrl-Z', { status: signals({ cgt: [SIG.TERM] }) }));
      expect(f).toMatchObject({ outcome: 'dies', unless: 'its SIGTERM handler does not exit' });
    });

    it('a stopped nohup job catching SIGTERM names both conditions', () => {
      const f = shellExit(typed('nohup sleep N, Ctrl-Z', { status: signals({ ign: [SIG.HUP], cgt: [SIG.TERM] }) }));
      expect(f.outcome).toBe('dies');
      expect(f.unless).toMatch(
        /^its SIGTERM handler does not exit; or it was removed from bash \(6264\)'s job table with `disown`/,
      );
    });

    it('a stopped job that blocks SIGTERM lives while it stays pending', () => {
      const f = shellExit(typed('sleep N, Ctrl-Z', { status: signals({ blk: [SIG.TERM] }) }));
      expect(f).toMatchObject({ outcome: 'lives', unless: 'it unblocks SIGTERM' });
    });

    it('a stopped job whose status is unreadable is unknown', () => {
      const f = shellExit(typed('sleep N, Ctrl-Z', { status: null }));
      expect(f).toMatchObject({ outcome: 'unknown', by: `bash (${SHELL})` });
    });
  });

  describe("outside the login shell's reach", () => {
    it('`setsid sleep N &` lives: no terminal; its stdio on the dead terminal is the unless', () => {
      const f = shellExit(typed('setsid sleep N &'));
      expect(f.outcome).toBe('lives');
      expect(f.why).toContain('Neither it nor its session has a controlling terminal');
      expect(f.unless).toContain('/dev/pts/0');
    });

    it.each(['screen -dmS x sleep N', 'tmux new -d sleep N'] as const)(
      "`%s` lives: the multiplexer's terminal",
      (line) => {
        const f = shellExit(typed(line));
        expect(f.outcome).toBe('lives');
        expect(f.why).toContain('Its terminal /dev/pts/1 belongs to the multiplexer server');
        expect(f.unless).toBeUndefined();
      },
    );

    it('the login bash itself dies: it is the shell that exits', () => {
      expect(shellExit(sshLogin().snapshot(SHELL))).toEqual({ outcome: 'dies', why: 'It is the shell that exits.' });
    });

    it('a program leading its own terminal session (`ssh -t host top`) lives', () => {
      const f = shellExit(sshLogin(['top'], 'top').snapshot(SHELL));
      expect(f.outcome).toBe('lives');
      expect(f.why).toContain('It leads its own session on /dev/pts/0 and is not a shell');
    });
  });

  describe('unknown', () => {
    it('when the session leader could not be read', () => {
      const f = shellExit(typedWorld('sleep N &').hide(SHELL).snapshot(JOB));
      expect(f.outcome).toBe('unknown');
      expect(f.why).toBe(`Its session's leader (${SHELL}) could not be read.`);
    });

    it.each([['a non-interactive bash script', ['/bin/bash', './run.sh'], 'run.sh']])(
      'when the leader is %s, whose rules the model does not know',
      (_name, argv, comm) => {
        const w = sshLogin(argv, comm);
        member(w, JOB, 'sleep', ['sleep', '3001'], SHELL);
        const f = shellExit(w.snapshot(JOB));
        expect(f.outcome).toBe('unknown');
        expect(f.why).toContain(
          `${comm} (${SHELL}) is not an interactive shell whose rules this model knows (bash, zsh, fish, dash)`,
        );
      },
    );

    it('when the leader is a ksh login: no rules, and `daemon-check try` is named', () => {
      const w = sshLogin(['-ksh'], 'ksh');
      member(w, JOB, 'sleep', ['sleep', '3001'], SHELL);
      const f = shellExit(w.snapshot(JOB));
      expect(f.outcome).toBe('unknown');
      expect(f.why).toContain('`daemon-check try`');
    });
  });

  describe('zsh, fish and dash logins (measured over SSH: test/live/ssh-login-shells.test.ts)', () => {
    const job = (argv: string[], comm: string, partial: Partial<Snapshot> = {}): FateEntry => {
      const w = sshLogin(argv, comm);
      member(w, JOB, 'sleep', ['sleep', '3001'], SHELL);
      return shellExit(w.snapshot(JOB, partial));
    };

    it('zsh: refuses the first exit with running jobs, then SIGHUPs them (HUP is on by default)', () => {
      const f = job(['-zsh'], 'zsh');
      expect(f).toMatchObject({ outcome: 'dies', by: `zsh (${SHELL})` });
      expect(f.why).toContain('you have running jobs.');
      expect(f.unless).toContain('`&!`');
    });

    it('fish: SIGHUP to its jobs as it exits', () => {
      expect(job(['-fish'], 'fish')).toMatchObject({ outcome: 'dies', by: `fish (${SHELL})` });
    });

    it.each([
      ['-dash', 'dash'],
      ['-sh', 'sh'],
    ])('%s: its jobs get no signal at exit', (argv, comm) => {
      const f = job([argv], comm);
      expect(f.outcome).toBe('lives');
      expect(f.why).toContain('sends its jobs no signal when it exits');
    });

    it('zsh and fish jobs that ignore SIGHUP live', () => {
      expect(job(['-zsh'], 'zsh', { status: signals({ ign: [SIG.HUP] }) }).outcome).toBe('lives');
      expect(job(['-fish'], 'fish', { status: signals({ ign: [SIG.HUP] }) }).outcome).toBe('lives');
    });

    it('bash with `shopt -s huponexit` in ~/.bashrc: the file decides, dies', () => {
      const rc = {
        shell: 'bash' as const,
        option: 'huponexit' as const,
        home: '/home/u',
        setting: { value: true, where: '/home/u/.bashrc', conditional: [], unread: [] },
      };
      const f = job(['-bash'], 'bash', { shellRc: rc });
      expect(f).toMatchObject({ outcome: 'dies', by: `bash (${SHELL})` });
      expect(f.why).toContain('`shopt -s huponexit` in /home/u/.bashrc');
    });

    it('bash with huponexit set under a condition: lives, and the unless names the file', () => {
      const rc = {
        shell: 'bash' as const,
        option: 'huponexit' as const,
        home: '/home/u',
        setting: { value: null, where: null, conditional: ['/home/u/.bashrc'], unread: [] },
      };
      const f = job(['-bash'], 'bash', { shellRc: rc });
      expect(f.outcome).toBe('lives');
      expect(f.unless).toContain('under a condition in /home/u/.bashrc');
    });
  });
});
