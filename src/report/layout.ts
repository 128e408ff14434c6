/**
 * Fitting text to a terminal: the visible width of a string (terminal escapes
 * take none), and prose wrapped at word boundaries with a hanging indent, so
 * no line runs past the edge and no word is split by the terminal. Piped
 * output (width null) is never wrapped.
 */
const ANSI = /\u001b\[[0-9;]*m/g;

export function visibleLength(s: string): number {
  return [...s.replace(ANSI, '')].length;
}

/**
 * `first` starts the first line (a bullet, a label), `indent` the others.
 * A word longer than a line is cut where it must be, the only split allowed.
 */
export function wrap(text: string, width: number | null, first = '', indent = ''): string[] {
  if (width === null) return [first + text];
  const room = (prefix: string) => Math.max(10, width - visibleLength(prefix));
  const lines: string[] = [];
  let line = '';
  let prefix = first;
  const flush = () => {
    lines.push(prefix + line);
    prefix = indent;
    line = '';
  };
  for (const word of text.split(/ +/)) {
    if (word === '') continue;
    if (line && visibleLength(line) + 1 + visibleLength(word) > room(prefix)) flush();
    let w = word;
    // A word longer than a whole line: cut it where it must be.
    while (!line && visibleLength(w) > room(prefix)) {
      const n = room(prefix);
      lines.push(prefix + w.slice(0, n));
      prefix = indent;
      w = w.slice(n);
    }
    line = line ? `${line} ${w}` : w;
  }
  if (line || lines.length === 0) flush();
  return lines;
}

/** The width to fit: the terminal's columns, else $COLUMNS, else 80; null when output is not a terminal. */
export function terminalWidth(isTty: boolean, columns: number | undefined, env: NodeJS.ProcessEnv): number | null {
  if (!isTty) return null;
  if (columns && columns > 0) return columns;
  const c = Number(env.COLUMNS);
  return Number.isInteger(c) && c > 0 ? c : 80;
}
