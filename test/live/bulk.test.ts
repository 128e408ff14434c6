/**
 * The bulk reader (native/scan-read.c, src/proc/bulk.ts): its records parse
 * to exactly the bytes and errors a read of our own gives, a read it did not
 * make goes to /proc, and a garbled answer is refused rather than believed.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BulkParser, BulkProcSource, bulkSource, parseBulk } from '../../src/proc/bulk.js';
import { LiveProcSource, type ProcSource } from '../../src/proc/source.js';
import { parseStat } from '../../src/proc/stat.js';
import { parseStatus } from '../../src/proc/status.js';
import { childrenOf, tempDir, trackProcesses, uniqueSeconds, waitFor } from '../helpers/procs.js';
import { endSwarms, startSwarm, type Swarm } from '../helpers/swarm.js';
import { ProcReadError } from '../../src/core/errors.js';

const HELPER = path.resolve(__dirname, '..', '..', 'native', 'build', 'daemon-check-helper');
const live = new LiveProcSource('/proc');

/** Records as the helper writes them. */
function records(...parts: Array<string | [string, string | Buffer]>): Buffer {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    if (typeof p === 'string') chunks.push(Buffer.from(p));
    else {
      const body = Buffer.from(p[1]);
      chunks.push(Buffer.from(`${p[0]} ${body.length}\n`), body);
    }
  }
  return Buffer.concat(chunks);
}

function errnoOfCall(f: () => unknown): string | null {
  try {
    f();
    return null;
  } catch (err) {
    expect(err).toBeInstanceOf(ProcReadError);
    return (err as ProcReadError).errno;
  }
}

