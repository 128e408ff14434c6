/** Picks a renderer; each is imported only when used. */
import type { FailOn } from '../verdict.js';
import { isTerminal } from './output.js';
import type { Report } from '../types.js';

export interface RenderOptions {
  many: boolean;
  color: boolean;
  failOn: FailOn;
}

export async function renderReports(reports: Report[], format: 'table' | 'json' | 'junit' | 'tap', o: RenderOptions): Promise<string> {
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
      // Ask the stream for its width only on a terminal: creating process.stdout costs time.
      const width = isTerminal(1) ? process.stdout.columns : 100;
      return reports.map((r) => renderTable(r, { color: o.color, width })).join('\n');
    }
  }
}
