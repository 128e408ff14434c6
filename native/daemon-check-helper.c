/*
 * daemon-check-helper: start a command as a textbook SysV daemon (daemon(7)).
 *
 *   daemon-check-helper [--pidfile P] [--umask OCTAL] [--chdir DIR]
 *                       [--stdout FILE] [--stderr FILE] [--user USER[:GROUP]]
 *                       [--env K=V]... [--clear-env] [--wait-ready[=SECONDS]]
 *                       [--settle SECONDS] [--json] -- CMD [ARGS...]
 *
 * Node cannot fork(), and fork() inside a multithreaded process (an addon
 * loaded into Node) is unsafe, so this is a separate, single-threaded program.
 * Being single-threaded is what makes it fine to call malloc/getpwnam/
 * initgroups between fork() and exec() below.
 *
 * Exit codes: 0 started; 2 bad usage; 127 command not found; 126 command not
 * executable (or any other exec error); 3 the pidfile is locked by a running
 * instance; 1 anything else.  Every failure prints exactly one line on stderr
 * starting with "daemon-check: ".
 *
 * Pidfile locking design: we use an open-file-description lock
 * (F_OFD_SETLK, Linux >= 3.15) rather than a classic POSIX record lock.
 * Classic fcntl locks belong to a *process*: they are not inherited by fork()
 * and vanish as soon as the process that took them closes any fd on the file
 * or exits, so a lock taken here would have to be dropped and re-taken by the
 * daemon, leaving a window where a second starter could slip in.  An OFD lock
 * belongs to the open file description, which fork() shares and exec()
 * preserves (we clear FD_CLOEXEC on the daemon's copy).  So the lock is held
 * continuously from before the first fork until the last holder of the
 * description - normally the daemon itself - exits.  It still conflicts with
 * classic POSIX locks taken by other tools.  /proc/locks shows it as "OFDLCK"
 * with pid -1; that is expected.
 *
 * Programs that daemonize themselves (nginx, redis-server --daemonize yes,
 * memcached -d, supervisord): they fork, the process we exec'd exits 0 and a
 * child lives on.  For --settle seconds (default 1.5) after the exec we are
 * a child subreaper and watch for that: the orphans it leaves become our
 * children.  We then follow the real daemon (the process below us that holds
 * the pidfile - it inherited our locked fd -, or without a pidfile our only
 * child or the only new session leader), write *its* pid into the pidfile
 * and report it; or, when we cannot tell which process it is or it does not
 * hold the lock, we stop everything the program started and fail, so that
 * neither our output nor the pidfile ever names a dead process.  The price:
 * a program that keeps running is only known to keep running once the window
 * is over, and what a program that forked away left behind is only known to
 * stay once the window is over too, so a start takes the whole window unless
 * the program fails or sends READY=1 (--settle 0: no wait, no following).
 * See settle() and follow().
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "scan-read.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif
#ifndef NSIG
#define NSIG 65
#endif

extern char **environ;

#define EXIT_USAGE 2
#define EXIT_LOCKED 3
#define EXIT_NOEXEC 126
#define EXIT_NOTFOUND 127
#define DEFAULT_READY_TIMEOUT 10.0
#define DEFAULT_SETTLE 1.5
/* After the program exits 0 in the window: how long what it left behind must
 * stay unchanged before we decide which process is the daemon (the middle
 * process of a double fork exits within milliseconds). */
#define QUIET_SECONDS 0.3
/* Stopping what we started: SIGTERM, then SIGKILL after this long. */
#define STOP_GRACE_SECONDS 3.0
/* execvp()'s search path when PATH is unset (glibc's confstr(_CS_PATH)). */
#define DEFAULT_PATH "/bin:/usr/bin"

/* ---- options ------------------------------------------------------------ */

static const char *opt_pidfile;     /* as given */
static char *pidfile_abs;           /* absolute, for messages and --json */
static mode_t opt_umask = 022;      /* default 0022, as systemd's UMask= */
static const char *opt_chdir = "/";
static const char *opt_stdout, *opt_stderr;
static const char *opt_user;
static bool opt_clear_env, opt_json, opt_wait_ready;
static double opt_ready_timeout = DEFAULT_READY_TIMEOUT;
static double opt_settle = DEFAULT_SETTLE; /* 0: do not watch */
static char **cmd_argv;             /* CMD ARGS..., NULL-terminated */

/* Resolved before forking. */
static char *exec_path;             /* absolute path execvp() is given */
static bool switch_user;
static uid_t target_uid;
static gid_t target_gid;
static char *target_name;           /* for initgroups() */
static char **envp;                 /* the daemon's environment */
static size_t envc;

/* fds of the original process, closed on every exit path (valgrind
 * --track-fds and tidiness). */
static int pidfile_fd = -1, notify_fd = -1, report_rd = -1;
/* The pidfile's identity: a process "holds" it if it has an fd on this. */
static dev_t pidfile_dev;
static ino_t pidfile_ino;

/* ---- messages ----------------------------------------------------------- */

static void close_fds(void)
{
	if (pidfile_fd >= 0)
		close(pidfile_fd);
	if (notify_fd >= 0)
		close(notify_fd);
	if (report_rd >= 0)
		close(report_rd);
	pidfile_fd = notify_fd = report_rd = -1;
}

/* Print "daemon-check: MSG" as exactly one line (control characters from
 * user-supplied names are replaced so they cannot break the line) and exit. */
static _Noreturn __attribute__((format(printf, 2, 3)))
void die(int code, const char *fmt, ...)
{
	char buf[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	for (char *p = buf; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	fprintf(stderr, "daemon-check: %s\n", buf);
	close_fds();
	exit(code);
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		die(1, "out of memory");
	return p;
}

static void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		die(1, "out of memory");
	return q;
}

static char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	return memcpy(xmalloc(n), s, n);
}

/* DIR + "/" + NAME, or NAME alone if it is already absolute.  Relative paths
 * are made absolute up front because the daemon runs from --chdir (/ by
 * default), not from the caller's directory. */
static char *absolutize(const char *name)
{
	char cwd[PATH_MAX];

	if (name[0] == '/')
		return xstrdup(name);
	if (!getcwd(cwd, sizeof cwd))
		die(1, "cannot determine the current directory: %s", strerror(errno));
	char *p = xmalloc(strlen(cwd) + strlen(name) + 2);
	sprintf(p, "%s/%s", strcmp(cwd, "/") ? cwd : "", name);
	return p;
}

/* ---- command line ------------------------------------------------------- */

static void usage_and_exit(void)
{
	puts("usage: daemon-check-helper [--pidfile P] [--umask OCTAL] [--chdir DIR]\n"
	     "                           [--stdout FILE] [--stderr FILE] [--user USER[:GROUP]]\n"
	     "                           [--env K=V]... [--clear-env] [--wait-ready[=SECONDS]]\n"
	     "                           [--settle SECONDS] [--json] -- CMD [ARGS...]\n"
	     "--settle: watch SECONDS (default 1.5; 0: off) for CMD forking itself away\n"
	     "          (it exits 0 and a child lives on) and follow it to the real daemon.\n"
	     "\n"
	     "       daemon-check-helper scan-read PROC_ROOT\n"
	     "reads what a scan needs of every process under PROC_ROOT (see native/scan-read.c).");
	exit(0);
}

