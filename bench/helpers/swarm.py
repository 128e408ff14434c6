"""Bench helper: hold N extra processes of one shape alive, then kill and reap them.

    python3 bench/helpers/swarm.py SHAPE N

SHAPE is one of
  unrelated  N `sleep 100000`, each in its own session, children of this helper.
  jobs       N `sleep 100000` in this helper's session and process group: one
             runner holding N jobs.  The bench starts the helper detached (its
             own session, no terminal), so the runner leads that session.
  workers    a master that did setsid, with this helper (a child subreaper) as
             its parent, and N `sleep 100000` workers, its children in its
             session, sharing its listening TCP socket (fd 3) and a pipe (fd 4),
             like php-fpm, apache prefork or gunicorn.  Output: "master" too.
  daemon     N = 1: a daemon subject, `sleep 100000` that did setsid, cwd /,
             stdio on /dev/null, no other fd, this helper (a subreaper) its parent.
Every sleeper has stdio on /dev/null.

PID 1 on some machines (containers, microVMs) never reaps orphans, so
nothing here is left to it: the sleepers are this helper's children
(unrelated, jobs, daemon) or the master's (workers); for workers and daemon
the helper is a child subreaper, which adopts the workers when the master
dies; the master and the daemon die with the helper (PR_SET_PDEATHSIG).

Prints one JSON line on stdout once every process exists:
    {"pids": [...], "master": PID or null}    or    {"error": "..."}
then waits until stdin reaches EOF (the bench is done or died) or a SIGTERM,
SIGINT or SIGHUP arrives, SIGKILLs everything, reaps it all and exits 0.
When the helper has exited, every process it started has been waited for.
"""
import ctypes
import fcntl
import json
import os
import signal
import socket
import sys

SLEEP = "/bin/sleep"
ARGV = ["sleep", "100000"]
# A daemon's small environment; converting a big one costs ~0.5 ms per spawn.
ENV = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8"}
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
PR_SET_PDEATHSIG = 1
PR_SET_CHILD_SUBREAPER = 36
libc = ctypes.CDLL(None, use_errno=True)


class Stop(Exception):
    pass


stopping = False


def stop(signum, frame):
    # Once only: a second signal must not interrupt the cleanup.
    global stopping
    if not stopping:
        stopping = True
        raise Stop()


def prctl(option, value):
    if libc.prctl(option, value, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(%d): %s" % (option, os.strerror(ctypes.get_errno())))


def to_devnull(devnull):
    for fd in (0, 1, 2):
        os.dup2(devnull, fd)


def spawn_sleepers(n, pids, devnull, extra=(), **how):
    """posix_spawn n sleepers with stdio on /dev/null (and extra (fd, target) pairs).

    Stops early when a stop signal is pending (they are blocked meanwhile)."""
    actions = [(os.POSIX_SPAWN_DUP2, fd, target) for fd, target in ((devnull, 0), (devnull, 1), (devnull, 2)) + tuple(extra)]
    for _ in range(n):
        pids.append(os.posix_spawn(SLEEP, ARGV, ENV, file_actions=actions,
                                   setsigmask=(), setsigdef=(signal.SIGPIPE,) + STOP_SIGNALS, **how))
        if signal.sigpending() & set(STOP_SIGNALS):
            raise Stop()


def child_of(parent, devnull):
    """In a fresh child: die with `parent`, stdio on /dev/null, default signals."""
    prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(1)
    to_devnull(devnull)
    for sig in STOP_SIGNALS + (signal.SIGPIPE,):
        signal.signal(sig, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_SETMASK, [])


def high(fd):
    """fd moved to a number >= 100 (close-on-exec)."""
    moved = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 100)
    os.close(fd)
    return moved


