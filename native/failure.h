/* A failure, printed once by the mode's top level (start.c). */
#ifndef DAEMON_CHECK_FAILURE_H
#define DAEMON_CHECK_FAILURE_H

#include "state.h"

/* The exit code for F (protocol.h). */
int failure_exit_code(const struct failure *f);
/* Prints F on stderr: with JSON one JSON line (protocol.h), else the
 * English line "daemon-check: ..." (control characters replaced by '?' so
 * that user-supplied names cannot break the line). */
void failure_print(const struct failure *f, bool json);
/* The JSON line alone (failure-json.c). */
void failure_print_json(const struct failure *f);

#endif
