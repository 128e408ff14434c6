/**
 * Real SSH logins for live tests: a private sshd on 127.0.0.1 (its own temp
 * dir, keys, config and port; the machine's sshd and port 22 are never
 * touched), and logins made by a real `ssh -tt` client running on a real
 * local pty (a pane of a private tmux server), so the far side gets what a
 * person at a terminal gets: an interactive login bash that leads its session
 * and owns a /dev/pts terminal.
 *
 * Everything waits on conditions (a line in a log, a pid in /proc, a line on
 * the pty), never on fixed sleeps. Every process is cleaned up by pid: the
 * ones started here directly, the ones learned about (the remote shell, the
 * sshd session processes), and, by `sweep()`, every process that inherited
 * this sshd's marker variable (DC_SSH_HARNESS=<id>, set with sshd's SetEnv),
 * which catches whatever a test's remote commands left behind.
 *
 * By default the login is root's, with bash. `newLogin({ shell: '/usr/bin/zsh' })`
 * logs in instead as a throwaway user made for that login (useradd, with that
 * passwd shell and a home of its own under the sshd's temp dir, holding the
 * `files` given: rc files such as `.zshrc`), removed with `userdel -r` when
 * the login is cleaned up, by the tracker's cleanup too when a test fails.
 *
 * A hangup (end('hangup')) is made only once the remote bash sits at its
 * prompt: bash skips SIGHUP to its jobs when the hangup finds it running
 * PROMPT_COMMAND, so an unguarded hangup gives a random answer (see
 * SshLogin.shellAtPrompt).
 *
 * Needs root (sshd, root login) and (Debian) openssh-server, openssh-client,
 * tmux, procps; strace for SignalTrace; screen only for tests that use it.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  alive,
  allPids,
  commandLine,
  freePort,
  killPid,
  ppidOf,
  TMUX_NEW_SESSION,
  tempDir,
  waitFor,
  type Tracker,
} from './procs.js';
import { afterAll, beforeAll } from 'vitest';
import { noteEnvNeedle } from '../setup/registry.js';

const SSHD = '/usr/sbin/sshd';

/** How a login is made: by default root with its login bash. */
export interface LoginOptions {
  /**
   * A login shell (an absolute path, e.g. /usr/bin/zsh, /usr/bin/fish,
   * /usr/bin/dash): the login is made as a throwaway user whose passwd shell
   * it is.
   */
  shell?: string;
  /** Files written into the throwaway user's home before the login (name relative to it -> text). */
  files?: Record<string, string>;
}

/** What a login shell says when it refuses the first `exit` because of jobs. */
const EXIT_REFUSALS: Record<string, RegExp> = {
  bash: /There are stopped jobs\./g,
  zsh: /you have (?:running|suspended|stopped) jobs\./g,
  fish: /There are still jobs active/g,
};

/** Decodes a tty_nr from /proc/PID/stat: 0 = none, else pts/N, ttyN or major:minor. */
export function ttyName(ttyNr: number): string | null {
  if (ttyNr === 0) return null;
  const major = (ttyNr >> 8) & 0xfff;
  const minor = (ttyNr & 0xff) | ((ttyNr >> 12) & 0xfff00);
  if (major >= 136 && major <= 143) return `/dev/pts/${(major - 136) * 256 + minor}`;
  if (major === 4) return `/dev/tty${minor}`;
  return `${major}:${minor}`;
}

/** What /proc says about a process at one moment: the facts daemon-check reads. */
export interface ProcFacts {
  pid: number;
  comm: string;
  cmdline: string;
  state: string;
  ppid: number;
  pgrp: number;
  session: number;
  ttyNr: number;
  tty: string | null;
  tpgid: number;
  sigIgn: string;
  sigBlk: string;
  sigCgt: string;
  sigPnd: string;
  shdPnd: string;
  tracerPid: number;
  cgroup: string[];
}

