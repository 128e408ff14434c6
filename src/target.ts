/**
 * Turning what the user named (a pid, a pidfile, a process name) into pids,
 * with the one-line errors docs/interface.md asks for, and waiting for a
 * target that is still starting.
 */
import { basename } from './classify.js';
import { DaemonCheckError, noSuchProcess } from './core/errors.js';
import { pidOfPidfile } from './host/pidfile.js';
import type { HostReader } from './host/reader.js';
import { readCmdline } from './proc/cmdline.js';
import { readHidepid } from './proc/hidepid.js';
import { settleKey } from './proc/identity.js';
import type { ProcSource } from './proc/source.js';
import { isKernelThread, readStat } from './proc/stat.js';
import { ProcessTable } from './proc/table.js';

const DEFAULT_PID_MAX = 4194304;

export function readPidMax(source: ProcSource): number {
  try {
    const n = Number(source.readText('sys/kernel/pid_max', 64).trim());
    return Number.isSafeInteger(n) && n > 0 ? n : DEFAULT_PID_MAX;
  } catch {
    return DEFAULT_PID_MAX;
  }
}

/**
 * "1234" -> 1234, or an INVALID_PID error naming what is wrong. Only numbers
 * past the kernel's own limit are refused here: reading pid_max costs every
 * audit ~0.5 ms, so it is read only when the pid turns out not to exist
 * (beyondPidMax).
 */
export function parsePid(text: string, pidMax: () => number = () => DEFAULT_PID_MAX, byName = true): number {
  const t = text.trim();
  if (!/^-?\d+$/.test(t)) {
    const or = byName ? ', or use --pidfile FILE or --name NAME' : '';
    throw new DaemonCheckError('INVALID_PID', `'${text}' is not a pid: give a positive process id (see 'ps -e')${or}`);
  }
  const n = Number(t);
  if (n <= 0) throw new DaemonCheckError('INVALID_PID', `pid ${t} is not valid: pids start at 1 (see 'ps -e')`);
  if (!Number.isSafeInteger(n) || n >= DEFAULT_PID_MAX) throw beyond(t, pidMax());
  return n;
}

function beyond(pid: string, pidMax: number): DaemonCheckError {
  return new DaemonCheckError(
    'INVALID_PID',
    `pid ${pid} is beyond this system's pid_max (${pidMax}): check the number (see 'ps -e')`,
  );
}

/** For a pid that does not exist: an INVALID_PID error when it could never exist here, else null. */
export function beyondPidMax(pid: number, source: ProcSource): DaemonCheckError | null {
  const max = readPidMax(source);
  return pid >= max ? beyond(String(pid), max) : null;
}

/** What a stale pidfile's message ends with: the command that tells how its process ended (docs/postmortem.md). */
const postmortemHint = (file: string): string =>
  `; 'daemon-check postmortem --pidfile ${file}' tells what the host still knows of how it ended`;

/** The pid a pidfile names, read through the host (a capture answers from what it recorded). */
export function pidFromPidfile(file: string, source: ProcSource, host: HostReader): number {
  const pid = pidOfPidfile(file, host.readPidfile(file));
  if (!source.exists(String(pid))) {
    throw new DaemonCheckError(
      'PIDFILE',
      `pidfile ${file} is stale: it names pid ${pid}, which is not running; remove it or restart the daemon${postmortemHint(file)}`,
      { pid },
    );
  }
  let zombie = false;
  try {
    zombie = readStat(source, pid).state === 'Z';
  } catch {
    /* unreadable stat: the audit will say why */
  }
  if (zombie) {
    throw new DaemonCheckError(
      'PIDFILE',
      `pidfile ${file} is stale: pid ${pid} has exited (a zombie not yet reaped); remove it or restart the daemon${postmortemHint(file)}`,
      { pid },
    );
  }
  return pid;
}

/** Every non-kernel process whose comm or argv[0] basename is `name`. */
function pidsByName(name: string, source: ProcSource, table: ProcessTable = ProcessTable.read(source)): number[] {
  const out: number[] = [];
  for (const st of table.all()) {
    if (isKernelThread(st)) continue;
    let match = st.comm === name;
    if (!match) {
      try {
        const argv = readCmdline(source, st.pid, 4096).argv;
        // A rewritten title ("MyApp v1: worker", "nginx: master process"): its first word counts too.
        match =
          argv.length > 0 &&
          (basename(argv[0]!) === name || basename(argv[0]!.split(/\s/)[0]!.replace(/:$/, '')) === name);
      } catch {
        /* gone or unreadable */
      }
    }
    if (match) out.push(st.pid);
  }
  if (out.length === 0)
    throw new DaemonCheckError(
      'NO_MATCH',
      `no process named '${name}' (matched against comm and argv[0]); check with 'pgrep -a ${name}'`,
    );
  return out.sort((a, b) => a - b);
}

/** What a user can name: a pid, a pidfile, or a process name. */
export type Target = { pid: number } | { pidfile: string } | { name: string };

/** A function from the moment to the pids the target names now (it may not exist yet). */
export type Resolver = () => number[];

export function resolverFor(target: Target, source: ProcSource, host: HostReader): { resolve: Resolver; what: string } {
  if ('pid' in target) {
    const pid = target.pid;
    return {
      resolve: () => {
        if (source.exists(String(pid))) return [pid];
        const invalid = beyondPidMax(pid, source);
        if (invalid) throw invalid;
        // root sees through hidepid; anyone else may only be blind to the process.
        throw noSuchProcess(pid, source.root, host.auditorUid() !== 0 ? readHidepid(source) : null);
      },
      what: `pid ${pid}`,
    };
  }
  if ('pidfile' in target)
    return { resolve: () => [pidFromPidfile(target.pidfile, source, host)], what: `pidfile ${target.pidfile}` };
  if (target.name.trim() === '')
    throw new DaemonCheckError('INVALID_ARGUMENT', '--name needs a process name, e.g. --name nginx');
  return { resolve: () => pidsByName(target.name, source), what: `a process named '${target.name}'` };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Polls until the target resolves and stays put: the same pids with the same
 * start time, parent, session and group for three polls in a row (a daemon
 * that is still forking changes them).
 */
export async function waitForTarget(
  source: ProcSource,
  resolve: Resolver,
  seconds: number,
  what: string,
): Promise<number[]> {
  const deadline = Date.now() + seconds * 1000;
  let last = '';
  let stable = 0;
  let lastError: unknown = null;
  for (;;) {
    try {
      const pids = resolve();
      const keys = pids.map((p) => settleKey(source, p));
      const key = keys.join(',');
      stable = !keys.includes(null) && key === last ? stable + 1 : 0;
      last = key;
      if (stable >= 2) return pids;
    } catch (err) {
      if (err instanceof DaemonCheckError && err.code === 'INVALID_PID') throw err;
      lastError = err;
      stable = 0;
      last = '';
    }
    if (Date.now() >= deadline) {
      const why = lastError instanceof Error ? ` (last: ${lastError.message})` : ' (it kept changing)';
      throw new DaemonCheckError('TIMEOUT', `${what} did not appear and settle within ${seconds} s${why}`, {
        cause: lastError ?? undefined,
      });
    }
    await sleep(150);
  }
}
