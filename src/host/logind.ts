/**
 * Where logind's settings live on a host and what they mean for one user:
 * the file list and reads go through a HostFiles source (a live root or a
 * capture), the parsing is logind-parse.ts. Never throws on a bad file: an
 * unreadable one is reported in `problems` with its errno.
 */
import { errnoOf } from '../core/errors.js';
import { hostRel, type HostFiles } from './files.js';
import { parseLogindConf, type LogindConf, type LogindConfFile, type SetAt } from './logind-parse.js';

export type { LogindConf } from './logind-parse.js';

// Newer systemd (config_parse_standard_file_with_dropins) takes the first of these
// that exists as the main file; v252 reads only the first. Drop-in dirs are CONF_PATHS
// (src/basic/def.h), with /lib for split-usr builds (Debian 12 builds -Dsplit-usr=true).
const MAIN_FILES = ['/etc', '/run', '/usr/local/lib', '/usr/lib'].map((d) => `${d}/systemd/logind.conf`);
const DROPIN_DIRS = ['/etc', '/run', '/usr/local/lib', '/usr/lib', '/lib'].map((d) => `${d}/systemd/logind.conf.d`);

export interface LogindConfListing {
  files: string[];
  masked: string[];
  problems: string[];
}

/** The files logind reads, as host paths, in order (conf-files.c conf_files_list_strv_internal). */
export function listLogindConfFiles(host: HostFiles): LogindConfListing {
  const out: LogindConfListing = { files: [], masked: [], problems: [] };
  for (const f of MAIN_FILES) {
    try {
      host.statTarget(hostRel(f));
    } catch (e) {
      if (errnoOf(e) === 'ENOENT' || errnoOf(e) === 'ENOTDIR') continue;
    }
    out.files.push(f); // exists, or stat failed otherwise: reading it will report the errno
    break;
  }
  const byName = new Map<string, string>();
  for (const dir of DROPIN_DIRS) {
    let names: string[];
    try {
      names = host.readdir(hostRel(dir));
    } catch (e) {
      const code = errnoOf(e);
      if (code !== 'ENOENT' && code !== 'ENOTDIR')
        out.problems.push(`${dir}: cannot be listed (${code}); logind skips it too`);
      continue;
    }
    for (const name of names) {
      // A same-named file in an earlier directory overrides this one (files_add: hashmap_contains).
      if (!name.endsWith('.conf') || byName.has(name)) continue;
      const p = `${dir}/${name}`;
      let st: { mode: number; size?: number };
      try {
        st = host.statTarget(hostRel(p));
      } catch {
        continue;
      } // dangling: fopen gives ENOENT, skipped
      const type = st.mode & 0o170000;
      if (type === 0o020000 || (type === 0o100000 && st.size === 0)) {
        byName.set(name, '');
        out.masked.push(p);
        continue;
      }
      // v252 lists drop-ins without a type check: a directory is fopen()ed, its read fails (EISDIR) and the parse stops there.
      byName.set(name, p);
    }
  }
  const sorted = [...byName.entries()]
    .filter(([, p]) => p !== '')
    .sort(([a], [b]) => Buffer.compare(Buffer.from(a), Buffer.from(b))); // base_cmp: strcmp of names
  out.files.push(...sorted.map(([, p]) => p));
  return out;
}

/** Reads and parses logind.conf and its drop-ins under hostRoot; never throws on a bad file. */
export function readLogindConf(host: HostFiles): LogindConf {
  const listing = listLogindConfFiles(host);
  const files = listing.files.map((p): LogindConfFile => {
    try {
      return { path: p, text: new TextDecoder('utf-8').decode(host.readFile(hostRel(p))) };
    } catch (e) {
      return { path: p, text: '', error: errnoOf(e) };
    }
  });
  const conf = parseLogindConf(files);
  conf.problems.unshift(...listing.problems);
  return conf;
}

