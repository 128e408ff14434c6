/**
 * The launch patterns typed into real logins, with the fate measured over
 * SSH (test/live/ssh-login.test.ts) for each end mode: the table
 * test/live/try-agreement.test.ts holds `daemon-check try` against.
 */
import type { EndMode } from './ssh.js';
import { BIN } from './cli.js';

export type Outcome = 'lives' | 'dies';

/** Logins that cases share: one login per kind and end mode, all of its cases typed into it. */
export type LoginKind =
  | 'plain'
  | 'huponexit'
  | 'no-job-control'
  | 'stopped'
  | 'stopped-disowned'
  | 'foreground'
  | 'screen'
  | 'prompt-command';

export interface FateCase {
  /** The launch pattern, as fate.md and the findings name it. */
  pattern: string;
  /** The line typed into the shell; every N (a word of its own) becomes one unique number. */
  launch: string;
  hangup: Outcome;
  /** null: the login cannot be ended with `exit` in that state (a foreground job holds the terminal). */
  exit: Outcome | null;
  /** Default 'plain'. */
  login?: LoginKind;
  /**
   * How it is typed. background (default): the line, then wait for the
   * prompt. foreground: the line, not waiting. stopped: the line, then
   * Ctrl-Z. in-screen: typed in the window of a `screen` attached in the login.
   */
  how?: 'background' | 'foreground' | 'stopped' | 'in-screen';
  /** A line typed after (a stopped job's `disown`). */
  then?: string;
  /** Which process is the job. sleep (default): `sleep N`. loop: the new bash subshell. Or a RegExp source with N. */
  job?: 'sleep' | 'loop' | string;
  /**
   * Where the prediction made from /proc is expected to be wrong for an end
   * mode, and the words its `unless` must hold: what /proc cannot show.
   */
  miss?: Partial<Record<EndMode, RegExp>>;
  /**
   * Where the outcome is a race in the shell: either outcome may be seen; the
   * one expected above is the common one, and when the other comes, the
   * prediction's `unless` must name the race with these words.
   */
  race?: Partial<Record<EndMode, RegExp>>;
}

