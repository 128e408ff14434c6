/**
 * Every ending of docs/watch.md produced FOR REAL while the built CLI
 * (`daemon-check watch --format json`) watches, and the summary's `endings`
 * checked: cause, signal or status, and the sender by pid and comm. Root:
 * tracefs and the proc connector (and the v1 memory controller for the OOM
 * case). Each test starts its own processes and ends them by pid; a watch of
 * a running pid is known to have started when a probe signal (SIGCONT, which
 * a running process ignores) sent to each watched pid comes back on the
 * CLI's stdout, never after a fixed sleep. Bad input is checked last: one
 * line on stderr, the exit code of docs/watch.md.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { helperPath } from '../../src/core/helper-path.js';
import { BIN, runCli } from '../helpers/cli.js';
import { alive, childrenOf, cmdlineOf, realPython, trackProcesses, waitFor } from '../helpers/procs.js';
import { tempDir } from '../helpers/temp.js';

const root = process.getuid?.() === 0;
const INSTANCES = '/sys/kernel/tracing/instances';
const MEMORY_V1 = '/sys/fs/cgroup/memory';
const tracker = trackProcesses();
/** The helpers our watches ran, whose tracefs instances must all be gone after the file. */
const helpers: number[] = [];
const cgroups: string[] = [];

interface Sender {
  pid: number;
  comm: string;
}
interface EndingLine {
  pid: number;
  comm: string;
  ended: 'signal' | 'exit' | 'alive';
  signal: string | null;
  status: number | null;
  sender: Sender | null;
  code: string | null;
  cause: string;
  story: string;
  survived: { cause: string; signal: string } | null;
}
interface Line {
  kind: string;
  pid?: number;
  signal?: string;
  codeName?: string;
  context?: boolean;
  sender?: Sender | null;
  result?: string;
  child?: number;
  mechanism?: string;
  reason?: string;
  endings?: EndingLine[];
}

interface Watch {
  child: ChildProcess;
  lines: Line[];
  stderr: () => string;
  done: Promise<{ code: number | null; summary: Line }>;
}

/** `daemon-check watch --format json ARGS`, its JSON lines gathered as they come (a command's own output is skipped). */
function watch(args: string[]): Watch {
  const child = spawn(process.execPath, [BIN, 'watch', '--format', 'json', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1' },
  });
  tracker.track(child.pid!);
  const lines: Line[] = [];
  let rest = '';
  let err = '';
  child.stdout!.on('data', (d: Buffer) => {
    const parts = (rest + d.toString()).split('\n');
    rest = parts.pop()!;
    for (const p of parts) {
      try {
        const v = JSON.parse(p) as Line;
        if (typeof v === 'object' && v !== null && typeof v.kind === 'string') lines.push(v);
      } catch {
        /* the watched command's own output */
      }
    }
  });
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const done = new Promise<{ code: number | null; summary: Line }>((resolve) =>
    child.on('close', (code) => resolve({ code, summary: lines.find((l) => l.kind === 'summary')! })),
  );
  return { child, lines, stderr: () => err, done };
}

/** The watch's helper (the CLI's child), remembered so that its instance is checked at the end. */
async function helperOf(w: Watch): Promise<number> {
  const pid = await waitFor(
    'the watch helper',
    () => {
      if (w.child.exitCode !== null) throw new Error(`the watch ended early: ${w.stderr()}`);
      return childrenOf(w.child.pid!).find((p) => cmdlineOf(p)?.[1] === 'watch');
    },
    30_000,
  );
  helpers.push(pid);
  return pid;
}

/** Waits until the watch reports signals to each of PIDS: a SIGCONT probe, which they ignore, is sent until it comes back. */
async function started(w: Watch, pids: number[]): Promise<void> {
  await helperOf(w);
  await waitFor(
    'the watch to see signals',
    () => {
      const seen = (pid: number) => w.lines.some((l) => l.kind === 'signal' && l.pid === pid && l.signal === 'SIGCONT');
      for (const pid of pids) if (!seen(pid)) process.kill(pid, 'SIGCONT');
      return pids.every(seen);
    },
    15_000,
    100,
  );
}

function endingOf(summary: Line, pid: number): EndingLine {
  const e = summary.endings?.find((x) => x.pid === pid);
  if (!e) throw new Error(`no ending for ${pid} in ${JSON.stringify(summary)}`);
  return e;
}