/** /var/lib/systemd/linger as logind.c manager_enumerate_linger_users reads it. */
export function readLinger(host: HostFiles): { users: string[] | null; error: string | null } {
  const dir = 'var/lib/systemd/linger';
  let ents: string[];
  try {
    ents = host.readdir(dir);
  } catch (e) {
    const code = errnoOf(e);
    return { users: null, error: code === 'ENOENT' ? null : code };
  }
  const backup =
    /(^\.|~$|^(lost\+found|aquota\.user|aquota\.group)$|\.(rpmnew|rpmsave|rpmorig|dpkg-old|dpkg-new|dpkg-tmp|dpkg-dist|dpkg-bak|dpkg-backup|dpkg-remove|ucf-new|ucf-old|ucf-dist|swp|bak|old|new)$)/;
  const isFile = (name: string): boolean => {
    try {
      return (host.statTarget(`${dir}/${name}`).mode & 0o170000) === 0o100000;
    } catch {
      return false;
    }
  };
  const users = ents
    .filter((name) => !backup.test(name) && isFile(name)) // dirent_is_file()
    .map((name) => name.replace(/\\x([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))))
    .sort();
  return { users, error: null };
}

/** Lingering users; null when the directory is missing (or unreadable: see readLinger). */
export function lingeringUsers(host: HostFiles): string[] | null {
  return readLinger(host).users;
}

/** sd_booted(): laccess("/run/systemd/system/"); null when the test itself failed. */
export function systemdIsPid1(host: HostFiles): boolean | null {
  try {
    return (host.statTarget('run/systemd/system').mode & 0o170000) === 0o040000;
  } catch (e) {
    return errnoOf(e) === 'ENOENT' || errnoOf(e) === 'ENOTDIR' ? false : null;
  }
}

const loc = (s: SetAt[] | SetAt | null): string =>
  (Array.isArray(s) ? s : s ? [s] : []).map((w) => `${w.path}:${w.line}`).join(', ');

/** logind-core.c manager_shall_kill(), in its order; `applies` null when it rests on the build default. */
export function killOnLogout(
  conf: LogindConf,
  userName: string,
): { applies: boolean | null; why: string; unless: string } {
  const unless =
    "the user's record (systemd-homed/userdb) sets killProcesses, which overrides logind.conf (logind-session.c session_stop)";
  const r = (applies: boolean | null, why: string) => ({ applies, why, unless });
  if (conf.killExcludeUsers === null && userName === 'root')
    return r(false, 'KillExcludeUsers= is not set (or was reset by an empty assignment), so root is spared by default');
  if (conf.killExcludeUsers?.includes(userName))
    return r(false, `${userName} is listed in KillExcludeUsers= (${loc(conf.setIn.KillExcludeUsers)})`);
  if (conf.killOnlyUsers && conf.killOnlyUsers.length > 0) {
    const on = conf.killOnlyUsers.includes(userName);
    return r(
      on,
      `KillOnlyUsers= (${loc(conf.setIn.KillOnlyUsers)}) ${on ? 'lists' : 'does not list'} ${userName}; when non-empty it decides alone, whatever KillUserProcesses= says`,
    );
  }
  if (conf.killUserProcesses !== null)
    return r(
      conf.killUserProcesses,
      `KillUserProcesses=${conf.killUserProcesses ? 'yes' : 'no'} (${loc(conf.setIn.KillUserProcesses)})`,
    );
  const hint =
    conf.shippedDefault === null
      ? ''
      : ` The main file still carries the packaged '#KillUserProcesses=${conf.shippedDefault ? 'yes' : 'no'}' line, which logind.conf.in fills in from that build default.`;
  return r(
    null,
    'KillUserProcesses= is not set in any logind.conf file, so the compiled-in default applies: upstream systemd builds with ' +
      '-Ddefault-kill-user-processes=true (yes), while Debian, Ubuntu, Fedora and Arch build with false (no).' +
      hint +
      " Check the running logind with `loginctl show-session` (no session: the manager's properties) or `busctl get-property " +
      'org.freedesktop.login1 /org/freedesktop/login1 org.freedesktop.login1.Manager KillUserProcesses`.',
  );
}
