#!/usr/bin/env node
// Benchmark harness for daemon-check (`npm run bench`; not part of `npm test`).
//
//   node bench/run.mjs [--runs N] [--quick] [--only 1,3] [--json] [--strict]
//
// Measures the goals of the performance issue side by side in one run.  Each
// entry compares a command A with a command B by alternating them
// (warm-up pair, then A, B, A, B, ... N times each), so drifts of the machine
// hit both sides alike, and reports the medians, the ratio B/A of the medians
// and the goal with PASS or MISS.  Wall time is process.hrtime.bigint() around
// child_process.spawnSync (stdin/stdout on /dev/null); peak memory is
// ru_maxrss of the one child of a python3 wrapper.
//
// The bench starts its own subjects and kills every one of them by pid, also
// on Ctrl-C (SIGINT), SIGTERM, SIGHUP or an exception.  Helper scripts:
//   bench/swarm.py      holds N sleeping processes (own sessions) and reaps them
//   bench/fdholder.py   a background process holding exactly N open fds
//   bench/reaper.py     child subreaper that entry 6 runs under (no zombies)
//   bench/run-vs-ssd.mjs  entry 6's measuring loop
//
// Exit status: 0 when the harness ran (a missed goal is reported, not an
// error), 1 with --strict when a goal was missed, 2 when the harness itself
// failed, 130 when interrupted.
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, release, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  Aborted,
  Owned,
  abort,
  alternate,
  census,
  firstLine,
  median,
  processCount,
  requestAbort,
  sameArgs,
  shellWords,
  sleep,
  spawn,
  spawnSync,
  startSwarm,
  stat,
  summary,
  timeOnce,
  unlessAborted,
} from './lib.mjs';

const BENCH = dirname(fileURLToPath(import.meta.url));
const ROOT = dirname(BENCH);
const CLI = join(ROOT, 'bin', 'daemon-check.js');
const NODE = process.execPath;

// ------------------------------------------------------------------ options

const USAGE = `usage: node bench/run.mjs [options]   (npm run bench -- [options])

  --runs N      measured runs per side (default 21; 5 with --quick)
  --quick       fewer runs and smaller process counts (a smoke test, not a verdict)
  --only LIST   run only these entries, e.g. --only 1,3 (1 audit, 2 scan vs ps,
                3 memory, 4 fd scaling, 5 scan linearity, 6 run vs start-stop-daemon)
  --json        print one JSON object with every figure instead of the tables
  --strict      exit 1 when a goal is missed
  -h, --help    this text`;

function parseOptions(argv) {
  const o = { runs: undefined, quick: false, only: null, json: false, strict: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const eq = a.indexOf('=');
      if (eq >= 0) return a.slice(eq + 1);
      if (i + 1 >= argv.length) throw new UsageError(`${a} needs a value`);
      return argv[++i];
    };
    const name = a.split('=')[0];
    if (name === '--runs') {
      const v = value();
      if (!/^\d+$/.test(v) || Number(v) < 1) throw new UsageError(`--runs needs a positive integer, not '${v}'`);
      o.runs = Number(v);
    } else if (name === '--only') {
      const v = value();
      const ids = v.split(',').map((s) => s.trim());
      if (ids.some((s) => !/^[1-6]$/.test(s))) throw new UsageError(`--only takes entry numbers 1-6, e.g. --only 1,3; not '${v}'`);
      o.only = new Set(ids.map(Number));
    } else if (a === '--quick') o.quick = true;
    else if (a === '--json') o.json = true;
    else if (a === '--strict') o.strict = true;
    else if (a === '-h' || a === '--help') o.help = true;
    else throw new UsageError(`unknown option '${a}'`);
  }
  o.runs ??= o.quick ? 5 : 21;
  o.warmup = 1;
  o.counts = o.quick
    ? { scanExtra: 500, linSmall: 200, linLarge: 1600, fdSmall: 10, fdLarge: 10000 }
    : { scanExtra: 2000, linSmall: 500, linLarge: 4000, fdSmall: 10, fdLarge: 10000 };
  return o;
}

class UsageError extends Error {}
/** A failure to explain in one message, without a stack. */
class HarnessError extends Error {}

// ------------------------------------------------------------------ output

