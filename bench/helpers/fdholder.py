"""Bench subject: a background process holding exactly N open file descriptors.

    python3 bench/helpers/fdholder.py N

The bench starts it detached (its own session, cwd /).  It raises its
RLIMIT_NOFILE soft limit to the hard limit, points fds 0-2 at /dev/null, opens
/dev/null until N descriptors are open, prints "ready <count>" on the pipe the
bench gave it as stdout, points fd 1 at /dev/null too (the count stays N) and
sleeps until killed.  PR_SET_PDEATHSIG makes it die with the bench even if the
bench is killed with SIGKILL and cannot clean up.
"""
import ctypes
import os
import resource
import signal
import sys

PR_SET_PDEATHSIG = 1


def open_count():
    # listdir holds one descriptor of its own while it reads the folder.
    return len(os.listdir("/proc/self/fd")) - 1


def main():
    n = int(sys.argv[1])
    try:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except Exception:
        pass
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < n + 16:
        sys.stdout.write("error: the hard RLIMIT_NOFILE is %d, too low for %d descriptors\n" % (hard, n))
        return 1
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    devnull = os.open("/dev/null", os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(devnull, 2)
    for _ in range(n - open_count()):
        os.open("/dev/null", os.O_RDWR)
    count = open_count()
    sys.stdout.write("ready %d\n" % count)
    sys.stdout.flush()
    os.dup2(devnull, 1)
    while True:
        signal.pause()


if __name__ == "__main__":
    sys.exit(main())
