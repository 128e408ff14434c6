"""Bench helper: a watched process that catches and counts SIGUSR1.

    python3 bench/helpers/sigcount.py

Installs a SIGUSR1 handler that only counts, prints "ready" on stdout, and
waits.  On SIGTERM (or SIGINT, SIGHUP) it prints {"usr1": N}, the number of
SIGUSR1 its handler ran for, and exits 0.  Standard signals do not queue: two
SIGUSR1 sent before the first is delivered run the handler once, so the
bench spaces them out.
"""
import json
import signal
import sys

count = 0
done = False


def usr1(signum, frame):
    global count
    count += 1


def finish(signum, frame):
    global done
    done = True


def main():
    signal.signal(signal.SIGUSR1, usr1)
    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, finish)
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    while not done:
        signal.pause()
    sys.stdout.write(json.dumps({"usr1": count}) + "\n")
    sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
