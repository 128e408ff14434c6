/**
 * fate.stop: someone sends SIGTERM (docs/fate.md, "SIGTERM"). The
 * disposition decides (status SigIgn, SigCgt, SigBlk); a process that takes
 * blocked signals synchronously shows it in wchan, syscall or a signalfd's
 * fdinfo; the init of a pid namespace (last NSpid 1) gets no signal whose
 * action is the default; tini and its kin forward SIGTERM to their child.
 */
import { describe, expect, it } from 'vitest';
import type { Snapshot } from '../../../src/snapshot/types.js';
import { fateOf, ProcWorld, SIG, sigmask, signals } from '../../helpers/fate.js';
import { makeFd, makeSnapshot } from '../../helpers/snapshot.js';
import type { FateEntry } from '../../../src/core/types.js';

const stop = (snap: Snapshot): FateEntry => fateOf(snap).stop;

/** x86_64's rt_sigtimedwait, as /proc/PID/syscall shows a process blocked in it. */
const IN_SIGTIMEDWAIT = '128 0x7ffd5e3c1b40 0x7ffd5e3c1ac0 0x7ffd5e3c1b30 0x8 0x0 0x0 0x7ffd5e3c1a98 0x7f0c1a2e4a3c';
/** clock_nanosleep: what `sleep` sits in. */
const IN_NANOSLEEP = '230 0x0 0x0 0x7fff641b4de0 0x7fff641b4e20 0x0 0x0 0x7fff641b4dc8 0x7f8d6fbd9503';

/** A signalfd on fd 3 whose fdinfo sigmask holds `signos`. */
const signalfd = (...signos: number[]) =>
  makeFd(3, 'anon_inode:[signalfd]', { type: 'anon', signalMask: sigmask(...signos) });

/** `unshare --fork --pid --mount-proc CMD`: CMD (9624) is pid 1 of a new pid namespace. */
function namespaceInit(comm = 'sleep', argv = ['sleep', '3013']): { w: ProcWorld; pid: number } {
  const w = new ProcWorld();
  w.add({ pid: 1, comm: 'systemd', ppid: 0, pgrp: 1, session: 1 }, ['/sbin/init']);
  w.add({ pid: 9621, comm: 'unshare', ppid: 1 }, ['unshare', '--fork', '--pid', '--mount-proc', ...argv]);
  w.add({ pid: 9624, comm, ppid: 9621, pgrp: 9621, session: 9621 }, argv);
  return { w, pid: 9624 };
}

/** `tini -s -- sleep 3006` (9571) with its child sleep (9574), outside a container. */
function tiniWorld(comm = 'tini', argv = ['tini', '-s', '--', 'sleep', '3006']): ProcWorld {
  const w = new ProcWorld();
  w.add({ pid: 1, comm: 'systemd', ppid: 0, pgrp: 1, session: 1 }, ['/sbin/init']);
  w.add({ pid: 9571, comm, ppid: 1 }, argv);
  w.add({ pid: 9574, comm: 'sleep', ppid: 9571, session: 9571 }, ['sleep', '3006']);
  return w;
}

