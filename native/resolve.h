/* Everything checked before forking: the command, --chdir, --user. */
#ifndef DAEMON_CHECK_RESOLVE_H
#define DAEMON_CHECK_RESOLVE_H

#include "state.h"

/* Builds the environment and resolves the command, --chdir, --stdout,
 * --stderr and --user into *R.  0, or -1 with *F set. */
int resolve_all(const struct options *o, struct run *r, struct failure *f);

#endif
