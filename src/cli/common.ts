/** Options shared by the audit commands, validated into AuditOptions. */
import { statSync } from 'node:fs';
import { isCheckId } from '../checks/index.js';
import type { AuditOptions, CheckId } from '../audit-types.js';
import type { ProfileChoice } from '../core/types.js';
import type { FailOn } from '../verdict.js';
import { CliError } from './errors.js';

export interface CommonOptions {
  format: 'table' | 'json' | 'junit' | 'tap';
  json?: boolean;
  profile: ProfileChoice;
  failOn: FailOn;
  require?: string;
  ignore?: string;
  expectUmask?: string;
  expectCwd?: string;
  wait?: string;
  procRoot: string;
  hostRoot: string;
  /** --color / --no-color; undefined when neither was given. */
  color: boolean | undefined;
  ascii?: boolean;
  /** --brief: the table's first screen only. */
  brief?: boolean;
  pidfile?: string;
  name?: string;
}

function parseCheckIds(list: string, option: string): CheckId[] {
  const ids = list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (ids.length === 0) throw new CliError(`${option} needs at least one check id; 'daemon-check explain' lists them`);
  for (const id of ids) {
    if (!isCheckId(id))
      throw new CliError(`unknown check id '${id}' in ${option}; 'daemon-check explain' lists the ids`);
  }
  return ids as CheckId[];
}

export function parseUmask(text: string): number {
  if (!/^0?[0-7]{1,3}$/.test(text.trim()) && !/^0[0-7]{3}$/.test(text.trim())) {
    throw new CliError(`--expect-umask '${text}' is not an octal mode: use e.g. 0022 or 0`);
  }
  return parseInt(text.trim(), 8);
}

/** --host-root must be a directory: the root of the host's file tree. */
export function parseHostRoot(dir: string | undefined): string {
  const d = dir ?? '/';
  let ok: boolean;
  try {
    ok = statSync(d).isDirectory();
  } catch {
    ok = false;
  }
  if (!ok)
    throw new CliError(
      `--host-root ${d} is not a directory: give the root of the host's files (/ on the host, /host in a container that mounts it)`,
    );
  return d;
}

export function parseSeconds(text: string, option: string): number {
  const n = Number(text);
  if (!/^\d+(\.\d+)?$/.test(text.trim()) || !Number.isFinite(n) || n < 0 || n > 86400) {
    throw new CliError(`${option} '${text}' is not a number of seconds: use e.g. ${option} 5`);
  }
  return n;
}

export function toAuditOptions(o: CommonOptions): AuditOptions {
  const out: AuditOptions = { profile: o.profile, procRoot: o.procRoot, hostRoot: parseHostRoot(o.hostRoot) };
  if (o.require !== undefined) out.require = parseCheckIds(o.require, '--require');
  if (o.ignore !== undefined) out.ignore = parseCheckIds(o.ignore, '--ignore');
  if (o.expectUmask !== undefined) out.expectUmask = parseUmask(o.expectUmask);
  if (o.expectCwd !== undefined) {
    if (!o.expectCwd.startsWith('/'))
      throw new CliError(`--expect-cwd '${o.expectCwd}' is not an absolute path: give one starting with /`);
    out.expectCwd = o.expectCwd.length > 1 ? o.expectCwd.replace(/\/+$/, '') : '/';
  }
  if (o.pidfile !== undefined) out.pidfile = o.pidfile;
  return out;
}

export function formatOf(o: CommonOptions): CommonOptions['format'] {
  return o.json ? 'json' : o.format;
}
