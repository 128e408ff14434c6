/**
 * `daemon-check try`, the library side: one throwaway login per ending
 * (session.ts), the results put together with the answer (judge.ts).
 */
import { userInfo } from 'node:os';
import { helperAvailable } from '../core/helper-path.js';
import { openProcSource } from '../proc/source.js';
import { TryError } from './helper.js';
import { answer, survivedAll } from './judge.js';
import { runEnding, type EndingPlan } from './session.js';
import { loginArgs, steps, type ShellKind } from './shells.js';
import { TRY_SCHEMA_VERSION, type TryEnding, type TryEndingResult, type TryResult } from './types.js';

export { TryError } from './helper.js';
export { shellKind } from './shells.js';
export type { TryResult, TryEnding } from './types.js';

export interface TryOptions {
  line: string;
  /** The shell's path (checked by the caller) and its real path's kind. */
  shell: string;
  kind: ShellKind;
  endings: TryEnding[];
  noRc: boolean;
  settleSeconds: number;
  user?: string;
  keep: boolean;
  /** Extra environment of the login (K=V), after its own HOME, USER, LOGNAME, SHELL, PATH, TERM. */
  env: string[];
  /** Where the login's processes are read (default /proc). */
  procRoot?: string;
}

/** A login's PATH before its profile runs (login.defs' ENV_SUPATH / ENV_PATH). */
function loginPath(root: boolean): string {
  return root ? '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' : '/usr/local/bin:/usr/bin:/bin';
}

export async function runTry(o: TryOptions): Promise<TryResult> {
  const found = helperAvailable();
  if (!found.ok) throw new TryError(`${found.reason}; to fix: ${found.fix}`);
  const { arg0, args } = loginArgs(o.shell, o.kind, o.noRc);
  const root = o.user ? o.user === 'root' : process.geteuid?.() === 0;
  const env = [`PATH=${loginPath(root)}`, `TERM=${process.env.TERM || 'xterm'}`];
  if (process.env.LANG) env.push(`LANG=${process.env.LANG}`);
  const plan: EndingPlan = {
    login: {
      helperPath: found.path,
      proc: openProcSource(o.procRoot ?? '/proc'),
      shell: o.shell,
      arg0,
      args,
      user: o.user,
      env: [...env, ...o.env],
      dir: process.cwd(),
    },
    kind: o.kind,
    line: o.line,
    steps: steps(o.line),
    settleMs: Math.round(o.settleSeconds * 1000),
    keep: o.keep,
  };
  const endings: Partial<Record<TryEnding, TryEndingResult>> = {};
  for (const e of o.endings) endings[e] = await runEnding(plan, e);
  return {
    schemaVersion: TRY_SCHEMA_VERSION,
    line: o.line,
    shell: o.shell,
    user: o.user ?? userInfo().username,
    rc: !o.noRc,
    endings,
    survivedAll: survivedAll(endings),
    answer: answer(o.line, endings),
  };
}