/* Seconds from TEXT for OPT: a number in [0, 1e6] ('0' allowed only if
 * ZERO_OK).  The !(t >= 0) form also rejects NaN. */
static double parse_seconds(const char *opt, const char *text, bool zero_ok)
{
	char *end;
	errno = 0;
	double t = strtod(text, &end);
	if (errno || end == text || *end || !(t >= 0) || (!zero_ok && t == 0) || t > 1e6)
		die(EXIT_USAGE, "bad %s value '%s': expected seconds %s, e.g. %s=%s", opt, text,
		    zero_ok ? ">= 0" : "> 0", opt, zero_ok ? "1.5" : "10");
	return t;
}

/* Matches "--NAME VALUE" and "--NAME=VALUE"; *i is advanced past a separate
 * value.  Returns NULL if argv[*i] is not option NAME. */
static const char *opt_value(int argc, char **argv, int *i, const char *name)
{
	const char *a = argv[*i] + 2;
	size_t n = strlen(name);

	if (strncmp(a, name, n) != 0)
		return NULL;
	if (a[n] == '=')
		return a + n + 1;
	if (a[n] != '\0')
		return NULL;
	if (*i + 1 >= argc || strcmp(argv[*i + 1], "--") == 0)
		die(EXIT_USAGE, "option --%s needs a value", name);
	return argv[++*i];
}

static void add_env(const char *entry);

static void parse_args(int argc, char **argv)
{
	int i;
	const char *v;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--") == 0)
			break;
		if (strncmp(a, "--", 2) != 0)
			die(EXIT_USAGE, "unexpected argument '%s' (put the command after '--')", a);
		if (strcmp(a, "--help") == 0) {
			usage_and_exit();
		} else if (strcmp(a, "--json") == 0) {
			opt_json = true;
		} else if (strcmp(a, "--clear-env") == 0) {
			opt_clear_env = true;
		} else if (strcmp(a, "--wait-ready") == 0) {
			opt_wait_ready = true;
			opt_ready_timeout = DEFAULT_READY_TIMEOUT;
		} else if (strncmp(a, "--wait-ready=", 13) == 0) {
			opt_wait_ready = true;
			opt_ready_timeout = parse_seconds("--wait-ready", a + 13, false);
		} else if ((v = opt_value(argc, argv, &i, "settle"))) {
			opt_settle = parse_seconds("--settle", v, true);
		} else if ((v = opt_value(argc, argv, &i, "pidfile"))) {
			if (!*v)
				die(EXIT_USAGE, "--pidfile needs a file name");
			opt_pidfile = v;
		} else if ((v = opt_value(argc, argv, &i, "umask"))) {
			size_t n = strlen(v);
			if (n == 0 || n > 4 || strspn(v, "01234567") != n || strtoul(v, NULL, 8) > 0777)
				die(EXIT_USAGE, "bad --umask '%s': expected an octal mode such as 022", v);
			opt_umask = (mode_t)strtoul(v, NULL, 8);
		} else if ((v = opt_value(argc, argv, &i, "chdir"))) {
			opt_chdir = v;
		} else if ((v = opt_value(argc, argv, &i, "stdout"))) {
			opt_stdout = v;
		} else if ((v = opt_value(argc, argv, &i, "stderr"))) {
			opt_stderr = v;
		} else if ((v = opt_value(argc, argv, &i, "user"))) {
			opt_user = v;
		} else if ((v = opt_value(argc, argv, &i, "env"))) {
			const char *eq = strchr(v, '=');
			if (!eq || eq == v)
				die(EXIT_USAGE, "bad --env '%s': expected NAME=VALUE", v);
			/* Collected in order; applied after the base environment. */
			add_env(v);
		} else {
			die(EXIT_USAGE, "unknown option '%s' (see --help)", a);
		}
	}
	if (i >= argc)
		die(EXIT_USAGE, "missing '--' before the command (usage: daemon-check-helper [options] -- CMD [ARGS...])");
	if (i + 1 >= argc || argv[i + 1][0] == '\0')
		die(EXIT_USAGE, "missing command after '--'");
	cmd_argv = argv + i + 1;
	if ((opt_chdir[0] == '\0') || (opt_stdout && !*opt_stdout) || (opt_stderr && !*opt_stderr))
		die(EXIT_USAGE, "--chdir, --stdout and --stderr need a non-empty path");
}

/* ---- environment -------------------------------------------------------- */

/* --env entries are gathered first (they may precede --clear-env on the
 * command line) and merged by build_env(). */
static const char **env_opts;
static size_t env_optc;

static void add_env(const char *entry)
{
	const char **n = realloc(env_opts, (env_optc + 1) * sizeof *n);
	if (!n)
		die(1, "out of memory");
	env_opts = n;
	env_opts[env_optc++] = entry;
}

static bool same_key(const char *a, const char *b)
{
	size_t ka = strcspn(a, "="), kb = strcspn(b, "=");
	return ka == kb && strncmp(a, b, ka) == 0;
}

/* Set ENTRY ("K=V") in envp, replacing every earlier K. */
static void env_set(char *entry)
{
	size_t i, j;
	bool done = false;

	for (i = j = 0; i < envc; i++) {
		if (same_key(envp[i], entry)) {
			if (done)
				continue; /* drop duplicates */
			envp[j++] = entry;
			done = true;
		} else {
			envp[j++] = envp[i];
		}
	}
	envc = j;
	if (!done)
		envp[envc++] = entry;
	envp[envc] = NULL;
}

static void build_env(void)
{
	size_t n = 0;

	while (environ[n])
		n++;
	/* inherited + --env + NOTIFY_SOCKET + NULL */
	envp = xmalloc((n + env_optc + 2) * sizeof *envp);
	envc = 0;
	envp[0] = NULL;
	for (size_t i = 0; i < n; i++) {
		/* --clear-env keeps only PATH.  An inherited NOTIFY_SOCKET is
		 * always dropped: it belongs to whoever supervises *us*, and a
		 * daemon we detach must not report to it (pass --env to force). */
		if (strncmp(environ[i], "NOTIFY_SOCKET=", 14) == 0)
			continue;
		if (opt_clear_env && strncmp(environ[i], "PATH=", 5) != 0)
			continue;
		env_set(environ[i]);
	}
	for (size_t i = 0; i < env_optc; i++)
		env_set((char *)env_opts[i]);
}

static const char *env_get(const char *key)
{
	size_t k = strlen(key);
	for (size_t i = 0; i < envc; i++)
		if (strncmp(envp[i], key, k) == 0 && envp[i][k] == '=')
			return envp[i] + k + 1;
	return NULL;
}

/* ---- validation --------------------------------------------------------- */

