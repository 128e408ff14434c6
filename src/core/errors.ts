/**
 * The few ways an audit can fail to produce a report, decided in one place
 * (psutil's NoSuchProcess / AccessDenied / ZombieProcess idea). The CLI maps
 * `exitCode`; library users switch on `code` and read the typed fields.
 * Messages carry no "daemon-check: " prefix: the CLI's printError adds it.
 */
export type DaemonCheckErrorCode =
  | 'INVALID_PID'
  | 'INVALID_ARGUMENT'
  | 'NO_SUCH_PROCESS'
  | 'EXITED_DURING_AUDIT'
  | 'KERNEL_THREAD'
  | 'ZOMBIE'
  | 'PIDFILE'
  | 'NO_MATCH'
  | 'ACCESS_DENIED'
  | 'PROC_ROOT'
  | 'TIMEOUT';

const EXIT_CODES: Record<DaemonCheckErrorCode, number> = {
  INVALID_PID: 2,
  INVALID_ARGUMENT: 2,
  NO_SUCH_PROCESS: 3,
  EXITED_DURING_AUDIT: 3,
  KERNEL_THREAD: 3,
  ZOMBIE: 3,
  PIDFILE: 3,
  NO_MATCH: 3,
  ACCESS_DENIED: 3,
  PROC_ROOT: 3,
  TIMEOUT: 3,
};

export interface ErrorFields {
  /** The process the error is about, when there is one. */
  pid?: number;
  comm?: string;
  /** The errno behind it ("EACCES"), when a read failed. */
  errno?: string;
  cause?: unknown;
}

export class DaemonCheckError extends Error {
  readonly code: DaemonCheckErrorCode;
  readonly exitCode: number;
  readonly pid: number | undefined;
  readonly comm: string | undefined;
  readonly errno: string | undefined;
  constructor(code: DaemonCheckErrorCode, message: string, fields: ErrorFields = {}) {
    super(message, fields.cause === undefined ? undefined : { cause: fields.cause });
    this.name = 'DaemonCheckError';
    this.code = code;
    this.exitCode = EXIT_CODES[code];
    this.pid = fields.pid;
    this.comm = fields.comm;
    this.errno = fields.errno;
  }
}

/** An errno-style failure reading one /proc file; turned into an `unknown` reason. */
export class ProcReadError extends Error {
  readonly errno: string;
  readonly path: string;
  constructor(errno: string, path: string) {
    super(`${path}: ${errno}`);
    this.name = 'ProcReadError';
    this.errno = errno;
    this.path = path;
  }
}

/** A parser met text it cannot make sense of. Parsers throw only this. */
export class ParseError extends Error {
  constructor(what: string, detail: string) {
    super(`cannot parse ${what}: ${detail}`);
    this.name = 'ParseError';
  }
}

/** The errno code of a thrown error: EPARSE for garbled content, 'EIO' for anything odd. */
export function errnoOf(err: unknown): string {
  if (err instanceof ProcReadError) return err.errno;
  if (err instanceof ParseError) return 'EPARSE';
  if (err && typeof err === 'object' && 'code' in err && typeof (err as { code: unknown }).code === 'string') {
    return (err as { code: string }).code;
  }
  return 'EIO';
}

/**
 * "No such process", the one wording: under hidepid (proc(5)) the process may
 * only be invisible to this user, and the message says so.
 */
export function noSuchProcess(pid: number, procRoot: string, hidepid: string | null): DaemonCheckError {
  if (hidepid) {
    return new DaemonCheckError(
      'NO_SUCH_PROCESS',
      `no process with pid ${pid} is visible: ${procRoot || '/proc'} is mounted with ${hidepid}, which hides other users' processes; run as root or as the process's owner`,
      { pid },
    );
  }
  const where = procRoot && procRoot !== '/proc' ? ` under ${procRoot}` : '';
  return new DaemonCheckError(
    'NO_SUCH_PROCESS',
    `no process with pid ${pid}${where}; check the pid with 'ps -p ${pid}'`,
    { pid },
  );
}

/** Human words for why a piece of evidence could not be read. */
export function describeErrno(errno: string, asRoot = false): string {
  switch (errno) {
    case 'EACCES':
    case 'EPERM':
      return asRoot
        ? 'permission denied even to root (ptrace restrictions, a sandbox, or a process in another user namespace)'
        : "permission denied (another user's process; running as root or as its owner would show it)";
    case 'ENOENT':
    case 'ESRCH':
      return 'not present (the process is a zombie or has exited)';
    case 'EPARSE':
      return 'unreadable content (the file did not parse)';
    case 'NOTREAD':
      return 'not read: scan judged this process from the process table alone (daemon-check PID reads everything)';
    default:
      return `could not be read (${errno})`;
  }
}
