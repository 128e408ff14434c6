// The processes the bench measures against: swarms of sleepers in a given
// shape (bench/helpers/swarm.py), the daemon subject of the audits, the
// fd-holding subjects, and the tools compared with (lsof is installed here).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sleep } from './abort.mjs';
import { CLEAN_ENV } from './exec.mjs';
import { firstLine } from './owned.mjs';
import { pidHeadroom } from './proc.mjs';

export const HELPERS = join(dirname(dirname(fileURLToPath(import.meta.url))), 'helpers');
const SLEEPER = ['sleep', '100000'];

export const SHAPES = {
  unrelated: 'sleep 100000 ×N, each in its own session, children of bench/helpers/swarm.py',
  jobs: 'one runner (swarm.py, setsid) holding N sleep 100000 in its session and process group',
  workers:
    'a master (setsid, parent: a subreaper) with N sleep 100000 workers sharing its listening socket (fd 3) and a pipe (fd 4)',
  daemon: 'sleep 100000 after fork + setsid, cwd /, stdio on /dev/null, parent: a subreaper',
};

/** Start bench/helpers/swarm.py SHAPE N; resolves to {item, pids, master}. */
export async function startHelper(ctx, shape, n) {
  const proc = spawn(ctx.python, [join(HELPERS, 'swarm.py'), shape, String(n)], {
    cwd: '/',
    env: CLEAN_ENV,
    // The jobs' runner leads its own session, like a CI runner's service.
    detached: shape === 'jobs',
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const item = ctx.owned.addHelper(proc, `${shape} ×${n}`);
  let msg;
  try {
    msg = JSON.parse(await firstLine(proc, `bench/helpers/swarm.py ${shape} ${n}`, 60000 + n * 20));
    if (msg.error) throw new Error(`could not start ${shape} ×${n}: ${msg.error}`);
  } catch (e) {
    await ctx.owned.release(item);
    throw e;
  }
  ctx.owned.holds(item, msg.pids, SLEEPER);
  if (msg.master) ctx.owned.holds(item, [msg.master], proc.spawnargs);
  return { item, pids: msg.pids, master: msg.master };
}

/**
 * The one swarm alive at a time.  use({shape, n}) keeps it when it already
 * has that shape and size, and otherwise stops it and starts the new one;
 * use(null) stops it.  Sizes are not changed in place: a swarm of N is always
 * one runner or master with N children, as the shape says.
 */
export class Swarms {
  constructor(ctx) {
    this.ctx = ctx;
    this.current = null;
  }

  async use(spec) {
    const cur = this.current;
    if (spec && cur && cur.shape === spec.shape && cur.n === spec.n) return cur;
    if (cur) {
      this.current = null;
      await this.ctx.owned.release(cur.item);
    }
    if (!spec || spec.n === 0) return null;
    const head = pidHeadroom();
    if (head.room < spec.n)
      throw new Error(
        `needs ${spec.n} more processes, but only about ${Math.max(0, head.room)} fit (${head.why}); try --quick`,
      );
    this.current = { ...spec, ...(await startHelper(this.ctx, spec.shape, spec.n)) };
    await sleep(100); // let the machine settle after thousands of forks
    return this.current;
  }
}

/** The daemon the audits look at (started once, shared by the entries that use it). */
export async function daemonSubject(ctx) {
  ctx.subject ??= await startHelper(ctx, 'daemon', 1);
  return ctx.subject.pids[0];
}

/** A detached bench/helpers/fdholder.py holding exactly n fds; {pid, fds, item}. */
export async function startFdHolder(ctx, n) {
  const proc = spawn(ctx.python, [join(HELPERS, 'fdholder.py'), String(n)], {
    cwd: '/',
    env: CLEAN_ENV,
    detached: true,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const item = ctx.owned.addChild(proc, `fd holder (${n})`);
  try {
    const line = await firstLine(proc, `bench/helpers/fdholder.py ${n}`, 30000);
    if (!/^ready \d+$/.test(line)) throw new Error(`bench/helpers/fdholder.py ${n}: ${line}`);
  } catch (e) {
    await ctx.owned.release(item);
    throw e;
  }
  // Confirm from outside what the audit will see.
  return { pid: proc.pid, fds: readdirSync(`/proc/${proc.pid}/fd`).length, item };
}

// ------------------------------------------------------------------- tools

const run = (cmd, args, opts = {}) => spawnSync(cmd, args, { encoding: 'utf8', env: CLEAN_ENV, ...opts });

/** "name version" of the Debian packages behind the tools, where dpkg knows them. */
export function packageVersions(names) {
  const r = run('dpkg-query', ['-W', '-f=${Package} ${Version}\\n', ...names]);
  return r.error
    ? []
    : r.stdout
        .trim()
        .split('\n')
        .filter((l) => /\S+ \S+/.test(l));
}

/**
 * A Debian package's tool, installed with apt-get when CHECK (argv) cannot
 * run.  Resolves to null when it is usable, or to the reason why not.  With
 * `services` the install may not start any service the package ships: when
 * there is no /usr/sbin/policy-rc.d, one that refuses every start (exit 101,
 * invoke-rc.d(8)) is in place during the install only.  `log` reports what
 * is done.
 */
export function ensurePackage(log, { pkg, check, services = false }) {
  if (!run(check[0], check.slice(1)).error) return null;
  if (process.getuid() !== 0) return `${pkg} is not installed and the bench is not root: apt-get install ${pkg}`;
  if (run('apt-get', ['--version']).error) return `${pkg} is not installed and there is no apt-get here`;
  const env = { ...CLEAN_ENV, DEBIAN_FRONTEND: 'noninteractive' };
  const policy = '/usr/sbin/policy-rc.d';
  const block = services && !existsSync(policy);
  if (block)
    writeFileSync(policy, '#!/bin/sh\n# bench: no service starts during this install\nexit 101\n', { mode: 0o755 });
  try {
    const install = () => run('apt-get', ['install', '-y', '-q', '--no-install-recommends', pkg], { env });
    log(`${pkg} is missing: apt-get install -y ${pkg}`);
    let r = install();
    if (r.status !== 0) {
      log('apt-get install failed; apt-get update, then again');
      run('apt-get', ['update', '-q'], { env });
      r = install();
    }
    if (r.status !== 0 || run(check[0], check.slice(1)).error) {
      return `apt-get install ${pkg} failed: ${(r.stderr || r.stdout || '').trim().split('\n').slice(-2).join(' ')}`;
    }
    return null;
  } finally {
    if (block) rmSync(policy, { force: true });
  }
}

/** lsof, installed with apt-get when it is missing. */
export const ensureLsof = (log) => ensurePackage(log, { pkg: 'lsof', check: ['lsof', '-v'] });

/** Debian's prometheus-process-exporter, installed without starting its service when it is missing. */
export const EXPORTER = '/usr/bin/prometheus-process-exporter';
export const ensureExporter = (log) =>
  ensurePackage(log, { pkg: 'prometheus-process-exporter', check: [EXPORTER, '-version'], services: true });
