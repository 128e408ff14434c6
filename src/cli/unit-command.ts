/** `daemon-check unit <pid> [--for MANAGER] [--env]`: print a service definition. */
import { writeOut } from './output.js';
import { unit } from '../api.js';
import type { UnitManager } from '../unit/index.js';
import { parseHostRoot } from './common.js';

export interface UnitCliOptions {
  for: UnitManager;
  env?: boolean;
  procRoot: string;
  hostRoot: string;
}

export async function runUnit(pid: string, opts: UnitCliOptions): Promise<number> {
  writeOut(
    await unit(pid, {
      manager: opts.for,
      env: opts.env ?? false,
      procRoot: opts.procRoot,
      hostRoot: parseHostRoot(opts.hostRoot),
    }),
  );
  return 0;
}
