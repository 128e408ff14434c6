import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isKernelThread, parseStat } from '../../src/proc/stat.js';
import { parseStatus } from '../../src/proc/status.js';
import { hasSignal, signalList } from '../../src/proc/signals.js';
import { parseLockLine, parseLocks } from '../../src/proc/locks.js';
import { decodeTtyNr, DEFAULT_TTY_DRIVERS, isTerminalDevice, parseTtyDrivers, ttyName } from '../../src/proc/tty.js';
import { mountFor, parseMountinfo } from '../../src/proc/mountinfo.js';
import { parseCmdline } from '../../src/proc/cmdline.js';
import { parseEnviron } from '../../src/proc/environ.js';
import { O_CLOEXEC, parseFdinfo } from '../../src/proc/fdinfo.js';
import { parseCgroup } from '../../src/proc/cgroup.js';
import { ParseError } from '../../src/core/errors.js';
import { parseNetTcp, parseNetUnix, SocketTable } from '../../src/proc/net.js';
import { FixtureProcSource } from '../../src/proc/source.js';

// Captured on this machine: `cat /proc/<sleep>/stat` for a nohup job on /dev/pts/0.
const REAL_STAT =
  '6528 (sleep) S 6524 6528 6524 34816 6524 4194304 97 0 0 0 0 0 0 0 20 0 1 0 1203946 5754880 227 18446744073709551615 94743512379392 94743512397649 140733428405184 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0 94743512412432 94743512413696 94743541657600 140733428408617 140733428408635 140733428408635 140733428412393 0\n';

function statWithComm(comm: string): string {
  return `4242 (${comm}) S 1 4242 4242 0 -1 4194560 1 0 0 0 0 0 0 0 20 0 1 0 77777 1 1 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n`;
}

describe('parseStat', () => {
  it('reads the fields of a real stat line', () => {
    const st = parseStat(REAL_STAT);
    expect(st).toMatchObject({
      pid: 6528,
      comm: 'sleep',
      state: 'S',
      ppid: 6524,
      pgrp: 6528,
      session: 6524,
      ttyNr: 34816,
      tpgid: 6524,
      starttime: '1203946',
      numThreads: 1,
    });
    expect(isKernelThread(st)).toBe(false);
  });

  it.each([
    ['a comm with a closing parenthesis', 'evil) S 1 1 1 0'],
    ['a comm with spaces', 'my daemon'],
    ['a comm with a newline', 'two\nlines'],
    ['a comm made of parentheses', ')) ((('],
    ['an empty comm', ''],
  ])('keeps %s whole and the fields after it right', (_name, comm) => {
    const st = parseStat(statWithComm(comm));
    expect(st.comm).toBe(comm);
    expect(st.ppid).toBe(1);
    expect(st.session).toBe(4242);
    expect(st.ttyNr).toBe(0);
    expect(st.tpgid).toBe(-1);
    expect(st.starttime).toBe('77777');
  });

  it('recognises a kernel thread by PF_KTHREAD, not by an empty cmdline', () => {
    const kthreadd =
      '2 (kthreadd) S 0 0 0 0 -1 2129984 0 0 0 0 0 0 0 0 20 0 1 0 1 0 0 18446744073709551615 0 0 0 0 0 0 0 2147483647 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n';
    expect(isKernelThread(parseStat(kthreadd))).toBe(true);
  });

  it('throws its own error for text that is not a stat line', () => {
    expect(() => parseStat('garbage')).toThrow(ParseError);
    expect(() => parseStat('12 (x) S 1 2')).toThrow(ParseError);
    expect(() => parseStat('')).toThrow(ParseError);
  });
});

