"""Metric curves through the API (issue 13): one run of `synthetic` recording 1,000,000 points of
`loss` (nothing else), then `GET /api/metrics?runs=R&points=1000` answered the first time (the
journal read and folded) and again (cached), and a zoomed range at full resolution.

Usage: python3 tools/bench_metrics.py BIN_DIR [--points N] [--repetitions R]"""

import argparse
import datetime
import http.client
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import tempfile
import time


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("bin")
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--repetitions", type=int, default=10)
    options = parser.parse_args()
    athanor = os.path.join(options.bin, "athanor")
    scratch = tempfile.mkdtemp(prefix="athanor-bench-metrics-")
    data = os.path.join(scratch, "data")
    server = None
    try:
        def cli(*arguments):
            return subprocess.run([athanor, *arguments, "--data", data], check=True, capture_output=True,
                                  text=True).stdout.strip()

        instance = cli("create", "synthetic", "--name", "curve", "--config",
                       json.dumps({"logs": 0, "results": 0, "progress": 0, "metrics": options.points}))
        started = time.perf_counter()
        run = json.loads(cli("run", instance, "--json"))["run"]
        recorded = time.perf_counter() - started
        def start():
            port = free_port()
            process = subprocess.Popen([athanor, "serve", "--port", str(port), "--data", data],
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
            deadline = time.time() + 60
            while True:
                try:
                    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                    connection.request("GET", "/api/status")
                    connection.getresponse().read()
                    return process, connection
                except OSError:
                    if time.time() > deadline:
                        raise
                    time.sleep(0.05)

        def stop(process):
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(30)

        server, connection = start()

        def query(path):
            start = time.perf_counter()
            connection.request("GET", path)
            response = connection.getresponse()
            body = json.loads(response.read())
            assert response.status == 200, body
            return (time.perf_counter() - start) * 1000, body

        # The catalog reads the new run's summary first (a server that has been up has it).
        catalog, _ = query(f"/api/runs/{run}")
        first, body = query(f"/api/metrics?runs={run}&points=1000")
        series = body["runs"][0]["series"][0]
        assert series["count"] == options.points and not series["raw"] and len(series["buckets"]) == 250
        warm = [query(f"/api/metrics?runs={run}&points=1000")[0] for _ in range(options.repetitions)]
        middle = options.points // 2
        zoom = [query(f"/api/metrics?runs={run}&points=1000&from={middle}&to={middle + 999}")
                for _ in range(options.repetitions)]
        assert zoom[0][1]["runs"][0]["series"][0]["raw"] and zoom[0][1]["runs"][0]["series"][0]["count"] == 1000
        smoothed = [query(f"/api/metrics?runs={run}&points=1000&smoothing=0.9")[0] for _ in range(options.repetitions)]
        stop(server)
        server, connection = start()
        query(f"/api/runs/{run}")
        restarted, _ = query(f"/api/metrics?runs={run}&points=1000")

        def figures(values):
            return f"median {statistics.median(values):.1f} ms (min {min(values):.1f}, max {max(values):.1f})"

        print(f"{datetime.date.today()}, {os.cpu_count()} cores, {platform.machine()}")
        print(f"`python3 tools/bench_metrics.py {options.bin} --points {options.points} "
              f"--repetitions {options.repetitions}`\n")
        print("| measure | result | goal |")
        print("|---|---|---|")
        print(f"| recording {options.points:,} points (`athanor run`, whole run) | {recorded:.2f} s | — |")
        print(f"| the run's summary, first (`GET /api/runs/R` on a fresh server: the catalog reads it) | {catalog:.1f} ms | — |")
        print(f"| 1,000-point query, first (the curve read from the journal and folded) | {first:.1f} ms | < 500 ms |")
        print(f"| 1,000-point query, cached | {figures(warm)} | < 50 ms |")
        print(f"| 1,000-point query, first after a server restart (the curve from `.cache/metrics`) | {restarted:.1f} ms | — |")
        print(f"| 1,000 points zoomed at full resolution, cached | {figures([z[0] for z in zoom])} | — |")
        print(f"| 1,000-point query with smoothing 0.9 (on every point), cached | {figures(smoothed)} | — |")
    finally:
        if server is not None and server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(30)
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