export function procFacts(pid: number): ProcFacts | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const cgroup = fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8').trim().split('\n');
    const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const f = stat
      .slice(stat.lastIndexOf(')') + 2)
      .trim()
      .split(' ');
    const st = (k: string): string => new RegExp(`^${k}:\\s*(.*)$`, 'm').exec(status)?.[1]?.trim() ?? '';
    const ttyNr = Number(f[4]);
    return {
      pid,
      comm,
      cmdline: commandLine(pid),
      state: f[0]!,
      ppid: Number(f[1]),
      pgrp: Number(f[2]),
      session: Number(f[3]),
      ttyNr,
      tty: ttyName(ttyNr),
      tpgid: Number(f[5]),
      sigIgn: st('SigIgn'),
      sigBlk: st('SigBlk'),
      sigCgt: st('SigCgt'),
      sigPnd: st('SigPnd'),
      shdPnd: st('ShdPnd'),
      tracerPid: Number(st('TracerPid') || 0),
      cgroup,
    };
  } catch {
    return null;
  }
}

/**
 * Settled and alive: not a zombie, no signal pending, in an ordinary state,
 * on three polls in a row (50 ms apart), so a process acting on a fatal
 * signal right now is not taken for a survivor. Use it once every sender
 * is gone (after SshLogin.end).
 */
export async function settledAlive(pid: number, timeoutMs = 5000): Promise<boolean> {
  let good = 0;
  try {
    await waitFor(
      `pid ${pid} to be settled`,
      () => {
        const f = procFacts(pid);
        if (!f || f.state === 'Z' || f.state === 'X') return 'dead';
        const quiet = /^0+$/.test(f.sigPnd) && /^0+$/.test(f.shdPnd) && /[SRTtD]/.test(f.state);
        good = quiet ? good + 1 : 0;
        return good >= 3 ? 'alive' : false;
      },
      timeoutMs,
    );
  } catch {
    return alive(pid);
  }
  return alive(pid);
}

/** One sshd of our own, for the whole test file. */
export class PrivateSshd {
  readonly id = `dcssh${process.pid}x${Math.floor(Math.random() * 1e9)}`;
  dir = '';
  port = 0;
  pid = 0;
  private child: ChildProcess | null = null;
  private readonly logins = new Set<SshLogin>();

  constructor(private readonly tracker: Tracker) {}

  get clientKey(): string {
    return path.join(this.dir, 'client_key');
  }
  get log(): string {
    return fs.existsSync(path.join(this.dir, 'sshd.log'))
      ? fs.readFileSync(path.join(this.dir, 'sshd.log'), 'utf8')
      : '';
  }
  /** SCREENDIR and TMUX_TMPDIR of every login, so screen and tmux sockets stay in our temp dir. */
  get screenDir(): string {
    return path.join(this.dir, 'screen');
  }
  /** HOME of every login: startup files of the test's own. */
  get homeDir(): string {
    return path.join(this.dir, 'home');
  }
  get tmuxDir(): string {
    return path.join(this.dir, 'tmux');
  }
  /** TMUX_TMPDIR of the local tmux servers that hold the ssh clients. */
  get localTmuxDir(): string {
    return path.join(this.dir, 'ltmux');
  }
  /** The throwaway users' homes. */
  get usersDir(): string {
    return path.join(this.dir, 'users');
  }
  /** TMUX_TMPDIR of the throwaway users' logins (sticky, world-writable: tmux makes tmux-UID in it). */
  get usersTmuxDir(): string {
    return path.join(this.dir, 'utmux');
  }