describe('stop', () => {
  describe('the disposition decides', () => {
    it('dies at once with the default action, by the kernel, with no cleanup', () => {
      const f = stop(makeSnapshot({ status: signals() }));
      expect(f).toEqual({
        outcome: 'dies',
        by: 'the kernel',
        why: 'SIGTERM has its default action: it ends at once, without any cleanup (a pidfile or socket stays behind).',
      });
    });

    it('dies when it catches SIGTERM, unless its handler does not exit', () => {
      const f = stop(makeSnapshot({ status: signals({ cgt: [SIG.TERM, SIG.HUP] }) }));
      expect(f).toMatchObject({ outcome: 'dies', unless: 'its SIGTERM handler does not exit' });
      expect(f.by).toBeUndefined();
      expect(f.why).toContain('It catches SIGTERM');
    });

    it('lives when it ignores SIGTERM: only SIGKILL stops it', () => {
      expect(stop(makeSnapshot({ status: signals({ ign: [SIG.TERM] }) }))).toEqual({
        outcome: 'lives',
        why: 'It ignores SIGTERM: only SIGKILL stops it.',
      });
    });

    it('ignored wins over caught and blocked bits (the kernel checks the handler first)', () => {
      expect(stop(makeSnapshot({ status: signals({ ign: [SIG.TERM], blk: [SIG.TERM] }) })).outcome).toBe('lives');
    });

    it('lives when it blocks SIGTERM and nothing shows it waiting: the signal stays pending', () => {
      const f = stop(
        makeSnapshot({ status: signals({ blk: [SIG.TERM] }), wchan: 'hrtimer_nanosleep', syscall: IN_NANOSLEEP }),
      );
      expect(f.outcome).toBe('lives');
      expect(f.why).toContain('nothing shows it waiting for it');
      expect(f.unless).toContain('it unblocks SIGTERM');
    });

    it('is unknown when status could not be read', () => {
      const f = stop(makeSnapshot({ status: null, unreadable: { status: 'EACCES' } }));
      expect(f).toEqual({ outcome: 'unknown', why: 'Its signal dispositions (status) could not be read.' });
    });

    it('is unknown when status has no SigCgt line', () => {
      expect(stop(makeSnapshot({ status: signals({ sigCgt: null }) })).outcome).toBe('unknown');
    });
  });

  describe('taking blocked signals synchronously', () => {
    it('dies when it blocks SIGTERM and reads it from a signalfd', () => {
      const f = stop(
        makeSnapshot({
          status: signals({ blk: [SIG.TERM, SIG.INT, SIG.HUP] }),
          fds: [signalfd(SIG.TERM, SIG.INT, SIG.HUP)],
        }),
      );
      expect(f.outcome).toBe('dies');
      expect(f.why).toContain('It blocks SIGTERM, but it reads signals from a signalfd (fd 3)');
      expect(f.unless).toBe('it does not exit when it takes SIGTERM');
    });

    it('a signalfd for other signals does not count', () => {
      const f = stop(makeSnapshot({ status: signals({ blk: [SIG.TERM, SIG.CHLD] }), fds: [signalfd(SIG.CHLD)] }));
      expect(f.outcome).toBe('lives');
    });

    it('in sigtimedwait (wchan), the awaited signals show unblocked: dies, taking the signal itself', () => {
      const f = stop(makeSnapshot({ status: signals(), wchan: 'do_sigtimedwait.isra.0' }));
      expect(f.outcome).toBe('dies');
      expect(f.why).toContain(
        'SIGTERM has its default action, and it waits for signals in sigtimedwait (wchan do_sigtimedwait.isra.0)',
      );
      expect(f.by).toBeUndefined();
    });

    it('blocked and in rt_sigtimedwait (syscall 128 on x64): dies', () => {
      const f = stop(makeSnapshot({ status: signals({ blk: [SIG.TERM] }), syscall: IN_SIGTIMEDWAIT, arch: 'x64' }));
      expect(f.outcome).toBe('dies');
      expect(f.why).toContain('it waits for signals in rt_sigtimedwait (syscall 128)');
    });

    it('reads the syscall number per architecture: 137 on arm64', () => {
      const arm = IN_SIGTIMEDWAIT.replace(/^128/, '137');
      expect(stop(makeSnapshot({ status: signals({ blk: [SIG.TERM] }), syscall: arm, arch: 'arm64' })).outcome).toBe(
        'dies',
      );
      expect(
        stop(makeSnapshot({ status: signals({ blk: [SIG.TERM] }), syscall: IN_SIGTIMEDWAIT, arch: 'arm64' })).outcome,
      ).toBe('lives');
    });

    it('clock_nanosleep is no wait for signals', () => {
      expect(stop(makeSnapshot({ status: signals(), syscall: IN_NANOSLEEP, arch: 'x64' }))).toMatchObject({
        outcome: 'dies',
        by: 'the kernel',
      });
    });
  });

  describe('the init of a pid namespace (last NSpid 1)', () => {
    it('lives with the default action: the kernel drops it; docker stop waits and sends SIGKILL', () => {
      const { w, pid } = namespaceInit();
      const f = stop(w.snapshot(pid, { status: signals({ nspid: [9624, 1] }) }));
      expect(f).toMatchObject({ outcome: 'lives', by: 'the kernel' });
      expect(f.why).toContain(
        'It is the init of its pid namespace (NSpid 9624 1) and SIGTERM has its default action there',
      );
      expect(f.why).toContain('`docker stop` waits its timeout (10 s by default) and then sends SIGKILL');
    });

    it('lives when it ignores SIGTERM, saying so', () => {
      const { w, pid } = namespaceInit();
      const f = stop(w.snapshot(pid, { status: signals({ nspid: [9624, 1], ign: [SIG.TERM] }) }));
      expect(f.outcome).toBe('lives');
      expect(f.why).toContain('and it ignores SIGTERM');
    });

    it('dies when it catches SIGTERM, unless its handler does not exit', () => {
      const { w, pid } = namespaceInit('myinit', ['/usr/local/bin/myinit']);
      const f = stop(w.snapshot(pid, { status: signals({ nspid: [9624, 1], cgt: [SIG.TERM] }) }));
      expect(f).toMatchObject({ outcome: 'dies', unless: 'its SIGTERM handler does not exit' });
      expect(f.why).toContain('(NSpid 9624 1) and catches SIGTERM');
    });

    it('dies when it waits in sigtimedwait (wchan)', () => {
      const { w, pid } = namespaceInit('myinit', ['/usr/local/bin/myinit']);
      const f = stop(w.snapshot(pid, { status: signals({ nspid: [9624, 1] }), wchan: 'do_sigtimedwait.isra.0' }));
      expect(f).toMatchObject({ outcome: 'dies', unless: 'it does not exit when it takes SIGTERM' });
      expect(f.why).toContain('and it waits for signals in sigtimedwait');
    });

    it('dies when it is in rt_sigtimedwait (syscall 128, x64)', () => {
      const { w, pid } = namespaceInit('myinit', ['/usr/local/bin/myinit']);
      expect(
        stop(w.snapshot(pid, { status: signals({ nspid: [9624, 1] }), syscall: IN_SIGTIMEDWAIT, arch: 'x64' })).outcome,
      ).toBe('dies');
    });

    it('dies when it reads SIGTERM from a signalfd', () => {
      const { w, pid } = namespaceInit('myinit', ['/usr/local/bin/myinit']);
      const snap = w.snapshot(pid, {
        status: signals({ nspid: [9624, 1], blk: [SIG.TERM] }),
        fds: [signalfd(SIG.TERM)],
      });
      expect(stop(snap).outcome).toBe('dies');
    });

    it('lives when it blocks SIGTERM with no waiter', () => {
      const { w, pid } = namespaceInit();
      expect(stop(w.snapshot(pid, { status: signals({ nspid: [9624, 1], blk: [SIG.TERM] }) })).outcome).toBe('lives');
    });

    // BUG: a namespace init that blocks SIGTERM is told "SIGTERM has its default action there"; docs/fate.md:
    // "Blocked: it stays pending". The outcome (lives) is right, the sentence names the wrong disposition.
    it('says SIGTERM is blocked, not that it has its default action, for a namespace init that blocks it', () => {
      const { w, pid } = namespaceInit();
      expect(stop(w.snapshot(pid, { status: signals({ nspid: [9624, 1], blk: [SIG.TERM] }) })).why).not.toContain(
        'its default action',
      );
    });

    it('a pid 1 in its only namespace (NSpid of one value) is no namespace init', () => {
      expect(stop(makeSnapshot({ status: signals({ nspid: [4242] }) }))).toMatchObject({
        outcome: 'dies',
        by: 'the kernel',
      });
    });
  });

  describe('tini, dumb-init, docker-init: SIGTERM forwarded to the child', () => {
    it('tini in sigtimedwait forwards to its child and exits with it', () => {
      const f = stop(
        tiniWorld().snapshot(9571, { status: signals(), wchan: 'do_sigtimedwait.isra.0', syscall: IN_SIGTIMEDWAIT }),
      );
      expect(f).toEqual({
        outcome: 'dies',
        why: 'tini takes SIGTERM and forwards it to its child sleep (9574), and exits when that child does.',
        by: 'tini (9571)',
        unless: 'its child sleep (9574) ignores or survives SIGTERM',
      });
    });

    it("docker-init as a container's init (docker run --init) forwards, even with no wait evidence", () => {
      const { w, pid } = namespaceInit('docker-init', ['/sbin/docker-init', '--', 'sleep', '1000']);
      w.add({ pid: 9630, comm: 'sleep', ppid: pid, pgrp: 9621, session: 9621 }, ['sleep', '1000']);
      const f = stop(w.snapshot(pid, { status: signals({ nspid: [9624, 1], blk: [SIG.TERM] }) }));
      expect(f).toMatchObject({ outcome: 'dies', by: 'docker-init (9624)' });
      expect(f.why).toContain('forwards it to its child sleep (9630)');
    });

    it('dumb-init in rt_sigtimedwait forwards', () => {
      const w = tiniWorld('dumb-init', ['/usr/bin/dumb-init', '--', 'sleep', '3006']);
      const f = stop(w.snapshot(9571, { status: signals(), syscall: IN_SIGTIMEDWAIT, arch: 'x64' }));
      expect(f).toMatchObject({ outcome: 'dies', by: 'dumb-init (9571)' });
    });

    it('a forwarder that catches SIGTERM forwards', () => {
      expect(stop(tiniWorld().snapshot(9571, { status: signals({ cgt: [SIG.TERM] }) })).by).toBe('tini (9571)');
    });

    it('skips a zombie child and names the live one', () => {
      const w = tiniWorld();
      w.add({ pid: 9572, comm: 'sh', ppid: 9571, session: 9571, state: 'Z' }, null);
      const snap = w.snapshot(9571, { status: signals(), wchan: 'do_sigtimedwait.isra.0' });
      // /proc lists pids in order: the zombie 9572 comes first.
      snap.children = [...snap.children].sort((a, b) => a.pid - b.pid);
      expect(snap.children[0]).toMatchObject({ pid: 9572, state: 'Z' });
      expect(stop(snap).why).toContain('its child sleep (9574)');
    });

    it('says "its child" when it has none alive', () => {
      const snap = tiniWorld().snapshot(9571, { status: signals(), wchan: 'do_sigtimedwait.isra.0', children: [] });
      const f = stop(snap);
      expect(f.why).toContain('forwards it to its child, and exits');
      expect(f.unless).toBe('its child ignores or survives SIGTERM');
    });

    it('a tini that blocks SIGTERM with no wait evidence and no namespace of its own: pending, lives', () => {
      const f = stop(tiniWorld().snapshot(9571, { status: signals({ blk: [SIG.TERM] }) }));
      expect(f.outcome).toBe('lives');
      expect(f.why).toContain('It blocks SIGTERM and nothing shows it waiting for it');
    });
  });
});