const log = (msg) => process.stderr.write(`bench: ${msg}\n`);
const fmtInt = (n) => Math.round(n).toLocaleString('en-US');
const fmtMs = (ms) => (Math.abs(ms) >= 100 ? ms.toFixed(0) : Math.abs(ms) >= 10 ? ms.toFixed(1) : ms.toFixed(2));
const fmtRatio = (r) => (Number.isFinite(r) ? (r >= 10 ? r.toFixed(1) : r.toFixed(2)) : '—');

function fmtValue(v, unit) {
  if (!Number.isFinite(v)) return '—';
  if (unit === 'ms') return `${fmtMs(v)} ms`;
  if (unit === 'KiB') return `${fmtInt(v)} KiB`;
  if (unit === 'µs/proc') return `${v.toFixed(v >= 100 ? 0 : 1)} µs/proc`;
  return `${v} ${unit}`;
}

function table(rows, { align = [] } = {}) {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => String(r[c]).length)));
  return rows
    .map((r, ri) => {
      const line = r
        .map((cell, c) => (align[c] === 'r' ? String(cell).padStart(widths[c]) : String(cell).padEnd(widths[c])))
        .join('  ')
        .trimEnd();
      return ri === 0 ? `${line}\n${widths.map((w) => '-'.repeat(w)).join('  ')}` : line;
    })
    .join('\n');
}

// ------------------------------------------------------------------ machine

function machineInfo() {
  let cpu = 'unknown';
  let logical = 0;
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    cpu = /^model name\s*:\s*(.*)$/m.exec(info)?.[1]?.trim() ?? cpu;
    logical = (info.match(/^processor\s*:/gm) ?? []).length;
  } catch {
    /* keep defaults */
  }
  const read = (p) => {
    try {
      return readFileSync(p, 'utf8').trim();
    } catch {
      return null;
    }
  };
  const limits = read('/proc/self/limits') ?? '';
  const limit = (name) => {
    const m = new RegExp(`^${name}\\s+(\\S+)\\s+(\\S+)`, 'm').exec(limits);
    return m ? { soft: m[1], hard: m[2] } : null;
  };
  const loadavg = (read('/proc/loadavg') ?? '').split(' ');
  return {
    cpu,
    cores: logical || availableParallelism(),
    availableParallelism: availableParallelism(),
    kernel: release(),
    node: process.version,
    pidMax: Number(read('/proc/sys/kernel/pid_max')),
    threadsMax: Number(read('/proc/sys/kernel/threads-max')),
    threadsNow: Number(loadavg[3]?.split('/')[1]),
    loadavg: loadavg.slice(0, 3).join(' '),
    nproc: limit('Max processes'),
    nofile: limit('Max open files'),
    uid: process.getuid(),
  };
}

/** How many more processes can be started here, and what limits it. */
function pidHeadroom(m) {
  const reasons = [];
  // Pids 1..299 are reserved once the counter wraps; every thread uses a pid.
  let room = m.pidMax - 300 - m.threadsNow;
  reasons.push(`pid_max ${fmtInt(m.pidMax)} with ${fmtInt(m.threadsNow)} threads in use`);
  if (m.threadsMax) room = Math.min(room, m.threadsMax - m.threadsNow);
  const nproc = m.nproc && m.nproc.soft !== 'unlimited' ? Number(m.nproc.soft) : Infinity;
  if (m.uid !== 0 && Number.isFinite(nproc)) {
    // RLIMIT_NPROC counts this user's threads; root is exempt from it.
    room = Math.min(room, nproc - m.threadsNow);
    reasons.push(`ulimit -u ${fmtInt(nproc)}`);
  }
  for (const p of ['/sys/fs/cgroup/pids.max', '/sys/fs/cgroup/pids/pids.max']) {
    try {
      const max = readFileSync(p, 'utf8').trim();
      const cur = Number(readFileSync(p.replace('pids.max', 'pids.current'), 'utf8'));
      if (max !== 'max') {
        room = Math.min(room, Number(max) - cur);
        reasons.push(`cgroup pids.max ${max}`);
      }
    } catch {
      /* no pids controller there */
    }
  }
  return { room: room - 100, why: reasons.join(', ') };
}

// ------------------------------------------------------------------ build

function newest(dir, test) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) t = Math.max(t, newest(p, test));
    else if (test(e.name)) t = Math.max(t, statSync(p).mtimeMs);
  }
  return t;
}

