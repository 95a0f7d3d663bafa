#!/usr/bin/env python3
"""Drive virt-rescue through a pty (it refuses a pipe): wait for the rescue prompt, run a
command that shows the shell's terminal and job control, exit, and print what came out and
virt-rescue's exit status.  LIBGUESTFS_PATH in the environment picks the appliance."""
import os
import pty
import select
import sys
import time

TIMEOUT_S = 240


def main():
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp("virt-rescue", ["virt-rescue", "--ro", "-a", "/dev/null"])
    out = b""
    sent = 0
    start = time.monotonic()
    while time.monotonic() - start < TIMEOUT_S:
        ready, _, _ = select.select([fd], [], [], 0.5)
        if ready:
            try:
                data = os.read(fd, 4096)
            except OSError:  # EIO: the other side closed
                break
            if not data:
                break
            out += data
        if sent == 0 and b"><rescue>" in out:
            os.write(fd, b"echo rescue-$((6*7)); tty; sleep 30 & jobs; kill %1; echo done\n")
            sent = 1
        elif sent == 1 and out.count(b"done") >= 2:  # the echo of the line, then the output
            os.write(fd, b"exit\n")
            sent = 2
    else:
        os.kill(pid, 9)
        print("virt-rescue-pty: no end after %d s" % TIMEOUT_S)
    _, status = os.waitpid(pid, 0)
    sys.stdout.write(out.decode(errors="replace").replace("\r", ""))
    print("\nrc=%d" % os.waitstatus_to_exitcode(status))


main()
