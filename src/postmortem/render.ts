/**
 * The table form of a postmortem: the answer first (which process, the cause
 * in words), then the evidence, most probable first, each with its source
 * and time, then what cannot be known and which sources were asked.
 */
import { wrap } from '../report/layout.js';
import { makeChalk } from '../report/style.js';
import { safeDeep } from '../report/sanitize.js';
import type { Postmortem } from './types.js';

export interface PostmortemStyle {
  color: boolean;
  /** Null: not a terminal, no wrapping. */
  width: number | null;
}

export function renderPostmortem(raw: Postmortem, style: PostmortemStyle): string {
  const p = safeDeep(raw);
  const c = makeChalk(style.color);
  const w = style.width;
  const who =
    p.pid !== null ? `pid ${p.pid}${p.comm ? ` (${p.comm})` : ''}` : `no process named '${p.comm ?? ''}' was found`;
  const out: string[] = [c.bold(`${who}: ${p.cause}`), ...wrap(p.story, w, '  ', '  ')];
  if (p.others.length > 0)
    out.push(`  other pids of that name ended too: ${p.others.join(', ')} (daemon-check postmortem PID for each)`);
  out.push('', c.bold('Evidence, most probable first:'));
  if (p.evidence.length === 0) out.push('  none');
  for (const e of p.evidence) {
    const mark = e.suggests
      ? ` -> ${e.suggests}${e.strength === 'around-the-time' ? ' (around the time only)' : ''}`
      : '';
    out.push(...wrap(`${e.source}${mark}, ${e.at ?? 'time unknown'}: ${e.meaning}`, w, '  - ', '    '));
    out.push(...wrap(c.dim(`${e.from}: ${e.line}`), w, '    ', '    '));
  }
  if (p.unknowns.length > 0) {
    out.push('', c.bold('What cannot be known here:'));
    for (const u of p.unknowns) out.push(...wrap(u, w, '  - ', '    '));
  }
  out.push('', c.bold('Sources:'));
  for (const s of p.sources) out.push(...wrap(`${s.source}: ${s.status}: ${s.detail}`, w, '  ', '    '));
  return out.join('\n') + '\n';
}
