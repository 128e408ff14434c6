/**
 * The story rules (docs/watch.md) on streams written per the event contract:
 * one stream per cause, and the cases that are easy to get wrong (a nohup
 * job's ignored SIGHUP is not its ending, a caught SIGTERM then exit 0 is an
 * exit, SIGHUP + SIGCONT from the kernel to a non-leader is an orphaned group,
 * the OOM killer's SIGKILL and a kill -9 differ only by the oom event).
 */
import { describe, expect, it } from 'vitest';
import { FATE_EVENTS, type Fate, type FateEvent, type Outcome } from '../../src/core/types.js';
import { judge } from '../../src/watch/predict.js';
import { tellEndings, type KnownProcess } from '../../src/watch/story.js';
import { Stream } from '../helpers/watch-stream.js';

const SSHD = { pid: 900, comm: 'sshd' };
const BASH = { pid: 1234, comm: 'bash' };
const SYSTEMD = { pid: 1, comm: 'systemd' };

/** The login: bash 1234 leads session 1234; jobs 1300 (sleep) and 1301 (a nohup'd sleep) are in it. */
const LOGIN: KnownProcess[] = [
  { pid: 1234, comm: 'bash', ppid: 900, pgid: 1234, sid: 1234 },
  { pid: 1300, comm: 'sleep', ppid: 1234, pgid: 1300, sid: 1234 },
  { pid: 1301, comm: 'sleep', ppid: 1234, pgid: 1301, sid: 1234 },
];
const known = (extra: KnownProcess[] = []) => new Map([...LOGIN, ...extra].map((p) => [p.pid, p]));

function endingsOf(s: Stream, watched: number[], extra: KnownProcess[] = []) {
  return tellEndings({ events: s.events, watched, known: known(extra) });
}

function fate(outcomes: Partial<Record<FateEvent, Outcome>>): Fate {
  return Object.fromEntries(FATE_EVENTS.map((e) => [e, { outcome: outcomes[e] ?? 'unknown', why: 'test' }])) as Fate;
}