export const CASES: FateCase[] = [
  { pattern: 'nohup sleep N &', launch: 'nohup sleep N &', hangup: 'lives', exit: 'lives' },
  { pattern: 'sleep N &', launch: 'sleep N &', hangup: 'dies', exit: 'lives' },
  {
    pattern: 'sleep N & disown',
    launch: 'sleep N & disown',
    hangup: 'lives',
    exit: 'lives',
    miss: { hangup: /`disown`/ },
  },
  {
    pattern: 'sleep N & disown -h',
    launch: 'sleep N & disown -h',
    hangup: 'lives',
    exit: 'lives',
    miss: { hangup: /`disown -h`/ },
  },
  { pattern: '(sleep N &)', launch: '(sleep N &)', hangup: 'lives', exit: 'lives' },
  { pattern: 'setsid sleep N &', launch: 'setsid sleep N &', hangup: 'lives', exit: 'lives' },
  { pattern: 'setsid -f sleep N', launch: 'setsid -f sleep N', hangup: 'lives', exit: 'lives' },
  { pattern: 'screen -dmS x sleep N', launch: 'screen -dmS x-N sleep N', hangup: 'lives', exit: 'lives' },
  { pattern: 'tmux new -d sleep N', launch: 'tmux new -d sleep N', hangup: 'lives', exit: 'lives' },
  { pattern: "bash -c 'sleep N &'", launch: "bash -c 'sleep N &'", hangup: 'lives', exit: 'lives' },
  // Debian's sudoers sets use_pty: sudo's monitor leads a session on a pty of sudo's own, out of the login's reach.
  { pattern: 'sudo -b sleep N (use_pty)', launch: 'sudo -b sleep N', hangup: 'lives', exit: 'lives' },
  { pattern: 'daemon-check run -- sleep N', launch: `node ${BIN} run -- sleep N`, hangup: 'lives', exit: 'lives' },
  // A job writing to the terminal: on hangup bash's SIGHUP ends it (it is a job), not its writes.
  {
    pattern: 'while :; do echo x; sleep 0.2; done &',
    launch: 'while :; do echo x N; sleep 0.2; done &',
    job: 'loop',
    hangup: 'dies',
    exit: 'lives',
  },
  // Out of the job table, the same loop outlives both: its echo fails with EIO, and bash goes on.
  {
    pattern: 'while :; do echo x; sleep 0.2; done & disown',
    launch: 'while :; do echo y N; sleep 0.2; done & disown',
    job: 'loop',
    hangup: 'lives',
    exit: 'lives',
    miss: { hangup: /`disown`/ },
  },
  // A job that ignores SIGHUP (nohup) but writes to the terminal: its next write after the hangup fails with EIO,
  // and `while echo` ends. At exit sshd closes the pty too (as for the python job below).
  {
    pattern: "nohup sh -c 'exec >/dev/tty; while echo tick; do sleep 1; done' &",
    launch: "nohup sh -c 'exec >/dev/tty; while echo tick N; do sleep 1; done' &",
    job: '^sh -c exec >/dev/tty; while echo tick N; do sleep 1; done$',
    hangup: 'dies',
    exit: 'dies',
    miss: { exit: /writes fail with EIO/ },
  },
  // A program that gives up on a write error ends at its first write to the dead terminal.
  {
    pattern: 'python3 printing every 0.2 s & disown',
    launch: `/usr/bin/python3 -uc 'import time,itertools;[(print("p", N),time.sleep(0.2)) for _ in itertools.count()]' & disown`,
    job: '^/usr/bin/python3 -uc .*"p", N\\b',
    hangup: 'dies',
    exit: 'dies',
    miss: { exit: /writes fail with EIO/ },
  },

  {
    pattern: 'shopt -s huponexit; sleep N &',
    login: 'huponexit',
    launch: 'sleep N &',
    hangup: 'dies',
    exit: 'dies',
    miss: { exit: /huponexit/ },
  },
  {
    pattern: 'shopt -s huponexit; nohup sleep N &',
    login: 'huponexit',
    launch: 'nohup sleep N &',
    hangup: 'lives',
    exit: 'lives',
  },
  {
    pattern: 'shopt -s huponexit; sleep N & disown',
    login: 'huponexit',
    launch: 'sleep N & disown',
    hangup: 'lives',
    exit: 'lives',
    miss: { hangup: /`disown`/ },
  },
  {
    pattern: 'shopt -s huponexit; (sleep N &)',
    login: 'huponexit',
    launch: '(sleep N &)',
    hangup: 'lives',
    exit: 'lives',
  },

  // Job control off: the job stays in the shell's own process group, the terminal's foreground one.
  { pattern: 'set +m; sleep N &', login: 'no-job-control', launch: 'sleep N &', hangup: 'dies', exit: 'dies' },
  {
    pattern: 'set +m; nohup sleep N &',
    login: 'no-job-control',
    launch: 'nohup sleep N &',
    hangup: 'lives',
    exit: 'lives',
  },

  // Stopped jobs: exit is refused once, then the second exit ends them (SIGTERM).
  {
    pattern: 'sleep N, Ctrl-Z (stopped job)',
    login: 'stopped',
    launch: 'sleep N',
    how: 'stopped',
    hangup: 'dies',
    exit: 'dies',
  },
  { pattern: 'sleep N & beside a stopped job', login: 'stopped', launch: 'sleep N &', hangup: 'dies', exit: 'lives' },
  // A stopped job that ignores SIGHUP: bash's SIGCONT wakes it, then the SIGTERM bash sends stopped jobs as it exits,
  // unless bash has handled the job's SIGCHLD (continued) by then and no longer counts it stopped (seen once under load).
  {
    pattern: 'nohup sleep N, Ctrl-Z (stopped, in the table)',
    login: 'stopped',
    launch: 'nohup sleep N',
    how: 'stopped',
    hangup: 'dies',
    exit: 'dies',
    race: { hangup: /seen it continue/ },
  },
  // Stopped and disowned: its group is orphaned when bash exits; the kernel sends SIGHUP and SIGCONT.
  {
    pattern: 'sleep N, Ctrl-Z, disown',
    login: 'stopped-disowned',
    launch: 'sleep N',
    how: 'stopped',
    then: 'disown',
    hangup: 'dies',
    exit: 'dies',
  },
  {
    pattern: 'nohup sleep N, Ctrl-Z, disown',
    login: 'stopped-disowned',
    launch: 'nohup sleep N',
    how: 'stopped',
    then: 'disown',
    hangup: 'lives',
    exit: 'lives',
    miss: { hangup: /`disown`/, exit: /`disown`/ },
  },

  {
    pattern: 'sleep N in the foreground',
    login: 'foreground',
    launch: 'sleep N',
    how: 'foreground',
    hangup: 'dies',
    exit: null,
  },

  // exit here = detach (C-a d), then exit.
  {
    pattern: 'sleep N & in an attached screen window',
    login: 'screen',
    launch: 'sleep N &',
    how: 'in-screen',
    hangup: 'lives',
    exit: 'lives',
  },

  // Every other hangup here comes while bash sits at its prompt. One that comes while bash runs
  // PROMPT_COMMAND finds it not "interactive": it sends its jobs nothing, and they live.
  {
    pattern: 'sleep N &, hangup while PROMPT_COMMAND runs',
    login: 'prompt-command',
    launch: 'sleep N &',
    hangup: 'lives',
    exit: null,
    miss: { hangup: /PROMPT_COMMAND/ },
  },
];
