/**
 * The host check of a whole vitest run (globalSetup). Before any test file
 * runs it notes the cgroup directories (every v1 and v2 hierarchy), the
 * tracefs instances and the ptys there are, and puts DAEMON_CHECK_TEST_RUN=<id>
 * in the environment every worker, and so every process a test starts,
 * inherits. After the run it fails the run (exit code 1, each item named on
 * stderr) when something is still there that was not before:
 * - a process carrying this run's marker (killed here, by pid), outside the
 *   vitest process's own tree (its workers may still be closing) and not
 *   their tooling (fromNodeModules);
 * - a cgroup directory or a tracefs instance;
 * - a pty, with the processes that hold it.
 * Tests that end what they make take a moment to do it, so the new items get
 * up to 10 s to go before they count. Items still in use by another test run
 * on the same host are passed over (itemLines).
 *
 * vitest logs an error thrown by a global teardown without failing the run,
 * so the teardown sets process.exitCode instead.
 */
import {
  allPids,
  ancestorsOf,
  carrying,
  cgroupDirs,
  cgroupProcs,
  killSame,
  processInfo,
  ptyNumbers,
  ptysHeld,
  RUN_MARKER,
  tracefsInstances,
  until,
  environOf,
  fromNodeModules,
  type ProcessInfo,
} from './host-state.js';

interface HostItems {
  cgroups: string[];
  tracefs: string[];
  ptys: string[];
}

const snapshot = (): HostItems => ({ cgroups: cgroupDirs(), tracefs: tracefsInstances(), ptys: ptyNumbers() });

function added(before: HostItems, now: HostItems): HostItems {
  const diff = (a: string[], b: string[]) => b.filter((x) => !a.includes(x));
  return {
    cgroups: diff(before.cgroups, now.cgroups),
    tracefs: diff(before.tracefs, now.tracefs),
    ptys: diff(before.ptys, now.ptys),
  };
}

/** "pid N (command)". */
function who(pid: number): string {
  return `pid ${pid} (${processInfo(pid)?.command ?? 'gone'})`;
}

/** The processes that hold each pty in PTYS ('3' for /dev/pts/3, by its terminal side or its master). */
function ptyHolders(ptys: string[]): Map<string, number[]> {
  const out = new Map<string, number[]>(ptys.map((n) => [n, []]));
  if (ptys.length === 0) return out;
  for (const pid of allPids()) {
    for (const held of ptysHeld(pid)) {
      const n = /(\d+)$/.exec(held)?.[1];
      if (n !== undefined && out.has(n) && !out.get(n)!.includes(pid)) out.get(n)!.push(pid);
    }
  }
  return out;
}

/**
 * One line for each item in NEW that this run may have left. An item in use
 * by processes none of which carries the run's marker is another run's, and
 * is passed over: a pty (always held by someone), a cgroup with processes in
 * it, the tracefs instance of a watch helper (dc-watch-<pid>) still running.
 * An empty cgroup, or an instance whose helper is gone, cannot be told apart.
 */
function itemLines(added: HostItems, ours: (pid: number) => boolean): string[] {
  const lines: string[] = [];
  for (const d of added.cgroups) {
    const procs = cgroupProcs(d);
    if (procs.length > 0 && !procs.some(ours)) continue;
    lines.push(`  cgroup: ${d}${procs.length ? ` holding ${procs.map(who).join(', ')}` : ''}`);
  }
  for (const t of added.tracefs) {
    const helper = Number(/dc-watch-(\d+)$/.exec(t)?.[1] ?? 0);
    if (helper > 0 && processInfo(helper) && !ours(helper)) continue;
    lines.push(`  tracefs instance: ${t}`);
  }
  for (const [n, pids] of ptyHolders(added.ptys)) {
    if (pids.some(ours)) lines.push(`  pty: /dev/pts/${n} held by ${pids.map(who).join(', ')}`);
  }
  return lines;
}

/** The run's processes still there, outside vitest's own tree, killed by pid: one line each. */
async function leftoverProcesses(runEntry: string): Promise<string[]> {
  const gone = (p: ProcessInfo): boolean => {
    const now = processInfo(p.pid);
    return now?.start !== p.start || now.state === 'Z';
  };
  let left = carrying([runEntry])
    .map((c) => c.info)
    .filter((p) => p.pid !== process.pid && !ancestorsOf(p.pid).includes(process.pid) && !fromNodeModules(p.pid))
    .filter((p) => !gone(p));
  // One on its way out (esbuild's service while its worker closes: its exe link is gone already) gets 3 s.
  if (left.length > 0) await until(() => (left = left.filter((p) => !gone(p))).length === 0, 3000);
  const lines = left.map((p) => {
    const ptys = ptysHeld(p.pid);
    return `  process: pid ${p.pid} (parent ${p.ppid}): ${p.command}${ptys.length ? ` [holds ${ptys.join(', ')}]` : ''}`;
  });
  for (const p of left) killSame(p);
  await until(() => left.every(gone), 5000);
  return lines;
}

export default function setup(): () => Promise<void> {
  const runEntry = `${RUN_MARKER}=${process.pid}-${Math.floor(Math.random() * 1e12)}`;
  process.env[RUN_MARKER] = runEntry.slice(RUN_MARKER.length + 1);
  const before = snapshot();
  return async () => {
    const ours = (pid: number): boolean => environOf(pid).includes(runEntry);
    const procLines = await leftoverProcesses(runEntry);
    let lines: string[] = [];
    // Tests that end what they make can take a moment to finish doing it.
    await until(() => (lines = itemLines(added(before, snapshot()), ours)).length === 0, 10_000, 500);
    lines = [...procLines, ...lines];
    if (lines.length === 0) return;
    process.exitCode = 1;
    console.error(
      [
        'The test run left these on the host (none was there before it):',
        ...lines,
        'A test removes what it makes, even when it fails. An empty cgroup, or the tracefs instance of a watch helper that is gone, may be from another test run on this host at the same time.',
      ].join('\n'),
    );
  };
}
