"""What the Python tests share: the `athanor` binary under test, and `athanor serve` on a data
directory with a small JSON client."""

import json
import os
import pathlib
import socket
import subprocess
import time
import urllib.error
import urllib.request

REPO = pathlib.Path(__file__).resolve().parents[2]
ATHANOR = str(pathlib.Path(os.environ.get("ATHANOR_BIN") or REPO / ".build" / "debug" / "athanor").resolve())


def free_port():
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(base, method, path, body=None, raw=None):
    """One HTTP request: (status, decoded JSON body), error statuses included."""
    data = raw if raw is not None else (json.dumps(body).encode() if body is not None else None)
    request = urllib.request.Request(base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


class Server:
    """`athanor serve` on `data`, started and answering when the constructor returns."""

    def __init__(self, data):
        port = free_port()
        self.base = f"http://127.0.0.1:{port}"
        self.process = subprocess.Popen([ATHANOR, "serve", "--port", str(port), "--data", str(data)],
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        deadline = time.time() + 30
        while True:
            try:
                urllib.request.urlopen(self.base + "/api/experiments", timeout=2)
                return
            except OSError:
                assert self.process.poll() is None, self.process.stdout.read()
                assert time.time() < deadline, "the server did not start"
                time.sleep(0.05)

    def call(self, method, path, body=None, raw=None):
        return call(self.base, method, path, body, raw)

    def stop(self):
        """Stops the server with SIGTERM and returns what it printed; fails if it does not stop
        within 10 s."""
        self.process.terminate()
        try:
            return self.process.communicate(timeout=10)[0]
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise AssertionError("the server did not stop within 10 s of SIGTERM")


REPORTED = []


def report(line):
    """Keeps `line` for the summary at the end of the test run (conftest.py prints it, captured
    output or not): how the tests report their counts (crash trials, fuzz cases) in CI's log."""
    REPORTED.append(line)
