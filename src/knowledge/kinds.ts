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

/**
 * Service managers, supervisors and inits: a child of one of these is
 * supposed to stay in the foreground (daemon(7) "new-style daemons"). The
 * table's supervisor and init rows, and the managers it has no row for.
 */
export const SUPERVISOR_NAMES: ReadonlySet<string> = new Set([
  ...namesOf((p) => p.role === 'supervisor' || p.role === 'init'),
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

/** Terminal multiplexers: their server gives each pane a pty of its own, which outlives the login. */
export const MULTIPLEXER_NAMES: ReadonlySet<string> = new Set([
  ...namesOf((p) => p.role === 'multiplexer'),
  'zellij',
  'dtach',
  'abduco',
]);

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