const commOf = (pid: number): string => readFileSync(`/proc/${pid}/comm`, 'utf8').trim();

function start(cmd: string, args: string[]): ChildProcess {
  const c = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  tracker.track(c.pid!);
  return c;
}

/** The lines a child has written to stdout so far. */
function outputOf(c: ChildProcess): () => string[] {
  let text = '';
  c.stdout!.on('data', (d: Buffer) => (text += d.toString()));
  return () => text.split('\n').filter(Boolean);
}

const python = realPython();

/**
 * A login bash (argv[0] "-bash") on a pty of python's pty module, with a
 * plain job and a nohup job; it prints "BASH JOB NOHUP", closes the master
 * (the terminal's hangup) at the first line on its stdin, reaps bash and
 * prints "closed".
 */
const LOGIN = String.raw`
import os, pty, re, sys
pid, master = pty.fork()
if pid == 0:
    os.execvp("bash", ["-bash", "--norc", "--noprofile", "-i"])
buf = b""
def read_until(pattern):
    global buf
    while True:
        m = re.search(pattern, buf)
        if m:
            buf = buf[m.end():]
            return int(m.group(1))
        buf += os.read(master, 4096)
os.write(master, b"sleep 300 & echo JOB=$((0+$!))\n")
job = read_until(rb"JOB=(\d+)\r?\n")
os.write(master, b"nohup sleep 300 >/dev/null 2>&1 & echo NOHUP=$((0+$!))\n")
nohup = read_until(rb"NOHUP=(\d+)\r?\n")
print(pid, job, nohup, flush=True)
sys.stdin.readline()
os.close(master)
os.waitpid(pid, 0)
print("closed", flush=True)
sys.stdin.readline()
`;

/** The orphaned group (POSIX): C leads a session, D a group, E stops itself, then D exits and orphans {E}. */
const ORPHAN = String.raw`
import os, signal, time
if os.fork() == 0:
    os.setsid()
    d = os.fork()
    if d == 0:
        os.setpgid(0, 0)
        e = os.fork()
        if e == 0:
            os.kill(os.getpid(), signal.SIGSTOP)
            time.sleep(30)
            os._exit(0)
        while open(f"/proc/{e}/stat").read().rsplit(")", 1)[1].split()[0] != "T":
            time.sleep(0.01)
        os._exit(0)
    os.waitpid(d, 0)
    os._exit(0)
os.wait()
`;

afterAll(async () => {
  await tracker.killAll();
  for (const cg of cgroups) if (existsSync(cg)) rmdirSync(cg);
  // The host is left as it was: no instance of any of our watches, no cgroup.
  for (const pid of helpers)
    expect(existsSync(path.join(INSTANCES, `dc-watch-${pid}`)), `instance of ${pid}`).toBe(false);
  for (const cg of cgroups) expect(existsSync(cg), cg).toBe(false);
});

