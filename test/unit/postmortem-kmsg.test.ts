/**
 * The kernel log parsers on lines recorded on this host (fixtures/postmortem/,
 * recording.md says how each was made) and, for the kinds that cannot be made
 * to happen here, on lines built from the kernel's printk format strings.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { kernelEvents, parseDmesg, parseKmsg, type KernelRecord } from '../../src/postmortem/kmsg.js';

const DIR = path.resolve(__dirname, '..', '..', 'fixtures', 'postmortem');
const kmsg = (name: string): KernelRecord[] => parseKmsg(fs.readFileSync(path.join(DIR, name), 'utf8'));
/** Records of MESSAGES, one microsecond apart, as /dev/kmsg would give them. */
const lines = (...messages: string[]): KernelRecord[] =>
  messages.map((message, i) => ({ seq: i, prio: 6, usec: 1_000_000 + i, message }));

describe('/dev/kmsg records', () => {
  it('reads prio, seq, usec and message, and skips dictionary lines', () => {
    const records = kmsg('kmsg-dictionary.txt');
    expect(records).toHaveLength(11);
    expect(records[0]).toEqual({
      prio: 6,
      seq: 180,
      usec: 388291,
      message: 'ACPI: 1 ACPI AML tables successfully acquired and loaded',
    });
    expect(records.some((r) => r.message.includes('SUBSYSTEM='))).toBe(false);
  });

  it('turns \\xNN escapes back into bytes', () => {
    expect(parseKmsg('6,1,2,-;a\\x5cb\\x0ac')[0]!.message).toBe('a\\b\nc');
  });

  it('reads dmesg -r lines as the same records, without sequence numbers', () => {
    const fromDmesg = parseDmesg(fs.readFileSync(path.join(DIR, 'dmesg-raw-recorded.txt'), 'utf8'));
    const fromKmsg = [...kmsg('kmsg-segfault.txt'), ...kmsg('kmsg-oom-memcg.txt')];
    expect(fromDmesg.slice(0, fromKmsg.length).map((r) => [r.prio, r.usec, r.message])).toEqual(
      fromKmsg.map((r) => [r.prio, r.usec, r.message]),
    );
    expect(fromDmesg[0]!.seq).toBeNull();
    expect(parseDmesg('plain line')[0]).toEqual({ prio: null, seq: null, usec: null, message: 'plain line' });
  });
});

