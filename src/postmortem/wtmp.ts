/**
 * /var/log/wtmp: glibc's struct utmp (bits/utmp.h), 384 bytes a record on
 * x86_64 and the other 64-bit glibc targets (where __WORDSIZE_TIME64_COMPAT32
 * keeps ut_tv two int32): ut_type (short, then 2 bytes of padding) at 0,
 * ut_pid at 4, ut_line[32] at 8, ut_id[4] at 40, ut_user[32] at 44,
 * ut_host[256] at 76, ut_exit at 332, ut_session at 336, ut_tv (int32 sec,
 * int32 usec) at 340, ut_addr_v6 at 348, 20 reserved bytes to 384. Pure: the
 * reader hands over the bytes.
 */

export const UTMP_SIZE = 384;

/** ut_type values (utmp(5)). */
const TYPE_NAMES: Record<number, string> = {
  0: 'EMPTY',
  1: 'RUN_LVL',
  2: 'BOOT_TIME',
  3: 'NEW_TIME',
  4: 'OLD_TIME',
  5: 'INIT_PROCESS',
  6: 'LOGIN_PROCESS',
  7: 'USER_PROCESS',
  8: 'DEAD_PROCESS',
  9: 'ACCOUNTING',
};

export interface UtmpRecord {
  type: string;
  pid: number;
  line: string;
  user: string;
  host: string;
  /** Epoch seconds (with microseconds). */
  time: number;
}

function cString(buf: Buffer, start: number, length: number): string {
  const field = buf.subarray(start, start + length);
  const nul = field.indexOf(0);
  return field.subarray(0, nul === -1 ? length : nul).toString('utf8');
}

/** Every whole record of BUF; a trailing partial record (a write under way) is left out. */
export function parseWtmp(buf: Buffer): UtmpRecord[] {
  const out: UtmpRecord[] = [];
  for (let off = 0; off + UTMP_SIZE <= buf.length; off += UTMP_SIZE) {
    const type = buf.readInt16LE(off);
    out.push({
      type: TYPE_NAMES[type] ?? `type ${type}`,
      pid: buf.readInt32LE(off + 4),
      line: cString(buf, off + 8, 32),
      user: cString(buf, off + 44, 32),
      host: cString(buf, off + 76, 256),
      time: buf.readInt32LE(off + 340) + buf.readInt32LE(off + 344) / 1e6,
    });
  }
  return out;
}

/** A login's end as wtmp tells it: who had the terminal line, and when it was given back. */
export interface Logout {
  user: string;
  line: string;
  host: string;
  /** When the login began (its USER_PROCESS record), epoch seconds, or null when wtmp does not have it. */
  loginAt: number | null;
  at: number;
  /** The session leader's pid (the login shell or sshd's child) as the DEAD_PROCESS record has it. */
  pid: number;
}

/**
 * The logouts in [FROM, TO] (epoch seconds; null: open): each DEAD_PROCESS
 * record, with the user of the USER_PROCESS record that last had its line
 * (logout records leave ut_user empty). A line taken again by a new
 * USER_PROCESS without a DEAD_PROCESS between also ended the old login; wtmp
 * does not say when, so only DEAD_PROCESS records count.
 */
export function logoutsBetween(records: readonly UtmpRecord[], from: number | null, to: number | null): Logout[] {
  const lastLogin = new Map<string, UtmpRecord>();
  const out: Logout[] = [];
  for (const r of records) {
    if (r.type === 'USER_PROCESS') lastLogin.set(r.line, r);
    if (r.type !== 'DEAD_PROCESS' || r.line === '') continue;
    const login = lastLogin.get(r.line);
    lastLogin.delete(r.line);
    if ((from !== null && r.time < from) || (to !== null && r.time > to)) continue;
    out.push({
      user: r.user || login?.user || '',
      line: r.line,
      host: login?.host ?? r.host,
      loginAt: login?.time ?? null,
      at: r.time,
      pid: r.pid,
    });
  }
  return out;
}
