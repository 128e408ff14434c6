/**
 * `crash`: it dies unexpectedly. The outcome is whether a replacement runs
 * afterwards: a supervisor that restarts what it runs brings one back, and
 * so does a master that respawns its workers (nginx, php-fpm, gunicorn,
 * uwsgi --master), both as the knowledge table says.
 */
import { processLabel } from '../core/words.js';
import { isForwardingInit, type ProgramKind } from '../classify.js';
import { lookupProgram, respawnsWorkersOf, type ProgramInfo } from '../knowledge/index.js';
import type { Snapshot } from '../snapshot/types.js';
import { isNamespaceInit } from '../proc/status.js';
import { entry } from './types.js';
import type { FateEntry } from '../core/types.js';

/**
 * Knowledge rows by comm and argv: a scan asks for the same few parents
 * thousands of times, and one lookup tries every name of the table.
 */
const rows = new Map<string, ProgramInfo | null>();

function rowOf(comm: string, argv: readonly string[] | null): ProgramInfo | null {
  const key = `${comm}\0${argv?.join('\0') ?? ''}`;
  let row = rows.get(key);
  if (row === undefined) {
    row = lookupProgram(comm, argv);
    if (rows.size < 4096) rows.set(key, row);
  }
  return row;
}

/**
 * The knowledge row's restart rule of a parent that restarts what it runs
 * (runsv, supervisord, pm2, forever's monitor), when the parent is one.
 */
function restarterOf(parent: NonNullable<Snapshot['parent']>, kind: ProgramKind | null): ProgramInfo['restarts'] {
  const row = rowOf(parent.comm, parent.cmdline);
  return kind === 'supervisor' || row?.role === 'supervisor' ? row?.restarts : undefined;
}

/**
 * A worker of a master that respawns its workers: the process is the same
 * program as its parent (nginx's worker under nginx's master, gunicorn's under
 * its arbiter), and the parent's row says its master starts a new worker.
 */
function masterOf(snap: Snapshot, parent: NonNullable<Snapshot['parent']>): ReturnType<typeof respawnsWorkersOf> {
  const row = rowOf(parent.comm, parent.cmdline);
  if (!row?.respawnsWorkers || rowOf(snap.stat.comm, snap.cmdline)?.id !== row.id) return null;
  return respawnsWorkersOf(row, parent.cmdline);
}

function serviceUnit(snap: Snapshot): string | null {
  for (const c of snap.cgroup ?? []) {
    const leaf = c.path.split('/').filter(Boolean).pop() ?? '';
    if (leaf.endsWith('.service') && !/^user@\d+\.service$/.test(leaf)) return leaf;
  }
  return null;
}

export function crashFate(snap: Snapshot, parentKind: ProgramKind | null): FateEntry {
  const parent = snap.parent;
  const who = parent ? processLabel(parent) : null;
  const r = parent ? restarterOf(parent, parentKind) : undefined;
  if (r) return entry('lives', `Its parent ${who} supervises it: ${r.how}.`, who, r.unless);
  const m = parent ? masterOf(snap, parent) : null;
  if (m) return entry('lives', `It is a worker of ${who}, and a new worker replaces it: ${m.how}.`, who, m.unless);
  if (parent && isForwardingInit(parent.comm, parent.cmdline)) {
    return entry(
      'dies',
      `Its parent ${who} is a container init: it exits when its child does and never starts it again.`,
      null,
      'a restart policy of its container (docker run --restart) starts the container again',
    );
  }
  if (isNamespaceInit(snap)) {
    return entry(
      'dies',
      'It is the init of its pid namespace: when it exits, the kernel kills every other process of the namespace, and nothing inside starts it again.',
      null,
      'a restart policy of its container (docker run --restart) starts the container again',
    );
  }
  const unit = snap.host?.systemdPid1 ? serviceUnit(snap) : null;
  if (unit) {
    return entry(
      'unknown',
      `systemd runs it as ${unit}; whether it comes back depends on the unit's Restart= setting, which /proc does not show (systemctl show -p Restart ${unit}).`,
      'systemd',
    );
  }
  return entry('dies', 'Nothing supervises it: when it crashes, nobody starts it again.');
}
