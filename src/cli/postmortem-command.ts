/**
 * `daemon-check postmortem <pid> | --pidfile FILE | --name NAME`: for a
 * process that is gone, what the host still knows (docs/postmortem.md).
 * Exit 0 with an answer (`unknown` is an answer), 2 for a bad command line
 * (an unusable pidfile or --journal included), 3 when the process still runs.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { DaemonCheckError } from '../core/errors.js';
import { pidOfPidfile, readPidfileFacts } from '../host/pidfile.js';
import { LiveProcSource } from '../proc/source.js';
import { readStat } from '../proc/stat.js';
import type { Who } from '../postmortem/journal.js';
import { judge } from '../postmortem/judge.js';
import { gather, readPidfileInfo } from '../postmortem/read.js';
import { renderPostmortem } from '../postmortem/render.js';
import { parseSince } from '../postmortem/since.js';
import { beyondPidMax, parsePid } from '../target.js';
import { parseHostRoot } from './common.js';
import { CliError } from './errors.js';
import { writeOut } from './output.js';
import { terminalStyle } from './render.js';

export interface PostmortemCliOptions {
  pidfile?: string;
  name?: string;
  since?: string;
  journal?: string[];
  format: 'table' | 'json';
  json?: boolean;
  hostRoot: string;
  color?: boolean;
}

const PROC = '/proc';

/** The process still runs (a zombie has ended: its parent only has not reaped it yet). */
function running(pid: number): { comm: string } | null {
  try {
    const st = readStat(new LiveProcSource(PROC), pid);
    return st.state === 'Z' ? null : { comm: st.comm };
  } catch {
    return null;
  }
}

function refuseRunning(pid: number, how: string): void {
  const live = running(pid);
  if (!live) return;
  throw new CliError(
    `${how} is still running (${live.comm}): postmortem is for a process that is gone; audit it with 'daemon-check ${pid}', or record how it ends with 'daemon-check watch ${pid}'`,
    3,
  );
}

function targetOf(pid: string | undefined, o: PostmortemCliOptions): { who: Who; pidfile: string | null } {
  const given = [pid !== undefined, o.pidfile !== undefined, o.name !== undefined].filter(Boolean).length;
  if (given !== 1)
    throw new CliError(
      `postmortem needs exactly one of <pid>, --pidfile FILE or --name NAME (see 'daemon-check postmortem --help')`,
    );
  if (pid !== undefined) {
    const n = parsePid(pid);
    // A pid this host could never give out names no process that ended here.
    const never = beyondPidMax(n, new LiveProcSource(PROC));
    if (never) throw never;
    refuseRunning(n, `pid ${n}`);
    return { who: { pid: n }, pidfile: null };
  }
  if (o.pidfile !== undefined) {
    let n: number;
    try {
      n = pidOfPidfile(o.pidfile, readPidfileFacts(o.pidfile));
    } catch (err) {
      // An unusable pidfile is a bad argument here: there is no pid to ask about.
      if (err instanceof DaemonCheckError) throw new CliError(err.message, 2);
      throw err;
    }
    refuseRunning(n, `pid ${n}, named by pidfile ${o.pidfile},`);
    return { who: { pid: n }, pidfile: o.pidfile };
  }
  if (o.name!.trim() === '') throw new CliError('--name needs a process name, e.g. --name nginx');
  return { who: { name: o.name! }, pidfile: null };
}

function checkJournals(files: string[]): void {
  for (const f of files) {
    try {
      if (!statSync(f).isFile())
        throw new CliError(`--journal ${f} is not a file: give a journal written by 'daemon-check watch --journal'`);
      accessSync(f, constants.R_OK);
    } catch (err) {
      if (err instanceof CliError) throw err;
      const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
      throw new CliError(`--journal ${f} cannot be read (${code === 'ENOENT' ? 'it does not exist' : code})`);
    }
  }
}

export async function runPostmortem(pid: string | undefined, o: PostmortemCliOptions): Promise<number> {
  const hostRoot = parseHostRoot(o.hostRoot);
  const now = Date.now() / 1000;
  let since: number | null = null;
  if (o.since !== undefined) {
    since = parseSince(o.since, now);
    if (since === null)
      throw new CliError(
        `--since '${o.since}' is not a time: use e.g. --since 2h, --since '2026-12-07 03:00' or --since @1796615403`,
      );
  }
  const journals = o.journal ?? [];
  checkJournals(journals);
  const target = targetOf(pid, o);
  const info =
    target.pidfile !== null && 'pid' in target.who
      ? readPidfileInfo(target.pidfile, target.who.pid, PROC, hostRoot)
      : null;
  const uid = typeof process.getuid === 'function' ? process.getuid() : null;
  const g = gather({ who: target.who, since, journals, hostRoot, procRoot: PROC, env: process.env, uid }, info);
  const result = judge(g);
  if (o.json || o.format === 'json') {
    writeOut(JSON.stringify(result, null, 2) + '\n');
    return 0;
  }
  const style = await terminalStyle(o.color, false);
  writeOut(renderPostmortem(result, style));
  return 0;
}