/* 0 if PATH names a regular file we may execute, else an errno as execve()
 * would return it.  When SEARCHING a PATH entry, a file we cannot even stat
 * (e.g. an unsearchable directory such as /root/bin on PATH) counts as not
 * found there, as in a shell: only an existing, non-executable file makes
 * the result "Permission denied" (126) rather than "not found" (127). */
static int check_exec(const char *path, bool searching)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return searching ? ENOENT : errno;
	if (!S_ISREG(st.st_mode))
		return EACCES;
	if (access(path, X_OK) != 0)
		return errno;
	return 0;
}

/* Resolve CMD the way execvp() will, but with the daemon's final PATH and
 * against *our* cwd (relative PATH entries and "./cmd" mean what the caller
 * meant, not something relative to --chdir).  The daemon then execs the
 * resolved absolute path, so validation and exec agree. */
static void resolve_command(void)
{
	const char *cmd = cmd_argv[0];
	int err;

	if (strchr(cmd, '/')) {
		exec_path = absolutize(cmd);
		err = check_exec(exec_path, false);
		if (err)
			die(err == ENOENT ? EXIT_NOTFOUND : EXIT_NOEXEC,
			    "cannot execute %s: %s", cmd, strerror(err));
		return;
	}

	const char *path = env_get("PATH");
	if (!path)
		path = DEFAULT_PATH;
	int seen = ENOENT; /* like execvp: report EACCES if that is all we met */
	for (const char *p = path;; ) {
		size_t n = strcspn(p, ":");
		/* An empty PATH entry means the current directory. */
		char *cand = xmalloc(n + strlen(cmd) + 3);
		if (n == 0)
			sprintf(cand, "./%s", cmd);
		else
			sprintf(cand, "%.*s/%s", (int)n, p, cmd);
		err = check_exec(cand, true);
		if (err == 0) {
			exec_path = absolutize(cand);
			free(cand);
			return;
		}
		free(cand);
		if (err == EACCES)
			seen = EACCES;
		if (p[n] == '\0')
			break;
		p += n + 1;
	}
	if (seen == ENOENT)
		die(EXIT_NOTFOUND, "cannot execute %s: %s (not found in PATH=%s)",
		    cmd, strerror(ENOENT), path);
	die(EXIT_NOEXEC, "cannot execute %s: %s", cmd, strerror(seen));
}

static bool parse_id(const char *s, unsigned long *out)
{
	char *end;
	if (!isdigit((unsigned char)s[0]))
		return false;
	errno = 0;
	*out = strtoul(s, &end, 10);
	return !errno && !*end;
}

static void resolve_user(void)
{
	char *spec = xstrdup(opt_user), *grp = strchr(spec, ':');
	struct passwd *pw;
	unsigned long id;

	if (grp)
		*grp++ = '\0';
	errno = 0;
	pw = getpwnam(spec);
	if (!pw && parse_id(spec, &id))
		pw = getpwuid((uid_t)id);
	if (!pw)
		die(1, "unknown user '%s' (no passwd entry; check the --user name)", spec);
	target_uid = pw->pw_uid;
	target_gid = pw->pw_gid;
	target_name = xstrdup(pw->pw_name);
	if (grp) {
		struct group *gr = getgrnam(grp);
		if (!gr && parse_id(grp, &id))
			gr = getgrgid((gid_t)id);
		if (!gr)
			die(1, "unknown group '%s' (no group entry; check --user USER:GROUP)", grp);
		target_gid = gr->gr_gid;
	}
	free(spec);
	switch_user = true;
	if (geteuid() != 0) {
		if (target_uid == getuid() && target_gid == getgid())
			switch_user = false; /* already that user: nothing to drop */
		else
			die(1, "cannot switch to user '%s': only root can (run as root or drop --user)", opt_user);
	}
}

