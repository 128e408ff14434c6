/**
 * Reading the kernel log (I/O): /dev/kmsg, else `dmesg -r`. /dev/kmsg is
 * opened O_RDONLY|O_NONBLOCK and read one record per read(2) until EAGAIN
 * (Documentation/ABI/testing/dev-kmsg): EPIPE means records were
 * overwritten while reading, and the next read goes on from the oldest one
 * left. Without CAP_SYSLOG, kernel.dmesg_restrict=1 refuses both /dev/kmsg
 * and syslog(2), which dmesg uses when /dev/kmsg is missing (a container's
 * /dev).
 */
import { spawnSync } from 'node:child_process';
import { closeSync, constants, openSync, readFileSync, readSync } from 'node:fs';
import { type KernelRecord, parseDmesg, parseKmsg } from './kmsg.js';
import type { SourceStatus } from './types.js';

/** A record is at most 1 KiB of text plus its dictionary (PRINTK_MESSAGE_MAX); a read smaller than it fails EINVAL. */
const RECORD_BUFFER = 16 * 1024;
/** At most this many records: the ring is 128 KiB to a few MiB, far fewer records than this. */
const MAX_RECORDS = 200_000;

export interface KernelLog {
  records: KernelRecord[];
  from: string;
  /** The wall time of kernel timestamp 0: realtime minus CLOCK_MONOTONIC, measured now. */
  bootEpoch: number;
}

function code(err: unknown): string {
  return (err as NodeJS.ErrnoException)?.code ?? 'EIO';
}

/** realtime - monotonic: /dev/kmsg stamps records with the kernel's local clock, which runs with CLOCK_MONOTONIC. */
export function bootEpochNow(): number {
  return Date.now() / 1000 - Number(process.hrtime.bigint()) / 1e9;
}

function readKmsg(): KernelRecord[] {
  const fd = openSync('/dev/kmsg', constants.O_RDONLY | constants.O_NONBLOCK);
  const buf = Buffer.alloc(RECORD_BUFFER);
  const text: string[] = [];
  try {
    while (text.length < MAX_RECORDS) {
      let n: number;
      try {
        n = readSync(fd, buf, 0, buf.length, null);
      } catch (err) {
        if (code(err) === 'EPIPE') continue;
        if (code(err) === 'EAGAIN') break;
        throw err;
      }
      if (n === 0) break;
      text.push(buf.subarray(0, n).toString('utf8'));
    }
  } finally {
    closeSync(fd);
  }
  return parseKmsg(text.join(''));
}

function dmesgRestrict(): string {
  try {
    return readFileSync('/proc/sys/kernel/dmesg_restrict', 'utf8').trim();
  } catch {
    return '?';
  }
}

function refusedWhy(errno: string): string {
  const restrict = dmesgRestrict();
  if (restrict === '1')
    return `refused (${errno}): kernel.dmesg_restrict=1 lets only CAP_SYSLOG (root) read the kernel log; run as root`;
  return `refused (${errno}): this user may not read the kernel log (kernel.dmesg_restrict=${restrict}; a sandbox or container may also forbid it)`;
}

function readDmesg(): { records: KernelRecord[] } | { errno: string; detail: string } {
  const r = spawnSync('dmesg', ['-r'], { encoding: 'utf8', timeout: 10_000, maxBuffer: 64 * 1024 * 1024 });
  if (r.error) return { errno: code(r.error), detail: `dmesg could not run (${code(r.error)})` };
  if (r.status !== 0)
    return { errno: 'EPERM', detail: (r.stderr || `dmesg exited ${r.status}`).trim().split('\n')[0]! };
  return { records: parseDmesg(r.stdout) };
}

/** The kernel log, or why it could not be had. */
export function readKernelLog(): { log: KernelLog | null; status: SourceStatus } {
  const bootEpoch = bootEpochNow();
  let kmsgErr: string;
  try {
    const records = readKmsg();
    return {
      log: { records, from: '/dev/kmsg', bootEpoch },
      status: { source: 'kernel-log', status: 'read', detail: `/dev/kmsg: ${records.length} records` },
    };
  } catch (err) {
    kmsgErr = code(err);
  }
  if (kmsgErr === 'EPERM' || kmsgErr === 'EACCES')
    return {
      log: null,
      status: { source: 'kernel-log', status: 'refused', detail: `/dev/kmsg ${refusedWhy(kmsgErr)}` },
    };
  const d = readDmesg();
  if ('records' in d)
    return {
      log: { records: d.records, from: 'dmesg', bootEpoch },
      status: {
        source: 'kernel-log',
        status: 'read',
        detail: `dmesg -r: ${d.records.length} lines (/dev/kmsg: ${kmsgErr})`,
      },
    };
  const refused = d.errno === 'EPERM' || /not permitted|denied/i.test(d.detail);
  return {
    log: null,
    status: {
      source: 'kernel-log',
      status: refused ? 'refused' : 'absent',
      detail: refused ? `/dev/kmsg: ${kmsgErr}; dmesg ${refusedWhy('EPERM')}` : `/dev/kmsg: ${kmsgErr}; ${d.detail}`,
    },
  };
}
