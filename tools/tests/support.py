"""What the Python tests share: the `athanor` binary under test; starting processes so that they
and everything they spawn can be ended (`spawn`, `run`, `end_group`); waiting on a condition
with a deadline (`wait_until`); and `athanor serve` on a data directory with a small JSON client.

Every process a test starts goes through `spawn` (or `run`): it starts in a session of its own
(so in a process group of its own, which its children share unless they leave it), with the
test-run marker in its environment (leftovers.py). `end_group` then kills the whole session and
group, a worker forked a moment ago included; conftest.py ends what each test started when it
ends, passed or failed, and then checks that nothing the test started is still alive."""

import datetime
import json
import os
import pathlib
import secrets
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request

import leftovers

REPO = pathlib.Path(__file__).resolve().parents[2]
ATHANOR = str(pathlib.Path(os.environ.get("ATHANOR_BIN") or REPO / ".build" / "debug" / "athanor").resolve())

# tools/test exports the marker for the whole test run; run alone, pytest gets one of its own.
SESSION_MARKER = leftovers.MARKER
os.environ.setdefault(SESSION_MARKER, f"pytest-{os.getpid()}-{secrets.token_hex(6)}")
# conftest.py sets this one for the duration of each test.
CASE_MARKER = "ATHANOR_TEST_CASE"
# Helpers of Python's own that live as long as pytest does (multiprocessing's resource tracker,
# started by the load test's client processes): not processes a test left behind.
PYTHON_HELPERS = ("multiprocessing.resource_tracker", "multiprocessing.forkserver")

STARTED = []  # every process started through spawn, in order


# --------------------------------------------------------------------------------------------
# processes


def markers():
    """The marker variables in force (passed on to every process a test starts)."""
    return {name: os.environ[name] for name in (SESSION_MARKER, CASE_MARKER) if name in os.environ}


def spawn(args, env=None, **options):
    """subprocess.Popen of `args` in a new session (its own process group too), standard input
    from /dev/null unless given, the markers in its environment. End it with `end_group`."""
    options.setdefault("stdin", subprocess.DEVNULL)
    environment = {**(os.environ if env is None else env), **markers()}
    process = subprocess.Popen([str(a) for a in args], env=environment, start_new_session=True, **options)
    STARTED.append(process)
    return process


def group_members(leader):
    """Live processes of the session or process group that `leader` (a process started by
    `spawn`) leads, its children that set up a group of their own included. Only processes
    carrying this test run's marker count, so a group ID reused by a stranger after ours has
    gone is never mistaken for ours."""
    members = []
    for pid in leftovers.pids():
        found = leftovers.stat(pid)
        if (found and found[0] not in ("Z", "X", "x") and leader in (found[2], found[3])
                and leftovers.carries(pid, SESSION_MARKER, os.environ[SESSION_MARKER])):
            members.append(pid)
    return members


def end_group(process, grace=0.0):
    """Ends `process` (started by `spawn`) and every process of its session and group: with
    `grace`, SIGTERM to the group first and up to `grace` seconds to end; then SIGKILL to every
    member until none is alive (a process forked meanwhile is killed on the next pass). Reaps
    `process`. Raises AssertionError if a member survives 30 s of SIGKILL."""
    leader = process.pid
    if grace and group_members(leader):
        try:
            os.killpg(leader, signal.SIGTERM)
        except (ProcessLookupError, PermissionError):
            pass
        deadline = time.monotonic() + grace
        while group_members(leader) and time.monotonic() < deadline:
            time.sleep(0.02)
    deadline = time.monotonic() + 30
    while True:
        members = group_members(leader)
        if not members:
            break
        assert time.monotonic() < deadline, f"processes {members} survive SIGKILL"
        try:
            os.killpg(leader, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        for pid in members:
            leftovers.kill(pid)
        time.sleep(0.02)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"process {leader} was killed but is not reaped") from None


def describe(pids):
    """Each process as `pid (group G, session S): command line`, for failure messages."""
    lines = []
    for pid in pids:
        found = leftovers.stat(pid)
        where = f"group {found[2]}, session {found[3]}" if found else "gone"
        lines.append(f"{pid} ({where}): {leftovers.cmdline(pid)[:300]}")
    return "; ".join(lines)


def wait_group_gone(process, timeout, what="every process of the group to end"):
    """Waits until no process of `process`'s session and group is alive (killing none); fails
    naming the survivors."""
    try:
        wait_until(lambda: not group_members(process.pid), timeout, what)
    except AssertionError:
        raise AssertionError(f"timed out after {timeout} s waiting for {what}; alive: "
                             f"{describe(group_members(process.pid))}") from None


