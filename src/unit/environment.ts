/**
 * A process's environment, split in two: the variables its login session and
 * the system set (terminal, shell, SSH, desktop, locale plumbing), which
 * describe where it was started and are never written into a service
 * definition, and the rest: the app's likely settings (APP_TOKEN,
 * DATABASE_URL), named first. This list is the one place that split is made.
 */

/** Session and system variables, by exact name. */
export const SESSION_VARIABLES: ReadonlySet<string> = new Set([
  '_',
  'COLORTERM',
  'COLUMNS',
  'DBUS_SESSION_BUS_ADDRESS',
  'DISPLAY',
  'EDITOR',
  'HISTCONTROL',
  'HISTFILE',
  'HISTFILESIZE',
  'HISTSIZE',
  'HOME',
  'HOSTNAME',
  'INVOCATION_ID',
  'JOURNAL_STREAM',
  'LANG',
  'LANGUAGE',
  'LESSCLOSE',
  'LESSOPEN',
  'LINES',
  'LOGNAME',
  'LS_COLORS',
  'MAIL',
  'MANAGERPID',
  'MOTD_SHOWN',
  'NOTIFY_SOCKET',
  'OLDPWD',
  'PAGER',
  'PATH',
  'PS1',
  'PS2',
  'PWD',
  'SHELL',
  'SHLVL',
  'STY',
  'TERM',
  'TMUX',
  'TMUX_PANE',
  'USER',
  'VISUAL',
  'WAYLAND_DISPLAY',
  'WINDOW',
  'XAUTHORITY',
  // Put there by a venv's activate script: the command's path carries the venv.
  'VIRTUAL_ENV_PROMPT',
  'VIRTUAL_ENV',
  '_OLD_VIRTUAL_PATH',
  '_OLD_VIRTUAL_PS1',
]);

/** Session and system variables, by prefix: SSH_CONNECTION, XDG_RUNTIME_DIR, LC_ALL, SUDO_USER, TERM_PROGRAM. */
const SESSION_PREFIXES = ['SSH_', 'XDG_', 'LC_', 'SUDO_', 'TERM_PROGRAM', 'GPG_', 'DEBIAN_', 'PYENV_'];

export function isSessionVariable(name: string): boolean {
  return SESSION_VARIABLES.has(name) || SESSION_PREFIXES.some((p) => name.startsWith(p));
}

/** A name that says its value is a secret: a token, a password, a key. */
export function isSecret(name: string): boolean {
  return /(TOKEN|SECRET|PASSWORD|PASSWD|PASS$|API_?KEY|PRIVATE|CREDENTIAL|AUTH)|(^|_)KEY$/i.test(name);
}

/** The comment lines that name its variables: its settings first, then the session's and system's. */
export function envComments(
  env: ReadonlyArray<{ name: string; value: string | null }>,
  session: readonly string[],
  c: string,
): string[] {
  const out: string[] = [];
  const names = env.filter((e) => e.value === null).map((e) => e.name);
  if (names.length)
    out.push(
      `${c} Its settings, from its environment: ${names.join(' ')} (values not written; daemon-check unit --env writes them)`,
    );
  if (session.length)
    out.push(`${c} Its login session's and the system's variables, not written: ${session.join(' ')}`);
  return out;
}

/**
 * A shell command that copies the named variables from the running process
 * into FILE, readable by root only, as KEY=VALUE lines (systemd's
 * EnvironmentFile= format): their values never appear in the definition,
 * which is world-readable where managers keep it.
 */
export function copyCommand(pid: number, names: readonly string[], file: string): string {
  return `(umask 077; tr '\\0' '\\n' < /proc/${pid}/environ | grep -E '^(${names.join('|')})=' > ${file})`;
}