def run_master(n, report, devnull):
    """The workers' master (a forked child of the helper); never returns."""
    try:
        child_of(os.getppid(), devnull)
        os.setsid()
        os.chdir("/")
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.bind(("127.0.0.1", 0))
        listener.listen(128)
        # Moved out of the way of 3 and 4, where the workers get them.
        sock, r, w = (high(fd) for fd in (listener.detach(),) + os.pipe())
        pids = []
        spawn_sleepers(n, pids, devnull, extra=((sock, 3), (w, 4)))
        os.write(report, (json.dumps({"pids": pids, "master": os.getpid()}) + "\n").encode())
        os.close(report)
        # The master never reaps (SIGCHLD stays default): a worker killed by
        # the bench stays a zombie of it, so its pid cannot be reused.
        while True:
            signal.pause()
    except BaseException as e:  # noqa: BLE001 - report anything, then go
        try:
            os.write(report, (json.dumps({"error": "master: %s" % e}) + "\n").encode())
        finally:
            os._exit(1)


def start_workers(n, pids, devnull):
    prctl(PR_SET_CHILD_SUBREAPER, 1)
    r, w = os.pipe()
    helper = os.getpid()
    master = os.fork()
    if master == 0:
        os.close(r)
        run_master(n, w, devnull)
    pids.append(master)
    os.close(w)
    data = b""
    while not data.endswith(b"\n"):
        chunk = os.read(r, 1 << 20)
        if not chunk:
            break
        data += chunk
    os.close(r)
    msg = json.loads(data or b'{"error": "the master died before it reported"}')
    if "error" in msg:
        raise RuntimeError(msg["error"])
    pids.extend(msg["pids"])
    assert helper == os.getpid()
    return master


def start_daemon(pids, devnull):
    prctl(PR_SET_CHILD_SUBREAPER, 1)
    me = os.getpid()
    pid = os.fork()
    if pid == 0:
        try:
            child_of(me, devnull)
            os.setsid()
            os.chdir("/")
            os.umask(0o022)
            os.execve(SLEEP, ARGV, ENV)
        finally:
            os._exit(127)
    pids.append(pid)


def start(shape, n, pids, devnull):
    """Start the processes; returns the master's pid (workers) or None."""
    if shape == "unrelated":
        spawn_sleepers(n, pids, devnull, setsid=True)
    elif shape == "jobs":
        if os.getsid(0) != os.getpid():
            os.setsid()
        spawn_sleepers(n, pids, devnull)
    elif shape == "workers":
        return start_workers(n, pids, devnull)
    elif shape == "daemon":
        start_daemon(pids, devnull)
    else:
        raise ValueError("unknown shape %r" % shape)
    return None


def cleanup(pids):
    global stopping
    stopping = True
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    # Our children, and (as a subreaper) the master's workers once it is gone.
    while True:
        try:
            os.wait()
        except ChildProcessError:
            break
        except InterruptedError:
            continue


def main():
    shape, n = sys.argv[1], int(sys.argv[2])
    pids = []
    for sig in STOP_SIGNALS:
        signal.signal(sig, stop)
    # Whatever the bench's own parent leaked to it stays out of the sleepers.
    os.closerange(3, os.sysconf("SC_OPEN_MAX"))
    devnull = os.open("/dev/null", os.O_RDWR | os.O_CLOEXEC)
    try:
        # A stop signal must not land between a fork and the pid being
        # recorded: blocked while starting, checked after each child.
        signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
        try:
            master = start(shape, n, pids, devnull)
        except (OSError, RuntimeError, ValueError) as e:
            print(json.dumps({"error": "%s after %d processes: %s" % (shape, len(pids), e)}), flush=True)
            return 1
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
        workers = pids[1:] if master else pids
        print(json.dumps({"pids": workers, "master": master}), flush=True)
        while sys.stdin.buffer.read(65536):
            pass
        return 0
    except Stop:
        return 0
    finally:
        # A first stop signal may land as this block starts; then run it again.
        while True:
            try:
                cleanup(pids)
                break
            except Stop:
                continue


if __name__ == "__main__":
    sys.exit(main())