describe.skipIf(!root || !python)('daemon-check watch: every ending, for real (root)', () => {
  /** The login of LOGIN: bash, its two jobs, the python that holds the master, and how to hang the pty up. */
  async function login() {
    const proc = start(python!, ['-c', LOGIN]);
    const out = outputOf(proc);
    const [bash, job, nohup] = (await waitFor('the login and its jobs', () => out()[0]))
      .split(' ')
      .map((n) => tracker.track(Number(n)));
    const hangup = async () => {
      proc.stdin!.write('\n');
      await waitFor('the pty closed', () => out().includes('closed'));
    };
    return { bash: bash!, job: job!, nohup: nohup!, closer: { pid: proc.pid!, comm: commOf(proc.pid!) }, hangup, proc };
  }

  it("a pty's hangup: the plain job dies of bash's forwarded SIGHUP, the nohup job ignores it and lives on", async () => {
    const { bash, job, nohup, closer, hangup, proc } = await login();
    const w = watch(['--for', '4', String(bash), String(job), String(nohup)]);
    await started(w, [bash, job, nohup]);
    await hangup();
    const { code, summary } = await w.done;
    expect(code, w.stderr()).toBe(0);
    // The connector is host-wide: a busy host may make it drop events, which are counted, never passed over.
    expect(summary).toMatchObject({ mechanism: 'tracefs', lost: expect.any(Number), reason: 'timeout' });
    expect(endingOf(summary, job)).toMatchObject({
      comm: 'sleep',
      ended: 'signal',
      signal: 'SIGHUP',
      status: null,
      waitStatus: 1,
      sender: { pid: bash, comm: 'bash' },
      code: 'SI_USER',
      cause: 'shell-forwarded-hangup',
      story: `killed by SIGHUP from bash (${bash}), which forwarded the terminal's hangup`,
    });
    // bash caught the kernel's SIGHUP (its terminal hung up as python closed the master), forwarded it, raised it again.
    expect(endingOf(summary, bash)).toMatchObject({
      ended: 'signal',
      signal: 'SIGHUP',
      sender: closer,
      code: 'SI_KERNEL',
      cause: 'terminal-hangup',
    });
    expect(endingOf(summary, nohup)).toMatchObject({
      comm: 'sleep',
      ended: 'alive',
      signal: null,
      sender: null,
      survived: { cause: 'shell-forwarded-hangup', signal: 'SIGHUP' },
      story: `still running when --for ran out; it ignored SIGHUP from bash (${bash}), which forwarded the terminal's hangup`,
    });
    expect(w.lines).toContainEqual(
      expect.objectContaining({
        kind: 'signal',
        pid: nohup,
        signal: 'SIGHUP',
        result: 'ignored',
        sender: { pid: bash, comm: 'bash' },
      }),
    );
    expect(alive(nohup)).toBe(true);
    proc.stdin!.end('\n');
  });

  it("the job alone watched: its shell's hangup is reported as context, and the story names it", async () => {
    const { bash, job, hangup, proc } = await login();
    const w = watch(['--for', '20', String(job)]);
    await started(w, [job]);
    await hangup();
    const { code, summary } = await w.done;
    expect(code, w.stderr()).toBe(0);
    expect(summary.endings).toEqual([
      expect.objectContaining({
        pid: job,
        cause: 'shell-forwarded-hangup',
        sender: { pid: bash, comm: 'bash' },
        story: `killed by SIGHUP from bash (${bash}), which forwarded the terminal's hangup`,
      }),
    ]);
    expect(w.lines).toContainEqual(
      expect.objectContaining({ kind: 'signal', pid: bash, signal: 'SIGHUP', codeName: 'SI_KERNEL', context: true }),
    );
    proc.stdin!.end('\n');
  });

  it('the orphaned process group: SIGHUP and SIGCONT from the kernel to the stopped member', async () => {
    const w = watch(['--for', '20', '--', python!, '-c', ORPHAN]);
    await helperOf(w);
    const { code, summary } = await w.done;
    expect(code, w.stderr()).toBe(0);
    const stopped = summary.endings!.find((e) => e.ended === 'signal')!;
    expect(stopped).toMatchObject({
      signal: 'SIGHUP',
      status: null,
      waitStatus: 1,
      code: 'SI_KERNEL',
      cause: 'orphaned-group',
    });
    // The sender is D, the group's parent whose exit orphaned it: it forked E and exited 0.
    const d = stopped.sender!;
    expect(w.lines).toContainEqual(expect.objectContaining({ kind: 'fork', pid: d.pid, child: stopped.pid }));
    expect(endingOf(summary, d.pid)).toMatchObject({ ended: 'exit', status: 0, cause: 'exit', comm: d.comm });
    expect(w.lines).toContainEqual(
      expect.objectContaining({ kind: 'signal', pid: stopped.pid, signal: 'SIGCONT', codeName: 'SI_KERNEL' }),
    );
    expect(stopped.story).toMatch(/its process group was orphaned with a stopped member, as .* \(\d+\) exited/);
  });

  it('kill -TERM from a process named kill, and kill -KILL from bash', async () => {
    const term = start('sleep', ['300']);
    const nine = start('sleep', ['300']);
    const w = watch(['--for', '20', String(term.pid), String(nine.pid)]);
    await started(w, [term.pid!, nine.pid!]);
    const kill = start('/bin/kill', ['-TERM', String(term.pid)]);
    const bash = start('bash', ['-c', `kill -KILL ${nine.pid}; :`]);
    const { code, summary } = await w.done;
    expect(code, w.stderr()).toBe(0);
    expect(endingOf(summary, term.pid!)).toMatchObject({
      ended: 'signal',
      signal: 'SIGTERM',
      status: null,
      waitStatus: 15,
      sender: { pid: kill.pid, comm: 'kill' },
      code: 'SI_USER',
      cause: 'killed',
      story: `killed by SIGTERM from kill (${kill.pid}), sent with kill(2)`,
    });
    expect(endingOf(summary, nine.pid!)).toMatchObject({
      ended: 'signal',
      signal: 'SIGKILL',
      status: null,
      waitStatus: 9,
      sender: { pid: bash.pid, comm: 'bash' },
      code: 'SI_USER',
      cause: 'killed',
    });
  });

  it('exit 3, a real segfault and SIGPIPE from yes | head -1', async () => {
    const exit = watch(['--', 'sh', '-c', 'exit 3']);
    const crash = watch(['--', python!, '-c', 'import ctypes; ctypes.string_at(0)']);
    const pipe = watch(['--', 'bash', '-c', 'yes | head -1 >/dev/null; :']);
    await Promise.all([helperOf(exit), helperOf(crash), helperOf(pipe)]);
    const [x, c, p] = await Promise.all([exit.done, crash.done, pipe.done]);
    for (const [r, w] of [
      [x, exit],
      [c, crash],
      [p, pipe],
    ] as const)
      expect(r.code, w.stderr()).toBe(0);
    // status is the wait(2) status: exit 3 is 0x300.
    expect(x.summary.endings).toEqual([
      expect.objectContaining({
        comm: 'sh',
        ended: 'exit',
        status: 3,
        waitStatus: 0x300,
        signal: null,
        cause: 'exit',
        story: 'exited with status 3',
      }),
    ]);
    const [seg] = c.summary.endings!;
    expect(seg).toMatchObject({ ended: 'signal', signal: 'SIGSEGV', code: 'SEGV_MAPERR', cause: 'crash' });
    expect(seg!.sender).toEqual({ pid: seg!.pid, comm: seg!.comm });
    expect(seg!.story).toMatch(/^crashed: SIGSEGV \(SEGV_MAPERR: an address not mapped\), (no )?core dumped$/);
    const yes = p.summary.endings!.find((e) => e.comm === 'yes')!;
    expect(yes).toMatchObject({
      ended: 'signal',
      signal: 'SIGPIPE',
      status: null,
      waitStatus: 13,
      sender: { pid: yes.pid, comm: 'yes' },
      cause: 'broken-pipe',
    });
    expect(p.summary.endings!.find((e) => e.comm === 'head')).toMatchObject({ ended: 'exit', status: 0 });
  });

  it.skipIf(!existsSync(path.join(MEMORY_V1, 'memory.limit_in_bytes')))(
    'an OOM kill inside a v1 memory cgroup of 48 MiB: the OOM killer, the cgroup named',
    async () => {
      const name = `dc-wstory-${process.pid}`;
      const cg = path.join(MEMORY_V1, name);
      mkdirSync(cg);
      cgroups.push(cg);
      writeFileSync(path.join(cg, 'memory.limit_in_bytes'), String(48 * 1024 * 1024));
      // With swap, the limit of memory and swap together too, or the job swaps instead of being killed.
      const memsw = path.join(cg, 'memory.memsw.limit_in_bytes');
      if (existsSync(memsw)) writeFileSync(memsw, String(48 * 1024 * 1024));
      // The job joins the cgroup, then waits for the watch before it allocates.
      const job = start('sh', [
        '-c',
        `echo $$ > ${cg}/cgroup.procs && read go && exec ${python} -c 'a = bytearray(512 * 1024 * 1024)'`,
      ]);
      await waitFor(
        'the job in the cgroup',
        () => readFileSync(path.join(cg, 'cgroup.procs'), 'utf8').trim() === String(job.pid),
      );
      const w = watch(['--for', '30', String(job.pid)]);
      await started(w, [job.pid!]);
      job.stdin!.write('go\n');
      const { code, summary } = await w.done;
      expect(code, w.stderr()).toBe(0);
      const [e] = summary.endings!;
      expect(e).toMatchObject({
        ended: 'signal',
        signal: 'SIGKILL',
        status: null,
        waitStatus: 9,
        code: 'SI_KERNEL',
        cause: 'oom-killer',
      });
      // The kernel sends it in the context of the task that allocated: the victim itself here.
      expect(e!.sender).toEqual({ pid: e!.pid, comm: e!.comm });
      expect(e!.story).toContain(`killed by the OOM killer (SIGKILL from the kernel) in cgroup /${name}`);
      expect(w.lines).toContainEqual(expect.objectContaining({ kind: 'oom', pid: e!.pid }));
      rmdirSync(cg);
      expect(existsSync(cg)).toBe(false);
    },
  );
});

