"""Finds the processes a test run left behind, prints them, kills them, and fails if there were any.

`tools/test` exports a marker, ATHANOR_TEST_SESSION=<random>, before the Swift tests and pytest;
every process they start inherits it (support.spawn passes it on explicitly, also to the MCP
servers the `mcp` client starts with a bare environment). A leftover is a live process (zombies
are dead and do not count) whose environment (/proc/PID/environ) carries the marker, other than
the checking process and its ancestors.

    python3 tools/tests/leftovers.py [WHEN]     exit 0: none; exit 1: some were found (and killed)

Processes still exiting get a few seconds (a condition polled until a deadline) before they count.
The same functions serve the tests: support.py ends process groups with them, and conftest.py
checks after each test and at the end of the pytest session (one implementation).
"""

import os
import pathlib
import signal
import sys
import time

MARKER = "ATHANOR_TEST_SESSION"
GRACE = 5.0  # seconds a process that is already exiting gets before it counts as left behind


def stat(pid):
    """(state, ppid, pgrp, session) of a process from /proc/PID/stat, or None if it is gone."""
    try:
        text = pathlib.Path(f"/proc/{pid}/stat").read_text()
    except (OSError, ValueError):
        return None
    fields = text.rsplit(")", 1)[1].split()
    return fields[0], int(fields[1]), int(fields[2]), int(fields[3])


def alive(pid):
    """Whether the process exists and is not a zombie (or dead, waiting to be reaped)."""
    found = stat(pid)
    return found is not None and found[0] not in ("Z", "X", "x")


def cmdline(pid):
    try:
        raw = pathlib.Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return "?"
    return raw.rstrip(b"\0").replace(b"\0", b" ").decode(errors="replace")


def carries(pid, name, value):
    """Whether the process's environment holds exactly `name=value`."""
    try:
        environment = pathlib.Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return False
    return f"{name}={value}".encode() in environment.split(b"\0")


def pids():
    return [int(entry) for entry in os.listdir("/proc") if entry.isdigit()]


def ancestors(pid=None):
    """`pid` (this process by default) and every process above it."""
    found, current = set(), pid or os.getpid()
    while current > 0 and current not in found:
        found.add(current)
        parent = stat(current)
        if parent is None:
            break
        current = parent[1]
    return found


def marked(name, value, ignore=()):
    """Live processes carrying `name=value`, other than this one and its ancestors, and other
    than those whose command line contains one of `ignore`: [(pid, command line)]."""
    mine = ancestors()
    found = []
    for pid in pids():
        if pid in mine or not carries(pid, name, value) or not alive(pid):
            continue
        command = cmdline(pid)
        if not any(pattern in command for pattern in ignore):
            found.append((pid, command))
    return found


def kill(pid):
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def sweep(name, value, grace=GRACE, ignore=(), out=sys.stderr, when=""):
    """Waits up to `grace` seconds for the processes carrying `name=value` to end; prints and
    SIGKILLs those that did not. Returns them as [(pid, command line)] (empty: none left)."""
    deadline = time.monotonic() + grace
    left = marked(name, value, ignore)
    while left and time.monotonic() < deadline:
        time.sleep(0.05)
        left = marked(name, value, ignore)
    if left:
        print(f"LEFTOVER PROCESSES{' ' + when if when else ''}: {len(left)} still alive "
              f"(killed now with SIGKILL):", file=out)
        for pid, command in left:
            print(f"  pid {pid}: {command[:500]}", file=out)
            kill(pid)
    return left


def main(argv):
    value = os.environ.get(MARKER)
    if not value:
        print(f"leftovers.py: {MARKER} is not set; tools/test sets it before running the tests", file=sys.stderr)
        return 2
    when = " ".join(argv[1:])
    left = sweep(MARKER, value, when=when)
    if not left:
        print(f"no process left behind{' ' + when if when else ''}")
    return 1 if left else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