describe('the terminal hangup and the shell forwarding it', () => {
  it('SIGHUP + SIGCONT from the kernel to the session leader is the terminal hangup', () => {
    const s = new Stream()
      .start([1234])
      .signal(1234, 'SIGHUP', 'SI_KERNEL', SSHD)
      .signal(1234, 'SIGCONT', 'SI_KERNEL', SSHD)
      .exit(1234, 'bash', { signal: 'SIGHUP' });
    const [e] = endingsOf(s, [1234]);
    expect(e).toMatchObject({
      pid: 1234,
      comm: 'bash',
      ended: 'signal',
      signal: 'SIGHUP',
      status: null,
      waitStatus: 1,
      sender: SSHD,
      code: 'SI_KERNEL',
      cause: 'terminal-hangup',
      evidence: [1, 2, 3],
    });
    expect(e!.story).toBe(
      "killed by SIGHUP from the kernel: its terminal hung up, as sshd (900) closed it, and the kernel sends SIGHUP and SIGCONT to the session's leader, which it is",
    );
  });

  it("SI_USER SIGHUP from the shell that leads the session, after the terminal's hangup, is the shell forwarding it", () => {
    const s = new Stream()
      .start([1234, 1300])
      .signal(1234, 'SIGHUP', 'SI_KERNEL', SSHD)
      .signal(1234, 'SIGCONT', 'SI_KERNEL', SSHD)
      .signal(1300, 'SIGHUP', 'SI_USER', BASH)
      .exit(1300, 'sleep', { signal: 'SIGHUP' })
      .exit(1234, 'bash', { signal: 'SIGHUP' });
    const [, job] = endingsOf(s, [1234, 1300]);
    expect(job).toMatchObject({ pid: 1300, cause: 'shell-forwarded-hangup', sender: BASH, code: 'SI_USER' });
    expect(job!.story).toBe("killed by SIGHUP from bash (1234), which forwarded the terminal's hangup");
    expect(job!.evidence).toEqual([1, 3, 4]);
    const judged = judge(job!, fate({ hangup: 'dies' }));
    expect(judged).toMatchObject({ predicted: { event: 'hangup', outcome: 'dies' }, observed: 'dies', agrees: true });
  });

  it('without the hangup in the stream (the shell not watched), the forwarding is still told, and hedged', () => {
    const s = new Stream()
      .start([1300])
      .signal(1300, 'SIGHUP', 'SI_USER', BASH)
      .exit(1300, 'sleep', { signal: 'SIGHUP' });
    const [job] = endingsOf(s, [1300]);
    expect(job!.cause).toBe('shell-forwarded-hangup');
    expect(job!.story).toContain('which leads its session and forwarded a hangup to its jobs');
  });

  it("a nohup job's ignored SIGHUP is not its ending: it lives on, and the prediction is held against the hangup", () => {
    const s = new Stream()
      .start([1300, 1301])
      .signal(1300, 'SIGHUP', 'SI_USER', BASH)
      .signal(1301, 'SIGHUP', 'SI_USER', BASH, { result: 'ignored' })
      .exit(1300, 'sleep', { signal: 'SIGHUP' })
      .end('timeout');
    const [, nohup] = tellEndings({
      events: s.events,
      watched: [1300, 1301],
      known: known(),
      endWords: 'when --for ran out',
    });
    expect(nohup).toMatchObject({
      pid: 1301,
      ended: 'alive',
      signal: null,
      status: null,
      sender: null,
      cause: 'unknown',
      survived: { cause: 'shell-forwarded-hangup', signal: 'SIGHUP' },
      evidence: [2],
    });
    expect(nohup!.story).toBe(
      'still running when --for ran out; it ignored SIGHUP from bash (1234), which leads its session and forwarded a hangup to its jobs (bash does when its terminal hangs up, or on exit with huponexit)',
    );
    expect(judge(nohup!, fate({ hangup: 'lives' }))).toMatchObject({
      predicted: { event: 'hangup', outcome: 'lives' },
      observed: 'lives',
      agrees: true,
    });
  });

  it('a prediction that did not hold: hangup lives, yet the shell ended it', () => {
    const s = new Stream()
      .start([1300])
      .signal(1300, 'SIGHUP', 'SI_USER', BASH)
      .exit(1300, 'sleep', { signal: 'SIGHUP' });
    const [job] = endingsOf(s, [1300]);
    expect(judge(job!, fate({ hangup: 'lives' }))).toMatchObject({ observed: 'dies', agrees: false });
  });

  it("in a multiplexer's pane, a hangup is the pane's own terminal, which the login's hangup prediction does not speak of", () => {
    const s = new Stream()
      .start([1300])
      .signal(1300, 'SIGHUP', 'SI_USER', BASH)
      .exit(1300, 'sleep', { signal: 'SIGHUP' });
    const [job] = endingsOf(s, [1300]);
    expect(judge(job!, fate({ hangup: 'lives' }), true)).toMatchObject({
      cause: 'shell-forwarded-hangup',
      predicted: null,
      observed: 'dies',
      agrees: null,
    });
    // Its other events are still held against theirs.
    const killed = endingsOf(
      new Stream().start([1300]).signal(1300, 'SIGTERM', 'SI_USER', BASH).exit(1300, 'sleep', { signal: 'SIGTERM' }),
      [1300],
    );
    expect(judge(killed[0]!, fate({ stop: 'dies' }), true)).toMatchObject({
      predicted: { event: 'stop' },
      agrees: true,
    });
  });

  it('an exit after a hangup it ignored says how a terminal writer ends (EIO)', () => {
    const s = new Stream()
      .start([1301])
      .signal(1301, 'SIGHUP', 'SI_USER', BASH, { result: 'ignored' })
      .exit(1301, 'sleep', { code: 1 });
    const [e] = endingsOf(s, [1301]);
    expect(e).toMatchObject({ ended: 'exit', status: 1, waitStatus: 256, cause: 'exit', evidence: [1, 2] });
    expect(e!.story).toMatch(/^exited with status 1, after it ignored SIGHUP from bash \(1234\)/);
    expect(e!.story).toContain('fails with EIO');
    expect(judge(e!, fate({ hangup: 'lives' }))).toMatchObject({ predicted: { event: 'hangup' }, agrees: false });
  });
});

