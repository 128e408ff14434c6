/** "did you mean scan?": the command a mistyped word was probably meant to be. */

const COMMANDS = ['scan', 'run', 'explain', 'capture', 'unit', 'tree', 'postmortem'];

/** Edit distance, for "did you mean": small words only. */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++)
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
  }
  return d[a.length]![b.length]!;
}

/** A word where a pid goes that is close to a command name is a mistyped command. */
export function mistypedCommand(word: string): string | null {
  if (/^-?\d+$/.test(word.trim()) || word.length > 12) return null;
  const best = COMMANDS.map((c) => ({ c, d: distance(word.toLowerCase(), c) })).sort((x, y) => x.d - y.d)[0]!;
  return word.length >= 3 && best.d <= 2 ? best.c : null;
}
