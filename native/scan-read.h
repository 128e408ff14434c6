/* daemon-check-helper scan-read: see scan-read.c. */
#ifndef DAEMON_CHECK_SCAN_READ_H
#define DAEMON_CHECK_SCAN_READ_H
int scan_read_main(int argc, char **argv);
#endif