static void validate(void)
{
	struct stat st;

	build_env();
	resolve_command();
	opt_chdir = absolutize(opt_chdir);
	if (stat(opt_chdir, &st) != 0)
		die(1, "cannot chdir to %s: %s", opt_chdir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		die(1, "cannot chdir to %s: %s", opt_chdir, strerror(ENOTDIR));
	if (opt_stdout)
		opt_stdout = absolutize(opt_stdout);
	if (opt_stderr)
		opt_stderr = absolutize(opt_stderr);
	if (opt_user)
		resolve_user();
}

/* ---- pidfile ------------------------------------------------------------ */

/* Read the pid a lock holder wrote.  The holder may be between taking the
 * lock and writing its pid (another helper mid-start), so wait up to ~1 s
 * for a complete "N\n". */
static long read_running_pid(int fd)
{
	for (int tries = 0; tries < 20; tries++) {
		char buf[32];
		ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
		if (n > 0) {
			buf[n] = '\0';
			char *end;
			long pid = strtol(buf, &end, 10);
			if (pid > 0 && *end == '\n')
				return pid;
		}
		struct timespec ts = { 0, 50 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	return -1;
}

static void open_pidfile(void)
{
	const char *slash = strrchr(opt_pidfile, '/');
	const char *base = slash ? slash + 1 : opt_pidfile;
	char *dir, *rdir;
	struct stat st;

	if (*base == '\0' || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
		die(1, "bad pidfile %s: it names a directory, not a file", opt_pidfile);
	if (!slash)
		dir = xstrdup(".");
	else if (slash == opt_pidfile)
		dir = xstrdup("/");
	else {
		dir = xstrdup(opt_pidfile);
		dir[slash - opt_pidfile] = '\0';
	}
	rdir = realpath(dir, NULL);
	if (!rdir || stat(rdir, &st) != 0)
		die(1, "cannot use pidfile %s: directory %s: %s", opt_pidfile, dir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		die(1, "cannot use pidfile %s: %s is not a directory", opt_pidfile, dir);
	/* Anyone could swap the pidfile for a link or their own file in such a
	 * directory; sticky directories (/tmp) only let owners rename/unlink. */
	if ((st.st_mode & S_IWOTH) && !(st.st_mode & S_ISVTX))
		die(1, "refusing pidfile %s: its directory %s is world-writable without the sticky bit (use a directory such as /run)",
		    opt_pidfile, rdir);
	pidfile_abs = xmalloc(strlen(rdir) + strlen(base) + 2);
	sprintf(pidfile_abs, "%s/%s", strcmp(rdir, "/") ? rdir : "", base);
	free(dir);
	free(rdir);

	/* O_NOFOLLOW: a symlink in the last component fails with ELOOP and its
	 * target is neither created nor truncated.  O_NOCTTY in case someone
	 * points us at a terminal. */
	pidfile_fd = open(pidfile_abs, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0644);
	if (pidfile_fd < 0) {
		if (errno == ELOOP)
			die(1, "refusing pidfile %s: it is a symbolic link (pidfiles are never followed; remove the link)", pidfile_abs);
		if (errno == EACCES || errno == EROFS)
			die(1, "cannot open pidfile %s: %s (choose a directory you can write, e.g. /run or $XDG_RUNTIME_DIR)",
			    pidfile_abs, strerror(errno));
		die(1, "cannot open pidfile %s: %s", pidfile_abs, strerror(errno));
	}
	if (fstat(pidfile_fd, &st) != 0)
		die(1, "cannot stat pidfile %s: %s", pidfile_abs, strerror(errno));
	if (!S_ISREG(st.st_mode))
		die(1, "refusing pidfile %s: it is not a regular file", pidfile_abs);
	pidfile_dev = st.st_dev;
	pidfile_ino = st.st_ino;
	/* A second hard link may be someone else's file (e.g. planted in a
	 * shared directory); we would truncate it. */
	if (st.st_nlink > 1)
		die(1, "refusing pidfile %s: it has %lu hard links (remove it and let daemon-check recreate it)",
		    pidfile_abs, (unsigned long)st.st_nlink);

	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };
	if (fcntl(pidfile_fd, F_OFD_SETLK, &fl) != 0) {
		if (errno == EAGAIN || errno == EACCES) {
			long pid = read_running_pid(pidfile_fd);
			if (pid > 0)
				die(EXIT_LOCKED, "already running as pid %ld (pidfile %s is locked)", pid, pidfile_abs);
			die(EXIT_LOCKED, "already running (pidfile %s is locked by a process that has not written its pid)", pidfile_abs);
		}
		if (errno == EINVAL)
			die(1, "cannot lock pidfile %s: this kernel lacks open file description locks (Linux >= 3.15 is needed)", pidfile_abs);
		die(1, "cannot lock pidfile %s: %s", pidfile_abs, strerror(errno));
	}
	/* We hold the lock, so any content is stale: clear it now so that the
	 * file never shows a dead pid while locked.  The daemon writes its pid
	 * once, in full. */
	if (ftruncate(pidfile_fd, 0) != 0)
		die(1, "cannot truncate pidfile %s: %s", pidfile_abs, strerror(errno));
	/* The file mode must not depend on the caller's umask. */
	if (fchmod(pidfile_fd, 0644) != 0)
		die(1, "cannot chmod pidfile %s to 0644: %s", pidfile_abs, strerror(errno));
}

/* ---- readiness socket --------------------------------------------------- */

/* An abstract unix datagram socket with a random name: nothing to clean up
 * in the file system, and reachable by the daemon after it drops privileges
 * (a socket in a private 0700 directory would not be).  Since abstract
 * sockets have no permissions, SO_PASSCRED lets us accept messages only
 * from root or the daemon's uid (kernel-verified credentials). */
static char *notify_env;

static void open_notify_socket(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	unsigned char rnd[8];
	char name[64];
	int one = 1;

	if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd)
		die(1, "cannot create the readiness socket: getrandom: %s", strerror(errno));
	snprintf(name, sizeof name, "daemon-check/%ld/%02x%02x%02x%02x%02x%02x%02x%02x",
		 (long)getpid(), rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5], rnd[6], rnd[7]);
	notify_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (notify_fd < 0)
		die(1, "cannot create the readiness socket: %s", strerror(errno));
	/* sun_path[0] = '\0' selects the abstract namespace; the name is not
	 * NUL-terminated and its length is given by the address length. */
	memcpy(sa.sun_path + 1, name, strlen(name));
	socklen_t len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(name));
	if (bind(notify_fd, (struct sockaddr *)&sa, len) != 0 ||
	    setsockopt(notify_fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof one) != 0)
		die(1, "cannot set up the readiness socket: %s", strerror(errno));
	/* sd_notify() convention: a leading '@' stands for the NUL byte. */
	notify_env = xmalloc(strlen(name) + 32);
	sprintf(notify_env, "NOTIFY_SOCKET=@%s", name);
	env_set(notify_env);
}

/* Drain pending datagrams; true if one from an accepted sender has a line
 * "READY=1". */
static bool got_ready(uid_t daemon_uid)
{
	bool ready = false;

	for (;;) {
		char buf[4096];
		union {
			struct cmsghdr align;
			char buf[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(16 * sizeof(int))];
		} ctl;
		struct iovec iov = { buf, sizeof buf };
		struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
				      .msg_control = ctl.buf, .msg_controllen = sizeof ctl.buf };
		ssize_t n = recvmsg(notify_fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return ready; /* EAGAIN: drained */
		}
		bool trusted = false;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
			if (c->cmsg_level != SOL_SOCKET)
				continue;
			if (c->cmsg_type == SCM_CREDENTIALS) {
				struct ucred cr;
				memcpy(&cr, CMSG_DATA(c), sizeof cr);
				trusted = cr.uid == 0 || cr.uid == daemon_uid;
			} else if (c->cmsg_type == SCM_RIGHTS) {
				/* e.g. FDSTORE=1: we keep no fds, close them. */
				size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
				for (size_t j = 0; j < k; j++) {
					int fd;
					memcpy(&fd, CMSG_DATA(c) + j * sizeof(int), sizeof fd);
					close(fd);
				}
			}
		}
		if (!trusted)
			continue;
		/* Look for the exact line READY=1 in a newline-separated list. */
		for (ssize_t s = 0; s < n; ) {
			ssize_t e = s;
			while (e < n && buf[e] != '\n')
				e++;
			if (e - s == 7 && memcmp(buf + s, "READY=1", 7) == 0)
				ready = true;
			s = e + 1;
		}
	}
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *signame(int sig)
{
	static char buf[32];
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 32))
	const char *abbrev = sigabbrev_np(sig);
	if (abbrev) {
		snprintf(buf, sizeof buf, "SIG%s", abbrev);
		return buf;
	}
#endif
	snprintf(buf, sizeof buf, "%d", sig);
	return buf;
}

/* The daemon failed to start: its pid in the pidfile is no longer true.  We
 * still hold the lock through our fd (same open file description), so
 * emptying it cannot race another starter. */
static void clear_pidfile(void)
{
	if (pidfile_fd >= 0 && ftruncate(pidfile_fd, 0) != 0) {
		/* Nothing better to do; the lock is released when we exit. */
	}
}

static void nap(double seconds) /* seconds < 1 */
{
	struct timespec ts = { 0, (long)(seconds * 1e9) };
	nanosleep(&ts, NULL);
}

/* "exited with status 3" or "was killed by signal SIGKILL". */
static const char *status_text(int status)
{
	static char buf[64];
	if (WIFEXITED(status))
		snprintf(buf, sizeof buf, "exited with status %d", WEXITSTATUS(status));
	else
		snprintf(buf, sizeof buf, "was killed by signal %s", signame(WTERMSIG(status)));
	return buf;
}

/* Whose READY=1 we accept (see got_ready). */
static uid_t daemon_uid(void)
{
	return switch_user ? target_uid : geteuid();
}

/* ---- the processes below us --------------------------------------------- */

/* As a child subreaper (see main) we adopt every orphan the program leaves,
 * so everything it started that still runs is below us in the tree. */
struct proc {
	pid_t pid, ppid, sid;
	char state;
	bool mine;  /* a descendant of ours */
	bool holds; /* has an fd open on the pidfile */
};

