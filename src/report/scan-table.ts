/** The scan's table: one row per background process, worst first. */
import Table from 'cli-table3';
import type { ScanResult } from '../scan.js';
import { makeChalk, paintStatus, paintVerdict, SYMBOLS } from './style.js';
import { safeDeep } from './sanitize.js';

function cut(s: string, n: number): string {
  return s.length <= n ? s : s.slice(0, Math.max(1, n - 1)) + '…';
}

export function renderScanTable(result: ScanResult, o: { color?: boolean; width?: number; who: string }): string {
  const r = safeDeep(result);
  const c = makeChalk(o.color);
  const width = Math.max(80, Math.min(o.width ?? 120, 200));
  const cmdW = Math.max(16, Math.floor((width - 70) * 0.45));
  const probW = Math.max(16, width - 70 - cmdW);
  const table = new Table({
    head: ['pid', 'user', 'command', 'started as', 'verdict', 'problems'],
    style: { head: [], border: [], compact: true },
    colWidths: [9, 10, cmdW, 15, 24, probW],
    chars: { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' },
  });
  for (const p of r.processes) {
    const cmd = p.cmdline && p.cmdline.length ? p.cmdline.join(' ') : p.comm;
    const problems = p.problems.map((x) => `${SYMBOLS[x.status]}${x.id}`).join(' ');
    table.push([
      String(p.pid),
      cut(p.user ?? String(p.uid ?? '?'), 8),
      cut(cmd, cmdW - 2),
      p.startedAs.kind,
      paintVerdict(c, p.verdict),
      paintStatus(c, p.problems[0]?.status ?? 'pass', cut(problems || '-', probW - 2)),
    ]);
  }
  const counts = new Map<string, number>();
  for (const p of r.processes) counts.set(p.verdict, (counts.get(p.verdict) ?? 0) + 1);
  const s = r.skipped;
  const lines = [
    c.bold(`${r.processes.length} background processes of ${o.who}`) +
      ` (${[...counts].map(([v, n]) => `${n} ${v}`).join(', ') || 'none'})`,
    table.toString(),
    c.dim(`Not listed: ${s.kernelThreads} kernel threads, ${s.foreground} in a terminal's foreground, ${s.zombies} zombies${s.otherUsers ? `, ${s.otherUsers} of other users (--all lists them)` : ''}${s.vanished ? `, ${s.vanished} exited while read` : ''}.`),
  ];
  if (r.hidepid) lines.push(c.yellow(`/proc is mounted with ${r.hidepid}: other users' processes are hidden from this user.`));
  // Counted from the fate model, not the verdict: a daemon in a login's scope dies at logout too.
  const fragile = r.processes.filter((p) => p.fate.hangup.outcome === 'dies' || p.fate['shell-exit'].outcome === 'dies' || p.fate.logout.outcome === 'dies').length;
  if (fragile) lines.push(`${fragile} of them will not survive the end of their login (a hangup, the shell's exit, or logind); 'daemon-check <pid>' says why and how to start each one properly.`);
  return lines.join('\n') + '\n';
}
