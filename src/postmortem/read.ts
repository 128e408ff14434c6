/**
 * Gathering what the host still knows (the I/O of postmortem; judge.ts
 * decides): the watch journals, the kernel log, the pidfile, logind's
 * messages in journald, and wtmp. Host files (wtmp, the system journal
 * folder, journald's socket) are read under --host-root.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, fstatSync, openSync, readSync, readdirSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { readPidfileFacts } from '../host/pidfile.js';
import { parsePasswd } from '../host/passwd.js';
import { readLockTable } from '../proc/locks.js';
import { LiveProcSource } from '../proc/source.js';
import type { PidfileInfo } from './evidence.js';
import { type JournalFinding, type Who, readJournalText } from './journal.js';
import { parseJournalctlJson } from './journald.js';
import type { Gathered } from './judge.js';
import { kernelEvents } from './kmsg.js';
import { readKernelLog } from './kernel-read.js';
import { journalDirs } from './place.js';
import type { SourceStatus } from './types.js';
import { logoutsBetween, parseWtmp, UTMP_SIZE } from './wtmp.js';

export interface GatherOptions {
  who: Who;
  since: number | null;
  /** --journal files; the default folders are read too when none is given. */
  journals: string[];
  hostRoot: string;
  procRoot: string;
  env: NodeJS.ProcessEnv;
  uid: number | null;
}

/** A journal or wtmp is read from its end: at most this much (older lines are the least likely to matter). */
const TAIL_CAP = 64 * 1024 * 1024;

function readTail(file: string, cap = TAIL_CAP, align = 1): Buffer {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    let start = Math.max(0, size - cap);
    start -= start % align;
    const buf = Buffer.alloc(size - start);
    let off = 0;
    while (off < buf.length) {
      const n = readSync(fd, buf, off, buf.length - off, start + off);
      if (n === 0) break;
      off += n;
    }
    return buf.subarray(0, off);
  } finally {
    closeSync(fd);
  }
}

function journalFiles(o: GatherOptions): { files: string[]; looked: string[] } {
  if (o.journals.length > 0) return { files: o.journals, looked: o.journals };
  const dirs = journalDirs(o.env, o.uid, o.hostRoot);
  const files: string[] = [];
  for (const dir of dirs) {
    try {
      for (const f of readdirSync(dir).sort()) if (f.endsWith('.jsonl')) files.push(join(dir, f));
    } catch {
      /* no such folder: nothing was journaled there */
    }
  }
  return { files, looked: dirs };
}

function readJournals(o: GatherOptions): { journals: Gathered['journals']; status: SourceStatus } {
  const { files, looked } = journalFiles(o);
  const findings: Array<JournalFinding & { file: string }> = [];
  const read: string[] = [];
  const failed: string[] = [];
  let lost = 0;
  for (const file of files) {
    try {
      const r = readJournalText(readTail(file).toString('utf8'), o.who);
      findings.push(...r.findings.map((f) => ({ ...f, file })));
      lost += r.lost;
      read.push(file);
    } catch (err) {
      failed.push(`${file} (${(err as NodeJS.ErrnoException).code ?? 'EIO'})`);
    }
  }
  const status: SourceStatus =
    read.length > 0
      ? {
          source: 'watch-journal',
          status: 'read',
          detail: read.join(', ') + (failed.length ? `; unreadable: ${failed.join(', ')}` : ''),
        }
      : failed.length > 0
        ? { source: 'watch-journal', status: 'refused', detail: `unreadable: ${failed.join(', ')}` }
        : { source: 'watch-journal', status: 'absent', detail: `no journal in ${looked.join(', ')}` };
  return { journals: { files: read, findings, lost }, status };
}

function ownerName(uid: number | null, hostRoot: string): string | null {
  if (uid === null) return null;
  try {
    return (
      parsePasswd(readTail(join(hostRoot, 'etc/passwd'), 4 * 1024 * 1024).toString('utf8')).get(uid) ?? String(uid)
    );
  } catch {
    return String(uid);
  }
}

/** The facts of a pidfile whose pid is gone: content, mtime, owner, and who holds a lock on it now. */
export function readPidfileInfo(file: string, pid: number, procRoot: string, hostRoot: string): PidfileInfo {
  const facts = readPidfileFacts(file);
  const mtime = statSync(file).mtimeMs / 1000;
  const table = readLockTable(new LiveProcSource(procRoot === '/proc' ? '/proc' : procRoot));
  let lock: PidfileInfo['lock'] = 'unknown';
  if (table.locks) {
    const held = table.locks.find((l) => !l.waiter && l.dev === facts.dev && l.ino === facts.ino);
    lock = held ? { holder: held.pid, kind: held.kind } : null;
  }
  return { path: facts.path, content: facts.content ?? '', pid, mtime, owner: ownerName(facts.uid, hostRoot), lock };
}