/* Fields of /proc/PID/stat; false if the process is gone. */
static bool read_stat(pid_t pid, struct proc *p)
{
	char path[64], buf[512];
	long ppid, pgrp, sid;

	snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	/* The name may contain anything, ')' too: fields follow the last ')'. */
	char *rp = strrchr(buf, ')');
	if (!rp || sscanf(rp + 1, " %c %ld %ld %ld", &p->state, &ppid, &pgrp, &sid) != 4)
		return false;
	p->pid = pid;
	p->ppid = (pid_t)ppid;
	p->sid = (pid_t)sid;
	p->mine = p->holds = false;
	return true;
}

/* Has PID an fd open on the pidfile (its device and inode)?  That is the fd
 * we left it, and with it the lock. */
static bool holds_pidfile(pid_t pid)
{
	char path[64];
	bool found = false;

	snprintf(path, sizeof path, "/proc/%ld/fd", (long)pid);
	DIR *d = opendir(path);
	if (!d)
		return false;
	for (struct dirent *de; !found && (de = readdir(d)); ) {
		struct stat st;
		/* stat() follows the magic link to the open file itself. */
		found = de->d_name[0] != '.' && fstatat(dirfd(d), de->d_name, &st, 0) == 0 &&
			st.st_dev == pidfile_dev && st.st_ino == pidfile_ino;
	}
	closedir(d);
	return found;
}

/* Our live descendants (zombies left out).  Returns how many; *out is
 * malloc'd, the caller frees it. */
static size_t descendants(struct proc **out)
{
	struct proc *all = NULL;
	size_t n = 0, cap = 0, k = 0;
	pid_t self = getpid();
	DIR *d = opendir("/proc");

	if (!d)
		die(1, "cannot read /proc: %s", strerror(errno));
	for (struct dirent *de; (de = readdir(d)); ) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);
		if (pid <= 0 || *end)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			all = xrealloc(all, cap * sizeof *all);
		}
		if (read_stat((pid_t)pid, &all[n]))
			n++;
	}
	closedir(d);
	/* Mark our children, their children, ... until nothing changes. */
	for (bool more = true; more; ) {
		more = false;
		for (size_t i = 0; i < n; i++) {
			bool below = all[i].ppid == self;
			for (size_t j = 0; !below && j < n; j++)
				below = all[j].mine && all[j].pid == all[i].ppid;
			if (below && !all[i].mine)
				all[i].mine = more = true;
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (!all[i].mine || all[i].state == 'Z' || all[i].state == 'X')
			continue;
		all[i].holds = pidfile_fd >= 0 && holds_pidfile(all[i].pid);
		all[k++] = all[i];
	}
	*out = all;
	return k;
}

/* Reap whatever below us has exited; true if WATCH did, its status in
 * *status. */
static bool reap(pid_t watch, int *status)
{
	bool hit = false;
	int st;
	pid_t r;

	while ((r = waitpid(-1, &st, WNOHANG)) > 0) {
		if (r == watch) {
			hit = true;
			*status = st;
		}
	}
	return hit;
}

/* "pid 12" or "pids 12 13 ...": what stop_descendants() signalled. */
static char stopped_list[256];
static size_t stopped_count;

static void list_stopped(const pid_t *pids, size_t n)
{
	/* At most 8 pids of at most 11 characters each: never truncated. */
	size_t len = (size_t)snprintf(stopped_list, sizeof stopped_list, "pid%s", n == 1 ? "" : "s");
	for (size_t i = 0; i < n && i < 8 && len < sizeof stopped_list; i++)
		len += (size_t)snprintf(stopped_list + len, sizeof stopped_list - len, " %ld", (long)pids[i]);
	if (n > 8 && len < sizeof stopped_list)
		snprintf(stopped_list + len, sizeof stopped_list - len, " and %zu more", n - 8);
	stopped_count = n;
}

/* Stop everything below us, i.e. what the program started: SIGTERM to each
 * process once, SIGKILL to whatever is left after STOP_GRACE_SECONDS.  It
 * loops because a process that dies hands its children to us.  By pid: the
 * pids come from /proc just before, and our own children cannot be reused
 * before we reap them.  Returns true if SIGKILL was needed. */
static bool stop_descendants(void)
{
	double grace = now() + STOP_GRACE_SECONDS, give_up = grace + 2.0;
	pid_t *termed = NULL;
	size_t nterm = 0;
	bool killed = false;
	int st;

	for (;;) {
		struct proc *p;
		reap(0, &st);
		size_t n = descendants(&p);
		bool late = now() >= grace;
		for (size_t i = 0; i < n; i++) {
			size_t j = 0;
			while (j < nterm && termed[j] != p[i].pid)
				j++;
			if (late) {
				killed = kill(p[i].pid, SIGKILL) == 0 || killed;
			} else if (j == nterm) {
				termed = xrealloc(termed, (nterm + 1) * sizeof *termed);
				termed[nterm++] = p[i].pid;
				kill(p[i].pid, SIGTERM);
			}
		}
		free(p);
		if (n == 0 || now() >= give_up)
			break;
		nap(0.02);
	}
	list_stopped(termed, nterm);
	free(termed);
	return killed;
}

/* stop_descendants(), described for a message: "; stopped pid 12 with
 * SIGTERM", or "" when nothing was running. */
static const char *stop_all(void)
{
	static char note[320];
	bool killed = stop_descendants();
	if (stopped_count == 0)
		return "";
	snprintf(note, sizeof note, "; stopped %s with %s", stopped_list,
		 killed ? "SIGTERM, then SIGKILL" : "SIGTERM");
	return note;
}

/* ---- readiness ---------------------------------------------------------- */

static bool ready_seen; /* READY=1 arrived during the settle window */

/* Wait until DEADLINE for READY=1 from the daemon PID, which is our child
 * because we are a subreaper (see main). */
static void wait_ready(pid_t pid, double deadline)
{
	uid_t uid = daemon_uid();
	int status = 0;

	while (!ready_seen) {
		double left = deadline - now();
		struct pollfd pfd = { .fd = notify_fd, .events = POLLIN };
		/* Short slices so that a dead daemon is noticed promptly. */
		int ms = left <= 0 ? 0 : left > 0.1 ? 100 : (int)(left * 1000) + 1;

		if (poll(&pfd, 1, ms) > 0 && got_ready(uid))
			return;
		if (reap(pid, &status)) {
			clear_pidfile();
			const char *note = stop_all(); /* what it left behind */
			die(1, "%s (pid %ld) %s before it was ready%s", cmd_argv[0], (long)pid,
			    status_text(status), note);
		}
		if (deadline - now() <= 0)
			break;
	}
	if (ready_seen)
		return;
	/* Timed out.  Leaving a daemon running that we report as failed would
	 * be worse (it holds the pidfile lock, and a retry would say "already
	 * running"), so stop it and whatever it started. */
	clear_pidfile();
	bool killed = stop_descendants();
	die(1, "%s (pid %ld) did not report READY=1 within %g s; %s", cmd_argv[0], (long)pid,
	    opt_ready_timeout, killed ? "it ignored SIGTERM and was killed with SIGKILL" : "stopped it with SIGTERM");
}

/* ---- the settle window: programs that fork themselves away -------------- */