describe('parseStatus', () => {
  const REAL = [
    'Name:\tsleep',
    'Umask:\t0022',
    'State:\tS (sleeping)',
    'Tgid:\t6528',
    'NSpid:\t6528',
    'PPid:\t6524',
    'Uid:\t0\t0\t0\t0',
    'Gid:\t0\t0\t0\t0',
    'SigQ:\t0/95867',
    'SigPnd:\t0000000000000000',
    'ShdPnd:\t0000000000000000',
    'SigBlk:\t0000000000010000',
    'SigIgn:\t0000000000000001',
    'SigCgt:\t0000000180004002',
    'CapInh:\t0000000000000000',
    'CapPrm:\t000001ffffffffff',
    'CapEff:\t000001ffffffffff',
    '',
  ].join('\n');

  it('reads umask, ids and hex signal masks', () => {
    const st = parseStatus(REAL);
    expect(st.umask).toBe(0o022);
    expect(st.uid).toEqual([0, 0, 0, 0]);
    expect(st.sigBlk).toBe(0x10000n);
    expect(signalList(st.sigBlk)).toEqual(['SIGCHLD']);
    expect(signalList(st.sigIgn)).toEqual(['SIGHUP']);
    // 32 and 33 are glibc's internal signals; its SIGRTMIN is 34.
    expect(signalList(st.sigCgt)).toEqual(['SIGINT', 'SIGTERM', 'SIG32', 'SIG33']);
    expect(signalList(0x200000000n)).toEqual(['SIGRTMIN']);
    expect(st.capEff).toBe(0x1ffffffffffn);
    expect(st.nspid).toEqual([6528]);
  });

  it('gives null, not 0, when Umask is missing (zombies, kernels before 4.7)', () => {
    const st = parseStatus(REAL.replace('Umask:\t0022\n', ''));
    expect(st.umask).toBeNull();
  });

  it('parses a full 64-bit mask without losing bits', () => {
    const st = parseStatus('Name:\tx\nSigIgn:\tffffffffffffffff\n');
    expect(st.sigIgn).toBe(0xffffffffffffffffn);
    expect(hasSignal(st.sigIgn!, 64)).toBe(true);
    expect(signalList(st.sigIgn)).toHaveLength(64);
  });

  it('reads a container init from NSpid', () => {
    expect(parseStatus('Name:\tx\nNSpid:\t8123\t1\n').nspid).toEqual([8123, 1]);
  });

  it('throws its own error for a malformed Umask and for text without fields', () => {
    expect(() => parseStatus('Name:\tx\nUmask:\tzz\n')).toThrow(ParseError);
    expect(() => parseStatus('no fields here')).toThrow(ParseError);
  });
});

describe('parseLocks', () => {
  const TEXT = [
    '1: POSIX  ADVISORY  WRITE 8760 fe:00:2147159 0 EOF',
    '2: FLOCK  ADVISORY  WRITE 3391 fe:00:2146352 0 EOF',
    '2: -> FLOCK  ADVISORY  WRITE 4000 fe:00:2146352 0 EOF',
    '3: OFDLCK ADVISORY  WRITE -1 08:1f:131 0 EOF',
    '4: POSIX  ADVISORY  READ 12 103:0a:99 128 255',
    'this line is not a lock',
  ].join('\n');

  it('decodes hex major:minor and decimal inodes', () => {
    const { locks, skipped } = parseLocks(TEXT);
    expect(skipped).toBe(1);
    expect(locks[0]).toMatchObject({
      kind: 'POSIX',
      mode: 'WRITE',
      pid: 8760,
      dev: '254:0',
      ino: 2147159,
      waiter: false,
    });
    expect(locks[4]).toMatchObject({ dev: '259:10', ino: 99, mode: 'READ', start: '128', end: '255' });
  });

  it('marks "->" lines as waiters, not holders', () => {
    const { locks } = parseLocks(TEXT);
    expect(locks.filter((l) => l.waiter)).toEqual([expect.objectContaining({ pid: 4000, kind: 'FLOCK' })]);
  });

  it('keeps the OFD lock pid as -1 and its device in decimal', () => {
    expect(parseLockLine('3: OFDLCK ADVISORY  WRITE -1 08:1f:131 0 EOF')).toMatchObject({
      kind: 'OFDLCK',
      pid: -1,
      dev: '8:31',
      ino: 131,
    });
  });

  it('stops at the line cap and says so', () => {
    const many = Array.from({ length: 50 }, (_, i) => `${i + 1}: POSIX  ADVISORY  WRITE 1 fe:00:${i} 0 EOF`).join('\n');
    const r = parseLocks(many, 10);
    expect(r.locks).toHaveLength(10);
    expect(r.truncated).toBe(true);
  });
});

