/*
 * Facts the helper shares with the TypeScript side, defined here once.
 * test/unit/native-protocol.test.ts parses this file and fails when
 * src/daemonize/failure.ts (exit codes, stages), src/proc/source.ts (the read
 * cap) or src/proc/fd.ts (the fd cap, the stdio rule) disagree with it, so
 * keep every value a plain decimal or string literal.
 */
#ifndef DAEMON_CHECK_PROTOCOL_H
#define DAEMON_CHECK_PROTOCOL_H

/* ---- `daemon-check-helper [options] -- CMD`: exit codes ------------------ */

#define HELPER_EXIT_OK 0
#define HELPER_EXIT_FAILED 1      /* any other failure */
#define HELPER_EXIT_USAGE 2       /* bad options */
#define HELPER_EXIT_LOCKED 3      /* the pidfile is locked by a running instance */
#define HELPER_EXIT_NOEXEC 126    /* the command cannot be executed */
#define HELPER_EXIT_NOTFOUND 127  /* the command was not found */

/*
 * ---- failures as fields --------------------------------------------------
 *
 * With --json-errors every failure is ONE line on stderr, a JSON object
 * {"stage":NAME, ...}, instead of the English line "daemon-check: ...".
 * NAME is one of the names below; the other keys (all optional, present
 * when the stage has them; see failure.c):
 *   errno, error     the errno and its strerror() text
 *   command          CMD as given;  path: the absolute path of --chdir,
 *                    --stdout or --stderr;  searchPath: the PATH searched
 *   pidfile, dir     the pidfile (absolute once it is known) and its directory
 *   user, group, gid, links, option, value, arg
 *   runningPid       the pid in a locked pidfile (null: none written yet)
 *   pid, launcher    the program's pid; daemonPid: the process it left
 *   exitStatus | signal   how the program ended (signal: "SIGKILL")
 *   waitStatus, report, settle, timeout, reason
 *   beforeReady, userDenied, stderrNull   true when they apply
 *   stopped          {"pids":[at most 8],"count":N,"killed":BOOL}: what
 *                    the helper stopped (SIGTERM, then SIGKILL if killed)
 * src/daemonize/failure.ts turns these into the same English line.
 */
#define HELPER_STAGES(X)                                   \
	X(USAGE_SECONDS, "usage-seconds")                  \
	X(USAGE_NEEDS_VALUE, "usage-needs-value")          \
	X(USAGE_UNEXPECTED, "usage-unexpected")            \
	X(USAGE_EMPTY_PIDFILE, "usage-empty-pidfile")      \
	X(USAGE_UMASK, "usage-umask")                      \
	X(USAGE_ENV, "usage-env")                          \
	X(USAGE_UNKNOWN, "usage-unknown")                  \
	X(USAGE_NO_SEPARATOR, "usage-no-separator")        \
	X(USAGE_NO_COMMAND, "usage-no-command")            \
	X(USAGE_EMPTY_PATH, "usage-empty-path")            \
	X(MEMORY, "memory")                                \
	X(CWD, "cwd")                                      \
	X(EXEC, "exec")                                    \
	X(USER, "user")                                    \
	X(GROUP, "group")                                  \
	X(USER_NOT_ROOT, "user-not-root")                  \
	X(CHDIR, "chdir")                                  \
	X(PIDFILE_NAME, "pidfile-name")                    \
	X(PIDFILE_DIR, "pidfile-dir")                      \
	X(PIDFILE_NOT_DIR, "pidfile-not-dir")              \
	X(PIDFILE_UNSAFE_DIR, "pidfile-unsafe-dir")        \
	X(PIDFILE_SYMLINK, "pidfile-symlink")              \
	X(PIDFILE_OPEN, "pidfile-open")                    \
	X(PIDFILE_STAT, "pidfile-stat")                    \
	X(PIDFILE_TYPE, "pidfile-type")                    \
	X(PIDFILE_LINKS, "pidfile-links")                  \
	X(PIDFILE_LOCKED, "pidfile-locked")                \
	X(PIDFILE_NO_OFD, "pidfile-no-ofd")                \
	X(PIDFILE_LOCK, "pidfile-lock")                    \
	X(PIDFILE_TRUNCATE, "pidfile-truncate")            \
	X(PIDFILE_CHMOD, "pidfile-chmod")                  \
	X(PIDFILE_WRITE, "pidfile-write")                  \
	X(NOTIFY_RANDOM, "notify-random")                  \
	X(NOTIFY_SOCKET, "notify-socket")                  \
	X(NOTIFY_SETUP, "notify-setup")                    \
	X(SUBREAPER, "subreaper")                          \
	X(PIPE, "pipe")                                    \
	X(FORK, "fork")                                    \
	X(SETSID, "setsid")                                \
	X(INITGROUPS, "initgroups")                        \
	X(SETGID, "setgid")                                \
	X(SETUID, "setuid")                                \
	X(VERIFY_PRIVILEGES, "verify-privileges")          \
	X(STDIN, "stdin")                                  \
	X(STDOUT, "stdout")                                \
	X(STDERR, "stderr")                                \
	X(FDS, "fds")                                      \
	X(REPORT, "report")                                \
	X(INTERMEDIATE, "intermediate")                    \
	X(PROC, "proc")                                    \
	X(EXITED, "exited")                                \
	X(LEFT_NOTHING, "left-nothing")                    \
	X(FORKED_AWAY, "forked-away")                      \
	X(READY_TIMEOUT, "ready-timeout")

