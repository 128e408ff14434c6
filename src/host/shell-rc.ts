/**
 * The startup files of a login shell, read for the one option that decides
 * what the shell does to its jobs as it ends: bash's `huponexit` (off by
 * default; `shopt -s huponexit`) and zsh's `HUP` (on by default; `setopt
 * nohup`, `setopt NO_HUP`, `unsetopt hup`). Files are read through the host
 * root (HostFiles), the user's home from the host root's /etc/passwd.
 *
 * Which files a login shell reads (bash(1) INVOCATION; zsh(1) STARTUP/SHUTDOWN
 * FILES, Debian's build: /etc/zsh): bash reads /etc/profile, then the first of
 * ~/.bash_profile, ~/.bash_login, ~/.profile; ~/.bashrc and /etc/bash.bashrc
 * only when a file it read sources them (Debian's ~/.profile and /etc/profile
 * do), taken here as: a read file names them. zsh reads zshenv, zprofile,
 * zshrc, zlogin, each from /etc/zsh then the home. A later setting wins. A
 * setting inside an if, case, loop or function body, or after && or ||, is
 * conditional: it is reported as such, not as deciding.
 */
import { errnoOf } from '../core/errors.js';
import type { HostFiles } from './files.js';
import { hostRel } from './files.js';

export type RcShell = 'bash' | 'zsh';

export interface RcSetting {
  /** The option as the files leave it at top level: true set, false unset, null no file sets it. */
  value: boolean | null;
  /** The file (host path) of the last top-level setting. */
  where: string | null;
  /** Files that set it under a condition. */
  conditional: string[];
  /** Files that exist but could not be read, with the errno ("/home/u/.zshrc (EACCES)"). */
  unread: string[];
}

export interface ShellRc {
  shell: RcShell;
  /** huponexit (bash) or HUP (zsh). */
  option: 'huponexit' | 'HUP';
  /** The user's home from /etc/passwd; null when it could not be found (no file of the home was read). */
  home: string | null;
  setting: RcSetting;
}

/** The home directory of a uid in the host root's /etc/passwd. */
export function homeOf(files: HostFiles, uid: number): string | null {
  let text: string;
  try {
    text = files.readText('etc/passwd');
  } catch {
    return null;
  }
  for (const line of text.split('\n')) {
    const f = line.split(':');
    if (f.length >= 6 && f[2] !== '' && Number(f[2]) === uid && f[5]!.startsWith('/')) return f[5]!;
  }
  return null;
}

/** What one line does to the option: true, false, or null (nothing). */
function lineSets(shell: RcShell, line: string): boolean | null {
  if (shell === 'bash') {
    const m = /(?:^|[\s;&|(])shopt\s+(-[a-z]*[su][a-z]*)\s+([^#;&|]*)/.exec(line);
    if (!m || !/(?:^|\s)huponexit(?:\s|$)/.test(m[2]!)) return null;
    return m[1]!.includes('s');
  }
  const m = /(?:^|[\s;&|(])(setopt|unsetopt)\s+([^#;&|]*)/.exec(line);
  if (!m) return null;
  let set: boolean | null = null;
  for (const word of m[2]!.trim().split(/\s+/)) {
    // zsh option names: case and underscores do not matter; a leading "no" inverts.
    const w = word.toLowerCase().replace(/_/g, '');
    if (w === 'hup') set = m[1] === 'setopt';
    else if (w === 'nohup') set = m[1] !== 'setopt';
  }
  return set;
}

const OPENERS = /^(if|case|for|while|until|select|function)\b/;
const CLOSERS = /^(fi|esac|done|\})(?:\s|;|$)/;

/** The settings a file makes: [value, conditional] per setting line, in order. */
export function settingsIn(shell: RcShell, text: string): Array<{ value: boolean; conditional: boolean }> {
  const out: Array<{ value: boolean; conditional: boolean }> = [];
  let depth = 0;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/(^|\s)#.*$/, '').trim();
    if (line === '') continue;
    if (CLOSERS.test(line)) depth = Math.max(0, depth - 1);
    const value = lineSets(shell, line);
    if (value !== null) {
      const chained = /&&|\|\|/.test(line.slice(0, line.search(shell === 'bash' ? /shopt/ : /(?:un)?setopt/)));
      out.push({ value, conditional: depth > 0 || chained || OPENERS.test(line) });
    }
    if (OPENERS.test(line) && !/\b(fi|esac|done)\s*;?\s*$/.test(line)) depth++;
    else if (/\{\s*$/.test(line) || /\(\)\s*\{/.test(line)) depth += /\}\s*;?\s*$/.test(line) ? 0 : 1;
  }
  return out;
}

/** The files a login shell of that kind reads, in order (see the module comment). */
function loginFiles(shell: RcShell, home: string | null, exists: (p: string) => string | null): string[] {
  const h = (f: string): string[] => (home ? [`${home.replace(/\/+$/, '')}/${f}`] : []);
  if (shell === 'zsh') {
    return ['zshenv', 'zprofile', 'zshrc', 'zlogin'].flatMap((f) => [`/etc/zsh/${f}`, ...h(`.${f}`)]);
  }
  const profile = [...h('.bash_profile'), ...h('.bash_login'), ...h('.profile')].find((p) => exists(p) !== null);
  const read = ['/etc/profile', ...(profile ? [profile] : [])];
  const names = (p: string, what: string): boolean => (exists(p) ?? '').includes(what);
  const files = ['/etc/profile'];
  if (read.some((p) => names(p, 'bash.bashrc'))) files.push('/etc/bash.bashrc');
  if (profile) files.push(profile);
  if (read.some((p) => names(p, '.bashrc'))) files.push(...h('.bashrc'));
  return files;
}

/** Reads the startup files of a `shell` login of user `uid` for its hangup option. */
export function readShellRc(files: HostFiles, uid: number, shell: RcShell): ShellRc {
  const home = homeOf(files, uid);
  const texts = new Map<string, string | null>();
  const unread: string[] = [];
  const textOf = (p: string): string | null => {
    if (!texts.has(p)) {
      let text: string | null = null;
      try {
        text = files.readText(hostRel(p), 1 << 20);
      } catch (err) {
        const e = errnoOf(err);
        if (e !== 'ENOENT' && e !== 'ENOTDIR') unread.push(`${p} (${e})`);
      }
      texts.set(p, text);
    }
    return texts.get(p)!;
  };
  const setting: RcSetting = { value: null, where: null, conditional: [], unread };
  for (const p of loginFiles(shell, home, textOf)) {
    const text = textOf(p);
    if (text === null) continue;
    for (const s of settingsIn(shell, text)) {
      if (s.conditional) {
        if (!setting.conditional.includes(p)) setting.conditional.push(p);
      } else {
        setting.value = s.value;
        setting.where = p;
      }
    }
  }
  return { shell, option: shell === 'bash' ? 'huponexit' : 'HUP', home, setting };
}
