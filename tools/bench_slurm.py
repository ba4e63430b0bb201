#!/usr/bin/env python3
"""Runs on Slurm under load: a one-node cluster (tools/slurm/cluster.py), a server with
`--executor slurm --slurm-cpus 1`, and R runs of `demo` submitted through the API at once, far
more than the node's CPUs, so most wait queued. Reports the time to submit them, the time until
all have completed, the most runs executing at once (from the journals), and the scheduler
calls: the server's `scheduler_calls_per_minute` (GET /api/status) sampled every second, its
peak, and what one squeue per run per second would have cost.

Then, side by side on the same server, a sweep of R trials of the same runs (POST /api/sweeps,
`repeats` R, concurrency = the node's CPUs), which goes to Slurm as one job array: the time
until every trial is queued, until all have completed, the batch scripts submitted (one
`sbatch` each) and the same scheduler figures.

usage: tools/bench_slurm.py BIN_DIR [--runs R] [--iterations N] [--delay-ms D]"""

import argparse
import json
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "slurm"))
sys.path.insert(0, str(HERE))
import cluster as slurm_cluster  # noqa: E402
from bench_follow import end_group  # noqa: E402
from load import api as call, free_port, ts_seconds  # noqa: E402


def most_at_once(athanor, journals):
    """The most runs between run_started and their end at any moment, from the journals."""
    edges = []
    for journal in journals:
        lines = subprocess.run([athanor, "cat", journal], capture_output=True, text=True).stdout.splitlines()
        events = [json.loads(line) for line in lines]
        times = {e["type"]: ts_seconds(e["ts"].encode()) for e in events}
        edges += [(times["run_started"], 1), (times["run_completed"], -1)]
    running = peak = 0
    for _, step in sorted(edges, key=lambda edge: (edge[0], edge[1])):
        running += step
        peak = max(peak, running)
    return peak


def sweep(port, folder, athanor, arguments, cpus):
    """A sweep of R trials through the server, to its end: its figures."""
    started = time.monotonic()
    created = call(port, "POST", "/api/sweeps", {
        "experiment": "demo", "name": "load sweep", "space": {"iterations": [arguments.iterations]},
        "config": {"delay_ms": arguments.delay_ms}, "repeats": arguments.runs, "concurrency": cpus})
    queued_s, samples = None, []
    while True:
        shown = call(port, "GET", f"/api/sweeps/{created['sweep']}")
        samples.append(call(port, "GET", "/api/status")["scheduler_calls_per_minute"])
        counts = shown["counts"]
        if queued_s is None and counts["waiting"] == 0 and counts["pending"] == 0:
            queued_s = time.monotonic() - started
        if shown["status"] != "running":
            break
        time.sleep(0.2)
    finished = time.monotonic() - started
    journals = [call(port, "GET", f"/api/runs/{trial['run']}")["journal"] for trial in shown["trials"]]
    folder_of_runs = folder / "data" / "runs" / shown["instance"]
    return {
        "trials": arguments.runs, "status": shown["status"], "counts": shown["counts"],
        "all_queued_s": round(queued_s, 2), "all_done_s": round(finished, 1),
        "sbatch_calls": len(list(folder_of_runs.glob("*.sbatch"))),
        "array_scripts": len(list(folder_of_runs.glob("*.array.sbatch"))),
        "most_at_once": most_at_once(athanor, journals), "concurrency": cpus,
        "scheduler_calls_per_minute_peak": max(samples),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("bin")
    parser.add_argument("--runs", type=int, default=50)
    parser.add_argument("--iterations", type=int, default=10)
    parser.add_argument("--delay-ms", type=int, default=100)
    arguments = parser.parse_args()
    athanor = str(pathlib.Path(arguments.bin).resolve() / "athanor")
    folder = pathlib.Path(tempfile.mkdtemp(prefix="athanor-bench-slurm-"))
    cluster = slurm_cluster.Cluster(folder / "cluster")
    server = None
    try:
        cluster.start()
        cpus = int(cluster.run("sinfo", "-h", "-o", "%c").stdout.strip())
        port = free_port()
        server = subprocess.Popen(
            [athanor, "serve", "--port", str(port), "--data", str(folder / "data"), "--executor", "slurm",
             "--slurm-cpus", "1"], env=cluster.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True)
        deadline = time.monotonic() + 30
        while True:
            try:
                call(port, "GET", "/api/status")
                break
            except OSError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.05)
        instance = call(port, "POST", "/api/instances", {
            "experiment": "demo", "name": "load", "config": {"iterations": arguments.iterations,
                                                             "delay_ms": arguments.delay_ms}})["instance"]
        started = time.monotonic()
        runs = [call(port, "POST", f"/api/instances/{instance}/runs")["run"] for _ in range(arguments.runs)]
        submitted = time.monotonic() - started
        samples = []
        while True:
            status = call(port, "GET", "/api/status")
            samples.append(status["scheduler_calls_per_minute"])
            listing = call(port, "GET", f"/api/instances/{instance}")["runs"]
            if sum(run["status"] in ("completed", "failed", "cancelled") for run in listing) == arguments.runs:
                break
            time.sleep(1)
        finished = time.monotonic() - started
        outcomes = {}
        for run in listing:
            outcomes[run["status"]] = outcomes.get(run["status"], 0) + 1
        journals = [call(port, "GET", f"/api/runs/{run}")["journal"] for run in runs]
        scripts = len(list((folder / "data" / "runs" / instance).glob("*.sbatch")))
        print(json.dumps({
            "part": "runs", "sbatch_calls": scripts,
            "runs": arguments.runs, "node_cpus": cpus, "outcomes": outcomes, "submit_s": round(submitted, 2),
            "all_done_s": round(finished, 1), "most_at_once": most_at_once(athanor, journals),
            "scheduler_calls_per_minute_peak": max(samples), "scheduler_calls_per_minute_samples": samples,
            "one_squeue_per_run_per_second_would_be": arguments.runs * 60,
        }), flush=True)
        print(json.dumps({"part": "sweep", **sweep(port, folder, athanor, arguments, cpus)}), flush=True)
    finally:
        if server is not None:
            end_group(server)
        cluster.run("scancel", "--user=root", check=False)
        cluster.stop()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