describe('the orphaned process group', () => {
  it('SIGHUP + SIGCONT from the kernel to a member that does not lead its session is the POSIX orphaned-group rule', () => {
    const member = { pid: 1400, comm: 'cat', ppid: 1399, pgid: 1399, sid: 1234 };
    const s = new Stream()
      .start([1400])
      .signal(1400, 'SIGHUP', 'SI_KERNEL', { pid: 1399, comm: 'sh' })
      .signal(1400, 'SIGCONT', 'SI_KERNEL', { pid: 1399, comm: 'sh' })
      .exit(1400, 'cat', { signal: 'SIGHUP' });
    const [e] = endingsOf(s, [1400], [member]);
    expect(e).toMatchObject({ cause: 'orphaned-group', code: 'SI_KERNEL', evidence: [1, 2, 3] });
    expect(e!.story).toBe(
      'killed by SIGHUP from the kernel: its process group was orphaned with a stopped member, as sh (1399) exited, and the kernel then sends SIGHUP and SIGCONT to every member (POSIX)',
    );
    expect(judge(e!, fate({ hangup: 'lives' }))).toMatchObject({ predicted: { event: 'hangup' }, agrees: false });
  });

  it('a setsid seen in the stream makes the process a leader: the same kernel SIGHUP is then a terminal hangup', () => {
    const s = new Stream()
      .start([1400])
      .setsid(1400)
      .signal(1400, 'SIGHUP', 'SI_KERNEL', SSHD)
      .exit(1400, 'cat', { signal: 'SIGHUP' });
    expect(endingsOf(s, [1400], [{ pid: 1400, comm: 'cat', sid: 1234, pgid: 1400 }])[0]!.cause).toBe('terminal-hangup');
  });
});

describe('systemd stopping the scope', () => {
  const scoped = { pid: 1500, comm: 'tmux', ppid: 1, pgid: 1500, sid: 1500 };

  it('SIGTERM + SIGCONT + SIGHUP from pid 1, caught, then SIGKILL: the unit was stopped', () => {
    const s = new Stream()
      .start([1500])
      .signal(1500, 'SIGTERM', 'SI_USER', SYSTEMD)
      .deliver(1500, 'SIGTERM', 'caught')
      .signal(1500, 'SIGCONT', 'SI_USER', SYSTEMD)
      .signal(1500, 'SIGHUP', 'SI_USER', SYSTEMD, { result: 'ignored' })
      .signal(1500, 'SIGKILL', 'SI_USER', SYSTEMD)
      .exit(1500, 'tmux', { signal: 'SIGKILL' });
    const [e] = endingsOf(s, [1500], [scoped]);
    expect(e).toMatchObject({ cause: 'scope-stop', signal: 'SIGKILL', sender: SYSTEMD, evidence: [1, 2, 3, 4, 5] });
    expect(e!.story).toContain('killed by SIGKILL from systemd (1), after the SIGTERM and SIGCONT and SIGHUP');
    expect(e!.story).toContain('(TimeoutStopSec)');
    expect(judge(e!, fate({ logout: 'dies' })).predicted).toEqual({ event: 'logout', outcome: 'dies' });
    expect(judge(e!, fate({ logout: 'lives', stop: 'dies' })).predicted).toEqual({ event: 'stop', outcome: 'dies' });
  });

  it('a default SIGTERM from pid 1 with its SIGCONT ends it at once', () => {
    const s = new Stream()
      .start([1500])
      .signal(1500, 'SIGTERM', 'SI_USER', SYSTEMD)
      .signal(1500, 'SIGCONT', 'SI_USER', SYSTEMD)
      .exit(1500, 'tmux', { signal: 'SIGTERM' });
    const [e] = endingsOf(s, [1500], [scoped]);
    expect(e!.cause).toBe('scope-stop');
    expect(e!.story).toMatch(
      /^killed by SIGTERM from systemd \(1\), which stopped its unit: SIGTERM and SIGCONT to every process/,
    );
  });

  it('a lone SIGTERM from pid 1 (no SIGCONT) is a plain kill', () => {
    const s = new Stream()
      .start([1500])
      .signal(1500, 'SIGTERM', 'SI_USER', SYSTEMD)
      .exit(1500, 'tmux', { signal: 'SIGTERM' });
    expect(endingsOf(s, [1500], [scoped])[0]!.cause).toBe('killed');
  });
});