describe.skipIf(!root)('daemon-check watch: bad input, one line and the documented exit code', () => {
  const oneLine = (stderr: string) => {
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/^daemon-check: /);
  };

  it('an unknown pid: exit 3', async () => {
    const pidMax = Number(readFileSync('/proc/sys/kernel/pid_max', 'utf8'));
    let pid = pidMax - 1;
    while (existsSync(`/proc/${pid}`)) pid--;
    const r = await runCli(['watch', String(pid)]);
    expect(r.code).toBe(3);
    oneLine(r.stderr);
    expect(r.stderr).toContain(String(pid));
    expect(r.stdout).toBe('');
  });

  it('a pid that has ended (a zombie) is refused by the CLI, and by the helper as ended while the watch starts', async () => {
    const parent = start(python!, [
      '-c',
      'import os, sys\np = os.fork()\nif p == 0: os._exit(0)\nprint(p, flush=True)\nsys.stdin.readline()',
    ]);
    const out = outputOf(parent);
    const zombie = Number(await waitFor('the zombie', () => out()[0]));
    await waitFor('its end', () => readFileSync(`/proc/${zombie}/stat`, 'utf8').includes(') Z '));
    const r = await runCli(['watch', String(zombie)]);
    expect(r.code).toBe(3);
    oneLine(r.stderr);
    expect(r.stderr).toContain('has exited');
    // The helper itself (past the CLI's audit, as when the process ends between the two): stage watch-ended.
    const h = spawnSync(helperPath(), ['watch', '--json-errors', String(zombie)], {
      encoding: 'utf8',
      timeout: 10_000,
    });
    expect(h.status).not.toBe(0);
    expect(h.stdout + h.stderr).toContain('"stage":"watch-ended"');
    parent.stdin!.end('\n');
  });

  it('a pidfile without a process: exit 3, naming postmortem', async () => {
    const dir = tempDir('dc-wstory-');
    const file = path.join(dir, 'job.pid');
    const pidMax = Number(readFileSync('/proc/sys/kernel/pid_max', 'utf8'));
    let pid = pidMax - 2;
    while (existsSync(`/proc/${pid}`)) pid--;
    writeFileSync(file, `${pid}\n`);
    const r = await runCli(['watch', '--pidfile', file]);
    expect(r.code).toBe(3);
    oneLine(r.stderr);
    expect(r.stderr).toContain('postmortem');
  });

  it('--for garbage and a journal that cannot be written: exit 2, before anything starts', async () => {
    const garbage = await runCli(['watch', '--for', '5 minutes', String(process.pid)]);
    expect(garbage.code).toBe(2);
    oneLine(garbage.stderr);
    expect(garbage.stderr).toContain('--for');
    const journal = await runCli(['watch', '--journal', '/proc/self/no/such/journal', String(process.pid)]);
    expect(journal.code).toBe(2);
    oneLine(journal.stderr);
    expect(journal.stderr).toContain('--journal');
  });

  it('tracefs refused (as nobody): the watch falls back to a pidfd and says what root would add', async () => {
    const victim = spawn('setpriv', ['--reuid', '65534', '--regid', '65534', '--clear-groups', 'sleep', '300'], {
      stdio: 'ignore',
    });
    tracker.track(victim.pid!);
    await waitFor('sleep as nobody', () => commOf(victim.pid!) === 'sleep');
    const r = await runCli(['watch', '--for', '1', String(victim.pid)], { uid: 65534, gid: 65534 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('with a pidfd (only the time of death)');
    expect(r.stdout).toContain('not root: only the time of death is known; root adds every signal with its sender');
    expect(r.stdout).toContain('mechanism: pidfd');
    const json = await runCli(['watch', '--for', '1', '--format', 'json', String(victim.pid)], {
      uid: 65534,
      gid: 65534,
    });
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout.trim().split('\n').at(-1)!)).toMatchObject({ mechanism: 'pidfd', reason: 'timeout' });
  });
});