describe('records', () => {
  const sample = records(
    'p 42\n',
    ['f stat', '42 (a b) S 1 42 42 0 -1 0\n'],
    ['f cmdline', 'sleep\u0000100\u0000'],
    'e environ 13\n',
    'e status 11\n',
    ['l cwd', '/srv/x y'],
    'd fd\n',
    ['l fd/0', '/dev/null'],
    'e fd/1 2\n',
    ['l fd/7', 'pipe:[123]'],
    'p 43\n',
    'e * 2\n',
    'p 44\n',
    'e fd 13\n',
  );

  it('give each file its bytes, each link its target, and each failure its errno name', () => {
    const { order, pids } = parseBulk(sample);
    expect(order).toEqual(['42', '43', '44']);
    const s = new BulkProcSource(live, parseBulk(sample));
    expect(s.readText('42/stat')).toBe('42 (a b) S 1 42 42 0 -1 0\n');
    expect(s.readFile('42/cmdline')).toEqual(Buffer.from('sleep\u0000100\u0000'));
    expect(s.readFile('42/cmdline', 5)).toEqual(Buffer.from('sleep'));
    expect(s.readText('42/cmdline', 3)).toBe('sle');
    expect(errnoOfCall(() => s.readFile('42/environ'))).toBe('EACCES');
    expect(errnoOfCall(() => s.readText('42/status'))).toBe('EAGAIN'); // libuv's name for 11, not EWOULDBLOCK
    expect(s.readlink('42/cwd').toString()).toBe('/srv/x y');
    expect(s.readdir('42/fd')).toEqual(['0', '1', '7']);
    expect(s.readlink('42/fd/7').toString()).toBe('pipe:[123]');
    expect(errnoOfCall(() => s.readlink('42/fd/1'))).toBe('ENOENT');
    expect(pids.get('42')!.entries.size).toBe(8);
  });

  it('a process gone before its reads answers ENOENT for everything; an unlistable fd/ says why', () => {
    const s = new BulkProcSource(live, parseBulk(sample));
    expect(errnoOfCall(() => s.readText('43/status'))).toBe('ENOENT');
    expect(errnoOfCall(() => s.readdir('43/fd'))).toBe('ENOENT');
    expect(errnoOfCall(() => s.readlink('43/cwd'))).toBe('ENOENT');
    expect(errnoOfCall(() => s.readdir('44/fd'))).toBe('EACCES');
  });

  it("listings come sorted as Node's readdirSync sorts them", () => {
    const s = new BulkProcSource(
      live,
      parseBulk(records('p 9\n', 'p 10\n', 'd fd\n', ['l fd/10', 'x'], ['l fd/9', 'y'], 'p 100\n')),
    );
    expect(s.readdir('.')).toEqual(['10', '100', '9']);
    expect(s.readdir('10/fd')).toEqual(['10', '9']);
    expect(fs.readdirSync('/proc/self/fd')).toEqual([...fs.readdirSync('/proc/self/fd')].sort());
  });

  it('a read it did not make goes to /proc: another file, another process, a larger cap', () => {
    const self = String(process.pid);
    const s = new BulkProcSource(
      live,
      parseBulk(records(`p ${self}\n`, ['f stat', 'not this\n'], ['f environ', 'X=1\u0000'])),
    );
    expect(s.readText(`${self}/comm`)).toBe(fs.readFileSync(`/proc/${self}/comm`, 'utf8'));
    expect(s.readText('1/cgroup')).toBe(fs.readFileSync('/proc/1/cgroup', 'utf8'));
    expect(s.readText(`${self}/stat`)).toBe('not this\n');
    expect(s.readFile(`${self}/environ`, 8 * 1024 * 1024)).toEqual(fs.readFileSync(`/proc/${self}/environ`));
    expect(s.readdir(`${self}/fd`).length).toBeGreaterThan(2);
    expect(s.readText('uptime')).toMatch(/^\d/);
  });

  it.each([
    ['a header without its newline', 'p 1\nf stat 3'],
    ['a length beyond the end', 'p 1\nf stat 30\nabc'],
    ['a record before any process', 'f stat 1\nx'],
    ['an unknown record', 'p 1\nz what\n'],
    ['a length that is not a number', 'p 1\nf stat x\n'],
    ['a missing length', 'p 1\nf stat\n'],
  ])('refuses %s', (_what, text) => {
    expect(() => parseBulk(Buffer.from(text))).toThrow(/^scan-read: /);
  });

  /** What a parse gives, as plain values (an entry's bytes as text). */
  const plain = (r: ReturnType<typeof parseBulk>) => ({
    order: r.order,
    pids: [...r.pids].map(([pid, p]) => [pid, p.gone, p.fdNames, [...p.entries].map(([k, v]) => [k, String(v)])]),
  });

  it('parse the same when the output comes in chunks cut anywhere (as a pipe delivers it)', () => {
    const whole = plain(parseBulk(sample));
    expect(whole.pids.length).toBe(3);
    // Two cuts at every pair of places, and one byte at a time.
    for (let i = 0; i <= sample.length; i++)
      for (let j = i; j <= sample.length; j += 7) {
        const parser = new BulkParser();
        for (const part of [sample.subarray(0, i), sample.subarray(i, j), sample.subarray(j)]) parser.push(part);
        expect(plain(parser.end()), `cut at ${i} and ${j}`).toEqual(whole);
      }
    const bytewise = new BulkParser();
    for (let i = 0; i < sample.length; i++) bytewise.push(sample.subarray(i, i + 1));
    expect(plain(bytewise.end())).toEqual(whole);
  });

  it('refuses an output that ends inside a record, however it was cut', () => {
    for (let i = 1; i < sample.length; i++) {
      const cut = sample.subarray(0, i);
      // Cut between two records it is whole, only shorter.
      const parser = new BulkParser();
      parser.push(cut.subarray(0, Math.floor(i / 2)));
      parser.push(cut.subarray(Math.floor(i / 2)));
      let whole: ReturnType<typeof parseBulk> | null = null;
      try {
        whole = parseBulk(cut);
      } catch {
        /* cut inside a record */
      }
      if (whole) expect(plain(parser.end())).toEqual(plain(whole));
      else expect(() => parser.end(), `cut at ${i}`).toThrow(/^scan-read: /);
    }
  });
});

