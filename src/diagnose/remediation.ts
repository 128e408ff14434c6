/**
 * What to do about it, fitted to what runs the process and the host. The
 * operator's lines come first: one approach, never a mix of the
 * self-daemonizing recipe and a manager's (the supervisor already in charge
 * and its own settings, the host's service manager: a unit, or systemd-run,
 * a container's init, or, with no manager, `daemon-check run` with the
 * program's foreground option), where its output goes, and the manager's
 * settings for the launch checks. The program author's lines follow: the
 * checks' own fixes (forking, setsid(), umask(0), reaping children, file
 * modes, a SIGTERM handler), which apply under any approach; isAuthorAdvice
 * tells them apart. What ends it is the fate model's to say, never repeated
 * here.
 */
import { checks } from '../checks/index.js';
import { isMultiplexer, programKind } from '../classify.js';
import { processLabel } from '../core/words.js';
import { isNamespaceInit } from '../proc/status.js';
import { detectManager, type ServiceManager } from '../host/manager.js';
import { lookupProgram } from '../knowledge/index.js';
import type { Snapshot } from '../snapshot/types.js';
import type { CheckResult } from '../audit-types.js';
import type { ProfileName, StartedAs, Verdict } from '../core/types.js';
import { commandOf, foregroundCommand, serviceName, shellQuote } from './command.js';
import { SETTINGS, runnerOf, type Runner } from './settings.js';
import { story } from './story.js';
import { workdirUses } from '../checks/workdir.js';

export interface Approach {
  /** How it should be run, in one line. */
  lines: string[];
  /** The runner whose settings fix the launch checks; null: the checks' own (sysv) fixes apply. */
  runner: Runner | null;
}

const short = (rows: CheckResult[]) => rows.filter((r) => r.status === 'fail' || r.status === 'warn');
const fixOf = (id: string) => checks.find((c) => c.id === id);

/** The runner's setting for each launch check that fell short: what the operator sets. */
function settings(rows: CheckResult[], runner: Runner | null): string[] {
  if (runner === null) return [];
  return short(rows).flatMap((r) => {
    const check = fixOf(r.id);
    const setting = check && check.fixedBy !== 'program' ? SETTINGS[runner][r.id] : undefined;
    return setting ? [`${r.id}: ${setting}`] : [];
  });
}

/** The check's own fix, for the program's author: what the program does itself, under any runner, and the launch recipe where no runner does it. */
function authorFixes(rows: CheckResult[], runner: Runner | null): string[] {
  return short(rows).flatMap((r) => {
    const check = fixOf(r.id);
    return check && (check.fixedBy === 'program' || runner === null) ? [`${r.id}: ${check.fix}`] : [];
  });
}

/** Whether a remediation line is advice for the program's author (a check's own fix), not an operator's action. */
export function isAuthorAdvice(line: string): boolean {
  const id = line.slice(0, line.indexOf(': '));
  const check = fixOf(id);
  return check !== undefined && line === `${id}: ${check.fix}`;
}

/** What a process that is itself a supervisor, a multiplexer or a namespace init needs instead of a daemonizer. */
function infrastructure(snap: Snapshot, manager: ServiceManager): Approach | null {
  const program = lookupProgram(snap.stat.comm, snap.cmdline, snap.exe);
  const name = processLabel({ pid: snap.pid, comm: snap.stat.comm });
  const via =
    manager.kind === 'systemd'
      ? `as a systemd service (daemon-check unit ${snap.pid})`
      : "from the host's init, not from a login";
  if (isNamespaceInit(snap))
    return {
      runner: 'container',
      lines: [
        `${name} is the init of its pid namespace: run the program under a small init (docker run --init, or tini as the entrypoint), which takes SIGTERM and reaps orphans.`,
      ],
    };
  if (program?.role === 'multiplexer' || isMultiplexer(snap.stat.comm, snap.cmdline)) {
    return {
      runner: 'itself',
      lines: [
        `${name} is a terminal multiplexer's server: it is meant to run detached, and what runs in its panes lives as long as it does; start it ${via} if it must outlive logind's end of the login.`,
      ],
    };
  }
  if (program?.role === 'supervisor' || programKind(snap.pid, snap.stat.comm, snap.cmdline) === 'supervisor') {
    return {
      runner: 'itself',
      lines: [`${name} is a supervisor: start it ${via}, and it runs what it supervises properly.`],
    };
  }
  return null;
}

function supervisedBy(snap: Snapshot): Approach | null {
  const parent = snap.parent;
  if (!parent) return null;
  const name =
    parent.cmdline?.[1] && /python|node/.test(parent.cmdline[0] ?? '')
      ? parent.cmdline[1]!.split('/').pop()!
      : parent.comm;
  const runner = runnerOf(name) ?? 'supervisor';
  const where =
    runner === 'container'
      ? "its container (the image, or docker run's options)"
      : `${name}'s own configuration for it`;
  return {
    runner,
    lines: [
      `${processLabel(parent)} already supervises it: set what it needs in ${where}, and keep the program in the foreground.`,
    ],
  };
}

