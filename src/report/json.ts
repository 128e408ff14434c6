/** JSON output (docs/interface.md, schemaVersion 1): one report, or {schemaVersion, reports} for --name. */
import type { Report } from '../audit-types.js';

export function renderJson(reports: Report | Report[]): string {
  if (Array.isArray(reports)) return JSON.stringify({ schemaVersion: 1, reports }, null, 2) + '\n';
  return JSON.stringify(reports, null, 2) + '\n';
}
