#!/usr/bin/env node
// Benchmark harness for daemon-check (`npm run bench`; not part of `npm test`).
//
//   node bench/run.mjs [--runs N] [--quick] [--only 1,scan-jobs-ps] [--json] [--strict]
//
// Each entry is one file in bench/entries/ (run in the order of their names).
// Most compare a command A with a command B by alternating them (a warm-up
// round, then A, B, A, B, ... N times each), so drifts of the machine hit
// both sides alike, and report the medians, the ratio B/A of the medians and
// the goal with PASS or MISS.  Time is process.hrtime.bigint() around
// child_process.spawnSync; peak memory is ru_maxrss.  Every command runs
// without NODE_EXTRA_CA_CERTS (bench/lib/exec.mjs says why).
//
// The bench starts its own subjects (bench/helpers/) and kills every one of
// them by pid, also on Ctrl-C (SIGINT), SIGTERM, SIGHUP or an exception, and
// leaves nothing to PID 1 (which may never reap): subjects are children of
// the bench, of a helper, or of a helper that is a child subreaper.  It
// reads dist/ as it is: it never builds (npm run build does).
//
// Exit status: 0 when the harness ran (a missed goal is reported, not an
// error), 1 with --strict when a goal was missed, 2 when the harness itself
// failed, 130 when interrupted.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Aborted, HarnessError, abort, requestAbort, sleep } from './lib/abort.mjs';
import { NODE, ROOT } from './lib/commands.mjs';
import { CLEAN_ENV, REMOVED_ENV } from './lib/exec.mjs';
import { UsageError, parseOptions, usage } from './lib/options.mjs';
import { Owned } from './lib/owned.mjs';
import { census, cpuTicks, foreignShare, machineInfo } from './lib/proc.mjs';
import { render } from './lib/report.mjs';
import { fmtRatio } from './lib/results.mjs';
import { Swarms, ensureExporter, ensureLsof, packageVersions } from './lib/subjects.mjs';

/** An entry during which other processes used more than this share of the CPUs is flagged. */
const BUSY = 0.1;
const T0 = Date.now();
const log = (msg) => process.stderr.write(`bench +${Math.round((Date.now() - T0) / 1000)}s: ${msg}\n`);

async function loadEntries() {
  const dir = join(ROOT, 'bench', 'entries');
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.mjs'))
    .sort();
  return Promise.all(
    files.map(async (f) => ({ file: f, ...(await import(pathToFileURL(join(dir, f)).href)).default })),
  );
}

// ------------------------------------------------------------------ setup

function newest(dir, test) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) t = Math.max(t, newest(p, test));
    else if (test(e.name)) t = Math.max(t, statSync(p).mtimeMs);
  }
  return t;
}

/** The CLI as built; the bench never builds it.  Returns notes for the report. */
function checkBuild() {
  try {
    statSync(join(ROOT, 'dist', 'bundle', 'cli.cjs'));
  } catch {
    throw new HarnessError('dist/bundle/cli.cjs is missing: run npm run build first (the bench does not build)');
  }
  const src = newest(join(ROOT, 'src'), (n) => n.endsWith('.ts'));
  const dist = newest(join(ROOT, 'dist'), (n) => n.endsWith('.js') || n.endsWith('.cjs'));
  return src > dist ? ['src/ has changes newer than dist/: these figures are for the last build'] : [];
}

function resolvePython() {
  // python3 may be a pyenv shim (a bash script that execs pyenv that execs
  // python): resolve the real interpreter once, so that the memory wrapper
  // and the helpers start in milliseconds and have no extra children.
  const r = spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8', env: CLEAN_ENV });
  if (r.error || r.status !== 0) throw new HarnessError('python3 is needed by the bench and could not be run');
  return r.stdout.trim() || 'python3';
}

/** What was removed from the environment, checked from inside a child Node. */
function checkEnv() {
  const removed = Object.fromEntries(REMOVED_ENV.map((k) => [k, process.env[k] ?? null]));
  const probe = `process.stdout.write(JSON.stringify(${JSON.stringify(REMOVED_ENV)}.filter((k) => k in process.env)))`;
  const r = spawnSync(NODE, ['-e', probe], { encoding: 'utf8', env: CLEAN_ENV });
  const seen = JSON.parse(r.stdout || '["?"]');
  if (seen.length) throw new HarnessError(`a child still sees ${seen.join(', ')} in its environment`);
  const kept = Object.keys(CLEAN_ENV)
    .filter((k) => /^(NODE_|UV_|V8_)/.test(k))
    .map((k) => `${k}=${CLEAN_ENV[k]}`);
  return { removed, kept };
}

function newContext(o, owned) {
  const ctx = {
    o,
    owned,
    log,
    machine: machineInfo(),
    tmp: mkdtempSync(join(tmpdir(), 'daemon-check-bench-')),
    python: null,
    subject: null,
  };
  ctx.swarms = new Swarms(ctx);
  let lsof;
  ctx.lsof = () => (lsof === undefined ? (lsof = ensureLsof(log)) : lsof);
  let exporter;
  ctx.exporter = () => (exporter === undefined ? (exporter = ensureExporter(log)) : exporter);
  return ctx;
}

// ------------------------------------------------------------------ entries