  async start(): Promise<this> {
    this.dir = tempDir('dc-ssh-');
    fs.mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
    fs.mkdirSync(this.screenDir, { mode: 0o700 });
    fs.mkdirSync(this.tmuxDir, { mode: 0o700 });
    fs.mkdirSync(this.localTmuxDir, { mode: 0o700 });
    // Throwaway users reach their homes and the public authorized_keys (sshd reads it as the user).
    fs.chmodSync(this.dir, 0o711);
    fs.mkdirSync(this.usersDir, { mode: 0o711 });
    fs.mkdirSync(this.usersTmuxDir);
    fs.chmodSync(this.usersTmuxDir, 0o1777);
    // The logins' HOME, so they run no dotfiles of the host's: root's ~/.bashrc on these
    // machines runs `pyenv rehash`, whose lock file, left behind by a login killed during
    // it, made every later login wait 60 s. /etc/profile still runs, as in any login.
    fs.mkdirSync(this.homeDir, { mode: 0o700 });
    const pathDirs = loginPathDirs();
    fs.writeFileSync(
      path.join(this.homeDir, '.bash_profile'),
      `# daemon-check's SSH test login\nexport PATH=${pathDirs.join(':')}\n`,
    );
    fs.writeFileSync(path.join(this.homeDir, '.bashrc'), '');
    for (const k of ['host_key', 'client_key']) {
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', this.id, '-f', path.join(this.dir, k)], {
        stdio: 'ignore',
      });
    }
    fs.copyFileSync(`${this.clientKey}.pub`, path.join(this.dir, 'authorized_keys'));
    fs.chmodSync(path.join(this.dir, 'authorized_keys'), 0o644);
    let lastError = '';
    for (let attempt = 0; attempt < 5; attempt++) {
      this.port = await freePort();
      const config = path.join(this.dir, 'sshd_config');
      fs.writeFileSync(
        config,
        [
          `ListenAddress 127.0.0.1`,
          `Port ${this.port}`,
          `HostKey ${path.join(this.dir, 'host_key')}`,
          `PidFile ${path.join(this.dir, 'sshd.pid')}`,
          `AuthorizedKeysFile ${path.join(this.dir, 'authorized_keys')}`,
          `UsePAM no`,
          `StrictModes no`,
          `PasswordAuthentication no`,
          `KbdInteractiveAuthentication no`,
          `PubkeyAuthentication yes`,
          `PermitRootLogin prohibit-password`,
          `PermitTTY yes`,
          `PrintMotd no`,
          `PrintLastLog no`,
          `UseDNS no`,
          `X11Forwarding no`,
          `LogLevel INFO`,
          // Logins are made side by side: do not drop concurrent unauthenticated connections.
          `MaxStartups 100`,
          // sshd keeps the first SetEnv that applies: root's logins get the test's HOME (HISTFILE: they
          // must not rewrite root's ~/.bash_history); a throwaway user's keep the home useradd gave it.
          `Match User root`,
          `  SetEnv DC_SSH_HARNESS=${this.id} HOME=${this.homeDir} HISTFILE=/dev/null SCREENDIR=${this.screenDir} TMUX_TMPDIR=${this.tmuxDir}`,
          `Match all`,
          `  SetEnv DC_SSH_HARNESS=${this.id} HISTFILE=/dev/null TMUX_TMPDIR=${this.usersTmuxDir}`,
          '',
        ].join('\n'),
      );
      const logPath = path.join(this.dir, 'sshd.log');
      fs.writeFileSync(logPath, '');
      const logFd = fs.openSync(logPath, 'a');
      const child = spawn(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', logFd, logFd], detached: true });
      fs.closeSync(logFd);
      child.on('error', () => undefined);
      if (!child.pid) throw new Error(`cannot run ${SSHD} (is openssh-server installed?)`);
      this.child = child;
      this.pid = this.tracker.track(child.pid!);
      // sshd gives each login a fresh environment: this SetEnv entry is what its processes carry instead.
      noteEnvNeedle(`DC_SSH_HARNESS=${this.id}`);
      const listening = new RegExp(`Server listening on 127\\.0\\.0\\.1 port ${this.port}\\b`);
      const outcome = await waitFor(
        'sshd to listen',
        () =>
          listening.test(this.log) ? 'up' : child.exitCode !== null || child.signalCode !== null ? 'exited' : false,
        15_000,
      );
      if (outcome === 'up') {
        this.tracker.onCleanup(() => {
          for (const pid of this.marked()) killPid(pid);
        });
        return this;
      }
      lastError = this.log;
      // e.g. the port was taken between probing and binding: try another.
    }
    throw new Error(`sshd did not start: ${lastError}`);
  }

  /** Every live process that inherited this sshd's marker (the logins' whole process trees, orphans included). */
  marked(): number[] {
    const needle = `DC_SSH_HARNESS=${this.id}`;
    const out: number[] = [];
    for (const pid of allPids()) {
      if (pid === process.pid) continue;
      try {
        if (fs.readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(needle) && alive(pid)) out.push(pid);
      } catch {
        /* gone */
      }
    }
    return out;
  }

  /**
   * SIGKILL, by pid, every process that came out of a login of this sshd,
   * and wait until none is left alive (zombies count as gone).
   */
  async sweep(timeoutMs = 5000): Promise<void> {
    await waitFor(
      "the logins' processes to go",
      () => {
        const left = this.marked();
        for (const pid of left) killPid(pid);
        return left.length === 0;
      },
      timeoutMs,
    ).catch(() => undefined);
  }

  /** A login: root's bash by default, or a throwaway user's with `opts.shell` (see LoginOptions). */
  newLogin(opts: LoginOptions = {}): SshLogin {
    const l = new SshLogin(this, this.tracker, opts);
    this.logins.add(l);
    return l;
  }

  async stop(): Promise<void> {
    for (const l of this.logins) await l.cleanup();
    await this.sweep();
    if (this.pid) killPid(this.pid);
    const child = this.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      await new Promise<void>((r) => child.once('exit', () => r()));
    }
  }
}

