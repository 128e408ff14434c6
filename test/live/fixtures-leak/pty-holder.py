"""Runs ARGV[1:] on the terminal side of a new pty and holds its master until it exits.

The leak fixture's pty: unlike script(1) it never reads its own stdin, so nothing
it is started with can end it early.
"""
import os
import pty
import sys

pid, master = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
os.waitpid(pid, 0)
