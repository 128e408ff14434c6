#!/usr/bin/env python3
"""A textbook self-daemonizing test subject (APUE ch. 13, TLPI become_daemon.c).

Usage: pydaemon.py [--pidfile P] [--flock F] [--zombie] [--single-fork] [--keep-fds]
                   [--report-fd N] [--sleep N] [--chdir DIR]
Prints nothing; the daemon writes its pid to the pidfile (locked with
fcntl(F_SETLK)) or, without one, to the fd given by --report-fd.
"""
import fcntl
import os
import signal
import sys
import time

args = sys.argv[1:]
opt = lambda name: name in args
def val(name, default=None):
    return args[args.index(name) + 1] if name in args else default

pidfile = val('--pidfile')
report_fd = int(val('--report-fd', '-1'))
seconds = float(val('--sleep', '3600'))

flock_file = val('--flock')
flock_fd = None
if flock_file:
    # Taken by the launcher before forking: /proc/locks will show the launcher's
    # pid, though the lock lives on in the daemon through the inherited fd.
    flock_fd = os.open(flock_file, os.O_RDWR | os.O_CREAT, 0o644)
    fcntl.flock(flock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    os.write(report_fd, b'launcher %d\n' % os.getpid()) if report_fd >= 0 else None

os.umask(0)
if os.fork() > 0:
    os._exit(0)          # the launcher's child returns at once
os.setsid()              # new session, no controlling terminal
if not opt('--single-fork'):
    if os.fork() > 0:
        os._exit(0)      # the session leader exits: we can never reacquire a tty
os.chdir(val('--chdir', '/'))   # / unless a test wants a cwd elsewhere

keep = set()
if flock_fd is not None:
    keep.add(flock_fd)
lock_fd = None
if pidfile:
    lock_fd = os.open(pidfile, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        fcntl.lockf(lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)   # fcntl(F_SETLK, F_WRLCK)
    except OSError:
        os._exit(3)
    os.ftruncate(lock_fd, 0)
    os.write(lock_fd, b'%d\n' % os.getpid())
    keep.add(lock_fd)
if not opt('--keep-fds'):
    for fd in range(3, 1024):
        if fd not in keep and fd != report_fd:
            try:
                os.close(fd)
            except OSError:
                pass
null = os.open('/dev/null', os.O_RDWR)
for fd in (0, 1, 2):
    os.dup2(null, fd)
if null > 2:
    os.close(null)

def on_term(signo, frame):
    if pidfile:
        try:
            os.unlink(pidfile)
        except OSError:
            pass
    os._exit(0)
signal.signal(signal.SIGTERM, on_term)

if opt('--zombie'):
    # A child that exits and is never waited for: it stays a zombie. Reported
    # only once it is one, so an audit never races its exit.
    child = os.fork()
    if child == 0:
        os._exit(0)
    while True:
        with open('/proc/%d/stat' % child) as f:
            if f.read().rsplit(')', 1)[1].split()[0] == 'Z':
                break
        time.sleep(0.005)

# Reported last: once the launcher reads the pid (and EOF), the daemon is
# what an audit should see (fds closed, stdio on /dev/null, SIGTERM caught).
if report_fd >= 0:
    os.write(report_fd, b'%d\n' % os.getpid())
    os.close(report_fd)

deadline = time.time() + seconds
while time.time() < deadline:
    time.sleep(1)
