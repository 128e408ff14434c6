/*
 * daemon-check-helper: the native helper of daemon-check (helper.md).
 *
 *   daemon-check-helper [options] -- CMD [ARGS...]   start CMD as a textbook
 *       SysV daemon (daemon(7)); see start.c, and opts.c for the options.
 *   daemon-check-helper scan-read PROC_ROOT          the bulk /proc reads of
 *       `daemon-check scan`; see scan-read.c.
 *   daemon-check-helper watch [options] PID... | -- CMD   what ends the
 *       processes, as JSON lines; see watch.h and watch.c.
 *   daemon-check-helper try [options] -- SHELL   the throwaway login of
 *       `daemon-check try`, driven over stdin/stdout; see try.h.
 *
 * Node cannot fork(), and fork() inside a multithreaded process (an addon
 * loaded into Node) is unsafe, so this is a separate program.
 *
 * Exit codes (protocol.h): 0 started; 2 bad usage; 127 command not found;
 * 126 command not executable (or any other exec error); 3 the pidfile is
 * locked by a running instance; 1 anything else.  Every failure prints
 * exactly one line on stderr: "daemon-check: ..." in English, or with
 * --json-errors (which daemon-check's TypeScript side passes) one JSON
 * object whose fields protocol.h lists.
 *
 * Layout: each mode's entry (start_main, scan_read_main) is its top level,
 * the only place that prints a failure and chooses the exit code; the steps
 * below it return a status.  The forked child is its own top level and
 * leaves by _exit() (daemon.c).
 */
#include <string.h>

#include "scan-read.h"
#include "start.h"
#include "try.h"
#include "watch.h"

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "scan-read") == 0)
		return scan_read_main(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "watch") == 0)
		return watch_main(argc - 1, argv + 1);
	if (argc > 1 && strcmp(argv[1], "try") == 0)
		return try_main(argc - 1, argv + 1);
	return start_main(argc, argv);
}
