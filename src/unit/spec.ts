/**
 * What a service definition for a running process needs, whatever the
 * manager: the command that keeps it in the foreground (from the knowledge
 * table), how it signals readiness, its working directory, user, umask and
 * environment. Built from a snapshot; the renderers turn it into a systemd
 * unit, a runit run script, a supervisord program section or an OpenRC script.
 */
import {
  daemonizes,
  foregroundArgv,
  foregroundWithoutArgs,
  lookupInterpreter,
  lookupProgram,
  type ProgramInfo,
} from '../knowledge/index.js';
import { isTitleRewritten, programPath, serviceName, shellQuote, withNotify } from '../diagnose/command.js';
import { workdirUses } from '../checks/workdir.js';
import { formatMode } from '../core/mode.js';
import { copyCommand, envComments, isSecret, isSessionVariable } from './environment.js';
import type { Snapshot } from '../snapshot/types.js';

export interface ServiceSpec {
  /** The process it was made from (a secret is copied from its environ, never written). */
  pid: number;
  name: string;
  /** The command to run; null when even the executable is unknown. */
  argv: string[] | null;
  type: 'simple' | 'notify' | 'forking';
  /** For Type=forking: the pidfile it writes. */
  pidfile: string | null;
  cwd: string | null;
  user: string | null;
  group: string | null;
  umask: string | null;
  /** The app's likely settings (session and system variables left out): values only when asked for (--env). */
  env: Array<{ name: string; value: string | null; secret: boolean }>;
  /** The login session's and the system's variables it had: named, never written. */
  sessionEnv: string[];
  /** What it is, for a description: the program's id, or the script an interpreter runs ("app.py (python3)"). */
  title: string;
  /** Facts the reader must check or fill in, written as comments. */
  notes: string[];
  program: ProgramInfo | null;
}

export interface SpecInput {
  snap: Snapshot;
  /** /proc/PID/exe: the program's path (needed for an absolute command). */
  exe: string | null;
  /** Why exe could not be read (EACCES for another user's process). */
  exeError?: string | null;
  /** uid and gid names, when the host knows them. */
  userName: string | null;
  groupName: string | null;
  /** Write environment values (they may hold secrets). */
  withEnv: boolean;
}

/**
 * The program as the user started it: argv[0] itself when absolute, else as
 * found on its own PATH from its own cwd (a venv's bin/python, never the
 * system python its link leads to); /proc/PID/exe only when neither works.
 */
function commandPath(input: SpecInput, path: string | null, notes: string[]): (a: string[]) => string[] {
  const a0 = input.snap.cmdline?.[0];
  const resolved = input.snap.argv0Path ?? null;
  if (a0 && !a0.startsWith('/') && !resolved && path)
    notes.push(
      `${a0} could not be found on its PATH from its working directory: the command runs its executable ${path} (/proc/PID/exe), which for a venv's python or a wrapper is not what it was started as; check it`,
    );
  const best = resolved ?? path;
  return (a) => (best && !a[0]!.startsWith('/') ? [best, ...a.slice(1)] : a);
}

/** The command, made to stay in the foreground; the executable alone when argv was overwritten by a title. */
function commandOf(
  input: SpecInput,
  program: ProgramInfo | null,
  notes: string[],
): { argv: string[] | null; type: ServiceSpec['type']; pidfile: string | null } {
  const { snap } = input;
  const argv = snap.cmdline;
  const titled = !argv || argv.length === 0 || isTitleRewritten(argv, input.exe);
  const found = programPath({ ...snap, exe: input.exe }, titled);
  const path = found?.path ?? null;
  if (!input.exe && argv?.[0] && !argv[0].startsWith('/') && !snap.argv0Path)
    notes.push(
      `its executable could not be read (${input.exeError ?? 'EIO'}): write the full path of ${argv[0]} in the command`,
    );
  const type = program?.readiness === 'notify' ? 'notify' : 'simple';
  if (titled) {
    if (found?.note) notes.push(found.note);
    notes.push(
      `it rewrote its command line to a title (${JSON.stringify(argv?.[0] ?? '')}), and its environment with it: its original arguments are unknown; add them after the executable`,
    );
    const fg = path && program ? foregroundWithoutArgs(program, path) : null;
    return {
      argv: fg && program ? withNotify(program, fg) : path ? [path] : null,
      type: fg ? type : 'simple',
      pidfile: null,
    };
  }
  if (found?.note && !snap.argv0Path) notes.push(found.note);
  const absolute = commandPath(input, path, notes);
  if (!program) {
    const interp = lookupInterpreter(snap.stat.comm, argv, input.exe);
    notes.push(
      interp
        ? `${interp.script ?? 'what it runs'} runs under ${interp.info.id}, which stays in the foreground; if ${interp.script ?? 'it'} forks itself away, give it its foreground option`
        : `${snap.stat.comm} is not in daemon-check's knowledge table: whether it forks itself away is unknown; if it does, give it its foreground option`,
    );
    return { argv: absolute([...argv]), type: 'simple', pidfile: null };
  }
  const fg = foregroundArgv(program, argv);
  if (fg) {
    if (daemonizes(program, argv) === 'config')
      notes.push(
        `${program.id}'s configuration decides whether it forks itself away (${program.config?.directive ?? 'see its docs'}); the command keeps it in the foreground`,
      );
    return { argv: absolute(withNotify(program, fg)), type, pidfile: null };
  }
  notes.push(`${program.id} has no foreground mode: the manager follows the process it forks through its pidfile`);
  return { argv: absolute([...argv]), type: 'forking', pidfile: program.pidfile?.path ?? null };
}