/* pick_daemon()'s answers other than a pid. */
enum { PICK_NONE = 0, PICK_AMBIGUOUS = -1, PICK_NOLOCK = -2, PICK_UNSTABLE = -3 };

static pid_t followed_launcher; /* > 0: we followed it to the daemon */

static bool parent_holds(const struct proc *p, size_t n, pid_t ppid)
{
	for (size_t i = 0; i < n; i++)
		if (p[i].pid == ppid)
			return p[i].holds;
	return false;
}

/* Which of the processes below us is the daemon?  With a pidfile: the one
 * that holds it and whose parent does not (nginx's master, not its workers,
 * which inherited the fd from it).  Without: our only child (the orphan the
 * program left), else the only child that leads its own session. */
static pid_t pick_daemon(const struct proc *p, size_t n)
{
	pid_t self = getpid(), holder = 0, kid = 0, leader = 0;
	size_t holders = 0, kids = 0, leaders = 0;

	if (n == 0)
		return PICK_NONE;
	for (size_t i = 0; i < n; i++) {
		if (p[i].holds && !parent_holds(p, n, p[i].ppid)) {
			holders++;
			holder = p[i].pid;
		}
		if (p[i].ppid == self) {
			kids++;
			kid = p[i].pid;
			if (p[i].sid == p[i].pid) {
				leaders++;
				leader = p[i].pid;
			}
		}
	}
	if (pidfile_fd >= 0)
		return holders == 1 ? holder : holders == 0 ? PICK_NOLOCK : PICK_AMBIGUOUS;
	return kids == 1 ? kid : leaders == 1 ? leader : PICK_AMBIGUOUS;
}

/* Report PID instead of the program: write it into the pidfile (our fd
 * shares the locked open file description, so the lock is held throughout),
 * then check it is still running and still holds the pidfile. */
static bool adopt(pid_t pid)
{
	struct proc p;

	if (pidfile_fd >= 0) {
		char buf[32];
		int n = snprintf(buf, sizeof buf, "%ld\n", (long)pid);
		if (ftruncate(pidfile_fd, 0) != 0 || pwrite(pidfile_fd, buf, (size_t)n, 0) != n ||
		    fsync(pidfile_fd) != 0) {
			int err = errno;
			clear_pidfile();
			const char *note = stop_all();
			die(1, "cannot write the pid to pidfile %s: %s%s", pidfile_abs, strerror(err), note);
		}
	}
	return read_stat(pid, &p) && p.state != 'Z' && p.state != 'X' &&
	       (pidfile_fd < 0 || holds_pidfile(pid));
}

/* We will not report a daemon: stop what the program started, empty the
 * pidfile, say why (WHY is a PICK_* or the pid that died as we adopted it). */
static _Noreturn void refuse(pid_t launcher, pid_t why)
{
	const char *cmd = cmd_argv[0], *note;
	long l = (long)launcher;

	clear_pidfile();
	note = stop_all();
	switch (why) {
	case PICK_NONE:
		die(1, "%s (pid %ld) exited with status 0 %s and left no process running", cmd, l,
		    opt_wait_ready ? "before it was ready" : "at once");
	case PICK_NOLOCK:
		die(1, "%s (pid %ld) forked itself away: no process it left holds the pidfile (they closed the inherited fd), so its lock cannot last as long as the daemon%s",
		    cmd, l, note);
	case PICK_AMBIGUOUS:
		die(1, "%s (pid %ld) forked itself away: cannot tell which of the processes it left is the daemon%s",
		    cmd, l, note);
	case PICK_UNSTABLE:
		die(1, "%s (pid %ld) forked itself away: the processes it left kept changing for %g s%s",
		    cmd, l, opt_settle, note);
	default:
		die(1, "%s (pid %ld) forked itself away: pid %ld, the process it left, exited at once%s",
		    cmd, l, (long)why, note);
	}
}

/* The program LAUNCHER exited 0 in the window: it forked itself away (or
 * just quit).  Watch what it left below us until the window ENDs and the
 * answer has not changed for QUIET_SECONDS (the middle process of a double
 * fork is gone, a daemon that closes its fds has done so), then follow the
 * daemon, or refuse.  Deciding at once would be quicker, but a daemon that
 * drops the lock a little later would then be reported holding it. */
static pid_t follow(pid_t launcher, double end)
{
	double quiet = opt_settle < QUIET_SECONDS ? opt_settle : QUIET_SECONDS;
	double since = now(), give_up = end + opt_settle;
	pid_t pick, last = PICK_UNSTABLE;
	int st;

	/* The pidfile names the program, which is dead: empty it until we
	 * know better.  (A starter that finds it locked meanwhile waits up to
	 * ~1 s for a pid to appear in it; see read_running_pid.) */
	clear_pidfile();
	for (;;) {
		struct proc *p;
		reap(0, &st);
		size_t n = descendants(&p);
		pick = pick_daemon(p, n);
		free(p);
		if (pick == PICK_NONE)
			break; /* nothing below us: nothing can appear any more */
		if (pick != last) {
			last = pick;
			since = now();
		} else if (now() >= end && now() - since >= quiet) {
			break;
		}
		if (now() >= give_up) {
			pick = PICK_UNSTABLE;
			break;
		}
		nap(0.01);
	}
	if (pick > 0 && !adopt(pick))
		refuse(launcher, pick);
	if (pick <= 0)
		refuse(launcher, pick);
	followed_launcher = launcher;
	return pick;
}

/* Watch the program PID for the settle window (see the comment at the top).
 * Returns the pid to report: the program itself if it still runs when the
 * window ends (or sent READY=1), else the daemon it forked itself away into.
 * A program that fails in the window is reported with its status. */