function ensureBuilt() {
  const srcTime = Math.max(newest(join(ROOT, 'src'), (n) => n.endsWith('.ts')), statSync(join(ROOT, 'tsconfig.json')).mtimeMs);
  let distTime = 0;
  try {
    distTime = newest(join(ROOT, 'dist'), (n) => n.endsWith('.js'));
  } catch {
    /* no dist/ */
  }
  const notes = [];
  if (distTime === 0 || distTime < srcTime) {
    log(distTime === 0 ? 'dist/ is missing: npx tsc -p tsconfig.json' : 'dist/ is older than src/: npx tsc -p tsconfig.json');
    const r = spawnSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
    if (r.error || r.status !== 0) {
      throw new HarnessError(`the build failed (npx tsc -p tsconfig.json, status ${r.status ?? r.error?.message}):\n${r.stdout}${r.stderr}`);
    }
    notes.push('compiled src/ with tsc');
  }
  const r = spawnSync(NODE, [join(ROOT, 'scripts', 'build-native.mjs')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new HarnessError(`node scripts/build-native.mjs failed:\n${r.stdout}${r.stderr}`);
  if (r.stderr.trim()) log(r.stderr.trim());
  return notes;
}

function resolvePython() {
  // python3 may be a pyenv shim (a bash script that execs pyenv that execs
  // python): resolve the real interpreter once, so that the memory wrapper
  // and the helpers start in milliseconds and have no extra children.
  const r = spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new HarnessError('python3 is needed by the bench and could not be run');
  return r.stdout.trim() || 'python3';
}

// ------------------------------------------------------------------ entries

/** Result skeleton for a two-sided comparison. */
function compare({ id, title, unit, a, b, samples, goal, notes = [], extra = {} }) {
  const sa = summary(samples.a);
  const sb = summary(samples.b);
  const ratio = sb.median / sa.median;
  const res = {
    id,
    title,
    unit,
    a: { label: a.label, command: a.command, ...sa, samples: samples.a },
    b: { label: b.label, command: b.command, ...sb, samples: samples.b },
    ratio,
    goal: goal ?? null,
    pass: goal ? ratio <= goal : null,
    notes,
    extra,
  };
  if (goal && !res.pass) res.notes.push(`to pass: B ≤ ${fmtValue(sa.median * goal, unit)} at this A (now ${fmtValue(sb.median, unit)}, ${((1 - (sa.median * goal) / sb.median) * 100).toFixed(0)}% less)`);
  return res;
}

function progress(title) {
  return (i, n) => {
    if (i === 1 || i === n || i % 5 === 0) log(`  ${title}: pair ${i}/${n}`);
  };
}

/** Entry 1 and 3 subject: `setsid -f sleep 100000`, started from /, a true daemon (parent PID 1). */
async function startDaemonSubject(ctx) {
  const args = ['sleep', '100000'];
  const before = new Set(ctx_pidsWith(args));
  const r = spawnSync('setsid', ['-f', ...args], { cwd: '/', stdio: 'ignore' });
  if (r.error || r.status !== 0) throw new Error(`setsid -f sleep 100000 failed (${r.error?.message ?? `status ${r.status}`})`);
  for (let i = 0; i < 300; i++) {
    const fresh = ctx_pidsWith(args).filter((p) => !before.has(p));
    if (fresh.length === 1) {
      const pid = fresh[0];
      ctx.owned.addOrphan(pid, args, 'daemon subject');
      return { pid, ppid: stat(pid)?.ppid };
    }
    if (fresh.length > 1) throw new Error(`more than one new 'sleep 100000' appeared (${fresh.join(', ')}); run the bench on a quiet machine`);
    await sleep(10);
  }
  throw new Error('the subject started by setsid -f sleep 100000 did not appear');
}

function ctx_pidsWith(args) {
  return readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .map(Number)
    .filter((p) => sameArgs(p, args));
}

async function subjectFor(ctx) {
  ctx.subject ??= await startDaemonSubject(ctx);
  return ctx.subject;
}

const ENTRIES = [
  {
    id: 1,
    title: 'audit vs node -e 0',
    usesSubject: true,
    async run(ctx) {
      const { pid, ppid } = await subjectFor(ctx);
      const A = [NODE, '-e', '0'];
      const B = [NODE, CLI, String(pid), '--json'];
      const samples = await alternate({
        runs: ctx.o.runs,
        warmup: ctx.o.warmup,
        a: () => timeOnce(A).ms,
        b: () => timeOnce(B, { ok: [0, 1] }).ms,
        onProgress: progress('audit'),
      });
      return compare({
        id: 1,
        title: 'audit vs node -e 0',
        unit: 'ms',
        a: { label: 'node -e 0', command: shellWords(A) },
        b: { label: 'daemon-check PID --json', command: shellWords(B) },
        samples,
        goal: 1.3,
        notes: [`subject: pid ${pid}, sleep 100000 started by setsid -f from /, parent pid ${ppid}`],
        extra: { subjectPid: pid },
      });
    },
  },
  {
    id: 2,
    title: 'scan --all vs ps',
    needsPids: (o) => o.counts.scanExtra,
    async run(ctx) {
      const n = ctx.o.counts.scanExtra;
      log(`  starting ${fmtInt(n)} extra processes`);
      const swarm = await startSwarm(ctx.owned, ctx.python, join(BENCH, 'swarm.py'), n);
      try {
        const A = ['ps', '-eo', 'pid,ppid,pgid,sid,tty,tpgid,stat,user,args'];
        const B = [NODE, CLI, 'scan', '--all', '--json'];
        const counts = [];
        const samples = await alternate({
          runs: ctx.o.runs,
          warmup: ctx.o.warmup,
          a: () => {
            counts.push(processCount());
            return timeOnce(A).ms;
          },
          b: () => {
            counts.push(processCount());
            return timeOnce(B).ms;
          },
          onProgress: progress('scan vs ps'),
        });
        const c = summary(counts);
        const res = compare({
          id: 2,
          title: `scan --all vs ps (${fmtInt(c.median)} processes)`,
          unit: 'ms',
          a: { label: 'ps -eo ...', command: shellWords(A) },
          b: { label: 'daemon-check scan --all --json', command: shellWords(B) },
          samples,
          goal: 1.5,
          notes: [
            `processes alive during the measurement: ${c.min === c.max ? fmtInt(c.min) : `${fmtInt(c.min)}–${fmtInt(c.max)}`} (${fmtInt(n)} extra: sleep 100000, each in its own session, children of bench/swarm.py)`,
          ],
          extra: { extraProcesses: n, processesAlive: c },
        });
        res.notes.push(`scan cost per process: ${(((res.b.median) / c.median) * 1000).toFixed(0)} µs; ps: ${((res.a.median / c.median) * 1000).toFixed(1)} µs`);
        return res;
      } finally {
        await ctx.owned.release(swarm);
      }
    },
  },
  {
    id: 3,
    title: 'peak RSS: audit vs node -e 0',
    usesSubject: true,
    async run(ctx) {
      const { pid } = await subjectFor(ctx);
      const WRAP =
        'import resource,subprocess,sys; r=subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); ' +
        'print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, r.returncode)';
      const rss = (cmd, ok) => {
        const { stdout } = timeOnce([ctx.python, '-c', WRAP, ...cmd], { stdout: 'pipe' });
        const [kib, rc] = stdout.trim().split(' ').map(Number);
        if (!ok.includes(rc)) throw new Error(`${shellWords(cmd)} exited with status ${rc} under the memory wrapper`);
        return kib;
      };
      const A = [NODE, '-e', '0'];
      const B = [NODE, CLI, String(pid), '--json'];
      const samples = await alternate({
        runs: ctx.o.runs,
        warmup: ctx.o.warmup,
        a: () => rss(A, [0]),
        b: () => rss(B, [0, 1]),
        onProgress: progress('peak RSS'),
      });
      return compare({
        id: 3,
        title: 'peak RSS: audit vs node -e 0',
        unit: 'KiB',
        a: { label: 'node -e 0', command: shellWords(A) },
        b: { label: 'daemon-check PID --json', command: shellWords(B) },
        samples,
        goal: 1.3,
        notes: [`ru_maxrss of the only child of ${ctx.python} -c '…subprocess.run(CMD)…' (RUSAGE_CHILDREN), one wrapper per measurement`],
      });
    },
  },
  {
    id: 4,
    title: 'audit: 10,000 fds vs 10 fds',
    async run(ctx) {
      const { fdSmall, fdLarge } = ctx.o.counts;
      const hard = ctx.machine.nofile?.hard;
      if (hard && hard !== 'unlimited' && Number(hard) < fdLarge + 16) {
        return { id: 4, title: this.title, skipped: `the hard RLIMIT_NOFILE (ulimit -Hn) is ${hard}, too low for a subject with ${fmtInt(fdLarge)} fds` };
      }
      const small = await startFdHolder(ctx, fdSmall);
      const large = await startFdHolder(ctx, fdLarge);
      try {
        const A = [NODE, CLI, String(small.pid), '--json'];
        const B = [NODE, CLI, String(large.pid), '--json'];
        const samples = await alternate({
          runs: ctx.o.runs,
          warmup: ctx.o.warmup,
          a: () => timeOnce(A, { ok: [0, 1] }).ms,
          b: () => timeOnce(B, { ok: [0, 1] }).ms,
          onProgress: progress('fd scaling'),
        });
        const res = compare({
          id: 4,
          title: `audit: ${fmtInt(fdLarge)} fds vs ${fmtInt(fdSmall)} fds`,
          unit: 'ms',
          a: { label: `daemon-check PID --json (${small.fds} fds)`, command: shellWords(A) },
          b: { label: `daemon-check PID --json (${fmtInt(large.fds)} fds)`, command: shellWords(B) },
          samples,
          goal: 2,
          notes: [`subjects: bench/fdholder.py, own session, cwd /, pids ${small.pid} (${small.fds} fds) and ${large.pid} (${fmtInt(large.fds)} fds)`],
          extra: { fdsA: small.fds, fdsB: large.fds },
        });
        res.notes.push(`cost per extra fd: ${(((res.b.median - res.a.median) / (large.fds - small.fds)) * 1000).toFixed(1)} µs`);
        return res;
      } finally {
        await ctx.owned.release(small.item);
        await ctx.owned.release(large.item);
      }
    },
  },
  {
    id: 5,
    title: 'scan linearity',
    needsPids: (o) => o.counts.linLarge,
    async run(ctx) {
      const { linSmall, linLarge } = ctx.o.counts;
      const B_CMD = [NODE, CLI, 'scan', '--all', '--json'];
      log(`  starting ${fmtInt(linSmall)} extra processes (kept), and ${fmtInt(linLarge - linSmall)} more before every B run (stopped before every A run)`);
      const base = await startSwarm(ctx.owned, ctx.python, join(BENCH, 'swarm.py'), linSmall);
      let more = null;
      const counts = { a: [], b: [] };
      try {
        const measure = (side) => {
          counts[side].push(processCount());
          return timeOnce(B_CMD).ms;
        };
        const samples = await alternate({
          runs: ctx.o.runs,
          warmup: ctx.o.warmup,
          a: async () => {
            if (more) await ctx.owned.release(more);
            more = null;
            return measure('a');
          },
          b: async () => {
            more = await startSwarm(ctx.owned, ctx.python, join(BENCH, 'swarm.py'), linLarge - linSmall);
            return measure('b');
          },
          onProgress: progress('scan linearity'),
        });
        // The first warm-up counts are not part of the samples.
        counts.a.splice(0, ctx.o.warmup);
        counts.b.splice(0, ctx.o.warmup);
        const na = median(counts.a);
        const nb = median(counts.b);
        const ta = median(samples.a);
        const tb = median(samples.b);
        const perA = (ta / na) * 1000;
        const perB = (tb / nb) * 1000;
        const ratio = perB / perA;
        const marginal = ((tb - ta) / (nb - na)) * 1000;
        const res = {
          id: 5,
          title: `scan per process: ${fmtInt(linLarge)} vs ${fmtInt(linSmall)} extra`,
          unit: 'ms',
          a: { label: `scan --all --json, ${fmtInt(linSmall)} extra (${fmtInt(na)} processes)`, command: shellWords(B_CMD), ...summary(samples.a), samples: samples.a, processes: na, perProcessUs: perA },
          b: { label: `scan --all --json, ${fmtInt(linLarge)} extra (${fmtInt(nb)} processes)`, command: shellWords(B_CMD), ...summary(samples.b), samples: samples.b, processes: nb, perProcessUs: perB },
          ratio,
          ratioOf: 'per-process cost (median time / processes alive), B over A',
          timeRatio: tb / ta,
          goal: 1.5,
          pass: ratio <= 1.5,
          notes: [
            `criterion ("linear"): per-process cost with ${fmtInt(linLarge)} extra processes within 1.5x of that with ${fmtInt(linSmall)}: ${perB.toFixed(0)} µs vs ${perA.toFixed(0)} µs per process = ${fmtRatio(ratio)}x`,
            `processes alive: A ${fmtInt(na)}, B ${fmtInt(nb)} (${fmtInt(nb - na)} more); total time B/A ${fmtRatio(tb / ta)}x`,
            `marginal cost ${marginal.toFixed(0)} µs per added process` +
              (ta - (marginal / 1000) * na >= 0
                ? `; fixed part ≈ ${fmtMs(ta - (marginal / 1000) * na)} ms (intercept of the line through A and B)`
                : ` (more than the average cost at A: the time grows faster than linearly)`),
            `${fmtInt(linLarge - linSmall)} processes are started before every B run and stopped and reaped before every A run (outside the timing)`,
          ],
          extra: { extraA: linSmall, extraB: linLarge, marginalUsPerProcess: marginal },
        };
        return res;
      } finally {
        if (more) await ctx.owned.release(more);
        await ctx.owned.release(base);
      }
    },
  },
  {
    id: 6,
    title: 'run vs start-stop-daemon',
    async run(ctx) {
      const ssd = spawnSync('start-stop-daemon', ['--version'], { stdio: 'ignore' });
      if (ssd.error) return { id: 6, title: this.title, skipped: 'start-stop-daemon is not installed' };
      try {
        statSync(join(ROOT, 'native', 'build', 'daemon-check-helper'));
      } catch {
        return { id: 6, title: this.title, skipped: 'the native helper native/build/daemon-check-helper is missing (see the warning of scripts/build-native.mjs)' };
      }
      const proc = spawn(
        ctx.python,
        [join(BENCH, 'reaper.py'), NODE, join(BENCH, 'run-vs-ssd.mjs'), '--runs', String(ctx.o.runs), '--warmup', String(ctx.o.warmup), '--root', ROOT, '--tmp', ctx.tmp],
        { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      const item = ctx.owned.addChild(proc, 'reaper for entry 6', 'SIGTERM');
      let stderr = '';
      const closed = new Promise((resolve) => proc.once('close', resolve));
      proc.stderr.setEncoding('utf8');
      proc.stderr.on('data', (d) => {
        stderr += d;
      });
      const why = () => {
        const first = stderr.trim().split('\n').filter((l) => !/^\s+at /.test(l)).slice(0, 4).join('\n   ');
        return first ? `:\n   ${first}` : '';
      };
      let line;
      try {
        line = await firstLine(proc, 'bench/run-vs-ssd.mjs', 10 * 60 * 1000);
        await unlessAborted(item.exited);
      } catch (e) {
        if (e instanceof Aborted) throw e;
        await Promise.race([closed, sleep(2000)]); // its stderr, complete
        throw new Error(`bench/run-vs-ssd.mjs failed${why() || `: ${e.message}`}`);
      } finally {
        await ctx.owned.release(item);
      }
      await Promise.race([closed, sleep(2000)]);
      if (proc.exitCode !== 0) throw new Error(`bench/run-vs-ssd.mjs failed (status ${proc.exitCode ?? proc.signalCode})${why()}`);
      if (stderr.trim()) log(stderr.trim());
      const { a, b, started } = JSON.parse(line);
      for (const [pid, args] of started) ctx.owned.remember(pid, args);
      return compare({
        id: 6,
        title: 'run vs start-stop-daemon',
        unit: 'ms',
        a: { label: 'start-stop-daemon --start --background', command: 'start-stop-daemon --start --background --make-pidfile --pidfile TMP/ssd-I.pid --exec /bin/sleep -- 100000+I' },
        b: { label: 'daemon-check run --no-verify', command: `${shellWords([NODE, CLI])} run --no-verify -- sleep 100000+I` },
        samples: { a, b },
        goal: null,
        notes: [
          'informational, no goal',
          'each daemon is killed right after its measurement; both run under bench/reaper.py (a child subreaper), which reaps them',
        ],
      });
    },
  },
];

async function startFdHolder(ctx, n) {
  const proc = spawn(ctx.python, [join(BENCH, 'fdholder.py'), String(n)], { cwd: '/', detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
  const item = ctx.owned.addChild(proc, `fd holder (${n})`);
  let line;
  try {
    line = await firstLine(proc, `bench/fdholder.py ${n}`, 30000);
  } catch (e) {
    await ctx.owned.release(item);
    throw e;
  }
  const m = /^ready (\d+)$/.exec(line);
  if (!m) {
    await ctx.owned.release(item);
    throw new Error(`bench/fdholder.py ${n}: ${line}`);
  }
  // Confirm from outside what the audit will see.
  const fds = readdirSync(`/proc/${proc.pid}/fd`).length;
  return { pid: proc.pid, fds, item };
}

// ------------------------------------------------------------------ report

function render(report) {
  const m = report.machine;
  const out = [];
  out.push('daemon-check benchmark');
  out.push(`machine: ${m.cpu}, ${m.cores} cores (${m.availableParallelism} available); kernel ${m.kernel}; node ${m.node}`);
  out.push(
    `         pid_max ${fmtInt(m.pidMax)}, ulimit -u ${m.nproc?.soft ?? '?'}, ulimit -n ${m.nofile?.soft ?? '?'}/${m.nofile?.hard ?? '?'}; load ${m.loadavg}; ${fmtInt(report.before.processes)} processes at start (${report.before.zombies} zombies)`,
  );
  out.push(
    `method:  medians of ${report.options.runs} alternating runs per side (A, B, A, B, ...) after ${report.options.warmup} discarded warm-up pair${report.options.warmup === 1 ? '' : 's'}${report.options.quick ? '; --quick: small counts, a smoke test only' : ''}`,
  );
  if (report.buildNotes.length) out.push(`build:   ${report.buildNotes.join('; ')}`);
  out.push('');
  const rows = [['#', 'entry', 'A (median)', 'B (median)', 'B/A', 'goal', 'result']];
  for (const e of report.entries) {
    if (e.skipped || e.error) {
      rows.push([e.id, e.title, '', '', '', '', e.skipped ? 'SKIP' : 'ERROR']);
      continue;
    }
    let va = fmtValue(e.a.median, e.unit);
    let vb = fmtValue(e.b.median, e.unit);
    if (e.id === 5) {
      va = `${fmtValue(e.a.median, 'ms')} = ${fmtValue(e.a.perProcessUs, 'µs/proc')}`;
      vb = `${fmtValue(e.b.median, 'ms')} = ${fmtValue(e.b.perProcessUs, 'µs/proc')}`;
    }
    const result = e.goal === null ? 'info' : e.pass ? 'PASS' : `MISS (${fmtRatio(e.ratio / e.goal)}x over)`;
    rows.push([e.id, e.title, va, vb, fmtRatio(e.ratio), e.goal === null ? '—' : `≤ ${e.goal.toFixed(2)}`, result]);
  }
  out.push(table(rows, { align: ['r', 'l', 'r', 'r', 'r', 'l', 'l'] }));
  out.push('');
  out.push('details');
  for (const e of report.entries) {
    out.push('');
    out.push(`${e.id}. ${e.title}`);
    if (e.skipped) {
      out.push(`   skipped: ${e.skipped}`);
      continue;
    }
    if (e.error) {
      out.push(`   error: ${e.error}`);
      continue;
    }
    const side = (name, s) => `   ${name}: ${s.label}\n      ${s.command}\n      median ${fmtValue(s.median, e.unit)}, min ${fmtValue(s.min, e.unit)}, max ${fmtValue(s.max, e.unit)}, n ${s.n}`;
    out.push(side('A', e.a));
    out.push(side('B', e.b));
    out.push(`   B/A ${fmtRatio(e.ratio)}${e.ratioOf ? ` (${e.ratioOf})` : ''}${e.goal !== null ? `; goal ≤ ${e.goal}: ${e.pass ? 'PASS' : 'MISS'}` : ''}`);
    for (const n of e.notes) out.push(`   - ${n}`);
  }
  out.push('');
  const scored = report.entries.filter((e) => e.goal !== null && e.pass !== undefined && !e.skipped && !e.error);
  out.push(
    `summary: ${scored.filter((e) => e.pass).length} of ${scored.length} goals met` +
      (report.missed.length ? `; missed: ${report.missed.join(', ')}` : '') +
      (report.failed.length ? `; harness errors in: ${report.failed.join(', ')}` : ''),
  );
  out.push(
    `cleanup: ${report.after.leftovers.length ? `LEFTOVERS: ${report.after.leftovers.map((l) => `${l.pid} (${l.args})`).join(', ')}` : 'none of the bench\'s processes is left running'}` +
      `; ${fmtInt(report.before.processes)} live processes before, ${fmtInt(report.after.processes)} after (other activity on the machine counts too)` +
      (report.after.newZombies ? `; ${report.after.newZombies} new zombie${report.after.newZombies === 1 ? '' : 's'} of pid 1 (killed daemons are reparented to PID 1, which here reaps late or never)` : ''),
  );
  out.push(`took ${(report.seconds).toFixed(0)} s`);
  return out.join('\n');
}

// ------------------------------------------------------------------ main

async function main() {
  let o;
  try {
    o = parseOptions(process.argv.slice(2));
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`bench: ${e.message}\n${USAGE}\n`);
      return 2;
    }
    throw e;
  }
  if (o.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (process.platform !== 'linux') {
    process.stderr.write('bench: daemon-check and this bench are Linux-only\n');
    return 2;
  }

  const t0 = Date.now();
  const owned = new Owned();
  let interrupts = 0;
  const onSignal = (sig) => {
    interrupts++;
    if (interrupts === 1) {
      log(`${sig}: stopping; killing every process the bench started (again to force)`);
      requestAbort(sig);
    } else {
      owned.signalAllSync();
      process.exit(130);
    }
  };
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => onSignal(sig));

  const startCensus = census();
  const machine = machineInfo();
  const report = {
    machine,
    options: { runs: o.runs, warmup: o.warmup, quick: o.quick, counts: o.counts, only: o.only ? [...o.only] : null },
    before: { processes: startCensus.live.length, zombies: startCensus.zombies.length },
    buildNotes: [],
    entries: [],
    missed: [],
    failed: [],
  };
  const tmp = mkdtempSync(join(tmpdir(), 'daemon-check-bench-'));
  const ctx = { o, owned, machine, tmp, python: null, subject: null };
  let fatal = null;
  try {
    report.buildNotes = ensureBuilt();
    ctx.python = resolvePython();
    log(`machine: ${machine.cpu}, ${machine.cores} cores, kernel ${machine.kernel}, node ${machine.node}`);
    const selected = ENTRIES.filter((e) => !o.only || o.only.has(e.id));
    for (const [k, entry] of selected.entries()) {
      log(`[${entry.id}] ${entry.title}`);
      let result;
      try {
        const need = entry.needsPids?.(o);
        const head = need ? pidHeadroom(machineInfo()) : null;
        if (need && head.room < need) {
          result = {
            id: entry.id,
            title: entry.title,
            skipped: `needs ${fmtInt(need)} more processes but only about ${fmtInt(Math.max(0, head.room))} fit (${head.why}); try --quick`,
          };
        } else {
          result = await entry.run(ctx);
        }
      } catch (e) {
        if (e instanceof Aborted) throw e;
        if (abort.signal) throw new Aborted(abort.signal);
        result = { id: entry.id, title: entry.title, error: e.message };
        log(`  error: ${e.message}`);
      }
      report.entries.push(result);
      if (result.goal && result.pass === false) report.missed.push(`${entry.id} (${fmtRatio(result.ratio)} > ${result.goal})`);
      if (result.error) report.failed.push(String(entry.id));
      // The daemon subject is no longer needed once no later entry uses it.
      if (ctx.subject && !selected.slice(k + 1).some((e) => e.usesSubject)) {
        for (const item of owned.items) if (item.kind === 'orphan' && item.pid === ctx.subject.pid) await owned.release(item);
      }
    }
  } catch (e) {
    fatal = e;
  } finally {
    await owned.releaseAll();
    rmSync(tmp, { recursive: true, force: true });
  }

  if (fatal instanceof Aborted) {
    log(`${fatal.message}; every process the bench started has been killed`);
    return 130;
  }
  if (fatal) {
    process.stderr.write(`bench: ${fatal instanceof HarnessError ? fatal.message : (fatal.stack ?? fatal.message)}\n`);
    return 2;
  }

  // Give killed processes a moment to disappear, then compare with the start.
  let end;
  for (let i = 0; i < 50; i++) {
    end = census();
    if (end.live.length <= startCensus.live.length) break;
    await sleep(20);
  }
  const startZ = new Set(startCensus.zombies);
  report.after = {
    processes: end.live.length,
    zombies: end.zombies.length,
    newZombies: end.zombies.filter((p) => !startZ.has(p) && stat(p)?.ppid === 1).length,
    // Everything the bench started (entry 6's daemons included, as its worker
    // reports them) that is still alive and still runs what was started.
    leftovers: owned.leftovers(),
  };
  report.seconds = (Date.now() - t0) / 1000;

  if (o.json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  else process.stdout.write(render(report) + '\n');
  if (report.failed.length) return 2;
  if (o.strict && report.missed.length) return 1;
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`bench: ${e?.stack ?? e}\n`);
    process.exitCode = 2;
  },
);
