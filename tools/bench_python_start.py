"""The start of a Python experiment's run (issue 14, `tools/bench python-start`): from the
request to `run_started` and to the run's end, for `workload_w` with `steps: 0` (nothing but
the start and the end), through `athanor run` and through the API of a warm `athanor serve`;
and, measured apart, what the interpreter alone costs: `python3 -c pass`, and `python3 -c
"import athanor"` (the SDK's import).

    python3 tools/bench_python_start.py BIN_DIR [--repetitions N]

"Request" is the moment before `athanor run` is started, or before the POST is sent; the
`run_started` time is the event's `ts` in the journal (one clock: same machine)."""

import argparse
import json
import os
import pathlib
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import datetime, timezone

REPO = pathlib.Path(__file__).resolve().parents[1]
FOLDER = REPO / "tools" / "bench_experiments"


def journal_times(data, run):
    """(run_created, run_started, terminal) Unix times from the run's journal."""
    path = next(pathlib.Path(data, "runs").glob(f"*/{run}.jsonl*"))
    if path.suffix == ".zst":
        import zstandard
        text = zstandard.ZstdDecompressor().decompress(path.read_bytes(), max_output_size=1 << 30).decode()
    else:
        text = path.read_text()
    events = [json.loads(line) for line in text.splitlines()]
    at = lambda event: datetime.fromisoformat(event["ts"].replace("Z", "+00:00")).timestamp()  # noqa: E731
    return at(events[0]), at(events[1]), at(events[-1])


def timed(command, repetitions):
    """Median, min and max seconds of `command` run `repetitions` times."""
    times = []
    for _ in range(repetitions):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return times


def spread(values):
    values = [v * 1000 for v in values]
    return f"median {statistics.median(values):.0f} ms (min {min(values):.0f}, max {max(values):.0f})"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("bin_dir")
    parser.add_argument("--repetitions", type=int, default=10)
    arguments = parser.parse_args()
    athanor = str(pathlib.Path(arguments.bin_dir, "athanor"))
    python = sys.executable
    data = tempfile.mkdtemp(prefix="athanor-python-start-")
    environment = {**os.environ, "PYTHONPATH": str(REPO / "tools" / "python"), "ATHANOR_EXPERIMENTS": str(FOLDER),
                   "ATHANOR_PYTHON": python, "ATHANOR_DATA": data}
    instance = subprocess.run([athanor, "create", "workload_w", "--name", "start", "--set", "steps=0"], env=environment,
                              check=True, capture_output=True, text=True).stdout.strip()

    cli_started, cli_ended = [], []
    for _ in range(arguments.repetitions):
        asked = time.time()
        done = subprocess.run([athanor, "run", instance, "--json"], env=environment, check=True, capture_output=True,
                              text=True)
        ended = time.time()
        run = json.loads(done.stdout)["run"]
        _, started, _ = journal_times(data, run)
        cli_started.append(started - asked)
        cli_ended.append(ended - asked)

    port = 4700 + os.getpid() % 200
    server = subprocess.Popen([athanor, "serve", "--port", str(port)], env=environment, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    api_started, api_ended = [], []
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                urllib.request.urlopen(base + "/api/experiments", timeout=2).close()
                break
            except OSError:
                time.sleep(0.05)
        urllib.request.urlopen(base + "/api/experiments", timeout=30).close()  # discovery done: the server is warm
        for _ in range(arguments.repetitions):
            request = urllib.request.Request(f"{base}/api/instances/{instance}/runs", data=b"{}", method="POST",
                                             headers={"Content-Type": "application/json"})
            asked = time.time()
            with urllib.request.urlopen(request, timeout=30) as response:
                run = json.loads(response.read())["run"]
            # The run is over once its journal is closed (compressed); then its times are read.
            while not pathlib.Path(data, "runs", instance, f"{run}.jsonl.zst").exists():
                time.sleep(0.002)
            _, started, ended = journal_times(data, run)
            api_started.append(started - asked)
            api_ended.append(ended - asked)
    finally:
        server.terminate()
        server.wait(timeout=30)

    bare = timed([python, "-c", "pass"], arguments.repetitions)
    sdk = timed([python, "-c", "import athanor"], arguments.repetitions)
    print(f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, {platform.machine()}, "
          f"Python {platform.python_version()}; command: python3 tools/bench_python_start.py {' '.join(sys.argv[1:])}")
    print("| | request → run_started | request → run ended |")
    print("|---|---|---|")
    print(f"| `athanor run` (a new CLI process each time) | {spread(cli_started)} | {spread(cli_ended)} |")
    print(f"| POST /api/instances/{{id}}/runs, warm server | {spread(api_started)} | {spread(api_ended)} |")
    print(f"interpreter alone: `python3 -c pass` {spread(bare)}; `python3 -c \"import athanor\"` {spread(sdk)}")


if __name__ == "__main__":
    main()
