/**
 * Which shell a process is, and whether it is interactive (it keeps a job
 * table and forwards a hangup to its jobs) and a login shell (huponexit only
 * applies there), read from its argv the way bash reads its own (bash(1),
 * INVOCATION).
 */
import { basename } from '../classify.js';
import { SHELL_NAMES } from '../knowledge/kinds.js';

export type ShellFlavor = 'bash' | 'zsh' | 'fish' | 'ksh' | 'dash' | 'other';

export interface ShellInfo {
  pid: number;
  comm: string;
  flavor: ShellFlavor;
  /** Reads commands from a terminal: no -c, no script, and a controlling terminal. */
  interactive: boolean;
  /** argv[0] starts with '-', or -l/--login: the shell a login starts. */
  login: boolean;
}

const FLAVORS: Record<string, ShellFlavor> = {
  bash: 'bash',
  rbash: 'bash',
  zsh: 'zsh',
  ksh: 'ksh',
  ksh93: 'ksh',
  mksh: 'ksh',
  pdksh: 'ksh',
  dash: 'dash',
  ash: 'dash',
  fish: 'fish',
  sh: 'dash',
};

/** bash's options that take the next word as their value (bash(1)). */
const WITH_VALUE = new Set(['-o', '+o', '-O', '+O', '--rcfile', '--init-file']);

/** Whether argv names a command string (-c) or a script: then the shell is not interactive (unless -i says so). */
function readsScript(argv: readonly string[]): { script: boolean; forced: boolean; login: boolean } {
  let script = false;
  let forced = false;
  let login = argv[0]?.startsWith('-') ?? false;
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      script = i + 1 < argv.length;
      break;
    }
    if (a === '--login' || a === '-l') login = true;
    if (WITH_VALUE.has(a)) {
      i++;
      continue;
    }
    if (/^[-+][A-Za-z]+$/.test(a)) {
      if (a.startsWith('-') && a.includes('c')) script = true;
      if (a.startsWith('-') && a.includes('i')) forced = true;
      if (a.startsWith('-') && a.includes('l')) login = true;
      if (a.startsWith('-') && a.includes('s')) break; // -s: commands from stdin, the rest are positional parameters
      continue;
    }
    if (a.startsWith('--')) continue;
    script = true;
    break;
  }
  return { script, forced, login };
}

/** null when the process is not a shell. `hasTty`: it has a controlling terminal. */
export function shellInfo(
  pid: number,
  comm: string,
  argv: readonly string[] | null,
  hasTty: boolean,
): ShellInfo | null {
  const name = argv?.[0] ? basename(argv[0]).replace(/^-/, '') : comm;
  const key = SHELL_NAMES.has(name) ? name : SHELL_NAMES.has(comm) ? comm : null;
  if (key === null) return null;
  const flavor = FLAVORS[key] ?? 'other';
  if (!argv || argv.length === 0) return { pid, comm, flavor, interactive: hasTty, login: false };
  const { script, forced, login } = readsScript(argv);
  return { pid, comm, flavor, interactive: hasTty && (forced || !script), login };
}
