/**
 * /proc/PID/net/{unix,tcp,tcp6}: which of a process's sockets listen or are
 * bound to a name, so a second instance cannot take them (proc(5); the
 * kernel's af_unix.c unix_seq_show and tcp_ipv4.c get_tcp4_sock). A table is
 * per network namespace, so callers read it once per namespace.
 */
import type { ProcSource } from './source.js';

export interface SocketInfo {
  inode: number;
  kind: 'unix' | 'tcp' | 'tcp6';
  /** Listening (TCP LISTEN, or __SO_ACCEPTCON on a unix socket). */
  listening: boolean;
  /** The name it is bound to: a unix path ("@name" for abstract), or "addr:port". */
  name: string | null;
  /**
   * A unix path no longer there (true): /proc/net/unix keeps the bind-time
   * name after an unlink or a rename (supervisord binds a temporary name and
   * links it to the configured one). Set by the snapshot reader; undefined
   * where not looked at.
   */
  nameGone?: boolean;
}

/** __SO_ACCEPTCON in include/linux/net.h: the socket is listening. */
const SO_ACCEPTCON = 0x10000;
const TCP_LISTEN = 0x0a;

export function parseNetUnix(text: string): SocketInfo[] {
  const out: SocketInfo[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 7) continue;
    const flags = parseInt(f[3]!, 16);
    const inode = Number(f[6]);
    if (!Number.isSafeInteger(inode) || Number.isNaN(flags)) continue;
    const name = f.length > 7 ? f.slice(7).join(' ') : null;
    out.push({ inode, kind: 'unix', listening: (flags & SO_ACCEPTCON) !== 0, name });
  }
  return out;
}

/** "0100007F:1F90" -> "127.0.0.1:8080"; an IPv6 address stays hex, shortened when it is all zeros. */
function address(hex: string, v6: boolean): string {
  const [a, p] = hex.split(':');
  const port = parseInt(p ?? '', 16);
  if (!v6 && a && a.length === 8) {
    const b = [6, 4, 2, 0].map((i) => parseInt(a.slice(i, i + 2), 16));
    return `${b.join('.')}:${port}`;
  }
  return `[${/^0+$/.test(a ?? '') ? '::' : (a ?? '').toLowerCase()}]:${port}`;
}

export function parseNetTcp(text: string, kind: 'tcp' | 'tcp6'): SocketInfo[] {
  const out: SocketInfo[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    const inode = Number(f[9]);
    const st = parseInt(f[3]!, 16);
    if (!Number.isSafeInteger(inode) || inode === 0 || Number.isNaN(st)) continue;
    out.push({ inode, kind, listening: st === TCP_LISTEN, name: address(f[1]!, kind === 'tcp6') });
  }
  return out;
}

/** The tables, in the order they are read: unix first, by far the cheapest (see SocketTable). */
const TABLES: ReadonlyArray<readonly [string, (text: string) => SocketInfo[]]> = [
  ['unix', parseNetUnix],
  ['tcp', (t) => parseNetTcp(t, 'tcp')],
  ['tcp6', (t) => parseNetTcp(t, 'tcp6')],
];

/**
 * The sockets of PID's network namespace, by inode, each table read only
 * when a lookup has not found its inode in the ones read before; a table that
 * cannot be read (no IPv6, not readable) is left out. A socket inode is in
 * one table at most, so every lookup answers as if all three had been read.
 * What it saves: the kernel walks every bucket of its TCP hash tables to list
 * `tcp` and `tcp6`, ~5.5 ms each on the machine of docs/performance.md even
 * with four sockets in them, against ~0.14 ms for `unix`, and most daemons'
 * sockets are unix ones.
 */
export class SocketTable {
  private readonly byInode = new Map<number, SocketInfo>();
  private read = 0;

  constructor(
    private readonly source: ProcSource,
    private readonly pid: number,
  ) {}

  get(inode: number): SocketInfo | undefined {
    for (;;) {
      const found = this.byInode.get(inode);
      if (found || this.read === TABLES.length) return found;
      const [file, parse] = TABLES[this.read++]!;
      try {
        for (const s of parse(this.source.readText(`${this.pid}/net/${file}`))) this.byInode.set(s.inode, s);
      } catch {
        /* no such table (IPv6 off), or not readable */
      }
    }
  }
}

/** The network namespace's identity ("net:[4026531833]"), to read its tables once. */
export function netNamespaceOf(source: ProcSource, pid: number): string | null {
  try {
    return source.readlink(`${pid}/ns/net`).toString('utf8');
  } catch {
    return null;
  }
}
