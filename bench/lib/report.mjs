// The printed report: machine and method on top, one table line per entry,
// then the notes and the cleanup check.
import { fmtGoal, fmtInt, fmtRatio, fmtValue } from './results.mjs';

function table(rows, align) {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => String(r[c]).length)));
  const line = (r) =>
    r
      .map((cell, c) => (align[c] === 'r' ? String(cell).padStart(widths[c]) : String(cell).padEnd(widths[c])))
      .join('  ')
      .trimEnd();
  return [line(rows[0]), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

function header(report) {
  const m = report.machine;
  const r = report.run;
  const plural = (n, w) => `${n} ${w}${n === 1 ? '' : 's'}`;
  const out = [
    `daemon-check bench: ${m.cores} cores (${m.cpu}), kernel ${m.kernel}, node ${m.node}, ${m.memGiB.toFixed(1)} GiB RAM`,
    `load ${m.loadavg} at start, ${report.after.loadavg} at the end; ${fmtInt(report.before.processes)} processes and ${plural(report.before.zombies, 'zombie')} at start`,
  ];
  if (report.tools.length) out.push(`packages: ${report.tools.join(', ')}`);
  for (const [name, value] of Object.entries(report.env.removed)) {
    out.push(
      `${name} is unset for every command the bench runs, both sides of every ratio${value ? ` (here it was ${value})` : ' (it was not set)'}`,
    );
  }
  if (report.env.kept.length) out.push(`note: kept in the environment: ${report.env.kept.join(' ')}`);
  out.push(
    `method: medians of ${r.runs} runs per side, alternating A, B, A, B, ... after ${plural(r.warmup, 'warm-up round')}; ` +
      `time = wall time of spawnSync, memory = ru_maxrss${r.quick ? '; --quick: small counts, a smoke test only' : ''}`,
  );
  out.push(
    `commands: node -e 0; daemon-check = node bin/daemon-check.js PID --json | scan --all --json; ps -eo pid,ppid,pgid,sid,tty,tpgid,stat,user,args; lsof -n -P`,
  );
  for (const n of report.notes) out.push(`note: ${n}`);
  return out;
}

function row(e) {
  if (e.skipped || e.error) return [e.id, e.title, '', '', '', '', e.skipped ? 'SKIP' : 'ERROR'];
  const result = (e.pass === null ? 'info' : e.pass ? 'PASS' : 'MISS') + (e.busy ? '*' : '');
  return [
    e.id,
    e.title,
    e.a ? fmtValue(e.a.median, e.unit) : '—',
    fmtValue(e.b.median, e.unit),
    fmtRatio(e.ratio),
    fmtGoal(e.goal, e.unit),
    result,
  ];
}

/** What A and B are, and the spread of their samples. */
function sides(e) {
  const spread = (s) =>
    Number.isFinite(s.min) ? ` (${fmtValue(s.min, e.unit)}–${fmtValue(s.max, e.unit)}, n ${s.n})` : '';
  return e.a ? [`A: ${e.a.label}${spread(e.a)}; B: ${e.b.label}${spread(e.b)}`] : [`B: ${e.b.label}${spread(e.b)}`];
}

function cleanupLine(report) {
  const a = report.after;
  const some = a.leftovers
    .slice(0, 5)
    .map((l) => `${l.pid} (${l.args})`)
    .join(', ');
  const left = a.leftovers.length
    ? `${a.leftovers.length} LEFT RUNNING: ${some}${a.leftovers.length > 5 ? ', ...' : ''}`
    : 'nothing the bench started is left';
  const ours = a.newZombies.filter((z) => z.ours).map((z) => z.pid);
  const others = a.newZombies.length - ours.length;
  const z =
    (ours.length ? `; ZOMBIES LEFT TO PID 1: ${ours.join(', ')}` : '; no zombie left to PID 1') +
    (others ? ` (${others} new zombie${others === 1 ? '' : 's'} of PID 1 from other activity on the machine)` : '');
  return `cleanup: ${left}${z}; processes ${fmtInt(report.before.processes)} before, ${fmtInt(a.processes)} after`;
}

export function render(report) {
  const out = header(report);
  out.push('');
  const rows = [['#', 'what (B vs A)', 'A', 'B', 'B/A', 'goal', 'result'], ...report.entries.map(row)];
  out.push(table(rows, ['r', 'l', 'r', 'r', 'r', 'l', 'l']));
  if (report.entries.some((e) => e.busy)) {
    out.push(`* other processes used more than ${report.run.busy * 100}% of the CPUs while it ran: not reliable`);
  }
  out.push('');
  out.push('notes');
  for (const e of report.entries) {
    const lines = e.skipped ? [`skipped: ${e.skipped}`] : e.error ? [`error: ${e.error}`] : e.notes;
    if (!e.skipped && !e.error)
      lines.unshift(
        ...sides(e),
        `other processes used ${(e.others * 100).toFixed(1)}% of the CPUs meanwhile${e.busy ? ' (busy)' : ''}`,
      );
    out.push(`${String(e.id).padStart(2)}  ${lines[0]}`);
    for (const l of lines.slice(1)) out.push(`    ${l}`);
  }
  out.push('');
  const scored = report.entries.filter((e) => e.pass === true || e.pass === false);
  out.push(
    `summary: ${scored.filter((e) => e.pass).length} of ${scored.length} goals met` +
      (report.missed.length ? `; missed: ${report.missed.join(', ')}` : '') +
      (report.failed.length ? `; harness errors in: ${report.failed.join(', ')}` : ''),
  );
  out.push(cleanupLine(report));
  out.push(`took ${report.seconds.toFixed(0)} s`);
  return out.join('\n');
}
