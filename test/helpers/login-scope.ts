/**
 * Puts a live process where systemd-logind would: user.slice/user-UID.slice/
 * session-N.scope, in both the cgroup2 tree and the v1 name=systemd tree, so
 * live tests can see what a login's process looks like without logind. Root
 * only; restore() puts everything back and is safe to call any number of times.
 *
 * What this host showed (Linux 6.18, no systemd):
 * - A zombie is not listed in cgroup.procs, writing its pid to another
 *   cgroup.procs succeeds and moves nothing, and it does not keep its cgroup
 *   populated: rmdir succeeds (cgroup_exit() unlinks the task at exit, before
 *   it is reaped). Its 0:: line keeps the old path, then "(deleted)".
 * - An orphaned zombie is reaped by PID 1 here only after a second or two, so
 *   tests keep every process a direct child of the test (node reaps it).
 * - EBUSY from rmdir means a live member is still inside (or still exiting):
 *   move the members out and retry until a deadline.
 * - cgroup2's no-internal-process rule (cgroup-v2.rst): a non-root cgroup that
 *   hands domain controllers to children (cgroup.subtree_control) cannot hold
 *   processes itself. Only the leaf scope gets a process and no subtree_control
 *   is written, so it cannot bite, unless the origin has since enabled
 *   controllers, which restore() then reports.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { systemdCgroupLines, type CgroupHierarchy } from '../../src/proc/cgroup-scope.js';
import { procIdentity, sleep } from './procs.js';

export type CgroupMounts = Record<CgroupHierarchy, string | null>;
export const HIERARCHIES: CgroupHierarchy[] = ['unified', 'name=systemd'];

/** cgroup2 and name=systemd mount points from mountinfo (proc(5)), mounted at their root. */
export function cgroupMounts(mountinfo = fs.readFileSync('/proc/self/mountinfo', 'utf8')): CgroupMounts {
  const out: CgroupMounts = { unified: null, 'name=systemd': null };
  for (const line of mountinfo.split('\n')) {
    const [pre, post] = line.split(' - ');
    const f = pre?.split(' ') ?? [];
    const [fstype, , opts] = post?.split(' ') ?? [];
    if (f.length < 5 || f[3] !== '/') continue;
    const where = f[4]!.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
    if (fstype === 'cgroup2') out.unified ??= where;
    if (fstype === 'cgroup' && opts?.split(',').includes('name=systemd')) out['name=systemd'] ??= where;
  }
  return out;
}

/** Why the helper cannot run here, or null when it can. */
export function loginScopeUnsupported(mounts = cgroupMounts()): string | null {
  if (process.getuid?.() !== 0) return 'needs root';
  for (const h of HIERARCHIES) {
    const m = mounts[h];
    if (!m) return `no ${h} cgroup hierarchy mounted`;
    try {
      fs.accessSync(path.join(m, 'cgroup.procs'), fs.constants.W_OK);
    } catch {
      return `${m} is not writable`;
    }
  }
  return null;
}

export interface RestoreReport {
  moved: number[];
  removed: string[];
  left: string[];
  problems: string[];
}

export interface LoginScopeHandle {
  pid: number;
  uid: number;
  session: string;
  /** The scope as /proc/PID/cgroup shows it: /user.slice/user-UID.slice/session-N.scope */
  cgroupPath: string;
  /** Directories of the scope, per hierarchy. */
  dirs: Partial<Record<CgroupHierarchy, string>>;
  restore(): Promise<RestoreReport>;
}

interface Branch {
  hierarchy: CgroupHierarchy;
  mount: string;
  origin: string;
  scopeDir: string;
  created: string[];
}

const errno = (e: unknown): string => (e as NodeJS.ErrnoException).code ?? 'EIO';

