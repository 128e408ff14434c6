/**
 * Turning what the user named (a pid, a pidfile, a process name) into pids,
 * with the one-line errors interface.md asks for.
 */
import * as fs from 'node:fs';
import { DaemonCheckError } from './errors.js';
import { basename } from './classify.js';
import { parseCmdline } from './proc/misc.js';
import type { ProcSource } from './proc/source.js';
import { isKernelThread, parseStat } from './proc/stat.js';
import { ProcessTable } from './proc/table.js';
import { parsePidfileContent } from './host.js';

export const DEFAULT_PID_MAX = 4194304;

export function readPidMax(source: ProcSource): number {
  try {
    const n = Number(source.readText('sys/kernel/pid_max', 64).trim());
    return Number.isSafeInteger(n) && n > 0 ? n : DEFAULT_PID_MAX;
  } catch {
    return DEFAULT_PID_MAX;
  }
}

/** "1234" -> 1234, or an INVALID_PID error naming what is wrong. */
export function parsePid(text: string, pidMax = DEFAULT_PID_MAX): number {
  const t = text.trim();
  if (!/^-?\d+$/.test(t)) {
    throw new DaemonCheckError('INVALID_PID', `'${text}' is not a pid: give a positive process id (see 'ps -e'), or use --pidfile FILE or --name NAME`);
  }
  const n = Number(t);
  if (n <= 0) throw new DaemonCheckError('INVALID_PID', `pid ${t} is not valid: pids start at 1 (see 'ps -e')`);
  if (!Number.isSafeInteger(n) || n >= pidMax) {
    throw new DaemonCheckError('INVALID_PID', `pid ${t} is beyond this system's pid_max (${pidMax}): check the number (see 'ps -e')`);
  }
  return n;
}

/** The pid a pidfile names, with every way a pidfile goes wrong told apart. */
export function pidFromPidfile(file: string, source: ProcSource): number {
  let content: string;
  try {
    const st = fs.statSync(file);
    if (st.isDirectory()) throw new DaemonCheckError('PIDFILE', `pidfile ${file} is a directory: give the path of the file holding the pid`);
    content = fs.readFileSync(file, 'utf8').slice(0, 4096);
  } catch (err) {
    if (err instanceof DaemonCheckError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new DaemonCheckError('PIDFILE', `pidfile ${file} does not exist: is the daemon running, and is this the path it writes? (--wait SECONDS waits for it)`);
    if (code === 'EACCES') throw new DaemonCheckError('PIDFILE', `pidfile ${file} is not readable (EACCES): run as its owner or root`);
    throw new DaemonCheckError('PIDFILE', `pidfile ${file} cannot be read (${code ?? 'error'})`);
  }
  if (content.trim() === '') throw new DaemonCheckError('PIDFILE', `pidfile ${file} is empty: the daemon has not written its pid (yet); --wait SECONDS waits for it`);
  const t = content.trim();
  if (/^-\d+$/.test(t)) throw new DaemonCheckError('PIDFILE', `pidfile ${file} holds a negative number (${t}): it is corrupt; remove it and restart the daemon`);
  const pid = parsePidfileContent(content);
  if (pid === null) {
    const shown = JSON.stringify(t.length > 40 ? t.slice(0, 40) + '…' : t);
    throw new DaemonCheckError('PIDFILE', `pidfile ${file} does not hold a pid (it holds ${shown}): it is corrupt or not a pidfile`);
  }
  if (!source.exists(String(pid))) {
    throw new DaemonCheckError('PIDFILE', `pidfile ${file} is stale: it names pid ${pid}, which is not running; remove it or restart the daemon`);
  }
  try {
    if (parseStat(source.readText(`${pid}/stat`, 4096)).state === 'Z') {
      throw new DaemonCheckError('PIDFILE', `pidfile ${file} is stale: pid ${pid} has exited (a zombie not yet reaped); remove it or restart the daemon`);
    }
  } catch (err) {
    if (err instanceof DaemonCheckError) throw err;
    /* unreadable stat: the audit will say why */
  }
  return pid;
}

/** Every non-kernel process whose comm or argv[0] basename is `name`. */
export function pidsByName(name: string, source: ProcSource, table?: ProcessTable): number[] {
  const t = table ?? ProcessTable.read(source);
  const out: number[] = [];
  for (const st of t.byPid.values()) {
    if (isKernelThread(st)) continue;
    let match = st.comm === name;
    if (!match) {
      try {
        const argv = parseCmdline(source.readFile(`${st.pid}/cmdline`, 4096));
        match = argv.length > 0 && basename(argv[0]!) === name;
      } catch {
        /* gone or unreadable */
      }
    }
    if (match) out.push(st.pid);
  }
  if (out.length === 0) throw new DaemonCheckError('NO_MATCH', `no process named '${name}' (matched against comm and argv[0]); check with 'pgrep -a ${name}'`);
  return out.sort((a, b) => a - b);
}