/**
 * Its working directory, kept whenever it is not /: a bare `app.py`, a module
 * name or a file opened by relative path all resolve from there, and / makes
 * the program fail at once. A deleted directory cannot be entered: / then.
 */
function cwdOf(snap: Snapshot, notes: string[]): string | null {
  if (snap.cwd === null) {
    notes.push(`its working directory could not be read (${snap.unreadable.cwd ?? 'EIO'}): set it`);
    return null;
  }
  if (snap.cwd.endsWith(' (deleted)')) {
    notes.push(
      `its working directory ${snap.cwd.replace(/ \(deleted\)$/, '')} has been deleted: the definition starts it in /; if it reads files by relative path, give it their new directory`,
    );
    return '/';
  }
  if (snap.cwd !== '/' && workdirUses(snap).length === 0)
    notes.push(
      `it runs in ${snap.cwd}, kept as its working directory; nothing shows it uses it (no relative argument, no file open there): if it reads no file by relative path, / frees that file system`,
    );
  return snap.cwd;
}

function envOf(snap: Snapshot, withEnv: boolean, notes: string[]): Pick<ServiceSpec, 'env' | 'sessionEnv'> {
  if (!snap.environ) {
    notes.push(`its environment could not be read (${snap.unreadable.environ ?? 'EIO'})`);
    return { env: [], sessionEnv: [] };
  }
  const names = [...snap.environ.keys()];
  return {
    env: names
      .filter((k) => !isSessionVariable(k))
      .map((name) => ({ name, value: withEnv ? snap.environ!.get(name)! : null, secret: isSecret(name) })),
    sessionEnv: names.filter(isSessionVariable),
  };
}

/** What the definition describes: the program's id, or the script an interpreter runs with the interpreter. */
function titleOf(snap: Snapshot, program: ProgramInfo | null, exe: string | null, name: string): string {
  if (program) return program.id;
  const interp = lookupInterpreter(snap.stat.comm, snap.cmdline, exe);
  const a0 = snap.cmdline?.[0];
  if (interp?.script && a0) return `${interp.script} (${a0.slice(a0.lastIndexOf('/') + 1)})`;
  return name;
}

export function buildSpec(input: SpecInput): ServiceSpec {
  const { snap } = input;
  const notes: string[] = [];
  const program = lookupProgram(snap.stat.comm, snap.cmdline, input.exe);
  const cmd = commandOf(input, program, notes);
  const st = snap.status;
  if (!st) notes.push(`its user and umask could not be read (${snap.unreadable.status ?? 'EIO'})`);
  const uid = st?.uid[1] ?? st?.uid[0];
  const gid = st?.gid[1] ?? st?.gid[0];
  const titled = isTitleRewritten(snap.cmdline, input.exe);
  const name = serviceName({ ...snap, exe: input.exe });
  return {
    pid: snap.pid,
    name,
    title: titleOf(snap, program, input.exe, name),
    argv: cmd.argv,
    type: cmd.type,
    pidfile: cmd.pidfile,
    cwd: cwdOf(snap, notes),
    // root is every manager's default: no User=/Group= line for it.
    user: uid === undefined || uid === 0 ? null : (input.userName ?? String(uid)),
    group: gid === undefined || uid === 0 ? null : (input.groupName ?? String(gid)),
    umask: st?.umask != null ? formatMode(st.umask) : null,
    // A title written over argv spills into the environment area: what is left there is not its environment.
    ...(titled ? { env: [], sessionEnv: [] } : envOf(snap, input.withEnv, notes)),
    notes,
    program,
  };
}

/**
 * Shell lines for the environment (runit, OpenRC): `export K=V` with --env,
 * a secret read from a root-only file instead; otherwise comments with the names.
 */
export function envLines(spec: ServiceSpec, secretFile: string): string[] {
  const plain = spec.env.filter((e) => e.value !== null && !e.secret);
  const secrets = spec.env.filter((e) => e.value !== null && e.secret).map((e) => e.name);
  const out = plain.map((e) => `export ${e.name}=${shellQuote(e.value!)}`);
  if (secrets.length)
    out.push(
      `# ${secrets.join(' ')}: secrets, not written in this world-readable file; read from ${secretFile} (root only), made by: ${copyCommand(spec.pid, secrets, secretFile)}`,
      `while IFS= read -r kv; do export "$kv"; done < ${shellQuote(secretFile)}`,
    );
  out.push(...envComments(spec.env, spec.sessionEnv, '#'));
  return out;
}
