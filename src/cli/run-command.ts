/**
 * `daemon-check run [opts] -- CMD ARGS`: the native helper starts CMD as a
 * textbook daemon; then the new daemon is audited like any other process.
 * When CMD forks itself away (nginx, redis-server --daemonize yes), the helper
 * follows it to the real daemon within --settle seconds, or refuses; the
 * refusal names the program's foreground option from the knowledge table.
 */
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { writeOut } from './output.js';
import { auditTargets } from '../api.js';
import {
  daemonize,
  DaemonizeError,
  helperAvailable,
  ranFor,
  removeCreatedPidfile,
  type DaemonizeOptions,
  type DaemonizeResult,
} from '../daemonize/helper.js';
import { relativeArgs } from '../checks/workdir.js';
import { DaemonCheckError } from '../core/errors.js';
import { foregroundArgv, lookupProgram } from '../knowledge/index.js';
import type { Report } from '../audit-types.js';
import { exitCodeFor, type FailOn } from '../verdict.js';
import { CliError } from './errors.js';
import { parseSeconds, parseUmask } from './common.js';

export interface RunCliOptions {
  pidfile?: string;
  umask?: string;
  chdir?: string;
  stdout?: string;
  stderr?: string;
  user?: string;
  env?: string[];
  clearEnv?: boolean;
  waitReady?: string | boolean;
  settle?: string;
  json?: boolean;
  verify: boolean;
  failOn: FailOn;
  color: boolean;
}

function toDaemonizeOptions(command: string[], o: RunCliOptions): DaemonizeOptions {
  if (command.length === 0 || command[0] === '')
    throw new CliError('run needs a command: daemon-check run [options] -- CMD [ARGS...]');
  const d: DaemonizeOptions = { command };
  if (o.pidfile !== undefined) d.pidfile = o.pidfile;
  if (o.umask !== undefined) {
    try {
      d.umask = parseUmask(o.umask);
    } catch {
      throw new CliError(`--umask '${o.umask}' is not an octal mode: use e.g. 022 or 0`);
    }
  }
  if (o.chdir !== undefined) d.chdir = o.chdir;
  if (o.stdout !== undefined) d.stdout = o.stdout;
  if (o.stderr !== undefined) d.stderr = o.stderr;
  if (o.user !== undefined) d.user = o.user;
  if (o.env?.length) {
    d.env = {};
    for (const kv of o.env) {
      const i = kv.indexOf('=');
      if (i <= 0) throw new CliError(`--env '${kv}' is not KEY=VALUE`);
      d.env[kv.slice(0, i)] = kv.slice(i + 1);
    }
  }
  if (o.clearEnv) d.clearEnv = true;
  if (o.waitReady !== undefined && o.waitReady !== false) {
    d.waitReady = o.waitReady === true ? 10 : parseSeconds(o.waitReady, '--wait-ready');
    if (d.waitReady <= 0) throw new CliError('--wait-ready needs a positive number of seconds');
  }
  if (o.settle !== undefined) d.settle = parseSeconds(o.settle, '--settle');
  return d;
}

function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * One line for a program that forked itself away and could not be followed
 * (the helper stopped what it started): the command that keeps it in the
 * foreground, from the knowledge table, and the helper's reason.
 */
function forkedAwayMessage(command: string[], pidfile: string | undefined, reason: string): string {
  const name = basename(command[0]!);
  const info = lookupProgram(name.slice(0, 15), command);
  const fg = info ? foregroundArgv(info, command) : null;
  if (fg && fg.join('\0') !== command.join('\0')) {
    const opts = pidfile === undefined ? '' : ` --pidfile ${shellQuote(pidfile)}`;
    return `${name} daemonizes itself: run \`daemon-check run${opts} -- ${fg.map(shellQuote).join(' ')}\` instead (${reason})`;
  }
  return `${name} forks itself away and cannot be followed: run it in the foreground instead, with the option its manual gives for that (${reason})`;
}

/**
 * A daemon starts in /, not where `daemon-check run` was typed: a program
 * that failed there may have looked for a relative file (`python3 app.py`).
 */
function chdirHint(options: DaemonizeOptions): string {
  const here = process.cwd();
  const relative = relativeArgs(options.command);
  if (options.chdir !== undefined || here === '/' || relative.length === 0) return '';
  return `; it ran in /, as a daemon does, where ${relative.join(', ')} is not found: give --chdir ${shellQuote(here)} to run it from here`;
}

