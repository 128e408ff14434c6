// Worker for bench entry 6 (run vs start-stop-daemon).  bench/run.mjs starts
// it under bench/reaper.py, a child subreaper, so the daemons measured here
// are adopted and reaped by the reaper when they are killed, instead of
// becoming zombies of a PID 1 that never reaps.
//
//   node bench/run-vs-ssd.mjs --runs N --warmup W --root DIR --tmp DIR
//
// Alternates A = start-stop-daemon --start --background --make-pidfile
// --pidfile TMP/ssd-I.pid --exec /bin/sleep -- 100000+I and
// B = node bin/daemon-check.js run --no-verify -- sleep 100000+I, kills each
// daemon right after its measurement (found through the pidfile for A and the
// "started sleep N as pid P" line for B) and prints one JSON line on stdout:
// {"a": [ms...], "b": [ms...], "started": [[pid, argv]...]}.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { alive, alternate, checkAbort, requestAbort, sameArgs, sleep, timeOnce } from './lib.mjs';

const args = process.argv.slice(2);
const opt = (name) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const runs = Number(opt('--runs'));
const warmup = Number(opt('--warmup') ?? 1);
const root = opt('--root');
const tmp = opt('--tmp');

let current = null; // {pid, args} of the daemon not yet killed
const started = []; // [pid, args] of every daemon, for the bench's final leak check

for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => requestAbort(sig));

async function killDaemon(pid, daemonArgs) {
  if (!sameArgs(pid, daemonArgs)) throw new Error(`pid ${pid} is not ${daemonArgs.join(' ')} (it is: ${readFileSafe(`/proc/${pid}/cmdline`)})`);
  process.kill(pid, 'SIGKILL');
  current = null;
  // The reaper reaps it; wait for that so the next run starts from the same state.
  for (let i = 0; i < 500 && readFileSafe(`/proc/${pid}/stat`) !== null; i++) await sleep(2);
}

function readFileSafe(path) {
  try {
    return readFileSync(path, 'utf8').replace(/\0/g, ' ').trim();
  } catch {
    return null;
  }
}

async function main() {
  const arg = (i) => String(100000 + i);
  const result = await alternate({
    runs,
    warmup,
    a: async (i) => {
      const pidfile = join(tmp, `ssd-${i}.pid`);
      const daemonArgs = ['/bin/sleep', arg(i)];
      const { ms } = timeOnce(
        ['start-stop-daemon', '--start', '--background', '--make-pidfile', '--pidfile', pidfile, '--exec', '/bin/sleep', '--', arg(i)],
        { cwd: '/' },
      );
      let pid = null;
      for (let t = 0; t < 1000 && pid === null; t++) {
        const text = readFileSafe(pidfile);
        if (text && /^\d+$/.test(text)) pid = Number(text);
        else await sleep(2);
      }
      if (pid === null) throw new Error(`start-stop-daemon did not write ${pidfile}`);
      current = { pid, args: daemonArgs };
      started.push([pid, daemonArgs]);
      // s-s-d execs the daemon as /bin/sleep; wait for the exec to show.
      for (let t = 0; t < 500 && !sameArgs(pid, daemonArgs) && alive(pid); t++) await sleep(2);
      await killDaemon(pid, daemonArgs);
      return ms;
    },
    b: async (i) => {
      const daemonArgs = ['sleep', arg(i)];
      const { ms, stdout } = timeOnce([process.execPath, join(root, 'bin', 'daemon-check.js'), 'run', '--no-verify', '--', ...daemonArgs], {
        cwd: '/',
        stdout: 'pipe',
      });
      const m = /started .* as pid (\d+)/.exec(stdout);
      if (!m) throw new Error(`daemon-check run printed no pid: ${JSON.stringify(stdout)}`);
      current = { pid: Number(m[1]), args: daemonArgs };
      started.push([current.pid, daemonArgs]);
      await killDaemon(current.pid, daemonArgs);
      return ms;
    },
  });
  checkAbort();
  process.stdout.write(JSON.stringify({ ...result, started }) + '\n');
}

try {
  await main();
} catch (e) {
  process.stderr.write(`bench/run-vs-ssd.mjs: ${e.name === 'Aborted' ? e.message : e.stack}\n`);
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
