/** `daemon-check <pid> | --pidfile FILE | --name NAME`: parse, call the library, print, exit code. */
import { writeOut } from './output.js';
import { auditTargets, type AuditTarget } from '../api.js';
import type { Report } from '../audit-types.js';
import { exitCodeFor, fallsShort, type FailOn } from '../verdict.js';
import { CliError, printError } from './errors.js';
import { formatOf, parseSeconds, toAuditOptions, type CommonOptions } from './common.js';
import { renderReports } from './render.js';
import { mistypedCommand } from './suggest.js';

function targetOf(pid: string | undefined, opts: CommonOptions): AuditTarget {
  const mistyped = pid === undefined ? null : mistypedCommand(pid);
  if (mistyped) throw new CliError(`unknown command '${pid}'; did you mean ${mistyped}? (see 'daemon-check --help')`);
  // A pid with --pidfile audits that pid and checks the pidfile against it.
  const given = [pid !== undefined || opts.pidfile !== undefined, opts.name !== undefined].filter(Boolean).length;
  if (given === 0)
    throw new CliError(
      "nothing to audit: give a pid, --pidfile FILE or --name NAME (e.g. 'daemon-check 1234'; see --help)",
    );
  if (given > 1) throw new CliError('give a pid (or --pidfile FILE) or --name NAME, not both');
  if (pid !== undefined) return pid;
  if (opts.pidfile !== undefined) return { pidfile: opts.pidfile };
  return { name: opts.name! };
}

export async function runAudit(pid: string | undefined, opts: CommonOptions): Promise<number> {
  const target = targetOf(pid, opts);
  const format = formatOf(opts);
  if (opts.brief && format !== 'table')
    throw new CliError(`--brief shortens the table; it has no meaning with --format ${format}`);
  const auditOpts = toAuditOptions(opts);
  if (opts.wait !== undefined) auditOpts.wait = parseSeconds(opts.wait, '--wait');
  const reports = await auditTargets(target, auditOpts, { excludeSelf: true });
  const many = opts.name !== undefined;
  writeOut(
    await renderReports(reports, format, {
      many,
      color: opts.color,
      failOn: opts.failOn,
      ascii: opts.ascii,
      brief: opts.brief,
    }),
  );
  const code = exitCodeFor(reports, opts.failOn);
  if (code !== 0) printError(shortfallLine(reports, opts.failOn));
  return code;
}

function whyShort(r: Report, failOn: FailOn): string {
  const ids = (pred: (s: Report['checks'][number]) => boolean) =>
    r.checks
      .filter(pred)
      .map((c) => c.id)
      .join(', ');
  const who = `pid ${r.pid} (${r.comm})`;
  if (r.verdict === 'not-a-daemon')
    return `${who} is not a daemon: ${ids((c) => c.severity === 'critical' && c.status === 'fail')} failed`;
  if (r.requireFailed.length) return `${who}: required check(s) did not pass: ${r.requireFailed.join(', ')}`;
  if (r.verdict === 'inconclusive') {
    const root = r.auditorUid !== null && r.auditorUid !== 0 ? '; run as root to read it' : '';
    return `${who} is inconclusive: ${ids((c) => c.severity === 'critical' && c.status === 'unknown')} could not be read${root}`;
  }
  if (r.verdict === 'daemon-with-warnings' && failOn === 'warn')
    return `${who} has warnings (${ids((c) => c.status === 'warn')}) and --fail-on warn is set`;
  return `${who}: ${r.verdict}`;
}

/** The one stderr line that goes with exit 1 or 3: which process, and why. */
function shortfallLine(reports: Report[], failOn: FailOn): string {
  const short = reports.filter((r) => fallsShort(r, failOn) || r.verdict === 'inconclusive');
  if (reports.length === 1 || short.length === 1) return whyShort(short[0] ?? reports[0]!, failOn);
  return `${short.length} of ${reports.length} processes fall short: ${short.map((r) => `pid ${r.pid} (${r.verdict})`).join(', ')}`;
}
