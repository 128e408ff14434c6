/** JSON output (interface.md, schemaVersion 1). */
import type { Report } from '../types.js';

export function renderJson(reports: Report | Report[], wrap = false): string {
  if (Array.isArray(reports) || wrap) {
    const list = Array.isArray(reports) ? reports : [reports];
    return JSON.stringify({ schemaVersion: 1, reports: list }, null, 2) + '\n';
  }
  return JSON.stringify(reports, null, 2) + '\n';
}
