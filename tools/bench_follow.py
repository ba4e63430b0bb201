#!/usr/bin/env python3
"""How fast a live run reaches a follower, with inotify and with polling (--poll, what a data
directory on NFS or Lustre gets), side by side in one run; and what polling costs the server.

For each mode a server follows R runs at once, each written by a process of its own (`athanor
synth --rate E`, as a worker on another host would write it), with one SSE client per run on
GET /api/runs/{id}/events. The latency of an event is when its line arrives at the client minus
its `ts` (one clock: one machine). The server's CPU is read from /proc over the writing.

usage: tools/bench_follow.py BIN_DIR [--runs R] [--rate E] [--seconds S]"""

import argparse
import json
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from load import api, free_port, percentile, ts_seconds  # noqa: E402

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def ulid_like(index):
    """A valid 26-character ID (ULID alphabet), distinct per index."""
    alphabet = "0123456789abcdefghjkmnpqrstvwxyz"
    text, number = "", int(time.time() * 1000) * 1000 + index
    while number:
        text, number = alphabet[number % 32] + text, number // 32
    return ("01" + text)[:26].ljust(26, "0")


def cpu_seconds(pid):
    fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def follow(port, run, latencies, done):
    request = urllib.request.Request(f"http://127.0.0.1:{port}/api/runs/{run}/events")
    with urllib.request.urlopen(request, timeout=120) as response:
        for raw in response:
            line = raw.decode()
            if not line.startswith("data: "):
                continue
            arrived = time.time()
            event = json.loads(line[6:])
            ts = ts_seconds(event["ts"].encode())
            latencies.append(arrived - ts)
            if event["type"] == "run_completed":
                break
    done.set()


def measure(athanor, poll, runs, rate, seconds):
    data = pathlib.Path(tempfile.mkdtemp(prefix="athanor-follow-"))
    instance = ulid_like(999)
    folder = data / "runs" / instance
    folder.mkdir(parents=True)
    (data / "instances").mkdir()
    port = free_port()
    server = subprocess.Popen([athanor, "serve", "--port", str(port), "--data", str(data)] + (["--poll"] if poll else []),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    writers = []
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                status = api(port, "GET", "/api/status")
                break
            except OSError:
                assert time.monotonic() < deadline, "the server did not start"
                time.sleep(0.05)
        assert status["following"] == ("polling" if poll else "inotify"), status
        events = rate * seconds
        ids = [ulid_like(i) for i in range(runs)]
        # Each journal exists (run_created) before its follower connects; the events come after.
        for run in ids:
            writers.append(subprocess.Popen(
                [athanor, "synth", str(folder / f"{run}.jsonl"), "--logs", str(events), "--results", "0",
                 "--progress", "0", "--rate", str(rate)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                start_new_session=True))
        for run in ids:
            wait = time.monotonic() + 30
            while not (folder / f"{run}.jsonl").exists() and time.monotonic() < wait:
                time.sleep(0.01)
        latencies, threads, dones = [], [], []
        cpu_before, wall_before = cpu_seconds(server.pid), time.monotonic()
        for run in ids:
            done = threading.Event()
            thread = threading.Thread(target=follow, args=(port, run, latencies, done), daemon=True)
            thread.start()
            threads.append(thread)
            dones.append(done)
        for done in dones:
            done.wait(seconds * 4 + 60)
        cpu = (cpu_seconds(server.pid) - cpu_before) / (time.monotonic() - wall_before)
        steady = sorted(latencies)
        return {"mode": "poll" if poll else "inotify", "runs": runs, "events": len(latencies),
                "p50_ms": round(percentile(steady, 0.5) * 1000, 1), "p99_ms": round(percentile(steady, 0.99) * 1000, 1),
                "max_ms": round(max(steady) * 1000, 1), "server_cpu_percent": round(cpu * 100, 1)}
    finally:
        for process in writers + [server]:
            end_group(process)
        shutil.rmtree(data, ignore_errors=True)


def end_group(process):
    """Kills a process started in a session of its own, with whatever it started."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("bin")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--rate", type=int, default=100)
    parser.add_argument("--seconds", type=int, default=10)
    arguments = parser.parse_args()
    athanor = str(pathlib.Path(arguments.bin) / "athanor")
    for poll in (False, True):
        print(json.dumps(measure(athanor, poll, arguments.runs, arguments.rate, arguments.seconds)), flush=True)


if __name__ == "__main__":
    main()
