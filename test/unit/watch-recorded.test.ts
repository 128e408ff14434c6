/**
 * The story on REAL streams: each fixtures/watch/<case>.jsonl was recorded by
 * scripts/record-watch.sh while the ending happened for real, and is folded
 * here as the reader folds the helper's lines. A real stream differs from a
 * written one: the connector's exit may come after later tracefs lines,
 * SIGCHLD goes to parents, bash catches the terminal's hangup and raises it
 * again on itself, and the streams carry no /proc view (the command's
 * `known`), so the story is told first with none and must stand on the
 * events alone.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseHelperLine, type HelperLine, type StartEvent } from '../../src/watch/events.js';
import { foldLines } from '../../src/watch/reader.js';
import { tellEndings, type Ending, type KnownProcess } from '../../src/watch/story.js';

function recorded(name: string, known: KnownProcess[] = []): Ending[] {
  const lines = readFileSync(new URL(`../../fixtures/watch/${name}.jsonl`, import.meta.url), 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const line = parseHelperLine(l);
      if (!line) throw new Error(`${name}: not a helper line: ${l}`);
      return line;
    });
  const start = lines[0] as StartEvent;
  expect(start.kind).toBe('start');
  return tellEndings({
    events: foldLines(lines as HelperLine[]),
    watched: start.watched,
    known: new Map(known.map((k) => [k.pid, k])),
  });
}

const byPid = (endings: Ending[], pid: number): Ending => {
  const e = endings.find((x) => x.pid === pid);
  if (!e) throw new Error(`no ending for ${pid}`);
  return e;
};

describe('signals from a named process', () => {
  it('kill -TERM: killed by SIGTERM from kill, SI_USER', () => {
    const [e, ...rest] = recorded('kill-term');
    expect(rest).toEqual([]);
    expect(e).toMatchObject({
      pid: 7180,
      comm: 'sleep',
      ended: 'signal',
      signal: 'SIGTERM',
      status: null,
      waitStatus: 15,
      sender: { pid: 7192, comm: 'kill' },
      code: 'SI_USER',
      cause: 'killed',
    });
    expect(e!.story).toBe('killed by SIGTERM from kill (7192), sent with kill(2)');
  });

  it('kill -KILL from bash: killed by SIGKILL from bash (no oom event, so not the OOM killer)', () => {
    const [e] = recorded('sigkill');
    expect(e).toMatchObject({
      pid: 7193,
      ended: 'signal',
      signal: 'SIGKILL',
      status: null,
      waitStatus: 9,
      sender: { pid: 7199, comm: 'bash' },
      code: 'SI_USER',
      cause: 'killed',
    });
    expect(e!.story).toBe('killed by SIGKILL from bash (7199), sent with kill(2)');
  });
});

describe('endings of its own', () => {
  it('exit 3: sh exited with status 3 (wait status 0x300); its sleep exited 0', () => {
    const endings = recorded('exit3');
    expect(endings.map((e) => e.pid)).toEqual([7201, 7202]);
    expect(byPid(endings, 7201)).toMatchObject({
      comm: 'sh',
      ended: 'exit',
      signal: null,
      status: 3,
      waitStatus: 0x300,
      sender: null,
      code: null,
      cause: 'exit',
      story: 'exited with status 3',
    });
    // The SIGCHLD that sh caught from its sleep is not told as something it lived through.
    expect(byPid(endings, 7202)).toMatchObject({ comm: 'sleep', ended: 'exit', status: 0, cause: 'exit' });
  });

  it('a real segfault: crash, SEGV_MAPERR, from itself, no core', () => {
    const [e] = recorded('segfault');
    expect(e).toMatchObject({
      pid: 7215,
      comm: 'python3.11',
      ended: 'signal',
      signal: 'SIGSEGV',
      status: null,
      waitStatus: 11,
      sender: { pid: 7215, comm: 'python3.11' },
      code: 'SEGV_MAPERR',
      cause: 'crash',
      core: false,
    });
    expect(e!.story).toBe('crashed: SIGSEGV (SEGV_MAPERR: an address not mapped), no core dumped');
  });

  it('yes | head -1: yes is killed by the SIGPIPE it sent itself; head and bash exit 0', () => {
    const endings = recorded('sigpipe');
    expect(byPid(endings, 7219)).toMatchObject({
      comm: 'yes',
      ended: 'signal',
      signal: 'SIGPIPE',
      status: null,
      waitStatus: 13,
      sender: { pid: 7219, comm: 'yes' },
      code: 'SI_USER',
      cause: 'broken-pipe',
    });
    expect(byPid(endings, 7219).story).toMatch(/SIGPIPE, which it sent itself: .*reader had gone/);
    expect(byPid(endings, 7220)).toMatchObject({ comm: 'head', ended: 'exit', status: 0, cause: 'exit' });
    expect(byPid(endings, 7218)).toMatchObject({ comm: 'bash', ended: 'exit', status: 0, cause: 'exit' });
  });
});

describe('the kernel', () => {
  it('OOM in a v1 memory cgroup: the OOM killer, SI_KERNEL, the cgroup named (the oom line comes after the SIGKILL)', () => {
    const [e] = recorded('oom');
    expect(e).toMatchObject({
      pid: 7223,
      comm: 'python3.11',
      ended: 'signal',
      signal: 'SIGKILL',
      status: null,
      waitStatus: 9,
      sender: { pid: 7223, comm: 'python3.11' },
      code: 'SI_KERNEL',
      cause: 'oom-killer',
    });
    expect(e!.story).toBe(
      'killed by the OOM killer (SIGKILL from the kernel) in cgroup /dc-watch-test, with 38 MiB resident',
    );
  });

  it('the orphaned group: the stopped member dies of the kernel SIGHUP sent as its group leader exited', () => {
    // The stream has no setsid line for the middle process (its connector
    // event came before its fork joined it to the watch) and no event for
    // setpgid at all: the rule stands on the stop and the sender's exit.
    const endings = recorded('orphaned-group');
    expect(endings.map((e) => e.pid)).toEqual([7242, 7243, 7245, 7250]);
    expect(byPid(endings, 7250)).toMatchObject({
      ended: 'signal',
      signal: 'SIGHUP',
      status: null,
      waitStatus: 1,
      sender: { pid: 7245, comm: 'python3.11' },
      code: 'SI_KERNEL',
      cause: 'orphaned-group',
    });
    expect(byPid(endings, 7250).story).toBe(
      'killed by SIGHUP from the kernel: its process group was orphaned with a stopped member, as python3.11 (7245) exited, and the kernel then sends SIGHUP and SIGCONT to every member (POSIX)',
    );
    for (const pid of [7242, 7243, 7245]) expect(byPid(endings, pid)).toMatchObject({ ended: 'exit', status: 0 });
  });
});

describe('a real pty hung up under a login bash', () => {
  const LOGIN: KnownProcess[] = [
    { pid: 7263, comm: 'bash', ppid: 7258, pgid: 7263, sid: 7263 },
    { pid: 7265, comm: 'sleep', ppid: 7263, pgid: 7265, sid: 7263 },
  ];

  for (const [label, known] of [
    ['from the events alone', []],
    ['with what /proc said at the start', LOGIN],
  ] as const) {
    it(`the job dies of the SIGHUP bash forwarded; bash of the terminal's hangup (${label})`, () => {
      const endings = recorded('pty-hangup', [...known]);
      expect(byPid(endings, 7265)).toMatchObject({
        comm: 'sleep',
        ended: 'signal',
        signal: 'SIGHUP',
        status: null,
        waitStatus: 1,
        sender: { pid: 7263, comm: 'bash' },
        code: 'SI_USER',
        cause: 'shell-forwarded-hangup',
        story: "killed by SIGHUP from bash (7263), which forwarded the terminal's hangup",
      });
      // bash caught the kernel's SIGHUP, forwarded it, then raised it on itself: its ending is the hangup.
      const bash = byPid(endings, 7263);
      expect(bash).toMatchObject({
        ended: 'signal',
        signal: 'SIGHUP',
        sender: { pid: 7258, comm: 'python3.11' },
        code: 'SI_KERNEL',
        cause: 'terminal-hangup',
      });
      expect(bash.story).toMatch(
        /^killed by SIGHUP from the kernel: its terminal hung up, as python3\.11 \(7258\) closed it/,
      );
      expect(bash.story).toMatch(/it caught that SIGHUP and raised it again on itself/);
    });
  }

  it('the nohup job ignores the forwarded SIGHUP and is still running when --for runs out', () => {
    const endings = recorded('nohup-hangup');
    const job = byPid(endings, 7280);
    expect(job).toMatchObject({
      comm: 'sleep',
      ended: 'alive',
      signal: null,
      status: null,
      sender: null,
      cause: 'unknown',
      survived: { cause: 'shell-forwarded-hangup', signal: 'SIGHUP' },
    });
    expect(job.story).toBe(
      "still running when the watch ended; it ignored SIGHUP from bash (7279), which forwarded the terminal's hangup",
    );
    expect(byPid(endings, 7279)).toMatchObject({ cause: 'terminal-hangup', signal: 'SIGHUP', code: 'SI_KERNEL' });
  });
});