describe('the OOM killer, crashes, broken pipes and kills', () => {
  it("the OOM killer's SIGKILL and a kill -9 have the same status: only the oom event tells them apart", () => {
    const s = new Stream()
      .start([1600, 1601])
      .oom(1600, 'hog', '/dc-test')
      .signal(1600, 'SIGKILL', 'SI_KERNEL', { pid: 1600, comm: 'hog' })
      .exit(1600, 'hog', { signal: 'SIGKILL' })
      .signal(1601, 'SIGKILL', 'SI_USER', BASH)
      .exit(1601, 'hog', { signal: 'SIGKILL' });
    const [oom, kill9] = endingsOf(
      s,
      [1600, 1601],
      [
        { pid: 1600, comm: 'hog' },
        { pid: 1601, comm: 'hog' },
      ],
    );
    expect(oom!.status).toBe(kill9!.status);
    expect(oom).toMatchObject({ cause: 'oom-killer', code: 'SI_KERNEL', evidence: [1, 2, 3] });
    expect(oom!.story).toBe(
      'killed by the OOM killer (SIGKILL from the kernel) in cgroup /dc-test, with 200 MiB resident',
    );
    expect(kill9).toMatchObject({ cause: 'killed', sender: BASH, code: 'SI_USER' });
    expect(kill9!.story).toBe('killed by SIGKILL from bash (1234), sent with kill(2)');
    expect(judge(oom!, fate({ stop: 'dies' })).predicted).toBeNull();
  });

  it('SIGSEGV with a fault code is a crash, and says whether a core was dumped', () => {
    const self = { pid: 1700, comm: 'segv' };
    const s = new Stream()
      .start([1700, 1701])
      .signal(1700, 'SIGSEGV', 'SEGV_MAPERR', self)
      .exit(1700, 'segv', { signal: 'SIGSEGV', core: true })
      .signal(1701, 'SIGSEGV', 'SI_USER', BASH)
      .exit(1701, 'segv', { signal: 'SIGSEGV' });
    const [crash, sent] = endingsOf(s, [1700, 1701], [self, { pid: 1701, comm: 'segv' }]);
    expect(crash).toMatchObject({ cause: 'crash', code: 'SEGV_MAPERR', core: true, status: null, waitStatus: 0x8b });
    expect(crash!.story).toBe('crashed: SIGSEGV (SEGV_MAPERR: an address not mapped), core dumped');
    expect(judge(crash!, fate({ crash: 'dies' }))).toMatchObject({ predicted: { event: 'crash' }, agrees: true });
    // A supervisor's restart (crash: lives) is a replacement the watch does not see.
    expect(judge(crash!, fate({ crash: 'lives' })).agrees).toBeNull();
    expect(sent!.cause).toBe('killed');
  });

  it('SIGPIPE the writer sent itself is a broken pipe', () => {
    const yes = { pid: 1800, comm: 'yes' };
    const s = new Stream()
      .start([1800])
      .signal(1800, 'SIGPIPE', 'SI_USER', yes)
      .exit(1800, 'yes', { signal: 'SIGPIPE' });
    const [e] = endingsOf(s, [1800], [yes]);
    expect(e).toMatchObject({ cause: 'broken-pipe', sender: yes, code: 'SI_USER' });
    expect(e!.story).toBe(
      'killed by SIGPIPE, which it sent itself: it wrote to a pipe or socket whose reader had gone',
    );
  });

  it('kill -TERM from a named process is a kill, and the stop event is its prediction', () => {
    const s = new Stream()
      .start([1300])
      .signal(1300, 'SIGTERM', 'SI_USER', BASH)
      .exit(1300, 'sleep', { signal: 'SIGTERM' });
    const [e] = endingsOf(s, [1300]);
    expect(e).toMatchObject({ cause: 'killed', signal: 'SIGTERM', sender: BASH, status: null, waitStatus: 15 });
    expect(e!.story).toBe('killed by SIGTERM from bash (1234), sent with kill(2)');
    expect(judge(e!, fate({ stop: 'dies' }))).toMatchObject({
      predicted: { event: 'stop', outcome: 'dies' },
      agrees: true,
    });
  });

  it('tgkill and sigqueue are named as such', () => {
    const s = new Stream()
      .start([1300, 1301])
      .signal(1300, 'SIGUSR1', 'SI_TKILL', BASH)
      .exit(1300, 'sleep', { signal: 'SIGUSR1' })
      .signal(1301, 'SIGUSR2', 'SI_QUEUE', BASH)
      .exit(1301, 'sleep', { signal: 'SIGUSR2' });
    const [a, b] = endingsOf(s, [1300, 1301]);
    expect(a!.story).toBe('killed by SIGUSR1 from bash (1234), sent with tgkill(2)');
    expect(b!.story).toBe('killed by SIGUSR2 from bash (1234), sent with sigqueue(3)');
  });
});

