/**
 * What an interactive shell does to its jobs when its terminal hangs up and
 * when it exits, per shell (docs/fate.md cites each manual and source):
 *
 * - bash: on SIGHUP, SIGHUP to every job (SIGCONT too to stopped ones)
 *   (jobs.c hangup_all_jobs); at exit, SIGHUP only with `shopt -s
 *   huponexit` in a login shell; refuses the first `exit` with stopped jobs
 *   and sends them SIGTERM and SIGCONT at the second (end_job_control).
 * - zsh: with the HUP option (on by default) SIGHUP to every running job,
 *   on the SIGHUP that ends it and as it exits (Src/signals.c killrunjobs,
 *   called from zexit in Src/builtin.c); stopped jobs are skipped and left to
 *   the kernel's SIGHUP of their orphaned group; refuses the first `exit`
 *   with running or stopped jobs (CHECK_JOBS, CHECK_RUNNING_JOBS); `&!` and
 *   `disown` keep a job out of the table. `setopt nohup` sends nothing.
 * - fish: SIGHUP to every job not in its own group, SIGCONT first to stopped
 *   ones, at exit and on a hangup (src/proc.cpp hup_jobs); warns at the
 *   first `exit` with jobs ("There are still jobs active").
 * - dash (ash, sh): keeps no SIGHUP handler (the kernel's SIGHUP ends it)
 *   and signals no job as it exits (src/trap.c exitshell); it refuses the
 *   first `exit` with stopped jobs only ("You have stopped jobs.").
 *
 * ksh, csh and the rest have no rule here: their outcome is `unknown`.
 */
import type { ShellRc } from '../host/shell-rc.js';
import type { ShellFlavor, ShellInfo } from './shell.js';

export interface JobRules {
  /** The shell's name in sentences. */
  name: string;
  /** Whether it sends SIGHUP to its jobs when the terminal hangs up. */
  hupsOnHangup: boolean;
  /** Whether it sends SIGHUP to its running jobs as it exits (after `exit`). */
  hupsOnExit: boolean;
  /** What it does to stopped jobs as it exits: SIGTERM (bash), SIGCONT then SIGHUP (fish), nothing (the kernel's orphaned-group SIGHUP). */
  stoppedAtExit: 'sigterm' | 'cont-hup' | 'nothing';
  /** What it prints when it refuses the first `exit`, and for which jobs. */
  refusal: { text: string; running: boolean } | null;
  /** The ways a job leaves the table, which /proc cannot show. */
  leaveTable: string;
  /** Where the rule comes from. */
  source: string;
  /** The startup-file setting that decided hupsOnHangup/hupsOnExit, when one did. */
  decidedBy: string | null;
  /** Why a setting in a startup file may still change it (conditional, unreadable files); null when none. */
  rcDoubt: string | null;
}

const BASE: Partial<Record<ShellFlavor, Omit<JobRules, 'decidedBy' | 'rcDoubt'>>> = {
  bash: {
    name: 'bash',
    hupsOnHangup: true,
    hupsOnExit: false,
    stoppedAtExit: 'sigterm',
    refusal: { text: 'There are stopped jobs.', running: false },
    leaveTable: '`disown`',
    source: "bash's jobs.c",
  },
  zsh: {
    name: 'zsh',
    hupsOnHangup: true,
    hupsOnExit: true,
    stoppedAtExit: 'nothing',
    refusal: { text: 'you have running jobs.', running: true },
    leaveTable: '`&!` or `disown`',
    source: "zsh's HUP option (zshoptions(1); Src/signals.c, killrunjobs)",
  },
  fish: {
    name: 'fish',
    hupsOnHangup: true,
    hupsOnExit: true,
    stoppedAtExit: 'cont-hup',
    refusal: { text: 'There are still jobs active', running: true },
    leaveTable: '`disown`',
    source: "fish's src/proc.cpp, hup_jobs",
  },
  dash: {
    name: 'dash',
    hupsOnHangup: false,
    hupsOnExit: false,
    stoppedAtExit: 'nothing',
    refusal: { text: 'You have stopped jobs.', running: false },
    leaveTable: '`disown`',
    source: "dash's src/trap.c, exitshell",
  },
};

/** The unconditional startup-file setting for the shell's own user, as the snapshot read it. */
function rcFor(shell: ShellInfo, rc: ShellRc | null | undefined): ShellRc | null {
  return rc && rc.shell === shell.flavor ? rc : null;
}

function doubtOf(rc: ShellRc | null): string | null {
  if (!rc) return null;
  const s = rc.setting;
  const opt = rc.shell === 'bash' ? '`shopt -s huponexit`' : '`setopt nohup`';
  const parts = [
    ...s.conditional.map((f) => `${opt} under a condition in ${f}`),
    ...s.unread.map((f) => `a setting in ${f}, which could not be read`),
  ];
  return parts.length ? parts.join('; or ') : null;
}

/**
 * The rules of an interactive shell, with its startup files' setting applied
 * (bash: huponexit; zsh: HUP), or null where the model has none.
 */
export function jobRules(shell: ShellInfo, rc?: ShellRc | null): JobRules | null {
  const base = BASE[shell.flavor];
  if (!base) return null;
  const own = rcFor(shell, rc);
  const value = own?.setting.value ?? null;
  const rules: JobRules = { ...base, decidedBy: null, rcDoubt: doubtOf(own) };
  if (own && value !== null && own.setting.where) {
    if (shell.flavor === 'bash' && shell.login) {
      rules.hupsOnExit = value;
      rules.decidedBy = `\`shopt -${value ? 's' : 'u'} huponexit\` in ${own.setting.where}`;
    }
    if (shell.flavor === 'zsh') {
      rules.hupsOnExit = rules.hupsOnHangup = value;
      rules.decidedBy = `\`${value ? 'setopt hup' : 'setopt nohup'}\` in ${own.setting.where}`;
    }
  }
  return rules;
}

/** The sentence for a shell this model has no rules for. */
export function noRulesFor(shell: ShellInfo): string {
  return `this model has no rules for ${shell.comm}'s job control (it knows bash, zsh, fish and dash); \`daemon-check try\` shows what a real login does`;
}
