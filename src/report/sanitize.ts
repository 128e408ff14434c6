/**
 * Text from /proc (comm, argv, link targets) can carry terminal escapes:
 * `\e]0;...\a` retitles a window, `\e[2J` clears the screen. Anything shown
 * on a terminal goes through here first; JSON output escapes by itself.
 */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

export function safeText(s: string): string {
  return s.replace(CONTROL, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\t') return '\\t';
    return `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
  });
}

/** A deep copy with every string made safe for a terminal. */
export function safeDeep<T>(value: T): T {
  if (typeof value === 'string') return safeText(value) as T;
  if (Array.isArray(value)) return value.map((v) => safeDeep(v)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = safeDeep(v);
    return out as T;
  }
  return value;
}
