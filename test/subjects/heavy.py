#!/usr/bin/env python3
"""A detached test subject that is expensive to audit.

Usage: heavy.py --report-fd N [--fds COUNT] [--locks COUNT] [--sleep S]
Opens COUNT extra fds on /dev/null and takes COUNT byte-range POSIX locks on a
temp file (non-adjacent ranges, so the kernel keeps one /proc/locks line each),
then reports its pid and sleeps.
"""
import fcntl, os, resource, sys, tempfile, time

args = sys.argv[1:]
def val(name, default):
    return args[args.index(name) + 1] if name in args else default

report_fd = int(val('--report-fd', '-1'))
nfds = int(val('--fds', '0'))
nlocks = int(val('--locks', '0'))
seconds = float(val('--sleep', '300'))

if nfds:
    want = nfds + 64
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard < want:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (want, want))   # needs CAP_SYS_RESOURCE
        except (ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))   # as many as allowed
    else:
        resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, want), hard))
    limit = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    keep = [os.open('/dev/null', os.O_RDONLY) for _ in range(min(nfds, limit - 64))]
if nlocks:
    # At most 1,000 ranges per file: the kernel keeps each file's locks in a
    # list it walks on every insert, so one file with 50,000 would take minutes.
    lock_fds = []
    for start in range(0, nlocks, 1000):
        fd, path = tempfile.mkstemp(prefix='dc-locks-')
        os.unlink(path)
        lock_fds.append(fd)
        for i in range(min(1000, nlocks - start)):
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, 2 * i)
if report_fd >= 0:
    os.write(report_fd, b'%d\n' % os.getpid())
    os.close(report_fd)
time.sleep(seconds)
