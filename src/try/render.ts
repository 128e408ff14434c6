/**
 * The table of `daemon-check try`: per ending, each process with its
 * prediction beside what was observed; a disagreement is marked `!!` and
 * said in words; the answer last. Pure.
 */
import type { TryEnding, TryEndingResult, TryProcess, TryResult } from './types.js';

const HOW: Record<TryEnding, string> = {
  hangup: 'hangup: the pty master closed (the terminal hung up, as when an SSH connection drops)',
  exit: 'exit: `exit` typed in the login shell',
};

function cut(text: string, width: number): string {
  return text.length <= width ? text.padEnd(width) : `${text.slice(0, width - 1)}…`;
}

function processLines(p: TryProcess): string[] {
  const command = p.argv.length ? p.argv.join(' ') : p.comm;
  const mark = p.agrees ? '  ' : p.predicted === 'unknown' ? ' ?' : '!!';
  const observed = p.observed === 'survived' ? 'survived' : `died${p.signal ? ` (${p.signal})` : ''}`;
  const lines = [
    `${mark} ${String(p.pid).padEnd(8)}${cut(command, 34)} ${cut(p.startedAs?.kind ?? '-', 18)} ${cut(p.predicted, 9)} ${observed}`,
  ];
  if (p.observed === 'died') lines.push(`             ${p.story}`);
  if (!p.agrees && p.predicted !== 'unknown')
    lines.push(
      `             predicted ${p.predicted === 'dies' ? 'it dies' : 'it lives'} (${p.predictedWhy}${p.predictedUnless ? `; unless ${p.predictedUnless}` : ''}), but it ${p.observed}`,
    );
  return lines;
}

function endingLines(e: TryEnding, r: TryEndingResult): string[] {
  const out = [HOW[e]];
  if (r.skipped) return [...out, `   not tried: ${r.skipped}`, ''];
  if (r.foreground)
    out.push('   the line was left in the foreground (it never gave the prompt back); the login was ended anyway');
  if (r.processes.length === 0) out.push('   no process of the line was running when the login ended');
  else {
    out.push(`   ${'PID'.padEnd(8)}${'COMMAND'.padEnd(35)}${'STARTED AS'.padEnd(19)}${'PREDICTED'.padEnd(10)}OBSERVED`);
    for (const p of r.processes) out.push(...processLines(p));
  }
  for (const n of r.notFollowed) out.push(`   not followed: ${n.what}: ${n.why}`);
  if (r.found.note) out.push(`   note: ${r.found.note}`);
  if (r.watched.note) out.push(`   note: ${r.watched.note}`);
  if (r.kept.length) out.push(`   kept running (--keep): ${r.kept.join(' ')}`);
  return [...out, ''];
}

export function renderTry(r: TryResult): string {
  const lines = [
    `daemon-check try: ${JSON.stringify(r.line)} in a login of ${r.shell} as ${r.user}${r.rc ? '' : ' (no rc files)'}`,
    '',
  ];
  for (const [e, res] of Object.entries(r.endings) as Array<[TryEnding, TryEndingResult]>)
    lines.push(...endingLines(e, res));
  const disagreements = Object.values(r.endings)
    .flatMap((x) => x.processes)
    .filter((p) => !p.agrees && p.predicted !== 'unknown').length;
  if (disagreements)
    lines.push(
      `!! ${disagreements} prediction${disagreements > 1 ? 's' : ''} of the fate model disagreed with what happened`,
    );
  lines.push(r.answer);
  return `${lines.join('\n')}\n`;
}
