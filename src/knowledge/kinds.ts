/**
 * What kind of program a name is, for the programs that are not services:
 * shells, what owns a terminal, build steps, supervisors, multiplexers,
 * container inits and log readers. The knowledge table's rows add their own
 * names by role (a 'supervisor' row is a supervisor, an 'init' row that
 * forwards signals is a container's init), so each name is written once.
 */
import { PROGRAMS } from './programs.js';
import type { ProgramInfo } from './types.js';

/** Interactive and scripting shells. */
export const SHELL_NAMES: ReadonlySet<string> = new Set([
  'sh',
  'bash',
  'dash',
  'zsh',
  'ksh',
  'mksh',
  'pdksh',
  'ksh93',
  'tcsh',
  'csh',
  'fish',
  'ash',
  'yash',
  'posh',
  'rbash',
  'nu',
  'elvish',
  'xonsh',
  'pwsh',
  'busybox',
]);

/**
 * Programs that never write to their stdout or stderr in the normal course:
 * a dead terminal there ends nothing (docs/fate.md, tty writers).
 */
export const SILENT_PROGRAMS: ReadonlySet<string> = new Set(['sleep']);

/** Things that own a terminal session: logins, remote shells, multiplexers, emulators. */
export const TERMINAL_OWNER_NAMES: ReadonlySet<string> = new Set([
  'sshd',
  'sshd-session',
  'dropbear',
  'login',
  'agetty',
  'getty',
  'mingetty',
  'su',
  'sudo',
  'doas',
  'tmux',
  'tmux: server',
  'tmux: client',
  'screen',
  'SCREEN',
  'script',
  'mosh-server',
  'expect',
  'xterm',
  'urxvt',
  'konsole',
  'gnome-terminal-',
  'gnome-terminal',
  'kitty',
  'alacritty',
  'wezterm-gui',
  'foot',
  'terminator',
  'tilix',
  'xfce4-terminal',
  'lxterminal',
  'st',
  'conmon-tty',
  'telnetd',
  'in.telnetd',
]);

/** Name prefixes of terminal owners whose comm carries more: 'tmux: server', 'sshd: alice@pts/0'. */
export const TERMINAL_OWNER_PREFIXES: readonly string[] = ['tmux', 'sshd'];

/** CI job runners and build steps that wait for (or kill) what they started. */
export const JOB_RUNNER_NAMES: ReadonlySet<string> = new Set([
  'Runner.Worker',
  'Runner.Listener',
  'gitlab-runner',
  'buildkite-agent',
  'drone-runner',
  'act_runner',
  'make',
  'gmake',
  'ninja',
  'npm',
  'npx',
  'yarn',
  'pnpm',
  'timeout',
  'watch',
  'xargs',
  'parallel',
  'vitest',
]);

const namesOf = (pred: (p: ProgramInfo) => boolean): string[] => PROGRAMS.filter(pred).flatMap((p) => p.names);

/** A row whose names count only with a path (forever's 'monitor') lends no name to these lists: they match names alone. */
const byNameAlone = (p: ProgramInfo): boolean => !p.pathHint;

/**
 * Service managers, supervisors and inits: a child of one of these is
 * supposed to stay in the foreground (daemon(7) "new-style daemons"). The
 * table's supervisor and init rows, and the managers it has no row for.
 */
export const SUPERVISOR_NAMES: ReadonlySet<string> = new Set([
  ...namesOf((p) => byNameAlone(p) && (p.role === 'supervisor' || p.role === 'init')),
  'systemd',
  'svscan',
  'conmon',
  'containerd-shim',
  'containerd-shim-runc-v2',
  'runc',
  'crun',
  'PM2',
  'forever',
  'circusd',
  'daemontools',
  'procd',
  'upstart',
  'init',
  'openrc-init',
  'runit',
  'runit-init',
  'monit',
  'god',
  'launchd',
  'nssm',
  'systemd-nspawn',
  's6-rc',
  'dinit',
  'finit',
  'shepherd',
]);

/**
 * Name prefixes of supervisors whose comm carries a version or a runtime:
 * 'containerd-shim-runc-v2', 'PM2 v5.3.0: God' (pm2's title, cut to comm's 15 bytes).
 */
export const SUPERVISOR_PREFIXES: readonly string[] = ['containerd-shim', 'PM2 v'];

/**
 * Interpreters whose argv[1] names the program when it is a supervisor
 * script ('python3 /usr/bin/supervisord', 'node .../pm2').
 */
export const SUPERVISOR_INTERPRETERS = /^(python[0-9.]*|node|perl|ruby)$/;

/** Terminal multiplexers: their server gives each pane a pty of its own, which outlives the login. */
export const MULTIPLEXER_NAMES: ReadonlySet<string> = new Set([
  ...namesOf((p) => p.role === 'multiplexer'),
  'zellij',
  'dtach',
  'abduco',
]);

/** Name prefixes of multiplexers: tmux's server and client retitle themselves ('tmux: server'). */
export const MULTIPLEXER_PREFIXES: readonly string[] = ['tmux'];

/**
 * cron's names and its children's: a cron job's session leader is cron's
 * child, which Debian's cron renames CRON; cronie and anacron run jobs too.
 */
export const CRON_NAMES: ReadonlySet<string> = new Set([
  ...namesOf((p) => p.id === 'cron' || p.id === 'crond'),
  'CRON',
  'cronie',
  'anacron',
]);

/** atd's names: an at job runs under a child of atd, itself a child of atd. */
export const AT_DAEMON_NAMES: ReadonlySet<string> = new Set(namesOf((p) => p.id === 'atd'));

/** Minimal inits that take SIGTERM, forward it to their child and exit with it; they never restart it. */
export const FORWARDING_INIT_NAMES: ReadonlySet<string> = new Set(namesOf((p) => p.forwardsSignals === true));

/** What a container runs as pid 1 when it has an init: a forwarding init, a shell, or s6-svscan. */
export const CONTAINER_INIT_NAMES: ReadonlySet<string> = new Set([
  ...FORWARDING_INIT_NAMES,
  'sh',
  'bash',
  'dash',
  's6-svscan',
]);

/** Log collectors that read a daemon's stdout or stderr through a pipe on purpose. */
export const LOGGER_NAMES: ReadonlySet<string> = new Set([
  'logger',
  'svlogd',
  'multilog',
  's6-log',
  'rotatelogs',
  'cronolog',
  'systemd-journald',
  'systemd-journal',
  'tinylog',
  'vlogger',
  'log',
]);