def end_started(since=0):
    """Ends every process started by `spawn` from index `since` on, with its group, and forgets
    them. (One look at /proc finds the groups that still have members.)"""
    started = STARTED[since:]
    leaders = {process.pid for process in started}
    marker = os.environ[SESSION_MARKER]
    populated = set()
    for pid in leftovers.pids():
        found = leftovers.stat(pid)
        if found and found[0] not in ("Z", "X", "x") and leaders & {found[2], found[3]}:
            if leftovers.carries(pid, SESSION_MARKER, marker):
                populated |= leaders & {found[2], found[3]}
    for process in started:
        if process.pid in populated or process.poll() is None:
            end_group(process)
        else:
            process.wait()
    del STARTED[since:]


def run(args, timeout=120, check=False, capture_output=False, input=None, **options):
    """subprocess.run in a new session: on timeout (or any error while waiting) the whole group
    is killed, then TimeoutExpired raised with what it printed. Processes it leaves running on
    purpose (`run --detach`) stay until the test ends (conftest.py ends them then)."""
    if capture_output:
        options["stdout"] = options["stderr"] = subprocess.PIPE
    if input is not None:
        options["stdin"] = subprocess.PIPE
    process = spawn(args, **options)
    try:
        stdout, stderr = process.communicate(input, timeout=timeout)
    except subprocess.TimeoutExpired:
        end_group(process)
        stdout, stderr = process.communicate()
        raise subprocess.TimeoutExpired(process.args, timeout, stdout, stderr) from None
    except BaseException:
        end_group(process)
        raise
    result = subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
    if check:
        result.check_returncode()
    return result


def mcp_stdio(data):
    """The parameters for the `mcp` client's stdio_client to start `athanor mcp --data DATA`:
    the client starts it in a session of its own with a bare environment, so the markers are
    passed on explicitly."""
    from mcp import StdioServerParameters
    return StdioServerParameters(command=ATHANOR, args=["mcp", "--data", str(data)], env=markers())


def wait_until(predicate, timeout, what="the condition", interval=0.02):
    """Polls `predicate` until it returns something true, and returns that; raises
    AssertionError naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


def timestamp(ts):
    """A journal event's `ts` (`2026-11-26T17:36:43.123456Z`) as seconds since the epoch."""
    return datetime.datetime.fromisoformat(ts.replace("Z", "+00:00")).timestamp()


def live_processes(pattern):
    """Pids of live processes (zombies aside) whose command line contains `pattern`."""
    return [pid for pid in leftovers.pids()
            if pid != os.getpid() and pattern in leftovers.cmdline(pid) and leftovers.alive(pid)]


# --------------------------------------------------------------------------------------------
# athanor serve


def free_port():
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(base, method, path, body=None, raw=None, headers=None):
    """One HTTP request: (status, decoded JSON body), error statuses included."""
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    request = urllib.request.Request(base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


class Server:
    """`athanor serve` on `data` (extra command-line `arguments` appended), started in a session
    of its own and answering when the constructor returns. Use it as a context manager, or call
    `stop()` (graceful) or `kill()` in a finally."""

    def __init__(self, data, *arguments, env=None, log=None):
        self.data = pathlib.Path(data)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log = log
        output = open(log, "w") if log else subprocess.PIPE
        self.process = spawn([ATHANOR, "serve", "--port", str(self.port), "--data", str(data), *arguments],
                             env=env, stdout=output, stderr=subprocess.STDOUT, text=True)
        if log:
            output.close()
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    urllib.request.urlopen(self.base + "/api/experiments", timeout=2).close()
                    return
                except OSError:
                    assert self.process.poll() is None, f"the server exited: {self.output()}"
                    assert time.monotonic() < deadline, "the server did not start within 30 s"
                    time.sleep(0.05)
        except BaseException:
            self.kill()
            raise

    def __enter__(self):
        return self

    def __exit__(self, *exception):
        self.kill()

    @property
    def pid(self):
        return self.process.pid

    def call(self, method, path, body=None, raw=None, headers=None):
        return call(self.base, method, path, body, raw, headers)

    def output(self):
        """What the server printed so far (after it has exited) or, with a log file, the log."""
        if self.log:
            return pathlib.Path(self.log).read_text(errors="replace")
        if self.process.poll() is not None and self.process.stdout and not self.process.stdout.closed:
            return self.process.stdout.read()
        return ""

    def stop(self):
        """Stops the server with SIGTERM, then ends its whole process group, and returns what it
        printed; fails if the server does not stop within 30 s of SIGTERM."""
        self.process.terminate()
        try:
            printed = self.process.communicate(timeout=30)[0]
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError("the server did not stop within 30 s of SIGTERM") from None
        finally:
            end_group(self.process)
        return self.output() if self.log else (printed or "")

    def kill(self):
        """Ends the server and everything it started at once (SIGKILL to the whole group)."""
        end_group(self.process)
        if self.process.stdout and not self.process.stdout.closed:
            self.process.stdout.close()


REPORTED = []


def report(line):
    """Keeps `line` for the summary at the end of the test run (conftest.py prints it, captured
    output or not): how the tests report their counts (crash trials, fuzz cases) in CI's log."""
    REPORTED.append(line)
