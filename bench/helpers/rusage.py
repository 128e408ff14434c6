"""Bench helper: run a command and print the CPU time it and its descendants used.

    python3 bench/helpers/rusage.py CMD [ARGS...]

Runs CMD as its child with stdin, stdout and stderr passed through, waits
for it, and then prints one more line on stdout:
    {"rusage": {"user": SECONDS, "sys": SECONDS, "maxrss": KIB}, "status": CODE}
from getrusage(RUSAGE_CHILDREN): CMD's own CPU time plus that of every
descendant it (or they) waited for, so a helper that CMD starts and reaps is
counted too.  The wrapper's own time is not in it.  SIGTERM, SIGINT and
SIGHUP are forwarded to CMD.
"""
import json
import resource
import signal
import subprocess
import sys


def main():
    child = subprocess.Popen(sys.argv[1:])

    def forward(signum, frame):
        try:
            child.send_signal(signum)
        except ProcessLookupError:
            pass

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, forward)
    code = child.wait()
    u = resource.getrusage(resource.RUSAGE_CHILDREN)
    sys.stdout.flush()
    line = {"rusage": {"user": u.ru_utime, "sys": u.ru_stime, "maxrss": u.ru_maxrss}, "status": code}
    sys.stdout.write(json.dumps(line) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