describe('daemon-check-helper scan-read', () => {
  const helper = fs.existsSync(HELPER);
  const tracker = trackProcesses();

  it.skipIf(!helper)(
    'reads what a file-by-file read gives, for a process with a pipe, a deleted file, odd names and a cwd of its own',
    async () => {
      const dir = tempDir('dc-bulk-');
      const odd = path.join(dir, 'a b\nc');
      fs.mkdirSync(odd);
      const secs = uniqueSeconds();
      // fd 3 a deleted file, fd 4 a pipe; a newline in its cwd's name; an environment with a newline.
      const child = spawn('bash', ['-c', `exec 3>gone; rm gone; exec 4< <(exec sleep ${secs}); exec sleep ${secs}`], {
        cwd: odd,
        stdio: 'ignore',
        env: { PATH: process.env.PATH, ODD: 'x\ny' },
        detached: true,
      });
      const pid = tracker.track(child.pid!);
      await waitFor(
        'the subject to exec sleep',
        () => fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').startsWith('sleep') || null,
      );
      // The process substitution's sleep is the subject's child since bash exec'd: it is ended too, by pid.
      for (const c of childrenOf(pid)) tracker.track(c);
      const bulk = await bulkSource(live);
      expect(bulk).toBeInstanceOf(BulkProcSource);
      const same = (f: (s: ProcSource) => unknown) => expect(f(bulk)).toEqual(f(live));
      for (const file of ['cmdline', 'environ', 'cgroup']) same((s) => s.readText(`${pid}/${file}`));
      // stat and status carry counters that move while the subject starts up (times,
      // memory, context switches): what a check reads of them must agree.
      same((s) => {
        const { state: _state, flags: _flags, ...fixed } = parseStat(s.readText(`${pid}/stat`));
        return fixed;
      });
      same((s) => {
        const { state: _state, ...fixed } = parseStatus(s.readText(`${pid}/status`));
        return fixed;
      });
      same((s) => s.readlink(`${pid}/cwd`).toString());
      expect(bulk.readlink(`${pid}/cwd`).toString()).toBe(odd);
      same((s) => s.readlink(`${pid}/root`).toString());
      same((s) => s.readlink(`${pid}/ns/mnt`).toString());
      same((s) => s.readdir(`${pid}/fd`));
      for (const fd of live.readdir(`${pid}/fd`)) same((s) => s.readlink(`${pid}/fd/${fd}`).toString());
      // The fdinfo of the fds a scan examines: all but stdio on /dev/null, a pipe or a socket.
      const examined = live
        .readdir(`${pid}/fd`)
        .filter(
          (fd) =>
            Number(fd) > 2 || !/^(\/dev\/null|pipe:\[|socket:\[)/.test(live.readlink(`${pid}/fd/${fd}`).toString()),
        );
      expect(examined).toEqual(expect.arrayContaining(['3', '4']));
      // Its own two (an fd bash keeps for itself could share an offset that moves).
      for (const fd of ['3', '4']) same((s) => s.readText(`${pid}/fdinfo/${fd}`));
      const records = parseBulk(spawnSync(HELPER, ['scan-read', '/proc'], { maxBuffer: 1 << 30 }).stdout).pids.get(
        String(pid),
      )!;
      expect([...records.entries.keys()].filter((k) => k.startsWith('fdinfo/')).sort()).toEqual(
        examined.map((fd) => `fdinfo/${fd}`).sort(),
      );
      expect(bulk.readlink(`${pid}/fd/3`).toString()).toBe(path.join(odd, 'gone') + ' (deleted)');
      expect(bulk.readlink(`${pid}/fd/4`).toString()).toMatch(/^pipe:\[\d+\]$/);
      // The caller is listed (a scan leaves itself out later); the helper leaves itself out.
      expect(bulk.readdir('.')).toContain(String(process.pid));
      expect(bulk.readdir('.')).toContain(String(pid));
    },
  );

  describe('with enough processes for two threads (300 more)', () => {
    const swarms: Swarm[] = [];
    beforeAll(async () => {
      swarms.push(await startSwarm('unrelated', 300));
    }, 60_000);
    afterAll(() => endSwarms(swarms));

    it.skipIf(!helper)("writes each process's records together, once: its batches never cut one", () => {
      const out = spawnSync(HELPER, ['scan-read', '/proc'], { maxBuffer: 1 << 30 }).stdout;
      const { order, pids } = parseBulk(out);
      // "p PID" starts a process: a process written twice, or cut in two by another thread's batch, would show here.
      expect(order.length).toBe(pids.size);
      for (const pid of swarms[0]!.pids) {
        const p = pids.get(String(pid));
        expect(p, `pid ${pid}`).toBeDefined();
        expect([...p!.entries.keys()].slice(0, 6)).toEqual(['stat', 'status', 'cmdline', 'environ', 'cgroup', 'cwd']);
        expect(p!.entries.get('cmdline')?.toString()).toBe('sleep\u0000100000\u0000');
        expect(p!.fdNames).toEqual(['0', '1', '2']);
      }
    });

    // In CI (.ci/run installs valgrind) a missing valgrind must fail, not skip.
    const hasValgrind = spawnSync('valgrind', ['--version']).status === 0;
    it.skipIf(!helper || (!hasValgrind && !process.env.CI))(
      'has no memory errors, leaks or data races under valgrind (memcheck and helgrind)',
      () => {
        for (const tool of [['--leak-check=full'], ['--tool=helgrind']]) {
          const r = spawnSync('valgrind', [...tool, '--error-exitcode=99', '-q', HELPER, 'scan-read', '/proc'], {
            maxBuffer: 1 << 30,
            encoding: 'latin1',
          });
          expect(r.stderr, tool[0]).toBe('');
          expect(r.status, tool[0]).toBe(0);
          expect(parseBulk(Buffer.from(r.stdout, 'latin1')).pids.size).toBeGreaterThan(300);
        }
      },
      120_000,
    );
  });

  it.skipIf(!helper)(
    'reads no root or ns/mnt of a process whose cwd is / (nothing asks for its mount table then)',
    () => {
      const out = spawnSync(HELPER, ['scan-read', '/proc'], { maxBuffer: 1 << 30 }).stdout;
      const one = parseBulk(out).pids.get('1')!;
      if (one.entries.get('cwd')?.toString() === '/') {
        expect(one.entries.has('root')).toBe(false);
        expect(one.entries.has('ns/mnt')).toBe(false);
      }
      expect(one.entries.has('stat')).toBe(true);
    },
  );

  it.skipIf(!helper)(
    'reads ns/net of exactly the processes that hold a socket, as its peers are looked up in that namespace',
    () => {
      const { pids } = parseBulk(spawnSync(HELPER, ['scan-read', '/proc'], { maxBuffer: 1 << 30 }).stdout);
      let withSocket = 0;
      for (const [pid, p] of pids) {
        // Among the fds a scan examines: the first 4,096 listed.
        const links = [...p.entries].filter(([k]) => k.startsWith('fd/')).slice(0, 4096);
        const socket = links.some(([, v]) => typeof v !== 'string' && v.toString().startsWith('socket:['));
        withSocket += socket ? 1 : 0;
        expect(p.entries.has('ns/net'), `pid ${pid}`).toBe(socket);
        // (A process that exits meanwhile has an errno there instead.)
        const ns = p.entries.get('ns/net');
        if (socket && typeof ns !== 'string') expect(ns!.toString()).toMatch(/^net:\[\d+\]$/);
      }
      expect(withSocket).toBeGreaterThan(0);
    },
  );

  it.skipIf(!helper)("as nobody: root's fds and environ are EACCES, as they are to a read of its own", () => {
    const r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', HELPER, 'scan-read', '/proc'], {
      maxBuffer: 1 << 30,
    });
    expect(r.status).toBe(0);
    const s = new BulkProcSource(live, parseBulk(r.stdout));
    expect(errnoOfCall(() => s.readdir('1/fd'))).toBe('EACCES');
    expect(errnoOfCall(() => s.readFile('1/environ'))).toBe('EACCES');
    expect(errnoOfCall(() => s.readlink('1/cwd'))).toBe('EACCES');
    expect(s.readText('1/stat')).toMatch(/^1 \(/);
  });

  it.skipIf(!helper)('bad use: exit 2 and the usage; an unlistable root: exit 1 and why', () => {
    const none = spawnSync(HELPER, ['scan-read']);
    expect(none.status).toBe(2);
    expect(none.stderr.toString()).toBe('usage: daemon-check-helper scan-read PROC_ROOT\n');
    const missing = spawnSync(HELPER, ['scan-read', '/nonexistent-proc-root']);
    expect(missing.status).toBe(1);
    expect(missing.stderr.toString()).toBe(
      'daemon-check-helper: cannot list /nonexistent-proc-root: No such file or directory\n',
    );
    expect(missing.stdout.length).toBe(0);
  });

  it.skipIf(!fs.existsSync(HELPER))(
    'a root the helper cannot list is read file by file, as without the helper',
    async () => {
      const missing = new LiveProcSource(path.join(tempDir('dc-bulk-'), 'no-such-proc'));
      expect(await bulkSource(missing)).toBe(missing);
    },
  );

  it('a capture is read as it is, without the helper', async () => {
    const fixture = { kind: 'fixture' as const, root: '/x' } as ProcSource;
    expect(await bulkSource(fixture)).toBe(fixture);
  });
});
