/**
 * `daemon-check unit`'s renderers on specs built from snapshots: what the unit
 * tests (test/unit/unit-command.test.ts) and the live ones (systemd-analyze,
 * supervisord, runsv: test/live/unit-command.test.ts) both render with.
 */
import * as fs from 'node:fs';
import type { UnitManager } from '../../src/unit/index.js';
import { renderOpenrc } from '../../src/unit/openrc.js';
import { renderRunit } from '../../src/unit/runit.js';
import { buildSpec, type SpecInput } from '../../src/unit/spec.js';
import { renderSupervisord } from '../../src/unit/supervisord.js';
import { renderSystemd } from '../../src/unit/systemd.js';
import { makeSnapshot, makeStatus, type SnapshotPartial } from './snapshot.js';

export const RENDER: Record<UnitManager, typeof renderSystemd> = {
  systemd: renderSystemd,
  runit: renderRunit,
  supervisord: renderSupervisord,
  openrc: renderOpenrc,
};
export const ROOT = makeStatus({ uid: [0, 0, 0, 0], gid: [0, 0, 0, 0], umask: 0o022 });
export const SLEEP = fs.realpathSync('/bin/sleep');
export const PRINTF = fs.realpathSync('/usr/bin/printf');

/** What `unit` hands buildSpec: the snapshot, and /proc/PID/exe (in the snapshot too, as readSnapshot reads it). */
export function input(partial: SnapshotPartial, opts: Partial<Omit<SpecInput, 'snap'>> = {}): SpecInput {
  return {
    snap: makeSnapshot({ exe: opts.exe ?? null, ...partial }),
    exe: null,
    userName: null,
    groupName: null,
    withEnv: false,
    ...opts,
  };
}

export function render(manager: UnitManager, inp: SpecInput): string[] {
  return RENDER[manager](buildSpec(inp), ['header']).split('\n');
}

export const execStart = (lines: string[]): string | undefined => lines.find((l) => l.startsWith('ExecStart='));

/** Arguments with everything a quoting rule can trip on. */
export const TRICKY = ['two words', '100%d', '$HOME', `it's "q"`, 'a\\b', '', '--x=%(ENV_HOME)s'];