describe('exits', () => {
  it('exit 3 is an exit', () => {
    const s = new Stream().start([1300]).exit(1300, 'sh', { code: 3 });
    const [e] = endingsOf(s, [1300]);
    expect(e).toMatchObject({
      ended: 'exit',
      status: 3,
      waitStatus: 0x300,
      signal: null,
      cause: 'exit',
      story: 'exited with status 3',
    });
    expect(judge(e!, fate({ stop: 'dies', hangup: 'dies' })).predicted).toBeNull();
  });

  it('a caught SIGTERM followed by exit 0 is an exit, not a kill (the deliver line folded in)', () => {
    const s = new Stream()
      .start([1300])
      .signal(1300, 'SIGTERM', 'SI_USER', BASH)
      .deliver(1300, 'SIGTERM', 'caught')
      .exit(1300, 'server', { code: 0 });
    const [e] = endingsOf(s, [1300]);
    expect(e).toMatchObject({ ended: 'exit', status: 0, cause: 'exit', evidence: [1, 2] });
    expect(e!.story).toBe('exited with status 0, after it caught SIGTERM from bash (1234), sent with kill(2)');
    expect(judge(e!, fate({ stop: 'dies' }))).toMatchObject({ predicted: { event: 'stop' }, agrees: true });
  });

  it('a pidfd knows only the time of death: the cause is unknown, and the story says why', () => {
    const s = new Stream().start([1300], 'pidfd').exit(1300, 'sleep', { unknown: true });
    const [e] = endingsOf(s, [1300]);
    expect(e).toMatchObject({ ended: 'exit', status: null, cause: 'unknown' });
    expect(e!.story).toContain('a pidfd tells only the time of death');
  });

  it('a killing signal the watch never saw is told as unknown, naming the signal', () => {
    const s = new Stream().start([1300]).lost(3).exit(1300, 'sleep', { signal: 'SIGTERM' });
    const [e] = endingsOf(s, [1300]);
    expect(e).toMatchObject({ ended: 'signal', signal: 'SIGTERM', cause: 'unknown', sender: null });
    expect(e!.story).toContain('the watch saw no SIGTERM sent to it');
  });

  it('a child started under --tree (watching line) gets an ending with the comm of its exec', () => {
    const s = new Stream()
      .start([1300])
      .fork(1300, 1310, 'sh')
      .exec(1310, 'sleep', '/usr/bin/sleep')
      .signal(1310, 'SIGHUP', 'SI_USER', BASH)
      .exit(1310, 'sleep', { signal: 'SIGHUP' });
    s.events.splice(2, 0, { kind: 'watching', t: s.events[1]!.t, pid: 1310, comm: 'sh' });
    const endings = endingsOf(s, [1300]);
    expect(endings.map((e) => [e.pid, e.comm, e.ended])).toEqual([
      [1300, 'sleep', 'alive'],
      [1310, 'sleep', 'signal'],
    ]);
    // The child inherited the session of its parent, so bash (1234) leads it.
    expect(endings[1]!.cause).toBe('shell-forwarded-hangup');
  });
});

describe('what a process lived through', () => {
  it('a hangup tells more than an earlier SIGUSR1 it caught; a SIGWINCH it ignored tells nothing', () => {
    const s = new Stream()
      .start([1301])
      .signal(1301, 'SIGWINCH', 'SI_KERNEL', null, { result: 'ignored' })
      .signal(1301, 'SIGUSR1', 'SI_USER', BASH, { disposition: 'caught' })
      .signal(1301, 'SIGHUP', 'SI_USER', BASH, { result: 'ignored' });
    const [e] = endingsOf(s, [1301]);
    expect(e).toMatchObject({
      ended: 'alive',
      survived: { cause: 'shell-forwarded-hangup', signal: 'SIGHUP' },
      evidence: [3],
    });
    const winch = endingsOf(
      new Stream().start([1301]).signal(1301, 'SIGWINCH', 'SI_KERNEL', null, { result: 'ignored' }),
      [1301],
    );
    expect(winch[0]).toMatchObject({ survived: null, evidence: [], story: 'still running when the watch ended' });
  });
});
