/** Picks a renderer; each is imported only when used. */
import type { FailOn } from '../verdict.js';
import { isTerminal } from './output.js';
import type { Report } from '../audit-types.js';

export interface RenderOptions {
  many: boolean;
  /** --color / --no-color; undefined: decided from NO_COLOR, FORCE_COLOR and the terminal. */
  color: boolean | undefined;
  failOn: FailOn;
  ascii?: boolean;
  /** The table's first screen only (--brief). */
  brief?: boolean;
}

/** How a terminal renderer draws: colour, width (null: not a terminal, no wrapping), box characters. */
export async function terminalStyle(
  color: boolean | undefined,
  ascii: boolean | undefined,
): Promise<{ color: boolean; width: number | null; ascii: boolean }> {
  const { colorEnabled, unicodeOk } = await import('../report/style.js');
  const { terminalWidth } = await import('../report/layout.js');
  const tty = isTerminal(1);
  // Ask the stream for its width only on a terminal: creating process.stdout costs time.
  const width = terminalWidth(tty, tty ? process.stdout.columns : undefined, process.env);
  return { color: colorEnabled(color, process.env, tty), width, ascii: !unicodeOk(ascii, process.env) };
}

export async function renderReports(
  reports: Report[],
  format: 'table' | 'json' | 'junit' | 'tap',
  o: RenderOptions,
): Promise<string> {
  switch (format) {
    case 'json': {
      const { renderJson } = await import('../report/json.js');
      return o.many ? renderJson(reports) : renderJson(reports[0]!);
    }
    case 'junit': {
      const { renderJunit } = await import('../report/junit.js');
      return renderJunit(reports, o.failOn);
    }
    case 'tap': {
      const { renderTap } = await import('../report/tap.js');
      return renderTap(reports, o.failOn);
    }
    default: {
      const { renderTable } = await import('../report/table.js');
      const style = await terminalStyle(o.color, o.ascii);
      return reports.map((r) => renderTable(r, { ...style, brief: o.brief })).join('\n');
    }
  }
}
