#!/usr/bin/env python3
"""leanboot run on a terminal (a pty), as a person would use it: wait for the shell's prompt,
type one line, print what the terminal showed (carriage returns dropped) and the exit status.
Usage: run-pty.py LEANBOOT ARGS... -- LINE"""
import os
import pty
import select
import sys
import time

args = sys.argv[1:]
sep = args.index("--")
argv, line = args[:sep], " ".join(args[sep + 1:])
pid, fd = pty.fork()
if pid == 0:
    os.execv(argv[0], argv)
shown, typed, start = b"", False, time.monotonic()
while time.monotonic() - start < 180:
    ready, _, _ = select.select([fd], [], [], 0.5)
    if ready:
        try:
            data = os.read(fd, 4096)
        except OSError:  # the child closed the terminal
            break
        if not data:
            break
        shown += data
    if not typed and shown.rstrip().endswith((b"#", b"$")):
        os.write(fd, line.encode() + b"\r")
        typed = True
_, status = os.waitpid(pid, 0)
sys.stdout.write(shown.replace(b"\r", b"").decode(errors="replace"))
print("status=%d" % os.waitstatus_to_exitcode(status))