describe('terminals', () => {
  const DRIVERS = parseTtyDrivers(
    [
      '/dev/tty             /dev/tty        5       0 system:/dev/tty',
      '/dev/console         /dev/console    5       1 system:console',
      '/dev/ptmx            /dev/ptmx       5       2 system',
      'serial               /dev/ttyS       4 64-95 serial',
      'pty_slave            /dev/pts      136 0-1048575 pty:slave',
      'pty_master           /dev/ptm      128 0-1048575 pty:master',
    ].join('\n'),
  );

  it('decodes tty_nr 34816 as 136:0, /dev/pts/0', () => {
    expect(decodeTtyNr(34816)).toEqual({ major: 136, minor: 0 });
    expect(ttyName(DRIVERS, 136, 0)).toBe('/dev/pts/0');
  });

  it('decodes tty_nr 1083436 as 136:300, /dev/pts/300 (minor bits above 255)', () => {
    expect(decodeTtyNr(1083436)).toEqual({ major: 136, minor: 300 });
    expect(ttyName(DRIVERS, 136, 300)).toBe('/dev/pts/300');
  });

  it('names serial lines from the start of their range and fixed devices by path', () => {
    expect(ttyName(DRIVERS, 4, 64)).toBe('/dev/ttyS0');
    expect(ttyName(DRIVERS, 5, 1)).toBe('/dev/console');
    expect(ttyName(DEFAULT_TTY_DRIVERS, 4, 1)).toBe('/dev/tty1');
    expect(ttyName(DRIVERS, 200, 7)).toBe('200:7');
  });

  it('treats pty slaves as terminals and the pty master as not one', () => {
    expect(isTerminalDevice(DRIVERS, 136, 5)).toBe(true);
    expect(isTerminalDevice(DRIVERS, 5, 2)).toBe(false);
    expect(isTerminalDevice(DRIVERS, 1, 3)).toBe(false); // /dev/null
  });
});

describe('small files', () => {
  it('splits cmdline on NULs and keeps empty arguments', () => {
    expect(parseCmdline(Buffer.from('sleep\x003001\x00'))).toEqual(['sleep', '3001']);
    expect(parseCmdline(Buffer.from('a\x00\x00b\x00'))).toEqual(['a', '', 'b']);
    expect(parseCmdline(Buffer.alloc(0))).toEqual([]);
  });

  it('reads environ keys with = in their values', () => {
    const env = parseEnviron(Buffer.from('A=1\x00B=x=y\x00NOEQ\x00'));
    expect(env.get('B')).toBe('x=y');
    expect(env.get('NOEQ')).toBe('');
  });

  it('reads octal fdinfo flags, O_CLOEXEC and lock lines', () => {
    const info = parseFdinfo(
      'pos:\t0\nflags:\t02100002\nmnt_id:\t27\nino:\t2146352\nlock:\t1: FLOCK  ADVISORY  WRITE 3391 fe:00:2146352 0 EOF\n',
    );
    expect(info.flags).toBe(0o2100002);
    expect((info.flags! & O_CLOEXEC) !== 0).toBe(true);
    expect(info.locks).toEqual(['1: FLOCK  ADVISORY  WRITE 3391 fe:00:2146352 0 EOF']);
    expect(info.ino).toBe(2146352);
  });

  it('finds the mount holding a path and unescapes spaces', () => {
    const mounts = parseMountinfo(
      [
        '22 1 254:0 / / rw,relatime shared:1 - ext4 /dev/vda rw',
        '27 22 0:25 / /tmp rw,nosuid - tmpfs tmpfs rw',
        '30 22 0:26 / /mnt/my\\040disk rw - ext4 /dev/vdb rw',
      ].join('\n'),
    );
    expect(mountFor(mounts, '/tmp/x')?.mountPoint).toBe('/tmp');
    expect(mountFor(mounts, '/tmpfoo')?.mountPoint).toBe('/');
    expect(mountFor(mounts, '/mnt/my disk/a')?.fsType).toBe('ext4');
  });

  it('reads cgroup v1 and v2 lines', () => {
    expect(parseCgroup('0::/system.slice/nginx.service\n')).toEqual([
      { hierarchy: '0', controllers: '', path: '/system.slice/nginx.service' },
    ]);
    expect(parseCgroup('4:cpu,cpuacct:/user.slice\n')[0]!.controllers).toBe('cpu,cpuacct');
  });
});