static pid_t settle(pid_t pid, double ready_deadline)
{
	double end = now() + opt_settle;
	int status = 0;

	if (opt_wait_ready && ready_deadline < end)
		end = ready_deadline;
	while (!reap(pid, &status)) {
		if (now() >= end)
			return pid; /* still running: the normal case */
		struct pollfd pfd = { .fd = notify_fd, .events = POLLIN };
		if (notify_fd < 0) {
			nap(0.01);
		} else if (poll(&pfd, 1, 10) > 0 && got_ready(daemon_uid())) {
			ready_seen = true; /* it is up, and did not fork away */
			return pid;
		}
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return follow(pid, end);
	clear_pidfile(); /* it names the program, which is dead */
	const char *note = stop_all(); /* anything it left behind */
	if (opt_wait_ready)
		die(1, "%s (pid %ld) %s before it was ready%s", cmd_argv[0], (long)pid, status_text(status), note);
	die(1, "%s (pid %ld) %s at once%s%s", cmd_argv[0], (long)pid, status_text(status), note,
	    opt_stderr ? "" : " (its stderr went to /dev/null: --stderr FILE keeps its messages)");
}

/* ---- the daemon side ---------------------------------------------------- */

/* What the forked processes tell the original over the report pipe.  Each
 * record is one write() of 8 bytes (< PIPE_BUF, so atomic). */
enum stage {
	ST_PID = 1, /* value: the daemon's pid (sent by the first child) */
	ST_FORK, ST_SETSID, ST_INITGROUPS, ST_SETGID, ST_SETUID, ST_VERIFY,
	ST_CHDIR, ST_STDIN, ST_STDOUT, ST_STDERR, ST_PIDFILE, ST_FDS, ST_EXEC,
};
struct report {
	int stage;
	int value; /* errno, or the pid for ST_PID */
};

static void send_report(int fd, int stage, int value)
{
	struct report r = { stage, value };
	/* If the original died the write fails (EPIPE/SIGPIPE); nobody is left
	 * to tell anyway. */
	if (write(fd, &r, sizeof r) != (ssize_t)sizeof r) {
		/* ignored */
	}
}

static _Noreturn void fail(int fd, int stage, int err)
{
	send_report(fd, stage, err);
	_exit(stage == ST_EXEC ? (err == ENOENT ? EXIT_NOTFOUND : EXIT_NOEXEC) : 1);
}

static void redirect(int target, const char *path, int flags, mode_t mode, int rep, int stage)
{
	int fd = open(path, flags | O_CLOEXEC | O_NOCTTY, mode);
	if (fd < 0)
		fail(rep, stage, errno);
	if (dup2(fd, target) < 0) /* dup2 clears FD_CLOEXEC on target */
		fail(rep, stage, errno);
	close(fd);
}

static void drop_privileges(int rep)
{
	uid_t r, e, s;
	gid_t rg, eg, sg;

	/* Order matters: groups and gid need privilege, so setuid comes last. */
	if (initgroups(target_name, target_gid) != 0)
		fail(rep, ST_INITGROUPS, errno);
	if (setgid(target_gid) != 0)
		fail(rep, ST_SETGID, errno);
	if (setuid(target_uid) != 0)
		fail(rep, ST_SETUID, errno);
	/* Verify it stuck: real, effective and saved ids, and no way back. */
	if (getresuid(&r, &e, &s) != 0 || r != target_uid || e != target_uid || s != target_uid ||
	    getresgid(&rg, &eg, &sg) != 0 || rg != target_gid || eg != target_gid || sg != target_gid)
		fail(rep, ST_VERIFY, EPERM);
	if (target_uid != 0 && setuid(0) == 0)
		fail(rep, ST_VERIFY, EPERM);
}

/* Make every fd >= 3 close-on-exec.  Unlike closing them now, this keeps the
 * report pipe usable until exec itself (which must be able to report its
 * own failure); the caller then clears FD_CLOEXEC on the pidfile fd. */
static int cloexec_from_3(void)
{
#ifdef SYS_close_range
	if (syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
		return 0;
#endif
	/* Kernels before 5.11: walk /proc/self/fd. */
	DIR *d = opendir("/proc/self/fd");
	if (d) {
		struct dirent *de;
		int dfd = dirfd(d);
		while ((de = readdir(d))) {
			int fd = atoi(de->d_name);
			if (fd >= 3 && fd != dfd)
				fcntl(fd, F_SETFD, FD_CLOEXEC);
		}
		closedir(d);
		return 0;
	}
	/* No /proc either: try every possible fd. */
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return -1;
	/* Capped at the kernel's default nr_open so RLIM_INFINITY terminates. */
	for (rlim_t fd = 3; fd < rl.rlim_cur && fd < (rlim_t)1048576; fd++)
		fcntl((int)fd, F_SETFD, FD_CLOEXEC);
	return 0;
}

/* Runs in the first child.  Never returns. */
static _Noreturn void child(int rep)
{
	/* New session: no controlling terminal, own process group. */
	if (setsid() < 0)
		fail(rep, ST_SETSID, errno);
	pid_t pid = fork();
	if (pid < 0)
		fail(rep, ST_FORK, errno);
	if (pid > 0) {
		/* The first child tells the original the daemon's pid (it is
		 * the one that knows it for sure) and exits, so the daemon is
		 * not a session leader and can never reacquire a terminal. */
		send_report(rep, ST_PID, (int)pid);
		close(rep);
		if (pidfile_fd >= 0)
			close(pidfile_fd);
		_exit(0);
	}

	/* The daemon (grandchild). */
	umask(opt_umask);
	/* Privileges are dropped *before* chdir and opening --stdout/--stderr:
	 * the files are then opened with the daemon's own credentials, so a
	 * link planted by that user cannot make us append to a root-owned
	 * file, new logs belong to the daemon's user (it can reopen them on
	 * rotation), and an inaccessible --chdir fails now instead of leaving
	 * the daemon in a directory it cannot use. */
	if (switch_user)
		drop_privileges(rep);
	if (chdir(opt_chdir) != 0)
		fail(rep, ST_CHDIR, errno);
	redirect(0, "/dev/null", O_RDONLY, 0, rep, ST_STDIN);
	redirect(1, opt_stdout ? opt_stdout : "/dev/null",
		 opt_stdout ? O_WRONLY | O_APPEND | O_CREAT : O_WRONLY, 0640, rep, ST_STDOUT);
	redirect(2, opt_stderr ? opt_stderr : "/dev/null",
		 opt_stderr ? O_WRONLY | O_APPEND | O_CREAT : O_WRONLY, 0640, rep, ST_STDERR);
	environ = envp;

	if (pidfile_fd >= 0) {
		char buf[32];
		int n = snprintf(buf, sizeof buf, "%ld\n", (long)getpid());
		/* One write of the whole content at offset 0 (the file was
		 * already emptied under the lock; truncate again to be sure). */
		if (ftruncate(pidfile_fd, 0) != 0 || pwrite(pidfile_fd, buf, (size_t)n, 0) != n ||
		    fsync(pidfile_fd) != 0)
			fail(rep, ST_PIDFILE, errno);
	}
	if (cloexec_from_3() != 0)
		fail(rep, ST_FDS, errno);
	/* The pidfile fd survives exec: the lock lives as long as the daemon. */
	if (pidfile_fd >= 0 && fcntl(pidfile_fd, F_SETFD, 0) != 0)
		fail(rep, ST_FDS, errno);

	/* exec_path is absolute, so execvp does no PATH search; it is used for
	 * its fallback of running a script without "#!" through /bin/sh. */
	execvp(exec_path, cmd_argv);
	fail(rep, ST_EXEC, errno);
}

/* ---- the original process ----------------------------------------------- */

static void reset_signals(void)
{
	struct sigaction sa;
	sigset_t none;

	/* The daemon must not inherit ignored or blocked signals from whoever
	 * ran us (nohup, Node, ...).  It also matters here: an inherited
	 * SIG_IGN for SIGCHLD would make waitpid() fail with ECHILD.  SIGKILL,
	 * SIGSTOP and glibc's internal signals fail with EINVAL; that is fine. */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = SIG_DFL;
	sigemptyset(&sa.sa_mask);
	for (int s = 1; s < NSIG; s++)
		sigaction(s, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

/* If fd 0, 1 or 2 is closed, the pidfile or a pipe could land on it and be
 * clobbered by a later dup2(); fill the gaps with /dev/null first. */
static void ensure_std_fds(void)
{
	for (int fd = 0; fd < 3; fd++) {
		if (fcntl(fd, F_GETFD) >= 0)
			continue;
		int n = open("/dev/null", O_RDWR);
		if (n < 0)
			exit(1);
		if (n != fd) { /* cannot happen: open returns the lowest free fd */
			close(n);
			exit(1);
		}
	}
}

static void report_failure(int stage, int err)
{
	const char *u = opt_user ? opt_user : "";

	clear_pidfile();
	switch (stage) {
	case ST_FORK:
		die(1, "cannot fork: %s", strerror(err));
	case ST_SETSID:
		die(1, "setsid failed: %s", strerror(err));
	case ST_INITGROUPS:
		die(1, "cannot set the supplementary groups of user %s: %s", u, strerror(err));
	case ST_SETGID:
		die(1, "cannot switch to group %ld of user %s: %s", (long)target_gid, u, strerror(err));
	case ST_SETUID:
		die(1, "cannot switch to user %s: %s", u, strerror(err));
	case ST_VERIFY:
		die(1, "privileges could not be dropped to user %s (refusing to start)", u);
	case ST_CHDIR:
		die(1, "cannot chdir to %s: %s%s", opt_chdir, strerror(err),
		    switch_user && err == EACCES ? " (not accessible to the --user)" : "");
	case ST_STDIN:
		die(1, "cannot open /dev/null: %s", strerror(err));
	case ST_STDOUT:
		die(1, "cannot open --stdout %s: %s%s", opt_stdout, strerror(err),
		    switch_user && err == EACCES ? " (the --user must be able to write it)" : "");
	case ST_STDERR:
		die(1, "cannot open --stderr %s: %s%s", opt_stderr, strerror(err),
		    switch_user && err == EACCES ? " (the --user must be able to write it)" : "");
	case ST_PIDFILE:
		die(1, "cannot write the pid to pidfile %s: %s", pidfile_abs, strerror(err));
	case ST_FDS:
		die(1, "cannot close inherited file descriptors: %s", strerror(err));
	case ST_EXEC:
		die(err == ENOENT ? EXIT_NOTFOUND : EXIT_NOEXEC, "cannot execute %s: %s",
		    cmd_argv[0], strerror(err));
	default:
		die(1, "internal error: unknown report %d", stage);
	}
}

static void print_json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c); /* UTF-8 passes through as is */
	}
	putchar('"');
}

/* What the report pipe said: the daemon's pid, and the first failure. */
struct outcome {
	pid_t daemon_pid;
	int fail_stage; /* 0: none */
	int fail_errno;
};

/* Collects report records until every write end is closed (the daemon's
 * closes on a successful exec, O_CLOEXEC). Records are 8 bytes and written
 * whole, but a read() may still end mid-record: keep the remainder. */
static void read_report(int fd, struct outcome *out)
{
	unsigned char buf[sizeof(struct report) * 8];
	size_t have = 0;
	for (;;) {
		ssize_t n = read(fd, buf + have, sizeof buf - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		have += (size_t)n;
		size_t off = 0;
		for (; have - off >= sizeof(struct report); off += sizeof(struct report)) {
			struct report r;
			memcpy(&r, buf + off, sizeof r);
			if (r.stage == ST_PID)
				out->daemon_pid = r.value;
			else if (!out->fail_stage) {
				out->fail_stage = r.stage;
				out->fail_errno = r.value;
			}
		}
		memmove(buf, buf + off, have - off);
		have -= off;
	}
}

/* The result line: the pid, or with --json {pid, pidfile, command} and,
 * when we followed a program that forked itself away, followed: {launcher,
 * status} (the status is always 0: only a clean exit is followed). */
static void print_result(pid_t daemon_pid)
{
	if (!opt_json) {
		printf("%ld\n", (long)daemon_pid);
		return;
	}
	printf("{\"pid\":%ld,\"pidfile\":", (long)daemon_pid);
	if (pidfile_abs)
		print_json_string(pidfile_abs);
	else
		fputs("null", stdout);
	fputs(",\"command\":[", stdout);
	for (char **a = cmd_argv; *a; a++) {
		if (a != cmd_argv)
			putchar(',');
		print_json_string(*a);
	}
	putchar(']');
	if (followed_launcher > 0)
		printf(",\"followed\":{\"launcher\":%ld,\"status\":0}", (long)followed_launcher);
	puts("}");
}

int main(int argc, char **argv)
{
	int pipefd[2];
	pid_t pid;
	int status = 0;
	struct outcome outcome = { -1, 0, 0 };

	/* A mode of its own: the bulk reads of `daemon-check scan` (scan-read.c). */
	if (argc > 1 && strcmp(argv[1], "scan-read") == 0)
		return scan_read_main(argc - 1, argv + 1);
	ensure_std_fds();
	parse_args(argc, argv);
	validate();
	if (opt_pidfile)
		open_pidfile();
	reset_signals();
	if (opt_wait_ready)
		open_notify_socket();
	/* Become the daemon's parent once the first child exits, so we can
	 * waitpid() it (how did it die before READY=1?  did it exit 0 in the
	 * settle window?), and adopt the orphans it leaves if it forks itself
	 * away.  When we exit, they all go on to init (or the next subreaper). */
	if ((opt_wait_ready || opt_settle > 0) && prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0)
		die(1, "cannot become a child subreaper: %s", strerror(errno));
	/* O_CLOEXEC: a successful exec closes the daemon's write end, so EOF
	 * with no error record means the exec worked. */
	if (pipe2(pipefd, O_CLOEXEC) != 0)
		die(1, "cannot create a pipe: %s", strerror(errno));
	report_rd = pipefd[0];

	fflush(NULL); /* no stdio buffer may be duplicated into the children */
	pid = fork();
	if (pid < 0)
		die(1, "cannot fork: %s", strerror(errno));
	if (pid == 0) {
		close(pipefd[0]);
		if (notify_fd >= 0)
			close(notify_fd);
		child(pipefd[1]);
	}
	close(pipefd[1]);

	read_report(report_rd, &outcome);
	double ready_deadline = now() + opt_ready_timeout;
	/* Reap the first child.  Once it is gone the daemon has been
	 * reparented (to init, or to us as a subreaper). */
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (outcome.fail_stage) {
		if ((opt_wait_ready || opt_settle > 0) && outcome.daemon_pid > 0) /* our child: reap it */
			waitpid(outcome.daemon_pid, NULL, 0);
		report_failure(outcome.fail_stage, outcome.fail_errno);
	}
	if (outcome.daemon_pid <= 0)
		die(1, "the intermediate process died before starting %s (wait status %d)", cmd_argv[0], status);

	pid_t daemon_pid = outcome.daemon_pid;
	if (opt_settle > 0)
		daemon_pid = settle(daemon_pid, ready_deadline);
	if (opt_wait_ready)
		wait_ready(daemon_pid, ready_deadline);

	print_result(daemon_pid);
	close_fds();
	if (fflush(stdout) != 0)
		return 1; /* nothing to print to: stdout itself failed */
	return 0;
}
