/* The command line of `daemon-check-helper [options] -- CMD [ARGS...]`. */
#ifndef DAEMON_CHECK_OPTS_H
#define DAEMON_CHECK_OPTS_H

#include <stdio.h>

#include "state.h"

/* Fills *O from ARGV.  Returns 0, 1 for --help, or -1 with *F set (a usage
 * failure, exit code 2, or out of memory). */
int opts_parse(int argc, char **argv, struct options *o, struct failure *f);
void opts_free(struct options *o);
void opts_usage(FILE *out);

#endif