describe('socket tables', () => {
  const UNIX = [
    'Num       RefCount Protocol Flags    Type St Inode Path',
    '000000004e59c4e8: 00000002 00000000 00010000 0001 01  1345 /run/app.sock',
    '000000009cab1ee0: 00000003 00000000 00000000 0001 03  1346',
  ].join('\n');
  const TCP = [
    '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
    '   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2001 1 0 100 0 0 10 0',
  ].join('\n');
  const TCP6 = [
    '  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
    '   0: 00000000000000000000000000000000:0050 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 3001 1 0 100 0 0 10 0',
  ].join('\n');

  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  /** A fixture tree with pid 42's tables, and the tables each lookup made it read. */
  function tables(files: Record<string, string>): { table: SocketTable; read: string[] } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dc-net-'));
    dirs.push(dir);
    fs.mkdirSync(path.join(dir, '42', 'net'), { recursive: true });
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, '42', 'net', name), text);
    const read: string[] = [];
    const source = new FixtureProcSource(dir);
    const readText = source.readText.bind(source);
    source.readText = (rel: string, max?: number) => {
      read.push(rel);
      return readText(rel, max);
    };
    return { table: new SocketTable(source, 42), read };
  }

  it('reads tcp and tcp6 only for an inode the tables before them lack, and answers as all three would', () => {
    const all = { unix: UNIX, tcp: TCP, tcp6: TCP6 };
    const full = new Map(
      [...parseNetUnix(UNIX), ...parseNetTcp(TCP, 'tcp'), ...parseNetTcp(TCP6, 'tcp6')].map((s) => [s.inode, s]),
    );
    const a = tables(all);
    expect(a.table.get(1345)).toEqual({ inode: 1345, kind: 'unix', listening: true, name: '/run/app.sock' });
    expect(a.table.get(1346)).toEqual(full.get(1346));
    expect(a.read).toEqual(['42/net/unix']);
    expect(a.table.get(2001)).toEqual({ inode: 2001, kind: 'tcp', listening: true, name: '127.0.0.1:8080' });
    expect(a.read).toEqual(['42/net/unix', '42/net/tcp']);
    expect(a.table.get(3001)).toEqual({ inode: 3001, kind: 'tcp6', listening: true, name: '[::]:80' });
    expect(a.table.get(9999)).toBeUndefined();
    expect(a.table.get(1345)).toEqual(full.get(1345));
    expect(a.read).toEqual(['42/net/unix', '42/net/tcp', '42/net/tcp6']);
    const b = tables(all);
    expect(b.table.get(9999)).toBeUndefined();
    for (const [inode, s] of full) expect(b.table.get(inode)).toEqual(s);
    expect(b.read).toEqual(['42/net/unix', '42/net/tcp', '42/net/tcp6']);
  });

  it('leaves out a table it cannot read (no IPv6) and still finds the others', () => {
    const t = tables({ unix: UNIX, tcp: TCP });
    expect(t.table.get(3001)).toBeUndefined();
    expect(t.table.get(2001)?.kind).toBe('tcp');
    expect(t.read).toEqual(['42/net/unix', '42/net/tcp', '42/net/tcp6']);
  });
});
