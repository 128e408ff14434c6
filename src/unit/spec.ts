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
  lookupProgram,
  type ProgramInfo,
} from '../knowledge/index.js';
import { isTitleRewritten, programPath, serviceName, shellQuote, withNotify } from '../diagnose/command.js';
import { formatMode } from '../core/mode.js';
import type { Snapshot } from '../snapshot/types.js';

export interface ServiceSpec {
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
  /** Variables to set: values only when asked for (--env). */
  env: Array<{ name: string; value: string | null }>;
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

/** Variables of a login session: never written, they describe where it was started, not what it needs. */
const SESSION =
  /^(SSH_\w+|DISPLAY|WAYLAND_DISPLAY|XAUTHORITY|SUDO_\w+|OLDPWD|PWD|SHLVL|_|TMUX|TMUX_PANE|STY|WINDOW|TERM|TERM_PROGRAM\w*|COLORTERM|LS_COLORS|MAIL|XDG_\w+|DBUS_SESSION_BUS_ADDRESS|HISTFILE|PS1|LINES|COLUMNS|INVOCATION_ID|NOTIFY_SOCKET|JOURNAL_STREAM|LOGNAME|USER|HOME|SHELL)$/;

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
  if (found?.note) notes.push(found.note);
  const path = found?.path ?? null;
  if (!input.exe && argv?.[0] && !argv[0].startsWith('/'))
    notes.push(
      `its executable could not be read (${input.exeError ?? 'EIO'}): write the full path of ${argv[0]} in the command`,
    );
  const type = program?.readiness === 'notify' ? 'notify' : 'simple';
  if (titled) {
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
  const absolute = (a: string[]): string[] => (path && !a[0]!.startsWith('/') ? [path, ...a.slice(1)] : a);
  if (!program) {
    notes.push(
      `${snap.stat.comm} is not in daemon-check's knowledge table: whether it forks itself away is unknown; if it does, give it its foreground option`,
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

/** Relative paths in its arguments only work from where it was started: keep that directory; else /. */
function cwdOf(snap: Snapshot, argv: string[] | null, notes: string[]): string | null {
  if (snap.cwd === null) {
    notes.push(`its working directory could not be read (${snap.unreadable.cwd ?? 'EIO'}): set it`);
    return null;
  }
  const cwd = snap.cwd.endsWith(' (deleted)') ? null : snap.cwd;
  const relative = (argv ?? []).some((a, i) =>
    i === 0 ? a.includes('/') && !a.startsWith('/') : a.startsWith('./') || a.startsWith('../'),
  );
  return relative && cwd ? cwd : '/';
}

function envOf(snap: Snapshot, withEnv: boolean, notes: string[]): ServiceSpec['env'] {
  if (!snap.environ) {
    notes.push(`its environment could not be read (${snap.unreadable.environ ?? 'EIO'})`);
    return [];
  }
  return [...snap.environ.entries()]
    .filter(([k]) => !SESSION.test(k))
    .map(([name, value]) => ({ name, value: withEnv ? value : null }));
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
  return {
    name: serviceName({ ...snap, exe: input.exe }),
    argv: cmd.argv,
    type: cmd.type,
    pidfile: cmd.pidfile,
    cwd: cwdOf(snap, cmd.argv, notes),
    // root is every manager's default: no User=/Group= line for it.
    user: uid === undefined || uid === 0 ? null : (input.userName ?? String(uid)),
    group: gid === undefined || uid === 0 ? null : (input.groupName ?? String(gid)),
    umask: st?.umask != null ? formatMode(st.umask) : null,
    // A title written over argv spills into the environment area: what is left there is not its environment.
    env: titled ? [] : envOf(snap, input.withEnv, notes),
    notes,
    program,
  };
}

/** Shell lines for the environment: `export K=V` with --env; otherwise one comment with the names. */
export function envLines(spec: ServiceSpec): string[] {
  const out = spec.env.filter((e) => e.value !== null).map((e) => `export ${e.name}=${shellQuote(e.value!)}`);
  const names = spec.env.filter((e) => e.value === null).map((e) => e.name);
  if (names.length)
    out.push(
      `# Its environment also had: ${names.join(' ')} (values not written; daemon-check unit --env writes them)`,
    );
  return out;
}
