/**
 * What well-known programs do about daemonizing, read from the knowledge
 * table (programs.ts). Pure functions: no I/O. This module imports nothing
 * from the rest of src/.
 */
import { flagVerdict, matchOption, mergeValue, optionsEnd, readsConfig, removeOptions, swapLetters } from './flags.js';
import { findProgram, isTitle, programIndex, scriptOf } from './names.js';
import { PROGRAMS } from './programs.js';
import { INTERPRETER_PROGRAMS } from './programs-interpreters.js';
import type { ProgramInfo } from './types.js';

export type { FlagRule, ProgramInfo } from './types.js';
export { PROGRAMS } from './programs.js';
export { INTERPRETER_PROGRAMS } from './programs-interpreters.js';

/**
 * The row for a process, matched on its comm (which the kernel cuts to 15
 * characters), the basename of argv[0] (a leading '-' or a process title's
 * trailing ':' dropped), the script or module an interpreter runs
 * ('python3 /usr/bin/supervisord'), then the executable's basename.
 */
export function lookupProgram(comm: string, argv: readonly string[] | null, exe?: string | null): ProgramInfo | null {
  return findProgram(PROGRAMS, comm, argv, exe);
}

/**
 * The interpreter row for a process that no program row matches (`python3
 * app.py`, `node app.js`), with the script or module it runs: the program to
 * describe. null when argv[0] (or the executable) is no interpreter.
 */
export function lookupInterpreter(
  comm: string,
  argv: readonly string[] | null,
  exe?: string | null,
): { info: ProgramInfo; script: string | null } | null {
  const info = findProgram(INTERPRETER_PROGRAMS, comm, argv, exe);
  if (!info) return null;
  const s = argv ? scriptOf(argv, exe) : null;
  return { info, script: s ? argv![s.index]! : null };
}

export function programById(id: string): ProgramInfo | null {
  return PROGRAMS.find((p) => p.id === id) ?? null;
}

/**
 * A master's rule for its workers, when this invocation of it respawns them
 * (uwsgi only with --master); null when it does not, or cannot be told.
 */
export function respawnsWorkersOf(
  info: ProgramInfo,
  argv: readonly string[] | null,
): ProgramInfo['respawnsWorkers'] | null {
  const rule = info.respawnsWorkers;
  if (!rule) return null;
  if (!rule.needs) return rule;
  if (!argv || isTitle(argv)) return null;
  const start = programIndex(info, argv);
  const has = argv.some((_, i) => i > start && rule.needs!.some((o) => matchOption(o, argv, i) > 0));
  return has ? rule : null;
}

/** Only a service may be started through a daemonizer; supervisors, multiplexers and inits never. */
export function acceptsDaemonizer(info: ProgramInfo): boolean {
  return info.role === 'service';
}

function dependsOnArgv(info: ProgramInfo): boolean {
  return Boolean(info.detachFlags?.length || info.stayFlags?.length || info.config);
}

/**
 * Does this invocation fork itself away? true or false when the command line
 * (or the program's fixed behaviour) settles it; 'config' when a configuration
 * file it reads decides (the row's config.directive names the directive, and
 * daemonizesByDefault says what its stock file does); null when argv is
 * missing or was overwritten by a process title.
 */
export function daemonizes(info: ProgramInfo, argv: readonly string[] | null): boolean | 'config' | null {
  if (!argv || argv.length === 0) return null;
  if (isTitle(argv)) return dependsOnArgv(info) ? null : info.daemonizesByDefault;
  const start = programIndex(info, argv);
  const byFlags = flagVerdict(info, argv, start);
  if (byFlags !== undefined) return byFlags;
  if (info.config && readsConfig(info.config, info, argv, start)) return 'config';
  return info.daemonizesByDefault;
}

/**
 * The command for a program whose arguments are unknown (it overwrote them
 * with a title): the executable with the options that keep it in the
 * foreground, since whatever made it fork (an option, its config file) is
 * unknown. null when the program has no foreground mode.
 */
export function foregroundWithoutArgs(info: ProgramInfo, exe: string): string[] | null {
  if (!info.foreground) return null;
  return [exe, ...(info.foreground.add ?? [])];
}

/**
 * The same command line made to stay in the foreground: detaching options
 * removed with their values, foreground options inserted right after the
 * program's argv[0] (or at the end where the program wants them last). A
 * command line that already stays is returned as it is. null when the program
 * has no foreground mode or argv is unusable. Where only a config file can
 * undo daemonizing (uwsgi, gunicorn, openvpn, mongod), the result may still
 * daemonize by config: the row's notes say so.
 */
export function foregroundArgv(info: ProgramInfo, argv: readonly string[] | null): string[] | null {
  const edit = info.foreground;
  if (!edit || !argv || argv.length === 0 || isTitle(argv)) return null;
  if (daemonizes(info, argv) === false) return [...argv];
  const start = programIndex(info, argv);
  let out = edit.remove ? removeOptions(info, argv, start, edit.remove) : [...argv];
  if (edit.swapLetters) out = swapLetters(info, out, start, edit.swapLetters);
  if (edit.merge) out = mergeValue(out, start, edit.merge.flag, edit.merge.strip, edit.merge.text) ?? out;
  if (edit.add?.length && flagVerdict(info, out, start) !== false) {
    const at = edit.at === 'end' ? optionsEnd(info, out, start) : start + 1;
    out.splice(at, 0, ...edit.add);
  }
  return out;
}
