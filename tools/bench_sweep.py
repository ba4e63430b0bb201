#!/usr/bin/env python3
"""Sweeps at scale: 1,000 trials of a 10 ms experiment (`demo`, one iteration of 10 ms:
`athanor sweep demo --grid delay_ms=10 --set iterations=1 --repeats 1000`, each repeat a trial
of its own).

1. Launch overhead: `athanor sweep` run to the end at --concurrency C (default 2, the cores of
   the benchmark machine). From the run journals (read directly, not through the binary):
     run duration d_i   = run_completed.ts − run_started.ts of trial i
     overhead per trial = (wall time − Σ d_i ÷ C) ÷ trials
   Σ d_i ÷ C is the wall time C perfectly packed slots would need for the runs alone, so the
   overhead is the sweep's wall time beyond its experiments' own, per trial: what the driver,
   the worker's start and the journals cost each trial, as the sweep's throughput sees it
   (a slot is busy C times as long for each; at C = 1 this is wall ÷ trials − mean run,
   the figure of BENCHMARKS.md). Beside it, medians from the journals: a completion to the next
   run_created (the driver refilling a slot), run_created → run_started (a worker's start), and
   the most runs at once (must not exceed C). Goal: under 15 ms.
2. With --loads L > 0 (default 5): the sweep's page with its trials in headless Chromium: from
   navigation start to the page's `sweep-painted` mark (table and scatter drawn), median of L
   loads after a warm-up. Goal: under 500 ms.

Prints one JSON line per part.

usage: tools/bench_sweep.py [BIN_DIR] [--trials N] [--concurrency C] [--loads L]
BIN_DIR defaults to the release build (.build/x86_64-unknown-linux-gnu/release) if it holds
`athanor`, else the debug build (.build/debug)."""

import argparse
import bisect
import json
import pathlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
from bench_follow import end_group  # noqa: E402
from load import api, free_port, journal_bytes, ts_seconds  # noqa: E402

DELAY_MS = 10
LIFECYCLE = (b"run_created", b"run_started", b"run_completed", b"run_failed", b"run_cancelled")


def default_bin():
    for folder in (REPO / ".build" / "x86_64-unknown-linux-gnu" / "release", REPO / ".build" / "debug"):
        if (folder / "athanor").exists():
            return folder
    raise SystemExit("no athanor binary under .build: build it, or give BIN_DIR")


def lifecycle(plain_path):
    """{event type: ts in seconds} of a run's lifecycle events, from its journal."""
    times = {}
    for line in journal_bytes(plain_path).splitlines():
        head = line[:200]
        for kind in LIFECYCLE:
            if b'"type":"' + kind + b'"' in head:
                ts = head[head.index(b'"ts":"') + 6:]
                times[kind.decode()] = ts_seconds(ts[:ts.index(b'"')])
                break
    return times


def ms(seconds):
    return round(seconds * 1000, 2)


def launch(athanor, data, trials, concurrency):
    started = time.monotonic()
    done = subprocess.run([athanor, "sweep", "demo", "--name", "bench", "--grid", f"delay_ms={DELAY_MS}",
                           "--set", "iterations=1", "--repeats", str(trials), "--concurrency", str(concurrency),
                           "--data", str(data), "--json"],
                          capture_output=True, text=True, start_new_session=True)
    wall = time.monotonic() - started
    if done.returncode != 0:
        raise SystemExit(f"athanor sweep exited {done.returncode}: {done.stderr[-2000:]}")
    sweep = json.loads(done.stdout.split("\n", 1)[1])
    folder = data / "runs" / sweep["instance"]
    runs = [lifecycle(str(folder / f"{run}.jsonl")) for run in {journal.name.split(".")[0] for journal in folder.iterdir()}]
    runs = [run for run in runs if "run_completed" in run and "run_started" in run]
    durations = [run["run_completed"] - run["run_started"] for run in runs]
    created = sorted(run["run_created"] for run in runs)
    gaps = []
    for run in runs:
        following = bisect.bisect_right(created, run["run_completed"])
        if following < len(created):
            gaps.append(created[following] - run["run_completed"])
    edges = sorted([(run["run_started"], 1) for run in runs] + [(run["run_completed"], -1) for run in runs])
    running = most = 0
    for _, step in edges:
        running += step
        most = max(most, running)
    return sweep["sweep"], {
        "binary": athanor, "trials": trials, "concurrency": concurrency, "completed": sweep["counts"]["completed"],
        "wall_s": round(wall, 2), "run_ms_sum": ms(sum(durations)), "run_ms_mean": ms(statistics.mean(durations)),
        "overhead_per_trial_ms": ms((wall - sum(durations) / concurrency) / trials),
        "completion_to_next_created_ms_median": ms(statistics.median(gaps)) if gaps else None,
        "created_to_started_ms_median": ms(statistics.median(r["run_started"] - r["run_created"] for r in runs)),
        "most_at_once": most,
        "formula": "overhead_per_trial = (wall - sum(run_completed - run_started) / concurrency) / trials"}


def paint(athanor, data, sweep, loads):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    port = free_port()
    server = subprocess.Popen([athanor, "serve", "--port", str(port), "--data", str(data)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000"):
        options.add_argument(argument)
    service = Service(shutil.which("chromedriver") or "/usr/bin/chromedriver", popen_kw={"start_new_session": True})
    driver = None
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                api(port, "GET", "/api/status")
                break
            except OSError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.05)
        driver = webdriver.Chrome(service=service, options=options)
        times = []
        for _ in range(loads + 1):  # the first load warms the caches
            driver.get(f"http://127.0.0.1:{port}/sweeps/{sweep}")
            deadline = time.monotonic() + 60
            painted = None
            while painted is None and time.monotonic() < deadline:
                painted = driver.execute_script(
                    "const m = performance.getEntriesByName('sweep-painted'); return m.length ? m[0].startTime : null;")
                if painted is None:
                    time.sleep(0.02)
            rows = driver.execute_script("return document.querySelectorAll('.trials-table tbody tr').length;")
            assert painted is not None and rows > 0, "the page did not paint"
            times.append(painted)
        return {"rows": rows, "loads": loads, "paint_ms_median": round(statistics.median(times[1:]), 1),
                "paint_ms_min": round(min(times[1:]), 1), "paint_ms_max": round(max(times[1:]), 1)}
    finally:
        if driver is not None:
            driver.quit()
        if getattr(service, "process", None) is not None:
            end_group(service.process)
        end_group(server)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("bin", nargs="?")
    parser.add_argument("--trials", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--loads", type=int, default=5, help="page loads in Chromium (0: skip the page)")
    arguments = parser.parse_args()
    athanor = str((pathlib.Path(arguments.bin) if arguments.bin else default_bin()).resolve() / "athanor")
    data = pathlib.Path(tempfile.mkdtemp(prefix="athanor-bench-sweep-")) / "data"
    try:
        sweep, launched = launch(athanor, data, arguments.trials, arguments.concurrency)
        print(json.dumps({"launch": launched}), flush=True)
        if arguments.loads > 0:
            print(json.dumps({"page": paint(athanor, data, sweep, arguments.loads)}), flush=True)
    finally:
        shutil.rmtree(data.parent, ignore_errors=True)


if __name__ == "__main__":
    main()
