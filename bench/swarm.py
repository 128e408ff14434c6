"""Bench helper: hold N extra processes alive, and reap them when done.

    python3 bench/swarm.py N

Starts N copies of `sleep 100000`, each in its own session (posix_spawn with
setsid, stdio on /dev/null, cwd and environment inherited), so a scan sees
them as background processes.  They stay children of this helper: PID 1 on
some machines (containers, microVMs) never reaps orphans, so the helper is the
one that waits for them and none of them is left behind as a zombie.

Prints one JSON line on stdout once every child exists:
    {"pids": [...]}                     or
    {"error": "...", "spawned": K}      (then exits 1 after cleaning up)

Then waits until stdin reaches EOF (the bench died or closed it) or a SIGTERM,
SIGINT or SIGHUP arrives, and then SIGKILLs every child (the bench normally has
killed them by pid already), reaps them all and exits 0.  Only when the helper
exits have all its children been waited for, so the bench waits for its exit
before it measures anything else.
"""
import json
import os
import signal
import sys

SLEEP = "/bin/sleep"
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)


class Stop(Exception):
    pass


def stop(signum, frame):
    raise Stop()


def main():
    n = int(sys.argv[1])
    pids = []
    for sig in STOP_SIGNALS:
        signal.signal(sig, stop)
    try:
        devnull = os.open("/dev/null", os.O_RDWR | os.O_CLOEXEC)
        actions = [(os.POSIX_SPAWN_DUP2, devnull, fd) for fd in (0, 1, 2)]
        error = None
        # A stop signal must not land between posix_spawn() returning and the
        # pid being recorded (that child would never be killed): block them
        # while spawning, look for a pending one after each child, and let it
        # be delivered once every pid is in the list.
        signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
        try:
            for _ in range(n):
                pids.append(os.posix_spawn(SLEEP, ["sleep", "100000"], os.environ,
                                           file_actions=actions, setsid=True,
                                           setsigmask=(), setsigdef=(signal.SIGPIPE,)))
                if signal.sigpending() & set(STOP_SIGNALS):
                    break
        except OSError as e:
            error = "could not start process %d of %d: %s" % (len(pids) + 1, n, e)
        finally:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, STOP_SIGNALS)
        os.close(devnull)
        if error:
            print(json.dumps({"error": error, "spawned": len(pids)}), flush=True)
            return 1
        print(json.dumps({"pids": pids}), flush=True)
        while sys.stdin.buffer.read(65536):
            pass
        return 0
    except Stop:
        return 0
    finally:
        for sig in STOP_SIGNALS:
            signal.signal(sig, signal.SIG_IGN)
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for pid in pids:
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass


if __name__ == "__main__":
    sys.exit(main())
