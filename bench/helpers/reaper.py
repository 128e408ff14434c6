"""Bench helper: run a command as a child subreaper, so daemons it starts get reaped.

    python3 bench/helpers/reaper.py CMD [ARGS...]

A daemon started by start-stop-daemon or `daemon-check run` is an orphan: its
starter exits and the kernel reparents it to the nearest ancestor that is a
"child subreaper" (prctl PR_SET_CHILD_SUBREAPER), or to PID 1 when there is
none.  On machines whose PID 1 never reaps (containers, microVMs), every
daemon the bench kills would stay a zombie forever.  This helper becomes a
subreaper, runs CMD (the bench's worker) as its child, and waits for every
child it gets, the adopted daemons included, so they are reaped the moment
they are killed.

stdin, stdout and stderr are passed through to CMD.  On SIGTERM, SIGINT or
SIGHUP the signal is forwarded to CMD as SIGTERM.  When CMD exits, any adopted
process still alive is SIGKILLed and reaped, and the helper exits with CMD's
status (128+signal if it was killed).  If the prctl fails (very old kernel),
stderr says so and CMD still runs; its daemons are then PID 1's problem.
"""
import ctypes
import os
import signal
import sys
import time

PR_SET_CHILD_SUBREAPER = 36

worker = None


def forward(signum, frame):
    if worker is not None:
        try:
            os.kill(worker, signal.SIGTERM)
        except ProcessLookupError:
            pass


def my_children():
    me = os.getpid()
    kids = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % name, "rb") as f:
                stat = f.read()
        except OSError:
            continue
        # Fields after the ")" that closes comm: state ppid ...
        fields = stat[stat.rindex(b")") + 2:].split()
        if int(fields[1]) == me and fields[0] != b"Z":
            kids.append(int(name))
    return kids


def main():
    global worker
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        sys.stderr.write("bench/helpers/reaper.py: warning: cannot become a child subreaper (%s); "
                         "killed daemons may stay zombies\n" % os.strerror(ctypes.get_errno()))
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, forward)
    worker = os.fork()
    if worker == 0:
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGPIPE):
            signal.signal(sig, signal.SIG_DFL)
        try:
            os.execvp(sys.argv[1], sys.argv[1:])
        finally:
            os._exit(127)
    code = None
    while code is None:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            break
        if pid == worker:
            code = os.waitstatus_to_exitcode(status)
            code = 128 - code if code < 0 else code
            worker = None
    # The worker is gone.  Whatever it started and did not stop (a daemon
    # adopted by us, or one still being adopted): kill it and reap it.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        for k in my_children():
            try:
                os.kill(k, signal.SIGKILL)
            except ProcessLookupError:
                pass
        try:
            while os.waitpid(-1, os.WNOHANG)[0] > 0:
                pass
        except ChildProcessError:
            break
        time.sleep(0.01)
    return 1 if code is None else code


if __name__ == "__main__":
    sys.exit(main())
