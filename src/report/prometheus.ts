/**
 * `scan --format prometheus`: a scan as metrics for node_exporter's textfile
 * collector (docs/scan.md, "Fleet: Prometheus").
 *
 * The format is the Prometheus text exposition format 0.0.4, not OpenMetrics.
 * The textfile collector parses *.prom files with the 0.0.4 parser (Debian's
 * prometheus-node-exporter 1.5.0, checked by test/live/prometheus.test.ts): it
 * rejects OpenMetrics-only syntax such as `# TYPE x info` (the whole file is
 * dropped and node_textfile_scrape_error becomes 1), and it reads `# EOF` only
 * as a comment. `promtool check metrics` (2.42) uses the same parser. So: no
 * `# EOF`, no info/unit/stateset types, no sample timestamps (the collector
 * refuses those too); an "info" series is a gauge whose value is 1.
 *
 * Pure: a ScanResult and its timing in, text out.
 */
import type { ScanResult, ScanRow } from '../scan.js';
import { verdictRank } from '../verdict.js';

/** The most daemon_check_process_info series one scan writes, unless told otherwise (--max-series). */
export const DEFAULT_MAX_SERIES = 100;

export interface ScanTiming {
  /** When the scan finished, in milliseconds since the epoch (Date.now()). */
  finishedAtMs: number;
  /** How long the scan took, in milliseconds. */
  durationMs: number;
}

export interface PrometheusOptions {
  /** At most this many daemon_check_process_info series (the worst first); DEFAULT_MAX_SERIES by default. */
  maxSeries?: number;
}

/**
 * Whether a row gets a daemon_check_process_info series: what an operator
 * alerts on. Its verdict is not-a-daemon (a nohup job, a shell's job) or
 * inconclusive (the evidence could not be read), or it will not survive an
 * event of a login session: a hangup, the exit of its shell, or logout.
 * `stop` and `crash` are left out: no unsupervised daemon outlives a crash,
 * so they would list every healthy double-forked daemon.
 */
export function fallsShortInScan(row: Pick<ScanRow, 'verdict' | 'fate'>): boolean {
  if (row.verdict === 'not-a-daemon' || row.verdict === 'inconclusive') return true;
  return (
    row.fate.hangup.outcome === 'dies' ||
    row.fate['shell-exit'].outcome === 'dies' ||
    row.fate.logout.outcome === 'dies'
  );
}

/**
 * A label value as the text format writes it: backslash, double quote and
 * line feed escaped (`\\`, `\"`, `\n`); everything else (tabs, carriage
 * returns, other control bytes, any Unicode) is valid inside the quotes as it
 * is. The text must be UTF-8: writing it with Buffer/fs as 'utf8' turns a lone
 * UTF-16 surrogate, the one thing a JS string holds that UTF-8 cannot, into
 * U+FFFD.
 */
export function escapeLabelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => (c === '\n' ? '\\n' : `\\${c}`));
}

type Labels = Array<[name: string, value: string]>;

function sample(name: string, labels: Labels, value: number | string): string {
  const body = labels.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(',');
  return `${name}${body ? `{${body}}` : ''} ${value}`;
}

function family(name: string, help: string, samples: string[]): string[] {
  return [`# HELP ${name} ${help}`, `# TYPE ${name} gauge`, ...samples];
}

/** One sample per (verdict, started_as) pair that has processes; pairs with none have no series. */
function countSamples(rows: readonly ScanRow[]): string[] {
  const counts = new Map<string, { verdict: ScanRow['verdict']; kind: string; n: number }>();
  for (const r of rows) {
    const key = `${r.verdict}\0${r.startedAs.kind}`;
    const c = counts.get(key) ?? { verdict: r.verdict, kind: r.startedAs.kind, n: 0 };
    c.n++;
    counts.set(key, c);
  }
  return [...counts.values()]
    .sort((a, b) => verdictRank(a.verdict) - verdictRank(b.verdict) || (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0))
    .map((c) =>
      sample(
        'daemon_check_processes',
        [
          ['verdict', c.verdict],
          ['started_as', c.kind],
        ],
        c.n,
      ),
    );
}

/** The user label: the name, else the uid, else empty (Prometheus reads an empty label as absent). */
function userLabel(r: ScanRow): string {
  return r.user ?? (r.uid === null ? '' : String(r.uid));
}

/** The rows that fall short, worst verdict first, then by pid (a stable choice from scan to scan when capped). */
export function shortfallRows(rows: readonly ScanRow[], maxSeries: number): { shown: ScanRow[]; truncated: boolean } {
  const all = rows
    .filter(fallsShortInScan)
    .sort((a, b) => verdictRank(a.verdict) - verdictRank(b.verdict) || a.pid - b.pid);
  return { shown: all.slice(0, maxSeries), truncated: all.length > maxSeries };
}

function infoSample(r: ScanRow): string {
  const labels: Labels = [
    ['pid', String(r.pid)],
    ['comm', r.comm],
    ['user', userLabel(r)],
    ['verdict', r.verdict],
    ['started_as', r.startedAs.kind],
  ];
  return sample('daemon_check_process_info', labels, 1);
}

/** Seconds with millisecond precision, as a plain decimal (no exponent). */
function seconds(ms: number): string {
  return (Math.max(0, ms) / 1000).toFixed(3);
}

/**
 * The exposition text, ending in a newline. The last line is always the
 * daemon_check_scan_duration_seconds sample, so a reader can tell a whole
 * file from a cut one.
 */
export function renderPrometheus(result: ScanResult, timing: ScanTiming, opts: PrometheusOptions = {}): string {
  const maxSeries = opts.maxSeries ?? DEFAULT_MAX_SERIES;
  if (!Number.isInteger(maxSeries) || maxSeries < 0)
    throw new RangeError(`maxSeries must be a whole number >= 0, not ${maxSeries}`);
  const { shown, truncated } = shortfallRows(result.processes, maxSeries);
  const lines = [
    ...family(
      'daemon_check_processes',
      'Background processes daemon-check listed, by verdict and by how they were started (startedAs.kind).',
      countSamples(result.processes),
    ),
    ...family(
      'daemon_check_process_info',
      `One series (value 1) per process that falls short: verdict not-a-daemon or inconclusive, or a hangup, its shell's exit or logout ends it. At most ${maxSeries}, the worst verdicts first.`,
      shown.map(infoSample),
    ),
    ...family(
      'daemon_check_process_info_truncated',
      '1 when daemon_check_process_info left out processes that fall short (more than the cap), else 0.',
      [sample('daemon_check_process_info_truncated', [], truncated ? 1 : 0)],
    ),
    ...family('daemon_check_scan_timestamp_seconds', 'When the scan finished, in seconds since the Unix epoch.', [
      sample('daemon_check_scan_timestamp_seconds', [], seconds(timing.finishedAtMs)),
    ]),
    ...family('daemon_check_scan_duration_seconds', 'How long the scan took, in seconds.', [
      sample('daemon_check_scan_duration_seconds', [], seconds(timing.durationMs)),
    ]),
  ];
  return `${lines.join('\n')}\n`;
}
