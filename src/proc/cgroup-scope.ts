/**
 * Where /proc/PID/cgroup puts a process in systemd's unit tree, and whether
 * that is a login session's scope (user.slice/user-UID.slice/session-N.scope),
 * which logind stops when the login ends if KillUserProcesses applies
 * (logind.conf(5), logind-session.c session_stop). Pure: text in, facts out.
 *
 * Lines are `ID:CONTROLLERS:PATH` (cgroups(7)); PATH may itself contain ':'.
 * systemd tracks processes in the cgroup2 `0::` line (unified and hybrid
 * layouts) or the v1 `name=systemd` line (legacy and hybrid); in hybrid mode
 * both mirror the same tree. Measured on Linux 6.18 here: a zombie is no
 * longer listed in cgroup.procs; its `0::` line keeps the old path (with
 * " (deleted)" once the directory is removed) while its `name=systemd` line
 * reads "/".
 */

export type CgroupHierarchy = 'unified' | 'name=systemd';

export interface CgroupEntry {
  hierarchy: CgroupHierarchy;
  /** The path as the kernel printed it, without a " (deleted)" suffix. */
  path: string;
  /** The kernel appended " (deleted)": the cgroup directory was removed. */
  deleted: boolean;
}

export type CgroupUnitKind = 'login-session' | 'user-manager' | 'service' | 'scope' | 'slice' | 'root' | 'other';

export interface CgroupUnit {
  kind: CgroupUnitKind;
  /**
   * The unit that owns the process as the system manager sees it:
   * session-N.scope, user@UID.service, or the deepest unit-named component.
   */
  unit: string | null;
  /** The deepest unit-named component (inside user@UID.service: the user unit). */
  leaf: string | null;
  /** From user-UID.slice or user@UID.service. */
  uid: number | null;
  /** N of session-N.scope. */
  session: string | null;
}

export interface CgroupPlacement extends CgroupEntry, CgroupUnit {}

export interface LoginScope {
  scope: string;
  session: string;
  uid: number | null;
  path: string;
  hierarchy: CgroupHierarchy;
  deleted: boolean;
}

const DELETED = ' (deleted)';

/** The `0::` and `name=systemd` lines; odd lines are skipped, never thrown on. */
export function systemdCgroupLines(text: string): CgroupEntry[] {
  const out: CgroupEntry[] = [];
  for (const line of text.split('\n')) {
    const a = line.indexOf(':');
    const b = a < 0 ? -1 : line.indexOf(':', a + 1);
    if (b < 0 || !/^\d+$/.test(line.slice(0, a))) continue;
    const controllers = line.slice(a + 1, b);
    let p = line.slice(b + 1);
    let hierarchy: CgroupHierarchy;
    if (line.slice(0, a) === '0' && controllers === '') hierarchy = 'unified';
    else if (controllers.split(',').includes('name=systemd')) hierarchy = 'name=systemd';
    else continue;
    if (!p.startsWith('/')) continue;
    const deleted = p.endsWith(DELETED);
    if (deleted) p = p.slice(0, -DELETED.length);
    if (!out.some((e) => e.hierarchy === hierarchy)) out.push({ hierarchy, path: p, deleted });
  }
  return out;
}

// Unit names (systemd.unit(5)); a session id is letters and digits (login-util.c session_id_valid).
const UNIT = /\.(service|scope|slice|socket|mount|swap)$/;
const SESSION = /^session-([A-Za-z0-9]+)\.scope$/;
const USER_SLICE = /^user-(\d+)\.slice$/;
const USER_MANAGER = /^user@(\d+)\.service$/;

function uidOf(digits: string | undefined): number | null {
  if (digits === undefined) return null;
  const n = Number(digits);
  return Number.isSafeInteger(n) && n <= 0xfffffffe ? n : null;
}

/**
 * The meanings already worked out in this run, by path: a scan asks for the
 * same few paths thousands of times. Callers share the objects and must not
 * change them; the cache is dropped when it grows past its bound.
 */
const classified = new Map<string, Readonly<CgroupUnit>>();
const CLASSIFIED_MAX = 4096;

/** What a cgroup path means in systemd's tree. */
export function classifyCgroupPath(path: string): Readonly<CgroupUnit> {
  let u = classified.get(path);
  if (u === undefined) {
    if (classified.size >= CLASSIFIED_MAX) classified.clear();
    classified.set(path, (u = Object.freeze(classifyPath(path))));
  }
  return u;
}

function classifyPath(path: string): CgroupUnit {
  const parts = path.split('/').filter((s) => s !== '' && s !== '.');
  const units = parts.filter((s) => UNIT.test(s));
  const leaf = units.length > 0 ? units[units.length - 1]! : null;
  if (parts.length === 0) return { kind: 'root', unit: null, leaf: null, uid: null, session: null };
  // user@UID.service first: a user manager's tree survives the login (with lingering), whatever is below it.
  const um = parts.findIndex((s) => USER_MANAGER.test(s));
  if (um >= 0) {
    return {
      kind: 'user-manager',
      unit: parts[um]!,
      leaf,
      uid: uidOf(USER_MANAGER.exec(parts[um]!)![1]),
      session: null,
    };
  }
  for (let i = 1; i < parts.length; i++) {
    const s = SESSION.exec(parts[i]!);
    const u = USER_SLICE.exec(parts[i - 1]!);
    // logind creates session scopes only in user-UID.slice (logind-session.c session_start_scope).
    if (s && u) return { kind: 'login-session', unit: parts[i]!, leaf, uid: uidOf(u[1]), session: s[1]! };
  }
  const last = parts[parts.length - 1]!;
  const kind: CgroupUnitKind = last.endsWith('.service')
    ? 'service'
    : last.endsWith('.scope')
      ? 'scope'
      : last.endsWith('.slice')
        ? 'slice'
        : 'other';
  const slice = parts.map((p) => USER_SLICE.exec(p)).find((m) => m);
  return { kind, unit: leaf, leaf, uid: uidOf(slice?.[1]), session: null };
}

/** Each systemd-relevant line of /proc/PID/cgroup, unified first, with its meaning. */
export function cgroupPlacements(text: string): CgroupPlacement[] {
  return systemdCgroupLines(text)
    .sort((a, b) => (a.hierarchy === b.hierarchy ? 0 : a.hierarchy === 'unified' ? -1 : 1))
    .map((e) => ({ ...e, ...classifyCgroupPath(e.path) }));
}

/** The login session scope the process is in, looked up in the unified line first; null if none. */
export function findLoginScope(text: string): LoginScope | null {
  for (const p of cgroupPlacements(text)) {
    if (p.kind === 'login-session') {
      return {
        scope: p.unit!,
        session: p.session!,
        uid: p.uid,
        path: p.path,
        hierarchy: p.hierarchy,
        deleted: p.deleted,
      };
    }
  }
  return null;
}
