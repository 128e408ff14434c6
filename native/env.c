/* The daemon's environment: ours (or only PATH with --clear-env), then the
 * --env entries in order, then NOTIFY_SOCKET when readiness is awaited. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "env.h"

extern char **environ;

static bool same_key(const char *a, const char *b)
{
	size_t ka = strcspn(a, "="), kb = strcspn(b, "=");
	return ka == kb && strncmp(a, b, ka) == 0;
}

void env_set(struct run *r, char *entry)
{
	size_t i, j;
	bool done = false;

	for (i = j = 0; i < r->envc; i++) {
		if (same_key(r->envp[i], entry)) {
			if (done)
				continue; /* drop duplicates */
			r->envp[j++] = entry;
			done = true;
		} else {
			r->envp[j++] = r->envp[i];
		}
	}
	r->envc = j;
	if (!done)
		r->envp[r->envc++] = entry;
	r->envp[r->envc] = NULL;
}

int env_build(const struct options *o, struct run *r)
{
	size_t n = 0;

	while (environ[n])
		n++;
	/* inherited + --env + NOTIFY_SOCKET + NULL */
	r->envp = malloc((n + o->envc + 2) * sizeof *r->envp);
	if (!r->envp)
		return -ENOMEM;
	r->envc = 0;
	r->envp[0] = NULL;
	for (size_t i = 0; i < n; i++) {
		/* --clear-env keeps only PATH.  An inherited NOTIFY_SOCKET is
		 * always dropped: it belongs to whoever supervises *us*, and a
		 * daemon we detach must not report to it (pass --env to force). */
		if (strncmp(environ[i], "NOTIFY_SOCKET=", 14) == 0)
			continue;
		if (o->clear_env && strncmp(environ[i], "PATH=", 5) != 0)
			continue;
		env_set(r, environ[i]);
	}
	for (size_t i = 0; i < o->envc; i++)
		env_set(r, (char *)o->env[i]);
	return 0;
}

const char *env_get(const struct run *r, const char *key)
{
	size_t k = strlen(key);
	for (size_t i = 0; i < r->envc; i++)
		if (strncmp(r->envp[i], key, k) == 0 && r->envp[i][k] == '=')
			return r->envp[i] + k + 1;
	return NULL;
}
