/** `daemon-check tree <pid>`: the picture of its session, process groups, terminal and parents. */
import { auditTargets } from '../api.js';
import { renderSessionTree } from '../report/tree.js';
import { safeDeep } from '../report/sanitize.js';
import { terminalStyle } from './render.js';
import { writeOut } from './output.js';
import { parseHostRoot } from './common.js';
import { parsePid } from '../target.js';

export interface TreeCliOptions {
  ascii?: boolean;
  color?: boolean;
  procRoot: string;
  hostRoot: string;
}

export async function runTree(pid: string, opts: TreeCliOptions): Promise<number> {
  parsePid(pid, undefined, false); // the message for a bad pid names no --pidfile or --name
  const [report] = await auditTargets(
    pid,
    { procRoot: opts.procRoot, hostRoot: parseHostRoot(opts.hostRoot) },
    { excludeSelf: true },
  );
  const style = await terminalStyle(opts.color, opts.ascii);
  writeOut(renderSessionTree(safeDeep(report!), style).join('\n') + '\n');
  return 0;
}