/** The host's manager: a unit, or a one-off systemd-run; with none, daemon-check run. */
function byHost(snap: Snapshot, rows: CheckResult[], manager: ServiceManager): Approach {
  const cmd = foregroundCommand(snap) ?? commandOf(snap);
  const argv = cmd ? asStarted(snap, cmd.argv).map(shellQuote).join(' ') : snap.stat.comm;
  const name = serviceName(snap);
  const note = cmd?.note ? ` (${cmd.note})` : '';
  const dir = workdirOf(snap);
  const wd = dir ? ` --working-directory=${shellQuote(dir)}` : '';
  switch (manager.kind) {
    case 'systemd': {
      const lines = [
        `${manager.evidence}: run it as a service: \`daemon-check unit ${snap.pid} > /etc/systemd/system/${name}.service\`, then \`systemctl daemon-reload && systemctl enable --now ${name}\`; or once: \`systemd-run --unit=${name}${wd} ${argv}\`${note}.`,
      ];
      const scoped = rows.find((r) => r.id === 'outside-login-scope' && r.status !== 'pass');
      const user = snap.scopeUser ? (snap.scopeUser.name ?? String(snap.scopeUser.uid)) : snap.userName;
      if (scoped && user)
        lines.push(
          `Or as a user service of ${user}, which lives in user@.service, outside the login's scope: \`loginctl enable-linger ${user}\` (so the user manager outlives the last login), then \`systemd-run --user --unit=${name}${wd} ${argv}\`.`,
        );
      return { runner: 'systemd', lines };
    }
    case 'openrc':
    case 'runit':
      return {
        runner: manager.kind,
        lines: [
          `${manager.evidence}: run it as a ${manager.kind} service: \`daemon-check unit ${snap.pid} --for ${manager.kind}\` writes the definition${note}.`,
        ],
      };
    case 's6':
      return {
        runner: 's6',
        lines: [
          `${manager.evidence}: run it as an s6 service whose run script execs \`${argv}\` in the foreground${note}.`,
        ],
      };
    case 'container':
      return {
        runner: 'container',
        lines: [
          `${manager.evidence}: run it as the container's main process, in the foreground (\`${argv}\`), under an init (docker run --init)${note}.`,
        ],
      };
    default: {
      const run = runLine(snap);
      return { runner: null, lines: run ? [`${manager.evidence}. Start it properly with: ${run}`] : [] };
    }
  }
}

/**
 * Its working directory when it leans on it (a relative script, module or
 * data file: the cwd check's own test, workdirUses), so that the run line
 * and the cwd row say one thing: keep it there, or let it go to /.
 */
function workdirOf(snap: Snapshot): string | null {
  const cwd = snap.cwd && !snap.cwd.endsWith(' (deleted)') ? snap.cwd : null;
  return cwd && cwd !== '/' && workdirUses(snap).length > 0 ? cwd : null;
}

/** argv[0] as found on its own PATH (a venv's python), so that the line runs the same program from anywhere. */
function asStarted(snap: Snapshot, argv: string[]): string[] {
  const path = snap.argv0Path;
  return path && argv[0] === snap.cmdline?.[0] && !argv[0]!.startsWith('/') ? [path, ...argv.slice(1)] : argv;
}

/**
 * run's --user for a process of another user, audited by root: `run` starts
 * the program as whoever types the line, and a web app moved from www-data
 * to root gains every privilege it never had. Only root can switch users, so
 * a line for anyone else has no --user.
 */
function userOf(snap: Snapshot): string[] {
  const uid = snap.status ? (snap.status.uid[1] ?? snap.status.uid[0]) : undefined;
  if (uid === undefined || uid === 0 || snap.auditorUid !== 0) return [];
  return ['--user', shellQuote(snap.userName ?? String(uid))];
}

/** A `daemon-check run` line that would start this program properly, as its user, with its foreground option, in its directory. */
function runLine(snap: Snapshot): string | null {
  const cmd = foregroundCommand(snap) ?? commandOf(snap);
  if (!cmd) return null;
  const parts = ['daemon-check', 'run'];
  const dir = workdirOf(snap);
  if (dir) parts.push('--chdir', shellQuote(dir));
  parts.push(...userOf(snap));
  const out = (snap.fds ?? []).find((f) => f.fd === 1 && f.type === 'file' && !f.deleted);
  const err = (snap.fds ?? []).find((f) => f.fd === 2 && f.type === 'file' && !f.deleted);
  if (out) parts.push('--stdout', shellQuote(out.target));
  if (err) parts.push('--stderr', shellQuote(err.target));
  const name = snap.stat.comm.replace(/[^A-Za-z0-9_.-]/g, '') || 'daemon';
  parts.push('--pidfile', shellQuote(`/run/${name}.pid`));
  parts.push('--', ...asStarted(snap, cmd.argv).map(shellQuote));
  return parts.join(' ') + (cmd.note ? ` (${cmd.note})` : '');
}

export function remediation(
  snap: Snapshot,
  rows: CheckResult[],
  verdict: Verdict,
  startedAs: StartedAs,
  profile: ProfileName,
): string[] {
  const lines: string[] = [];
  const manager = detectManager(snap.host, snap.initComm);
  const infra = infrastructure(snap, manager);
  // A daemon that meets every rule needs no approach; infrastructure is named whatever its verdict.
  const approach =
    infra ??
    (verdict === 'daemon'
      ? null
      : ((profile === 'managed' ? supervisedBy(snap) : null) ?? byHost(snap, rows, manager)));
  if (approach) lines.push(...approach.lines);
  const told = story(snap, startedAs);
  if (told) lines.push(told);
  const runner = approach ? approach.runner : null;
  lines.push(...settings(rows, runner), ...authorFixes(rows, runner));
  if (lines.length === 0) lines.push('Nothing to fix: it meets every rule of the checklist.');
  return lines;
}