export type EndMode = 'hangup' | 'exit';

/**
 * One interactive SSH login: ssh -tt root@127.0.0.1 on a pane of a private
 * tmux server (a real local pty), with a login bash on the far side; or, with
 * `opts.shell`, ssh -tt USER@127.0.0.1 as a throwaway user with that login shell.
 */
export class SshLogin {
  readonly socket = `dcssh-${process.pid}-${Math.floor(Math.random() * 1e9)}`;
  tmuxServerPid = 0;
  /** The local ssh client (the tmux pane's process). */
  clientPid = 0;
  /** The remote login bash: its session's leader, on a /dev/pts terminal. */
  remoteShellPid = 0;
  remoteTty = '';
  /** The remote shell's sshd ancestors (session monitor and child), up to but not including the listener. */
  sshdSessionPids: number[] = [];
  /** The login name: root, or the throwaway user made for this login. */
  user = 'root';
  /** The login shell's name: bash, zsh, fish, dash... */
  readonly shellName: string;
  private userMade = false;
  private markers = 0;
  private cleaned = false;

  constructor(
    readonly sshd: PrivateSshd,
    private readonly tracker: Tracker,
    readonly opts: LoginOptions = {},
  ) {
    this.shellName = opts.shell ? path.basename(opts.shell) : 'bash';
  }

  /** The throwaway user's home (its passwd home); '' for root's logins. */
  get home(): string {
    return this.userMade ? path.join(this.sshd.usersDir, this.user) : '';
  }