describe('kernel events', () => {
  it('finds the OOM kill of a memory cgroup with its cgroup, limit and usage (recorded)', () => {
    const events = kernelEvents(kmsg('kmsg-oom-memcg.txt'));
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      kind: 'oom-kill',
      pid: 8746,
      comm: 'python3',
      signal: 'SIGKILL',
      usec: 2667994254,
      detail: {
        header: 'Memory cgroup out of memory',
        cgroup: '/dc-pm-6183',
        oomMemcg: '/dc-pm-6183',
        constraint: 'CONSTRAINT_MEMCG',
        limitKb: '65536',
        usageKb: '65536',
        anonRssKb: '72192',
        uid: '0',
      },
    });
    expect(events[0]!.line).toMatch(/^Memory cgroup out of memory: Killed process 8746 \(python3\)/);
  });

  it('finds a segfault with its address and where it happened (recorded)', () => {
    expect(kernelEvents(kmsg('kmsg-segfault.txt'))).toEqual([
      expect.objectContaining({
        kind: 'segfault',
        pid: 8613,
        comm: 'segv-demo',
        signal: 'SIGSEGV',
        usec: 2661071589,
        detail: { address: '10', ip: '0000563cafbdb139', error: '4', in: 'segv-demo' },
      }),
    ]);
  });

  it('finds each x86 trap with the signal it sends (recorded)', () => {
    const events = kernelEvents(kmsg('kmsg-traps.txt'));
    expect(events.map((e) => [e.kind, e.pid, e.comm, e.detail.trap, e.signal])).toEqual([
      ['trap', 10116, 'trap-demo', 'trap int3', 'SIGTRAP'],
      ['trap', 10117, 'trap-demo', 'trap invalid opcode', 'SIGILL'],
      ['trap', 10118, 'trap-demo', 'general protection fault', 'SIGSEGV'],
      ['trap', 10276, 'div-demo', 'trap divide error', 'SIGFPE'],
    ]);
  });

  it('takes the pid of a fatal signal from the CPU/PID line after it (recorded)', () => {
    const events = kernelEvents(kmsg('kmsg-fatal-signal.txt'));
    expect(events.map((e) => [e.kind, e.pid, e.comm, e.signal])).toEqual([
      ['fatal-signal', 10421, 'trap-demo', 'SIGABRT'],
      ['segfault', 10422, 'segv-demo', 'SIGSEGV'],
      ['fatal-signal', 10422, 'segv-demo', 'SIGSEGV'],
    ]);
  });

  it('reads the global OOM kill, the OOM reaper and the cgroup v2 constraint line (format strings)', () => {
    const events = kernelEvents(
      lines(
        'bash invoked oom-killer: gfp_mask=0x140cca(GFP_HIGHUSER_MOVABLE|__GFP_COMP), order=0, oom_score_adj=0',
        'oom-kill:constraint=CONSTRAINT_NONE,nodemask=(null),cpuset=/,mems_allowed=0,global_oom,task_memcg=/user.slice/user-1000.slice/session-3.scope,task=java,pid=2201,uid=1000',
        'Out of memory: Killed process 2201 (java) total-vm:9000000kB, anon-rss:7000000kB, file-rss:0kB, shmem-rss:0kB, UID:1000 pgtables:15000kB oom_score_adj:0',
        'oom_reaper: reaped process 2201 (java), now anon-rss:0kB, file-rss:0kB, shmem-rss:0kB',
      ),
    );
    expect(events.map((e) => [e.kind, e.pid, e.comm])).toEqual([
      ['oom-kill', 2201, 'java'],
      ['oom-reaped', 2201, 'java'],
    ]);
    expect(events[0]!.detail).toMatchObject({
      header: 'Out of memory',
      cgroup: '/user.slice/user-1000.slice/session-3.scope',
      uid: '1000',
      constraint: 'CONSTRAINT_NONE',
    });
    expect(events[0]!.detail.limitKb).toBeUndefined();
  });

  it('reads hung tasks, memory failures, audit and seccomp records and SysRq kills (format strings)', () => {
    const events = kernelEvents(
      lines(
        'INFO: task rsync:3100 blocked for more than 122 seconds.',
        'Memory failure: 0x1840200: Killing cellsrv:33395 due to hardware memory corruption',
        'audit: type=1701 audit(1796614000.120:55): auid=1000 uid=1000 gid=1000 ses=3 subj=unconfined pid=4000 comm="app" exe="/usr/bin/app" sig=11 res=1',
        'audit: type=1326 audit(1796614001.5:56): auid=1000 uid=1000 gid=1000 ses=3 pid=4001 comm="sandboxed" exe="/usr/bin/sandboxed" sig=31 arch=c000003e syscall=59 compat=0 ip=0x7f code=0x0',
        'audit: type=1326 audit(1796614002.5:57): pid=4002 comm="logged" sig=0 syscall=59 code=0x7ffc0000',
        'sysrq: Kill All Tasks',
        'old/4003: potentially unexpected fatal signal 11.',
      ),
    );
    expect(events.map((e) => [e.kind, e.pid, e.comm, e.signal, e.epoch])).toEqual([
      ['hung-task', 3100, 'rsync', null, null],
      ['memory-failure', 33395, 'cellsrv', 'SIGBUS', null],
      ['audit-abend', 4000, 'app', 'SIGSEGV', 1796614000.12],
      ['seccomp', 4001, 'sandboxed', 'SIGSYS', 1796614001.5],
      ['sysrq', null, null, 'SIGKILL', null],
      ['fatal-signal', 4003, 'old', 'SIGSEGV', null],
    ]);
    expect(events[0]!.detail.seconds).toBe('122');
    expect(events[3]!.detail.syscall).toBe('59');
  });
});
