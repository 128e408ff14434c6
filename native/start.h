/* `daemon-check-helper [options] -- CMD [ARGS...]`: the original process. */
#ifndef DAEMON_CHECK_START_H
#define DAEMON_CHECK_START_H

/* The mode's top level: returns the exit code (protocol.h). */
int start_main(int argc, char **argv);

#endif
