/**
 * The picture of a process's session: the session box (its leader and
 * controlling terminal), a box per process group with its members, the group
 * that owns the terminal's foreground marked, the audited process marked, and
 * the parent chain up to init or the supervisor. APUE's figure 9.7 of
 * sessions, process groups and the controlling terminal, drawn from /proc.
 */
import type { Report } from '../audit-types.js';
import type { ChalkInstance } from 'chalk';
import { visibleLength, wrap } from './layout.js';
import { makeChalk } from './style.js';

interface Glyphs {
  tl: string;
  tr: string;
  bl: string;
  br: string;
  h: string;
  v: string;
  arrow: string;
  mark: string;
  dot: string;
  more: string;
}

const UNICODE: Glyphs = {
  tl: '┌',
  tr: '┐',
  bl: '└',
  br: '┘',
  h: '─',
  v: '│',
  arrow: '→',
  mark: '◀',
  dot: '·',
  more: '…',
};
const ASCII: Glyphs = {
  tl: '+',
  tr: '+',
  bl: '+',
  br: '+',
  h: '-',
  v: '|',
  arrow: '->',
  mark: '<=',
  dot: '-',
  more: '...',
};

export interface TreeOptions {
  ascii: boolean;
  /** The widest a line may be (a terminal's columns); null: as wide as the content. */
  width: number | null;
  /** Colour: the audited process bold, the foreground group's title green. */
  color?: boolean;
}

function cut(s: string, n: number): string {
  return [...s].length <= n ? s : [...s].slice(0, Math.max(1, n - 3)).join('') + '...';
}

/** A box of `inner` width around `lines`, titled on its top edge. */
function box(
  g: Glyphs,
  title: string,
  lines: string[],
  inner: number,
  paint: (s: string) => string = (x) => x,
): string[] {
  const t = cut(title, inner - 2);
  const top = `${g.tl}${g.h} ${paint(t)} ${g.h.repeat(Math.max(0, inner - visibleLength(t) - 2))}${g.tr}`;
  const body = lines.map((l) => `${g.v} ${l}${' '.repeat(Math.max(0, inner - visibleLength(l)))}${g.v}`);
  return [top, ...body, `${g.bl}${g.h.repeat(inner + 1)}${g.br}`];
}

function groupTitle(r: Report, g: Glyphs, pgid: number): string {
  const s = r.facts.session;
  const role = pgid === s.foregroundGroup ? `foreground of ${s.tty}` : s.tty ? 'background' : 'no terminal';
  return `process group ${pgid} ${g.dot} ${role}`;
}

function memberLine(r: Report, g: Glyphs, m: { pid: number; comm: string }, inner: number, c?: ChalkInstance): string {
  const marks: string[] = [];
  if (m.pid === r.facts.session.sid) marks.push('session leader');
  if (m.pid === r.pid) marks.push(`${g.mark} audited`);
  if (m.pid === r.facts.session.auditor) marks.push('this daemon-check');
  const text = cut(`${m.comm} ${m.pid}${marks.length ? `  ${marks.join(', ')}` : ''}`, inner - 3);
  return c && m.pid === r.pid ? c.bold(text) : text;
}

/** The parent chain: init (or the supervisor) → ... → the process. */
export function parentChain(r: Report, g: Glyphs = UNICODE): string {
  const chain = [...r.facts.ancestry.map((a) => `${a.comm} ${a.pid}`), `${r.comm} ${r.pid}`];
  return `parents: ${chain.join(` ${g.arrow} `)}`;
}

export function renderSessionTree(r: Report, o: TreeOptions): string[] {
  const g = o.ascii ? ASCII : UNICODE;
  const c = makeChalk(o.color ?? false);
  const s = r.facts.session;
  const leader = s.leader ? `leader ${s.leader.comm} ${s.leader.pid}` : 'its leader has exited';
  const term = s.tty ? `controlling terminal ${s.tty}` : 'no controlling terminal';
  const title = `session ${s.sid} ${g.dot} ${leader} ${g.dot} ${term}`;
  const widest = Math.max(
    36,
    visibleLength(title) - 2,
    ...s.groups.flatMap((grp) => grp.members.map((m) => visibleLength(memberLine(r, g, m, 1000)) + 4)),
    ...s.groups.map((grp) => visibleLength(groupTitle(r, g, grp.pgid)) + 6),
  );
  // The outer box is 3 wider than its inner width, and must fit the terminal.
  const outer = Math.min(widest + 4, (o.width ?? 1000) - 3);
  const inner = outer - 4;
  const body: string[] = [];
  for (const grp of s.groups) {
    const lines = grp.members.map((m) => memberLine(r, g, m, inner, c));
    if (grp.moreMembers) lines.push(`${g.more} and ${grp.moreMembers} more`);
    body.push(
      ...box(g, groupTitle(r, g, grp.pgid), lines, inner, grp.pgid === s.foregroundGroup ? c.green : undefined),
    );
  }
  if (s.moreGroups) body.push(`${g.more} and ${s.moreGroups} more process groups`);
  const out = box(g, title, body, outer);
  if (s.tty)
    out.push(
      ...wrap(
        `${s.tty}: the controlling terminal of session ${s.sid}; its foreground process group is ${s.foregroundGroup ?? 'none'}`,
        o.width,
        '  ',
        '  ',
      ),
    );
  out.push(...wrap(parentChain(r, g).slice('parents: '.length), o.width, 'parents: ', '  '));
  return out;
}
