/**
 * `logout`: the login session ends on a host with systemd-logind. With
 * KillUserProcesses= in force for the session's user, logind stops the
 * session's scope unit (user-UID.slice/session-N.scope): SIGTERM, then
 * SIGKILL, to everything in it, whatever its signal dispositions, a perfect
 * double-forked daemon included (logind.conf(5); docs/fate.md).
 */
import { classifyCgroupPath } from '../proc/cgroup-scope.js';
import { killOnLogout } from '../host/logind.js';
import { describeErrno } from '../core/errors.js';
import type { Snapshot } from '../snapshot/types.js';
import { entry } from './types.js';
import type { FateEntry } from '../core/types.js';

export interface LoginScopeFact {
  scope: string;
  session: string;
  uid: number | null;
  path: string;
}

/** The login session scope in its cgroup: the unified (0::) line first, then v1 name=systemd. */
export function loginScopeOf(snap: Snapshot): LoginScopeFact | null {
  if (!snap.cgroup) return null;
  // Asked for by the fate, the check and the story: worked out once per cgroup read.
  let found = scopes.get(snap.cgroup);
  if (found === undefined) scopes.set(snap.cgroup, (found = scopeIn(snap.cgroup)));
  return found;
}

const scopes = new WeakMap<NonNullable<Snapshot['cgroup']>, LoginScopeFact | null>();

function scopeIn(cgroup: NonNullable<Snapshot['cgroup']>): LoginScopeFact | null {
  const lines = cgroup.filter((c) => (c.hierarchy === '0' && c.controllers === '') || c.controllers === 'name=systemd');
  lines.sort((a, b) => (a.hierarchy === '0' ? -1 : 0) - (b.hierarchy === '0' ? -1 : 0));
  for (const c of lines) {
    const path = c.path.replace(/ \(deleted\)$/, '');
    const u = classifyCgroupPath(path);
    if (u.kind === 'login-session') return { scope: u.unit!, session: u.session!, uid: u.uid, path };
  }
  return null;
}

/** The cgroup path systemd tracks the process in, for the sentence. */
function cgroupText(snap: Snapshot): string {
  const c = (snap.cgroup ?? []).find(
    (e) => (e.hierarchy === '0' && e.controllers === '') || e.controllers === 'name=systemd',
  );
  return c ? c.path : 'none';
}

export function logoutFate(snap: Snapshot, scopeUser: string | null): FateEntry {
  if (!snap.cgroup)
    return entry(
      'unknown',
      `Its cgroup could not be read (${describeErrno(snap.unreadable.cgroup ?? 'EIO', snap.auditorUid === 0)}), and that is where a login's scope shows.`,
    );
  const scope = loginScopeOf(snap);
  if (!scope)
    return entry(
      'lives',
      `It is not in a login session's scope cgroup (its cgroup is ${cgroupText(snap)}): logind's kill at the end of a session cannot reach it.`,
    );
  const host = snap.host;
  const at = `It is in ${scope.scope} (${scope.path})`;
  if (!host || host.systemdPid1 === null)
    return entry(
      'unknown',
      `${at}, but whether systemd runs this host could not be read (${host?.unreadable.systemd ?? 'no host facts'}).`,
    );
  if (!host.systemdPid1) {
    return entry(
      'lives',
      `${at}, but systemd is not pid 1 here (/run/systemd/system is missing under ${host.root}), so no logind kills the scope when the login ends.`,
    );
  }
  // A file logind could not read, or a line where it gave up, leaves the settings in force unknown.
  const broken = host.logind.problems.find((p) => /cannot be read|stops parsing|cannot be listed/.test(p));
  if (broken) return entry('unknown', `${at}, but logind's settings could not be read in full: ${broken}.`);
  const user = scopeUser ?? (scope.uid !== null ? String(scope.uid) : '?');
  const k = killOnLogout(host.logind, user);
  const kill = `when session ${scope.session} ends, systemd-logind stops ${scope.scope}: SIGTERM, then SIGKILL, to every process in it, whatever its signal dispositions`;
  if (k.applies === true) return entry('dies', `${at}: ${kill} (${k.why}).`, 'systemd-logind', k.unless);
  if (k.applies === false)
    return entry('lives', `${at}, but logind leaves it running when the session ends: ${k.why}.`, null, k.unless);
  const shipped = host.logind.shippedDefault;
  if (shipped === false)
    return entry(
      'lives',
      `${at}; KillUserProcesses= is set nowhere, and this logind.conf's commented default line says no (Debian, Ubuntu, Fedora and Arch build with no).`,
      null,
      `logind was built with KillUserProcesses=yes (upstream's default): check with \`busctl get-property org.freedesktop.login1 /org/freedesktop/login1 org.freedesktop.login1.Manager KillUserProcesses\``,
    );
  if (shipped === true)
    return entry(
      'dies',
      `${at}: ${kill} (KillUserProcesses= is set nowhere, and this logind.conf's commented default line says yes).`,
      'systemd-logind',
      k.unless,
    );
  return entry('unknown', `${at}; ${k.why}`);
}
