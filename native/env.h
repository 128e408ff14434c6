/* The daemon's environment. */
#ifndef DAEMON_CHECK_ENV_H
#define DAEMON_CHECK_ENV_H

#include "state.h"

/* Builds r->envp from ours and the options; 0 or -ENOMEM. */
int env_build(const struct options *o, struct run *r);
/* Sets ENTRY ("K=V", not copied) in r->envp, replacing every earlier K.
 * r->envp has room for one more entry than env_build() put in it. */
void env_set(struct run *r, char *entry);
/* The value of KEY in r->envp, or NULL. */
const char *env_get(const struct run *r, const char *key);

#endif
