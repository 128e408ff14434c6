/**
 * Output into a pipe whose reader goes away (`daemon-check --help | head -1`)
 * ends quietly with the command's own exit code: no unhandled EPIPE, no stack
 * trace. Two shapes of pipe, both real shell pipelines:
 * - `... | head -1`: head exits after the first line, while the CLI may still
 *   be writing (it must be, for an output longer than the pipe's 64 KiB);
 * - a FIFO whose only reader is closed before the CLI starts, so its very
 *   first write fails with EPIPE, whatever the timing.
 */
import { spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN } from '../helpers/cli.js';
import { Tracker } from '../helpers/procs.js';

const tracker = new Tracker();
afterAll(() => tracker.killAll());

interface PipeResult {
  /** The CLI's exit code (not the pipeline's, which is head's). */
  code: number | null;
  /** What the reader printed. */
  stdout: string;
  stderr: string;
}

/**
 * Runs SCRIPT under sh with "$@" = node, the CLI and ARGS; the script runs
 * "$@" with its stdout into some pipe and then prints `exit N` on stderr.
 */
function runPiped(script: string, args: string[]): Promise<PipeResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', script, 'sh', process.execPath, BIN, ...args], {
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    tracker.track(child.pid!);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', () => {
      const m = /^exit (\d+)$/m.exec(stderr);
      resolve({ code: m ? Number(m[1]) : null, stdout, stderr: stderr.replace(/^exit \d+\n/m, '') });
    });
  });
}

/** `CLI ARGS | head -1`. */
const intoHead = (args: string[]) => runPiped('{ "$@"; echo "exit $?" >&2; } | head -1', args);

/** CLI ARGS into a FIFO that has no reader left: its first write gets EPIPE. */
const intoClosedPipe = (args: string[]) =>
  runPiped(
    'd=$(mktemp -d) && mkfifo "$d/f" && exec 3<>"$d/f" 4>"$d/f" 3<&- && rm -r "$d" && ' +
      '{ "$@" >&4; echo "exit $?" >&2; }',
    args,
  );

function expectQuiet(r: PipeResult, code: number): void {
  expect(r.stderr).not.toMatch(/^ {4}at /m);
  expect(r.stderr).not.toMatch(/EPIPE|Unhandled/);
  expect(r.code).toBe(code);
}

/** Every command: the audit (no command name) and the six others. */
const COMMANDS: Array<[string, string[]]> = ['', 'explain', 'run', 'scan', 'capture', 'tree', 'unit'].map((c) => [
  c || '(the audit)',
  c ? [c] : [],
]);

describe('help into a pipe that closes early', () => {
  it.each(COMMANDS)('daemon-check %s --help | head -1', async (_name, cmd) => {
    const r = await intoHead([...cmd, '--help']);
    expectQuiet(r, 0);
    expect(r.stdout).toMatch(/^Usage: daemon-check /);
  });

  it.each(COMMANDS)('daemon-check %s --help into a pipe with no reader', async (_name, cmd) => {
    expectQuiet(await intoClosedPipe([...cmd, '--help']), 0);
  });
});

describe('reports into a pipe that closes early', () => {
  it("an audit of the test's own sleep: exit 1 (not a daemon), quietly", async () => {
    const child = spawn('sleep', ['300'], { stdio: 'ignore' });
    const pid = tracker.track(child.pid!);
    const r = await intoHead([String(pid)]);
    expectQuiet(r, 1);
    expect(r.stdout).toBe(`pid ${pid}  sleep 300\n`);
    expectQuiet(await intoClosedPipe([String(pid)]), 1);
    expectQuiet(await intoClosedPipe([String(pid), '--json']), 1);
    child.kill('SIGKILL');
  });

  it('a scan of every process, as a table and as JSON (longer than the pipe holds)', async () => {
    const table = await intoHead(['scan', '--all']);
    expectQuiet(table, 0);
    expect(table.stdout).toMatch(/background process/);
    const json = await intoHead(['scan', '--all', '--json']);
    expectQuiet(json, 0);
    expect(json.stdout).toMatch(/^\{/);
    expectQuiet(await intoClosedPipe(['scan', '--all', '--format', 'prometheus']), 0);
  });

  it('explain, the longest text the CLI prints without a process to read', async () => {
    const r = await intoHead(['explain']);
    expectQuiet(r, 0);
    expect(r.stdout).toMatch(/^no-controlling-tty {2}\(critical\)/);
    expectQuiet(await intoClosedPipe(['explain', '--json']), 0);
  });
});
