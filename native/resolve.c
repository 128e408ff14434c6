/* Validation before forking (helper.md step 1): fail loudly here rather than
 * in the daemon, where only an errno can be reported. */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "env.h"
#include "resolve.h"
#include "util.h"

/* execvp()'s search path when PATH is unset (glibc's confstr(_CS_PATH)). */
#define DEFAULT_PATH "/bin:/usr/bin"

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

static int failed(struct failure *f, enum stage stage, int err)
{
	failure_init(f, stage, err);
	return -1;
}

/* Resolve CMD the way execvp() will, but with the daemon's final PATH and
 * against *our* cwd (relative PATH entries and "./cmd" mean what the caller
 * meant, not something relative to --chdir).  The daemon then execs the
 * resolved absolute path, so validation and exec agree. */
static int resolve_command(const struct options *o, struct run *r, struct failure *f)
{
	const char *cmd = o->argv[0];
	int err;

	if (strchr(cmd, '/')) {
		if (!(r->exec_path = absolutize(cmd)))
			return failed(f, errno == ENOMEM ? STAGE_MEMORY : STAGE_CWD, errno);
		err = check_exec(r->exec_path, false);
		if (!err)
			return 0;
		failed(f, STAGE_EXEC, err);
		f->command = cmd;
		return -1;
	}

	const char *path = env_get(r, "PATH");
	if (!path)
		path = DEFAULT_PATH;
	int seen = ENOENT; /* like execvp: report EACCES if that is all we met */
	for (const char *p = path;;) {
		size_t n = strcspn(p, ":");
		char *cand;
		/* An empty PATH entry means the current directory. */
		if (asprintf(&cand, n ? "%.*s/%s" : "%.*s./%s", (int)n, p, cmd) < 0)
			return failed(f, STAGE_MEMORY, ENOMEM);
		err = check_exec(cand, true);
		if (err == 0) {
			r->exec_path = absolutize(cand);
			free(cand);
			if (!r->exec_path)
				return failed(f, errno == ENOMEM ? STAGE_MEMORY : STAGE_CWD, errno);
			return 0;
		}
		free(cand);
		if (err == EACCES)
			seen = EACCES;
		if (p[n] == '\0')
			break;
		p += n + 1;
	}
	failed(f, STAGE_EXEC, seen);
	f->command = cmd;
	if (seen == ENOENT)
		f->search_path = path;
	return -1;
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

static int resolve_user(const struct options *o, struct run *r, struct failure *f)
{
	struct passwd *pw;
	unsigned long id;
	char *grp;

	if (!(r->user_spec = strdup(o->user)))
		return failed(f, STAGE_MEMORY, ENOMEM);
	if ((grp = strchr(r->user_spec, ':')))
		*grp++ = '\0';
	errno = 0;
	pw = getpwnam(r->user_spec);
	if (!pw && parse_id(r->user_spec, &id))
		pw = getpwuid((uid_t)id);
	if (!pw) {
		failed(f, STAGE_USER, 0);
		f->user = r->user_spec;
		return -1;
	}
	r->uid = pw->pw_uid;
	r->gid = pw->pw_gid;
	if (!(r->user_name = strdup(pw->pw_name)))
		return failed(f, STAGE_MEMORY, ENOMEM);
	if (grp) {
		struct group *gr = getgrnam(grp);
		if (!gr && parse_id(grp, &id))
			gr = getgrgid((gid_t)id);
		if (!gr) {
			failed(f, STAGE_GROUP, 0);
			f->group = grp;
			return -1;
		}
		r->gid = gr->gr_gid;
	}
	r->switch_user = true;
	if (geteuid() != 0) {
		if (r->uid != getuid() || r->gid != getgid()) {
			failed(f, STAGE_USER_NOT_ROOT, 0);
			f->user = o->user;
			return -1;
		}
		r->switch_user = false; /* already that user: nothing to drop */
	}
	return 0;
}

/* An absolute copy of PATH into *OUT (NULL stays NULL). */
static int absolute(const char *path, char **out, struct failure *f)
{
	if (path && !(*out = absolutize(path)))
		return failed(f, errno == ENOMEM ? STAGE_MEMORY : STAGE_CWD, errno);
	return 0;
}

int resolve_all(const struct options *o, struct run *r, struct failure *f)
{
	struct stat st;

	if (env_build(o, r) != 0)
		return failed(f, STAGE_MEMORY, ENOMEM);
	if (resolve_command(o, r, f) != 0 || absolute(o->chdir, &r->chdir, f) != 0)
		return -1;
	int err = stat(r->chdir, &st) != 0 ? errno : !S_ISDIR(st.st_mode) ? ENOTDIR : 0;
	if (err) {
		failed(f, STAGE_CHDIR, err);
		f->path = r->chdir;
		return -1;
	}
	if (absolute(o->stdout_path, &r->stdout_path, f) != 0 ||
	    absolute(o->stderr_path, &r->stderr_path, f) != 0)
		return -1;
	return o->user ? resolve_user(o, r, f) : 0;
}