async function start(command: string[], options: DaemonizeOptions): Promise<DaemonizeResult> {
  try {
    return await daemonize(options);
  } catch (err) {
    if (err instanceof DaemonizeError && err.forkedAway)
      throw new CliError(forkedAwayMessage(command, options.pidfile, err.forkedAway.reason), err.exitCode);
    if (err instanceof DaemonizeError && err.code === 'START_FAILED')
      throw new CliError(err.message + chdirHint(options), err.exitCode);
    if (err instanceof DaemonizeError) throw new CliError(err.message, err.exitCode);
    throw err;
  }
}

/** The new daemon's report; a CliError if it is gone already (it exited, or forked itself away after --settle). */
async function auditStarted(
  command: string[],
  started: DaemonizeResult,
  options: DaemonizeOptions,
  began: number,
  pidfileExisted: boolean,
): Promise<Report> {
  const gone = (): CliError => {
    removeCreatedPidfile(options.pidfile, pidfileExisted);
    return new CliError(
      `${command[0]} started as pid ${started.pid} but exited ${ranFor(performance.now() - began)}; if it daemonizes itself later than --settle allows, give it a longer --settle or run it in the foreground instead (e.g. nginx -g 'daemon off;', redis-server --daemonize no)${chdirHint(options)}`,
      1,
    );
  };
  let report: Report;
  try {
    [report] = (await auditTargets({ pid: started.pid }, started.pidfile ? { pidfile: started.pidfile } : {}, {
      excludeSelf: true,
    })) as [Report];
  } catch (err) {
    if (
      err instanceof DaemonCheckError &&
      (err.code === 'NO_SUCH_PROCESS' || err.code === 'EXITED_DURING_AUDIT' || err.code === 'ZOMBIE')
    )
      throw gone();
    throw err;
  }
  if (report.facts.state === 'Z') throw gone(); // exited, and its new parent has not reaped it yet
  return report;
}

export async function runRun(command: string[], o: RunCliOptions): Promise<number> {
  const options = toDaemonizeOptions(command, o);
  const helper = helperAvailable();
  if (!helper.ok) throw new CliError(`cannot start daemons: ${helper.reason}; fix: ${helper.fix}`, 1);
  const began = performance.now();
  const pidfileExisted = options.pidfile !== undefined && existsSync(options.pidfile);
  const started = await start(command, options);
  const where = `${command.join(' ')} as pid ${started.pid}${started.pidfile ? ` (pidfile ${started.pidfile})` : ''}`;
  const lines = started.followed ? [`${basename(command[0]!)} forked itself away: following pid ${started.pid}`] : [];
  lines.push(`started ${where}`);
  if (!o.verify) {
    writeOut(o.json ? JSON.stringify(started) + '\n' : lines.join('\n') + '\n');
    return 0;
  }
  const report = await auditStarted(command, started, options, began, pidfileExisted);
  const code = exitCodeFor([report], o.failOn);
  if (o.json) {
    writeOut(JSON.stringify({ ...started, verdict: report.verdict, report }, null, 2) + '\n');
  } else {
    const { makeChalk, paintVerdict, paintStatus, SYMBOLS, ASCII_SYMBOLS } = await import('../report/style.js');
    const { wrap } = await import('../report/layout.js');
    const { terminalStyle } = await import('./render.js');
    // --no-color decides; otherwise NO_COLOR, FORCE_COLOR and the terminal do, as for an audit.
    const style = await terminalStyle(o.color === false ? false : undefined, undefined);
    const c = makeChalk(style.color);
    const symbols = style.ascii ? ASCII_SYMBOLS : SYMBOLS;
    const out = lines.flatMap((l) => wrap(l, style.width, '', '  '));
    out.push(...wrap(`${paintVerdict(c, report.verdict)} (${report.startedAs.kind})`, style.width, 'audit: ', '  '));
    for (const row of report.checks) {
      if (row.status === 'fail' || row.status === 'warn' || row.status === 'unknown') {
        out.push(
          ...wrap(
            `${row.id}: ${row.detail}`,
            style.width,
            `  ${paintStatus(c, row.status, symbols[row.status])} `,
            '    ',
          ),
        );
      }
    }
    if (code !== 0)
      out.push(
        ...wrap(
          `the daemon is running, but falls short of the bar; 'daemon-check ${started.pid}' shows the whole report`,
          style.width,
        ),
      );
    writeOut(out.join('\n') + '\n');
  }
  return code === 3 ? 1 : code;
}
