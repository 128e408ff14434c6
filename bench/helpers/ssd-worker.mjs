// Worker of bench entry run-vs-ssd (daemon-check run vs start-stop-daemon).
// The entry starts it under bench/helpers/reaper.py, a child subreaper, so the
// daemons measured here are adopted and reaped by the reaper when they are
// killed, instead of becoming zombies of a PID 1 that never reaps.
//
//   node bench/helpers/ssd-worker.mjs --runs N --warmup W --root DIR --tmp DIR
//
// Alternates A = start-stop-daemon --start --background --make-pidfile
// --pidfile TMP/ssd-I.pid --exec /bin/sleep -- 100000+I and
// B = node bin/daemon-check.js run --no-verify --settle 0 -- sleep 100000+I (both with
// the bench's clean environment), kills each daemon right after its
// measurement (found through the pidfile for A and the "started sleep N as
// pid P" line for B) and prints one JSON line on stdout:
// {"a": [ms...], "b": [ms...], "started": [[pid, argv, start]...]}.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { checkAbort, requestAbort, sleep } from '../lib/abort.mjs';
import { alternate, timeOnce } from '../lib/exec.mjs';
import { alive, sameArgs, stat } from '../lib/proc.mjs';

const { values: opt } = parseArgs({
  options: { runs: { type: 'string' }, warmup: { type: 'string' }, root: { type: 'string' }, tmp: { type: 'string' } },
});
let current = null; // {pid, args} of the daemon not yet killed
const started = []; // [pid, args, start time] of every daemon, for the bench's final leak check

for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => requestAbort(sig));

function readText(path) {
  try {
    return readFileSync(path, 'utf8').replace(/\0/g, ' ').trim();
  } catch {
    return null;
  }
}

async function killDaemon(pid, args) {
  if (!sameArgs(pid, args))
    throw new Error(`pid ${pid} is not ${args.join(' ')} (it is: ${readText(`/proc/${pid}/cmdline`)})`);
  process.kill(pid, 'SIGKILL');
  current = null;
  // The reaper reaps it; wait for that so the next run starts from the same state.
  for (let i = 0; i < 500 && readText(`/proc/${pid}/stat`) !== null; i++) await sleep(2);
}

async function daemonized(pid, args) {
  current = { pid, args };
  started.push([pid, args, stat(pid)?.start ?? null]);
  await killDaemon(pid, args);
}

async function viaSsd(i) {
  const pidfile = join(opt.tmp, `ssd-${i}.pid`);
  const args = ['/bin/sleep', String(100000 + i)];
  const { ms } = timeOnce(
    [
      'start-stop-daemon',
      '--start',
      '--background',
      '--make-pidfile',
      '--pidfile',
      pidfile,
      '--exec',
      ...args.slice(0, 1),
      '--',
      ...args.slice(1),
    ],
    { cwd: '/' },
  );
  let pid = null;
  for (let t = 0; t < 1000 && pid === null; t++) {
    const text = readText(pidfile);
    if (text && /^\d+$/.test(text)) pid = Number(text);
    else await sleep(2);
  }
  if (pid === null) throw new Error(`start-stop-daemon did not write ${pidfile}`);
  // s-s-d execs the daemon as /bin/sleep; wait for the exec to show.
  for (let t = 0; t < 500 && !sameArgs(pid, args) && alive(pid); t++) await sleep(2);
  await daemonized(pid, args);
  return ms;
}

async function viaRun(i) {
  const args = ['sleep', String(100000 + i)];
  const cli = join(opt.root, 'bin', 'daemon-check.js');
  const { ms, stdout } = timeOnce([process.execPath, cli, 'run', '--no-verify', '--settle', '0', '--', ...args], {
    cwd: '/',
    stdout: 'pipe',
  });
  const m = /started .* as pid (\d+)/.exec(stdout);
  if (!m) throw new Error(`daemon-check run printed no pid: ${JSON.stringify(stdout)}`);
  await daemonized(Number(m[1]), args);
  return ms;
}

try {
  const [a, b] = await alternate({ runs: Number(opt.runs), warmup: Number(opt.warmup ?? 1), sides: [viaSsd, viaRun] });
  checkAbort();
  process.stdout.write(JSON.stringify({ a, b, started }) + '\n');
} catch (e) {
  process.stderr.write(`bench/helpers/ssd-worker.mjs: ${e.name === 'Aborted' ? e.message : e.stack}\n`);
  process.exitCode = e.name === 'Aborted' ? 130 : 1;
} finally {
  if (current && alive(current.pid) && sameArgs(current.pid, current.args)) {
    try {
      process.kill(current.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}
