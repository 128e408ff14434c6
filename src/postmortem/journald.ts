/**
 * logind's side of a logout, as `journalctl -o json` prints it (pure: the
 * reader runs journalctl). One JSON object a line; MESSAGE is a string, or an
 * array of bytes when it is not valid UTF-8 (journalctl(1), "json"). The
 * messages are logind's and systemd's own (src/login/logind-session.c,
 * src/core/unit.c): "Session 3 logged out. Waiting for processes to exit.",
 * "Removed session 3.", "Stopping session-3.scope - Session 3 of User x...",
 * "session-3.scope: Deactivated successfully.".
 */

export interface LogindEvent {
  kind: 'logged-out' | 'removed' | 'scope-stopping' | 'scope-stopped';
  session: string;
  /** Epoch seconds. */
  at: number;
  message: string;
}

function messageOf(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (Array.isArray(v) && v.every((b) => typeof b === 'number')) return Buffer.from(v as number[]).toString('utf8');
  return null;
}

const PATTERNS: ReadonlyArray<[LogindEvent['kind'], RegExp]> = [
  ['logged-out', /^Session (\S+) logged out\./],
  ['removed', /^Removed session (\S+)\./],
  ['scope-stopping', /^Stopping session-(\S+)\.scope\b/],
  ['scope-stopped', /^(?:Stopped session-(\S+)\.scope\b|session-(\S+)\.scope: Deactivated successfully)/],
];

export function parseJournalctlJson(text: string): LogindEvent[] {
  const out: LogindEvent[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let o: Record<string, unknown>;
    try {
      o = JSON.parse(line) as Record<string, unknown>;
    } catch {
      continue;
    }
    const message = messageOf(o.MESSAGE);
    const usec = Number(o.__REALTIME_TIMESTAMP);
    if (message === null || !Number.isFinite(usec)) continue;
    for (const [kind, re] of PATTERNS) {
      const m = re.exec(message);
      if (m) {
        out.push({ kind, session: (m[1] ?? m[2])!, at: usec / 1e6, message });
        break;
      }
    }
  }
  return out;
}