async function runEntry(ctx, entry) {
  const counts = ctx.o.counts;
  const base = { id: entry.id, key: entry.key, title: entry.title(counts) };
  try {
    const skipped = entry.precheck?.(ctx);
    if (skipped) return { ...base, skipped };
    await ctx.swarms.use(entry.swarm?.(counts) ?? null);
    // CPU used by anything but the bench meanwhile, to flag figures taken on a busy machine.
    const t0 = cpuTicks();
    const result = await entry.run(ctx);
    const others = foreignShare(t0, cpuTicks());
    return { ...base, ...result, others, busy: others > BUSY };
  } catch (e) {
    if (e instanceof Aborted) throw e;
    if (abort.signal) throw new Aborted(abort.signal);
    log(`  error: ${e.message}`);
    return { ...base, error: e.message };
  }
}

async function runEntries(ctx, selected, report) {
  for (const [k, entry] of selected.entries()) {
    log(`[${entry.id}] ${entry.title(ctx.o.counts)}`);
    const result = await runEntry(ctx, entry);
    report.entries.push(result);
    if (result.pass === false)
      report.missed.push(
        `${entry.id} (${result.ratio === null ? 'over the limit' : `${fmtRatio(result.ratio)} > ${result.goal.max}x`})`,
      );
    if (result.error) report.failed.push(String(entry.id));
    // The daemon subject goes as soon as no later entry uses it.
    if (ctx.subject && !selected.slice(k + 1).some((e) => e.usesSubject)) {
      await ctx.owned.release(ctx.subject.item);
      ctx.subject = null;
    }
  }
}

// ------------------------------------------------------------------ main

function onSignals(owned) {
  let interrupts = 0;
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(sig, () => {
      if (++interrupts === 1) {
        log(`${sig}: stopping; killing every process the bench started (again to force)`);
        requestAbort(sig);
      } else {
        owned.signalAllSync();
        process.exit(130);
      }
    });
  }
}

/** The census after the run, against the one before. */
async function afterCheck(owned, start) {
  let end;
  for (let i = 0; i < 50; i++) {
    end = census();
    if (end.live.length <= start.live.length) break;
    await sleep(20);
  }
  const before = new Set(start.zombies.map((z) => z.pid));
  return {
    processes: end.live.length,
    zombies: end.zombies.length,
    // New zombies of PID 1 (which on some machines never reaps): the bench's own, and others'.
    newZombies: end.zombies
      .filter((z) => !before.has(z.pid) && z.ppid === 1)
      .map((z) => ({ pid: z.pid, ours: owned.started(z.pid, z.start) })),
    // Everything the bench started (run-vs-ssd's daemons too) that still runs what was started.
    leftovers: owned.leftovers(),
  };
}

async function bench(o, entries) {
  const t0 = Date.now();
  const owned = new Owned();
  onSignals(owned);
  const start = census();
  const ctx = newContext(o, owned);
  const report = {
    machine: ctx.machine,
    run: {
      busy: BUSY,
      runs: o.runs,
      warmup: o.warmup,
      quick: o.quick,
      counts: o.counts,
      only: o.only ? [...o.only] : null,
    },
    before: { processes: start.live.length, zombies: start.zombies.length },
    tools: packageVersions(['procps', 'lsof', 'prometheus-process-exporter', 'dpkg']),
    env: null,
    notes: [],
    entries: [],
    missed: [],
    failed: [],
  };
  try {
    report.notes.push(...checkBuild());
    report.env = checkEnv();
    ctx.python = resolvePython();
    log(
      `machine: ${ctx.machine.cores} cores, kernel ${ctx.machine.kernel}, node ${ctx.machine.node}; load ${ctx.machine.loadavg}`,
    );
    await runEntries(
      ctx,
      entries.filter((e) => !o.only || o.only.has(e.id)),
      report,
    );
  } finally {
    await owned.releaseAll();
    rmSync(ctx.tmp, { recursive: true, force: true });
  }
  if (abort.signal) throw new Aborted(abort.signal); // a signal during the cleanup
  report.after = await afterCheck(owned, start);
  report.after.loadavg = machineInfo().loadavg;
  report.seconds = (Date.now() - t0) / 1000;
  return report;
}

async function main() {
  const entries = (await loadEntries()).map((e, i) => ({ ...e, id: i + 1 }));
  let o;
  try {
    o = parseOptions(process.argv.slice(2), entries);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`bench: ${e.message}\n${usage(entries)}\n`);
    return 2;
  }
  if (o.help) {
    process.stdout.write(`${usage(entries)}\n`);
    return 0;
  }
  if (process.platform !== 'linux') {
    process.stderr.write('bench: daemon-check and this bench are Linux-only\n');
    return 2;
  }
  let report;
  try {
    report = await bench(o, entries);
  } catch (e) {
    if (e instanceof Aborted) {
      log(`${e.message}; every process the bench started has been killed`);
      return 130;
    }
    process.stderr.write(`bench: ${e instanceof HarnessError ? e.message : (e.stack ?? e.message)}\n`);
    return 2;
  }
  process.stdout.write(o.json ? `${JSON.stringify(report, null, 2)}\n` : `${render(report)}\n`);
  if (report.failed.length) return 2;
  return o.strict && report.missed.length ? 1 : 0;
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