export function cgroupMembers(dir: string): number[] {
  try {
    return fs.readFileSync(path.join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** The origin, or its nearest ancestor still there if it was removed meanwhile. */
function originDir(b: Branch): string {
  let rel = b.origin;
  while (rel !== '/' && !fs.existsSync(path.join(b.mount, rel))) rel = path.dirname(rel);
  return path.join(b.mount, rel);
}

function moveTo(dir: string, pid: number, report: RestoreReport): void {
  try {
    fs.writeFileSync(path.join(dir, 'cgroup.procs'), `${pid}\n`);
    report.moved.push(pid);
  } catch (e) {
    if (errno(e) !== 'ESRCH') report.problems.push(`moving ${pid} to ${dir}: ${errno(e)}`);
  }
}

function childCgroups(dir: string): string[] {
  try {
    return fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
  } catch {
    return [];
  }
}

/** rmdir one directory we made; EBUSY: move stragglers out and retry until the deadline. */
async function removeDir(dir: string, home: string, report: RestoreReport, deadline: number): Promise<void> {
  for (;;) {
    try {
      fs.rmdirSync(dir);
      report.removed.push(dir);
      return;
    } catch (e) {
      const code = errno(e);
      if (code === 'ENOENT') return; // gone already (an earlier restore, or someone else)
      // cgroupfs answers EBUSY, not ENOTEMPTY, for child cgroups too (cgroup_destroy_locked):
      // one we did not make will not go away by waiting.
      const foreign = code === 'EBUSY' && childCgroups(dir).length > 0;
      if (code !== 'EBUSY' || foreign || Date.now() > deadline) {
        report.left.push(dir);
        report.problems.push(
          `rmdir ${dir}: ${code}${foreign ? ` (holds cgroups the helper did not make: ${childCgroups(dir).join(', ')})` : ''}`,
        );
        return;
      }
      for (const p of cgroupMembers(dir)) moveTo(home, p, report);
      await sleep(10);
    }
  }
}

async function restoreBranches(
  pid: number,
  start: string,
  scopePath: string,
  branches: Branch[],
): Promise<RestoreReport> {
  const report: RestoreReport = { moved: [], removed: [], left: [], problems: [] };
  const id = procIdentity(pid);
  let now: ReturnType<typeof systemdCgroupLines> = [];
  try {
    if (id && id.start === start && id.state !== 'Z')
      now = systemdCgroupLines(fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8'));
  } catch {
    /* exited meanwhile: nothing to move */
  }
  for (const b of branches) {
    const home = originDir(b);
    // Move the pid back only if it is still the same process and still in our scope.
    const cur = now.find((e) => e.hierarchy === b.hierarchy);
    if (cur && (cur.path === scopePath || cur.path.startsWith(`${scopePath}/`))) moveTo(home, pid, report);
    // Children born inside the scope go where their ancestor came from.
    for (const dir of [...b.created].reverse()) for (const p of cgroupMembers(dir)) moveTo(home, p, report);
    const deadline = Date.now() + 5_000;
    for (const dir of [...b.created].reverse()) await removeDir(dir, home, report, deadline);
  }
  return report;
}

export interface LoginScopeOptions {
  uid?: number;
  session?: string;
  mounts?: CgroupMounts;
}

/**
 * Moves `pid` into user.slice/user-UID.slice/session-N.scope of both
 * hierarchies, creating what is missing. On failure everything done so far is
 * undone before the error is thrown.
 */
export async function enterLoginScope(pid: number, opts: LoginScopeOptions = {}): Promise<LoginScopeHandle> {
  const uid = opts.uid ?? 4242;
  const session = opts.session ?? String(process.pid);
  const mounts = opts.mounts ?? cgroupMounts();
  const rel = ['user.slice', `user-${uid}.slice`, `session-${session}.scope`];
  const cgroupPath = `/${rel.join('/')}`;
  const id = procIdentity(pid);
  if (!id) throw new Error(`no process ${pid}`);
  const lines = systemdCgroupLines(fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8'));
  const branches: Branch[] = [];
  let done: Promise<RestoreReport> | null = null;
  const handle: LoginScopeHandle = {
    pid,
    uid,
    session,
    cgroupPath,
    dirs: {},
    restore: () => (done ??= restoreBranches(pid, id.start, cgroupPath, branches)),
  };
  try {
    for (const hierarchy of HIERARCHIES) {
      const mount = mounts[hierarchy];
      const origin = lines.find((e) => e.hierarchy === hierarchy)?.path;
      if (!mount || origin === undefined) throw new Error(`no ${hierarchy} hierarchy for ${pid}`);
      const b: Branch = { hierarchy, mount, origin, scopeDir: path.join(mount, ...rel), created: [] };
      branches.push(b);
      let dir = mount;
      for (const part of rel) {
        dir = path.join(dir, part);
        try {
          fs.mkdirSync(dir);
          b.created.push(dir);
        } catch (e) {
          if (errno(e) !== 'EEXIST') throw e;
        }
      }
      handle.dirs[hierarchy] = b.scopeDir;
      fs.writeFileSync(path.join(b.scopeDir, 'cgroup.procs'), `${pid}\n`);
    }
  } catch (e) {
    await handle.restore();
    throw e;
  }
  return handle;
}