/* "reason" of a forked-away failure. */
#define FORKED_AWAY_NO_LOCK "no-lock"
#define FORKED_AWAY_AMBIGUOUS "ambiguous"
#define FORKED_AWAY_UNSTABLE "unstable"
#define FORKED_AWAY_DAEMON_EXITED "daemon-exited"

/* ---- `daemon-check-helper watch`: failures -------------------------------
 *
 * A watch that cannot start prints one line, as the other modes do: with
 * --json-errors {"stage":NAME, ...} (keys: errno, error, pid, path, option,
 * value, command), else "daemon-check: ...".  Exit codes: HELPER_EXIT_USAGE
 * for WATCH_STAGE_USAGE, HELPER_EXIT_NOTFOUND / HELPER_EXIT_NOEXEC for
 * WATCH_STAGE_EXEC, HELPER_EXIT_FAILED for the others.  The stage names are
 * plain defines (not in HELPER_STAGES, which is `run`'s);
 * src/watch/failure.ts lists them and test/unit/watch-reader.test.ts checks
 * that both sides agree.
 */
#define WATCH_STAGE_USAGE "watch-usage"             /* option, value */
#define WATCH_STAGE_UNKNOWN_PID "watch-unknown-pid" /* pid: no such process */
#define WATCH_STAGE_ENDED "watch-ended"             /* pid: it ended while the watch started */
#define WATCH_STAGE_TRACEFS "watch-tracefs"         /* path, errno: tracefs present but refused */
#define WATCH_STAGE_EXEC "watch-exec"               /* command, errno: -- CMD cannot be run */
#define WATCH_STAGE_SETUP "watch-setup"             /* value (what), errno: anything else */

/* The tracefs instance of a watch: WATCH_INSTANCE_PREFIX + the helper's pid. */
#define WATCH_INSTANCE_PREFIX "dc-watch-"

/* ---- `daemon-check-helper try`: failures --------------------------------
 *
 * The throwaway login of `daemon-check try` (native/try.h has the line
 * protocol).  A try that cannot start prints one line, with --json-errors
 * {"stage":NAME, "errno", "error", "value"}; exit HELPER_EXIT_USAGE for
 * TRY_STAGE_USAGE, HELPER_EXIT_FAILED for the others.  src/try/helper.ts
 * lists the names (test/unit/native-protocol.test.ts checks both sides).
 */
#define TRY_STAGE_USAGE "try-usage"                 /* value: the bad argument */
#define TRY_STAGE_USER_NOT_ROOT "try-user-not-root" /* value: --user, given without root */
#define TRY_STAGE_USER "try-user"                   /* value: no such user */
#define TRY_STAGE_PTY "try-pty"                     /* errno: no pty could be had */
#define TRY_STAGE_SHELL "try-shell"                 /* value, errno: the shell could not be started */
#define TRY_STAGE_SETUP "try-setup"                 /* errno: anything else */

/* The cgroup v2 leaf of a try login: TRY_CGROUP_PREFIX + the helper's pid. */
#define TRY_CGROUP_PREFIX "dc-try-"

/* ---- `daemon-check-helper scan-read`: what a scan reads ------------------ */

/* The largest read a scan asks for, 4 MiB (src/proc/source.ts DEFAULT_READ_CAP). */
#define SCAN_READ_CAP 4194304
/* The fds a scan examines one by one (src/proc/fd.ts FD_DETAIL_CAP). */
#define FD_DETAIL_CAP 4096
/* Stdio (fd 0 to PLAIN_STDIO_MAX_FD) on /dev/null, a pipe or a socket: a scan
 * reads neither its stat nor its fdinfo (src/proc/fd.ts PLAIN_STDIO). */
#define PLAIN_STDIO_MAX_FD 2
#define PLAIN_STDIO_NULL "/dev/null"
#define PLAIN_STDIO_PIPE_PREFIX "pipe:["
#define PLAIN_STDIO_SOCKET_PREFIX "socket:["

#endif
