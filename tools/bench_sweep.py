#!/usr/bin/env python3
"""Sweeps at scale: 1,000 trials of a 10 ms experiment (`demo`, one iteration of 10 ms).

1. Launch overhead: `athanor sweep` run to the end at --concurrency 1; the overhead per trial
   is the wall time divided by the trials minus the mean run duration (run_started to
   run_completed, from the journals): what the driver, the worker's start and the journal cost
   each trial beyond the experiment's own time. Goal: under 15 ms.
2. The sweep's page with its 1,000 trials in headless Chromium: from navigation start to the
   page's `sweep-painted` mark (table and scatter drawn), median of --loads. Goal: under 500 ms.

usage: tools/bench_sweep.py BIN_DIR [--trials N] [--loads L]"""

import argparse
import json
import pathlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_follow import end_group  # noqa: E402
from load import api, free_port, ts_seconds  # noqa: E402


def launch(athanor, data, trials):
    started = time.monotonic()
    done = subprocess.run([athanor, "sweep", "demo", "--name", "bench", "--grid", "delay_ms=10", "--set", "iterations=1",
                           "--repeats", str(trials), "--concurrency", "1", "--data", str(data), "--json"],
                          capture_output=True, text=True, check=True)
    wall = time.monotonic() - started
    sweep = json.loads(done.stdout.split("\n", 1)[1])
    durations = []
    for run_dir in (data / "runs").iterdir():
        for journal in run_dir.iterdir():
            lines = subprocess.run([athanor, "cat", str(journal)], capture_output=True, text=True).stdout.splitlines()
            times = {event["type"]: ts_seconds(event["ts"].encode()) for event in map(json.loads, lines)}
            durations.append(times["run_completed"] - times["run_started"])
    mean = statistics.mean(durations)
    return sweep["sweep"], {"trials": trials, "completed": sweep["counts"]["completed"], "wall_s": round(wall, 2),
                            "mean_run_ms": round(mean * 1000, 2),
                            "overhead_per_trial_ms": round((wall / trials - mean) * 1000, 2)}


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
    parser.add_argument("bin")
    parser.add_argument("--trials", type=int, default=1000)
    parser.add_argument("--loads", type=int, default=5)
    arguments = parser.parse_args()
    athanor = str(pathlib.Path(arguments.bin).resolve() / "athanor")
    data = pathlib.Path(tempfile.mkdtemp(prefix="athanor-bench-sweep-")) / "data"
    try:
        sweep, launched = launch(athanor, data, arguments.trials)
        print(json.dumps({"launch": launched}), flush=True)
        print(json.dumps({"page": paint(athanor, data, sweep, arguments.loads)}), flush=True)
    finally:
        shutil.rmtree(data.parent, ignore_errors=True)


if __name__ == "__main__":
    main()
