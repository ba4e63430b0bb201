"""Starting a run beside a large dead journal (issue 11, point 4): how long `athanor run` takes
from its start to its run's `run_created`, and `POST /api/instances/{id}/runs` to answer on a
server that has just started, each with a freshly killed ~94 MB journal in the data directory
(whose recovery alone is timed too, with `athanor recover`).

Usage: python3 tools/bench_start.py BIN_DIR [--repetitions N] [--megabytes M]"""

import argparse
import datetime
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import tempfile
import time
import urllib.request


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("bin")
    parser.add_argument("--repetitions", type=int, default=5)
    parser.add_argument("--megabytes", type=int, default=94)
    options = parser.parse_args()
    athanor = os.path.join(options.bin, "athanor")
    with tempfile.TemporaryDirectory(prefix="athanor-start-") as scratch:
        data = os.path.join(scratch, "data")

        def cli(*arguments):
            return subprocess.run([athanor, *arguments, "--data", data], check=True, capture_output=True,
                                  text=True).stdout.strip()

        endless = cli("create", "synthetic", "--name", "endless", "--config",
                      json.dumps({"logs": 1_000_000_000, "results": 0, "progress": 0}))
        small = cli("create", "synthetic", "--name", "small", "--config",
                    json.dumps({"logs": 10, "results": 1, "progress": 1}))
        dead = kill_while_logging(athanor, endless, data, options.megabytes * 1_000_000)
        keep = os.path.join(scratch, "dead.jsonl")
        shutil.move(dead, keep)
        megabytes = os.path.getsize(keep) / 1e6

        def plant():
            shutil.copyfile(keep, dead)

        recover, cli_start, post = [], [], []
        for _ in range(options.repetitions):
            plant()
            started = time.perf_counter()
            subprocess.run([athanor, "recover", "--data", data], check=True, capture_output=True)
            recover.append(time.perf_counter() - started)

            plant()
            started = time.time()
            finished = subprocess.run([athanor, "run", small, "--data", data, "--json"], check=True,
                                      capture_output=True, text=True)
            created = first_timestamp(data, json.loads(finished.stdout)["run"])
            cli_start.append(created - started)

            plant()
            post.append(post_on_a_fresh_server(athanor, data, small))

    def line(name, values):
        values = [v * 1000 for v in values]
        return f"{name}: median {statistics.median(values):.1f} ms ({min(values):.1f}–{max(values):.1f})"

    print(f"dead journal: {megabytes:.0f} MB")
    print(line("athanor recover (the dead journal alone)", recover))
    print(line("athanor run: start → run_created", cli_start))
    print(line("POST /api/instances/{id}/runs on a just-started server", post))


def kill_while_logging(athanor, instance, data, size):
    """Starts `athanor run` of an endless run and kills it and its worker once the journal holds
    `size` bytes; returns the journal's path."""
    process = subprocess.Popen([athanor, "run", instance, "--data", data], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        while True:
            found = [os.path.join(root, name) for root, _, names in os.walk(os.path.join(data, "runs"))
                     for name in names if name.endswith(".jsonl")]
            if found and os.path.getsize(found[0]) >= size:
                return found[0]
            time.sleep(0.05)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def first_timestamp(data, run):
    for root, _, names in os.walk(os.path.join(data, "runs")):
        for name in names:
            if name.startswith(run):
                text = subprocess.run(["zstd", "-dcq", os.path.join(root, name)], check=True, capture_output=True,
                                      text=True).stdout if name.endswith(".zst") else open(os.path.join(root, name)).read()
                stamp = json.loads(text.splitlines()[0])["ts"]
                return datetime.datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()
    raise AssertionError(f"no journal for run {run}")


def post_on_a_fresh_server(athanor, data, instance):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([athanor, "serve", "--port", str(port), "--data", data], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        while True:
            try:
                urllib.request.urlopen(base + "/api/status", timeout=2)
                break
            except OSError:
                time.sleep(0.01)
        request = urllib.request.Request(f"{base}/api/instances/{instance}/runs", data=b"{}", method="POST",
                                         headers={"Content-Type": "application/json"})
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()
        elapsed = time.perf_counter() - started
        # Wait for the run and the recovery to end before the next repetition.
        while subprocess.run(["find", os.path.join(data, "runs"), "-name", "*.jsonl"], capture_output=True,
                             text=True).stdout.strip():
            time.sleep(0.05)
        return elapsed
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait()


if __name__ == "__main__":
    main()