  /**
   * Makes the throwaway user: its passwd shell is opts.shell, its home holds
   * opts.files (and an empty .zshrc unless given, so a zsh login does not
   * stop in zsh-newuser-install's menu). Removed by removeUser().
   */
  private makeUser(): void {
    const shell = this.opts.shell!;
    if (!fs.existsSync(shell)) throw new Error(`no such shell: ${shell}`);
    this.user = `dcsh${Math.floor(Math.random() * 1e9)}`;
    const home = path.join(this.sshd.usersDir, this.user);
    // -p '*': no password, but not locked (a locked account's key logins are refused by sshd).
    execFileSync('useradd', ['-M', '-U', '-p', '*', '-d', home, '-s', shell, this.user], { stdio: 'pipe' });
    this.userMade = true;
    this.tracker.onCleanup(() => this.removeUser());
    fs.mkdirSync(home, { mode: 0o755 });
    const files = { '.zshrc': '', ...this.opts.files };
    for (const [name, text] of Object.entries(files)) {
      const file = path.join(home, name);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, text);
    }
    execFileSync('chown', ['-R', `${this.user}:${this.user}`, home]);
  }

  /** userdel -r -f: the user, its group and its home; idempotent. */
  removeUser(): void {
    if (!this.userMade) return;
    this.userMade = false;
    try {
      execFileSync('userdel', ['-r', '-f', this.user], { stdio: 'pipe' });
    } catch {
      /* already gone */
    }
    // fish's runtime dir, made when XDG_RUNTIME_DIR is unset (no PAM here).
    fs.rmSync(`/tmp/fish.${this.user}`, { recursive: true, force: true });
  }

  /** The line that makes the remote shell print DC_SHELL=<pid>:<tty>:<flags with i when interactive>. */
  private probeLine(cwd: string): string {
    // The quotes keep the typed line from matching: the echo of "DC_SH"ELL is not DC_SHELL.
    if (this.shellName === 'fish')
      return `cd '${cwd}'; echo "DC_SH"ELL=$fish_pid:(tty):(status is-interactive; and echo i; or echo n)`;
    return `cd '${cwd}'; echo "DC_SH"ELL=$$:$(tty):$-`;
  }

  private tmux(args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: this.env(),
    });
  }

  private env(): NodeJS.ProcessEnv {
    // TMUX_TMPDIR: the -L socket lives in our temp dir (tmux 3.3 leaves it
    // behind even on kill-server), so removing the dir removes it.
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      TERM: process.env.TERM || 'xterm',
      TMUX_TMPDIR: this.sshd.localTmuxDir,
    };
    delete env.TMUX;
    delete env.TMUX_PANE;
    return env;
  }

  /**
   * Logs in. The remote shell then changes to `cwd` (default: a directory in
   * the sshd's temp dir, so files like nohup.out do not land in ~root).
   */
  async start(opts: { cwd?: string } = {}): Promise<this> {
    if (this.opts.shell) this.makeUser();
    const cwd = opts.cwd ?? (this.userMade ? this.home : path.join(this.sshd.dir, 'work'));
    fs.mkdirSync(cwd, { recursive: true });
    const known = path.join(this.sshd.dir, 'known_hosts');
    const ssh = [
      'ssh',
      '-tt',
      '-F',
      '/dev/null',
      '-i',
      this.sshd.clientKey,
      '-p',
      String(this.sshd.port),
      '-o',
      'IdentitiesOnly=yes',
      '-o',
      'BatchMode=yes',
      '-o',
      'StrictHostKeyChecking=accept-new',
      '-o',
      `UserKnownHostsFile=${known}`,
      '-o',
      'GlobalKnownHostsFile=/dev/null',
      '-o',
      'ControlMaster=no',
      '-o',
      'ControlPath=none',
      '-o',
      'LogLevel=ERROR',
      `${this.user}@127.0.0.1`,
    ];
    // One tmux invocation: the server, the session running ssh directly (argv
    // form, no shell in between), and remain-on-exit so the pane's last
    // screen can still be read after the client has gone.
    this.tmux([
      ...TMUX_NEW_SESSION,
      ...ssh,
      ';',
      'set-option',
      '-t',
      'main',
      'remain-on-exit',
      'on',
      ';',
      'set-option',
      '-t',
      'main',
      'history-limit',
      '50000',
    ]);
    this.tracker.onCleanup(() => this.killTmux());
    const [server, pane] = this.tmux(['display-message', '-p', '-t', 'main', '#{pid} #{pane_pid}'])
      .trim()
      .split(' ')
      .map(Number);
    this.tmuxServerPid = this.tracker.track(server!);
    this.clientPid = this.tracker.track(pane!);
    // The pane's process is ssh itself (tmux execs an argv command directly).
    await waitFor(
      'the local ssh client',
      () => /^ssh -tt /.test(commandLine(this.clientPid)) || !alive(this.clientPid),
    );
    if (!alive(this.clientPid)) throw new Error(`ssh client exited at once:\n${this.screen()}`);
    // The remote shell answers with its pid and terminal.
    this.type(this.probeLine(cwd));
    const m = await this.waitForOutput(/DC_SHELL=(\d+):(\/dev\/pts\/\d+):(\S*)/, 20_000);
    this.remoteShellPid = this.tracker.track(Number(m[1]));
    this.remoteTty = m[2]!;
    if (!m[3]!.includes('i')) throw new Error(`remote shell is not interactive ($- = ${m[3]})`);
    // Its sshd ancestors: the session processes that go when the login ends.
    for (let p = ppidOf(this.remoteShellPid); p && p !== this.sshd.pid && p > 1; p = ppidOf(p)) {
      this.sshdSessionPids.push(this.tracker.track(p));
    }
    return this;
  }

  /** Types a line and Enter on the local pty (which ssh forwards to the remote one). */
  type(line: string): void {
    this.tmux(['send-keys', '-t', 'main', '-l', line]);
    this.tmux(['send-keys', '-t', 'main', 'Enter']);
  }

  /** Sends keys by tmux name: 'C-z', 'C-c', 'C-a', 'd', 'Enter'. */
  keys(...keys: string[]): void {
    this.tmux(['send-keys', '-t', 'main', ...keys]);
  }

  /** The pane's whole text (scrollback included), lines joined. */
  screen(): string {
    try {
      return this.tmux(['capture-pane', '-p', '-J', '-t', 'main', '-S', '-']);
    } catch {
      return '';
    }
  }

  async waitForOutput(re: RegExp, timeoutMs = 10_000): Promise<RegExpExecArray> {
    try {
      return await waitFor(`${re} on the pty`, () => re.exec(this.screen()), timeoutMs);
    } catch (e) {
      throw new Error(`${(e as Error).message}; screen:\n${this.screen()}`, { cause: e });
    }
  }

  /**
   * Types a line, then a marker command, and waits for the marker's output:
   * the shell has run the line and is back at its prompt. Not for lines that
   * leave a job in the foreground. The marker is matched anywhere in a line:
   * a background job's output may land just before it (python's print writes
   * "p", " ", the number and the newline one by one), and the typed command
   * cannot match, as its quotes split the word.
   */
  async run(line: string, timeoutMs = 15_000): Promise<void> {
    const n = ++this.markers;
    this.type(line);
    this.type(`echo "DC_MA"RK_${n}_END`);
    await this.waitForOutput(new RegExp(`DC_MARK_${n}_END`), timeoutMs);
  }

  /** The remote shell's view by ps: [pid, sid, tty]. */
  remoteShellPs(): { pid: number; sid: number; tty: string; args: string } {
    const out = execFileSync('ps', ['-o', 'pid=,sid=,tty=,args=', '-p', String(this.remoteShellPid)], {
      encoding: 'utf8',
    }).trim();
    const m = /^(\d+)\s+(\d+)\s+(\S+)\s+(.*)$/.exec(out);
    if (!m) throw new Error(`ps said ${JSON.stringify(out)}`);
    return { pid: Number(m[1]), sid: Number(m[2]), tty: m[3]!, args: m[4]! };
  }

  /** Types `exit` in the login shell, once. */
  typeExit(): void {
    this.type('exit');
  }

  /**
   * Types `exit` and waits for the shell to refuse it: bash "There are
   * stopped jobs." (stopped jobs only), zsh "you have running jobs." or
   * "suspended jobs.", fish "There are still jobs active". A second `exit`
   * right after (no command in between: that resets the count) is obeyed.
   */
  async exitRefused(timeoutMs = 10_000): Promise<void> {
    const refusal = EXIT_REFUSALS[this.shellName];
    if (!refusal) throw new Error(`${this.shellName} does not refuse an exit`);
    const count = (): number => (this.screen().match(refusal) ?? []).length;
    const before = count();
    this.typeExit();
    try {
      await waitFor(`${this.shellName} to refuse the first exit`, () => count() > before, timeoutMs);
    } catch (e) {
      throw new Error(`${(e as Error).message}; screen:\n${this.screen()}`, { cause: e });
    }
  }

  /**
   * True when the remote shell sits at its prompt: blocked in readline's
   * read of the terminal (pselect6/select/poll with fd 0, or read(0)), so
   * neither running a command nor PROMPT_COMMAND. This matters: bash only
   * sends SIGHUP to its jobs when the hangup finds it "interactive", and it
   * is not while it runs PROMPT_COMMAND (or a trap, ~/.bash_logout): a
   * hangup in that window leaves every job alive (measured; bash's
   * termsig_handler tests `interactive`).
   */
  shellAtPrompt(): boolean {
    try {
      const f = fs.readFileSync(`/proc/${this.remoteShellPid}/syscall`, 'utf8').trim().split(' ');
      const nr = Number(f[0]);
      const arg0 = f[1];
      // zsh reads its terminal on fd 10 (SHTTY), dash on fd 0; fish waits in poll().
      const readsTty = nr === 0 && (arg0 === '0x0' || this.shellName !== 'bash');
      return readsTty || ((nr === 270 || nr === 23) && arg0 === '0x1') || nr === 7;
    } catch {
      return false;
    }
  }

  /** Waits until the shell has sat at its prompt for three polls in a row. */
  async waitAtPrompt(timeoutMs = 15_000): Promise<void> {
    let n = 0;
    try {
      await waitFor(
        'the remote shell to sit at its prompt',
        () => (n = this.shellAtPrompt() ? n + 1 : 0) >= 3,
        timeoutMs,
      );
    } catch (e) {
      const sc = fs.existsSync(`/proc/${this.remoteShellPid}/syscall`)
        ? fs.readFileSync(`/proc/${this.remoteShellPid}/syscall`, 'utf8')
        : 'gone';
      throw new Error(`${(e as Error).message} (syscall: ${sc}); screen:\n${this.screen()}`, { cause: e });
    }
  }

  /**
   * Ends the login. 'hangup': SIGKILL the local ssh client (the connection
   * drops; sshd closes the remote pty's master: a terminal hangup), once the
   * shell sits at its prompt (pass atPrompt: false when a foreground job,
   * e.g. an attached screen, holds the terminal: bash is then waiting for
   * it, past PROMPT_COMMAND). 'exit': type `exit`; with `exitTwice`, first
   * wait for bash's refusal because of stopped jobs, then type it again.
   * Resolves when the client, the remote shell and the sshd session
   * processes are all gone, i.e. when every signal the end causes has been
   * sent.
   */
  async end(mode: EndMode, opts: { exitTwice?: boolean; atPrompt?: boolean; timeoutMs?: number } = {}): Promise<void> {
    if (mode === 'hangup') {
      if (opts.atPrompt !== false) await this.waitAtPrompt();
      killPid(this.clientPid, 'SIGKILL');
    } else {
      if (opts.exitTwice) await this.exitRefused();
      this.typeExit();
    }
    await this.waitEnded(opts.timeoutMs);
  }

  /** Waits until the client, the remote shell and its sshd session processes are gone. */
  async waitEnded(timeoutMs = 15_000): Promise<void> {
    const pids = [this.clientPid, this.remoteShellPid, ...this.sshdSessionPids];
    await waitFor(
      `login to end (${pids.filter(alive).join(' ')} still up)`,
      () => pids.every((p) => !alive(p)),
      timeoutMs,
    );
  }

  private killTmux(): void {
    try {
      this.tmux(['kill-server']);
    } catch {
      /* gone already */
    }
    if (this.tmuxServerPid) killPid(this.tmuxServerPid);
  }

  /** Kills, by pid, the client, the remote shell, its sshd session processes and the tmux server. */
  async cleanup(): Promise<void> {
    if (this.cleaned) return;
    this.cleaned = true;
    const pids = [this.clientPid, this.remoteShellPid, ...this.sshdSessionPids].filter((p) => p > 0);
    for (const p of pids) killPid(p);
    this.killTmux();
    await waitFor(
      'login processes to go',
      () => [...pids, this.tmuxServerPid].every((p) => !p || !alive(p)),
      5000,
    ).catch(() => undefined);
    this.removeUser();
  }
}

/**
 * One private sshd for a test file: started before its tests; stopped after
 * them, with every process TRACKER holds. The getter gives the running sshd.
 */
export function privateSshdForFile(tracker: Tracker): () => PrivateSshd {
  let sshd: PrivateSshd | undefined;
  beforeAll(async () => {
    sshd = await new PrivateSshd(tracker).start();
  });
  afterAll(async () => {
    await sshd?.stop();
    await tracker.killAll();
  });
  return () => sshd!;
}

/** The PATH of the test logins (SSH and try): this Node's folder first, then root's usual folders. */
export function loginPathDirs(): string[] {
  return [
    ...new Set([
      path.dirname(process.execPath),
      '/usr/local/sbin',
      '/usr/local/bin',
      '/usr/sbin',
      '/usr/bin',
      '/sbin',
      '/bin',
    ]),
  ];
}