function onPath(cmd: string, env: NodeJS.ProcessEnv): boolean {
  return (env.PATH ?? '/usr/bin:/bin').split(delimiter).some((d) => d && existsSync(join(d, cmd)));
}

/** Journal files under a store folder (var/log/journal/MACHINE-ID/*.journal), or none. */
function hasJournalFiles(store: string): boolean {
  try {
    return readdirSync(store).some((m) => {
      try {
        return readdirSync(join(store, m)).some((f) => f.endsWith('.journal'));
      } catch {
        return false;
      }
    });
  } catch {
    return false;
  }
}

/**
 * logind's session ends and scope stops, where journald and journalctl exist:
 * journald runs (its socket is there) or has left journal files (an empty
 * /var/log/journal, as the systemd package leaves it, is no journald).
 */
function readLogind(o: GatherOptions): { events: Gathered['logind']; status: SourceStatus } {
  const socket = join(o.hostRoot, 'run/systemd/journal/socket');
  const stores = ['var/log/journal', 'run/log/journal'].map((d) => join(o.hostRoot, d));
  if (!existsSync(socket) && !stores.some(hasJournalFiles))
    return {
      events: null,
      status: {
        source: 'journald',
        status: 'absent',
        detail: `no journald: ${socket} does not exist and ${stores.join(' and ')} hold no journal files`,
      },
    };
  if (!onPath('journalctl', o.env))
    return {
      events: null,
      status: { source: 'journald', status: 'absent', detail: 'journald runs but journalctl is not on PATH' },
    };
  const args = ['-o', 'json', '--no-pager', '-q', '-u', 'systemd-logind.service', '-u', 'session-*.scope'];
  args.push(...(o.since !== null ? ['--since', `@${Math.floor(o.since)}`] : ['-b']));
  if (o.hostRoot !== '/') args.push('--root', o.hostRoot);
  const r = spawnSync('journalctl', args, { encoding: 'utf8', timeout: 20_000, maxBuffer: 64 * 1024 * 1024 });
  if (r.error || r.status !== 0) {
    const why = r.error
      ? String((r.error as NodeJS.ErrnoException).code)
      : (r.stderr || `exit ${r.status}`).trim().split('\n')[0];
    return {
      events: null,
      status: { source: 'journald', status: 'refused', detail: `journalctl ${args.join(' ')}: ${why}` },
    };
  }
  const events = parseJournalctlJson(r.stdout);
  return {
    events,
    status: { source: 'journald', status: 'read', detail: `journalctl: ${events.length} logind lines` },
  };
}

function readWtmp(o: GatherOptions): { wtmp: Gathered['wtmp']; status: SourceStatus } {
  const file = join(o.hostRoot, 'var/log/wtmp');
  try {
    const records = parseWtmp(readTail(file, 8 * 1024 * 1024, UTMP_SIZE));
    const logouts = logoutsBetween(records, o.since, null);
    return {
      wtmp: { file, logouts },
      status: { source: 'wtmp', status: 'read', detail: `${file}: ${records.length} records` },
    };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
    const status = code === 'ENOENT' ? 'absent' : 'refused';
    return {
      wtmp: null,
      status: { source: 'wtmp', status, detail: `${file}: ${code === 'ENOENT' ? 'does not exist' : code}` },
    };
  }
}

export function gather(o: GatherOptions, pidfile: PidfileInfo | null): Gathered {
  const j = readJournals(o);
  const k = readKernelLog();
  const l = readLogind(o);
  const w = readWtmp(o);
  const first = k.log?.records.find((r) => r.usec !== null);
  const kernel = k.log
    ? {
        events: kernelEvents(k.log.records),
        from: k.log.from,
        bootEpoch: k.log.bootEpoch,
        firstAt: first && first.seq !== 0 ? k.log.bootEpoch + first.usec! / 1e6 : null,
      }
    : null;
  const pidfileStatus: SourceStatus[] = pidfile ? [{ source: 'pidfile', status: 'read', detail: pidfile.path }] : [];
  return {
    who: o.who,
    now: Date.now() / 1000,
    since: o.since,
    pidfile,
    journals: j.journals,
    kernel,
    logind: l.events,
    wtmp: w.wtmp,
    sources: [j.status, k.status, ...pidfileStatus, l.status, w.status],
  };
}
