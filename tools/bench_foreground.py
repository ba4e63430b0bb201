"""Workload W through `athanor run` in the foreground (on a pseudo-terminal, as a user sees
it: the live panel) side by side with the benchmark driver (`AthanorBench workload`, which
starts the same worker from inside its own process), alternating, pair by pair.

Usage: python3 tools/bench_foreground.py BIN_DIR [--repetitions N]
A: wall time of `athanor run`, from its start to its exit (process start, the live view and
the final summary included). B: the driver's own figure (asking for the run → its journal
closed and compressed). Prints medians (min–max) and the median of the per-pair ratio A/B."""

import argparse
import json
import os
import pty
import statistics
import subprocess
import tempfile
import time


def run_on_terminal(arguments):
    """Runs `arguments` with a pseudo-terminal as standard output and error; returns the wall
    seconds from start to exit."""
    start = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(arguments[0], arguments)
    while True:
        try:
            if not os.read(fd, 65536):
                break
        except OSError:
            break
    _, status = os.waitpid(pid, 0)
    elapsed = time.perf_counter() - start
    os.close(fd)
    assert os.waitstatus_to_exitcode(status) == 0, f"{arguments} failed"
    return elapsed


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("bin")
    parser.add_argument("--repetitions", type=int, default=9)
    options = parser.parse_args()
    athanor = os.path.join(options.bin, "athanor")
    driver = os.path.join(options.bin, "AthanorBench")
    with tempfile.TemporaryDirectory(prefix="athanor-foreground-") as scratch:
        data = os.path.join(scratch, "data")
        instance = subprocess.run([athanor, "create", "synthetic", "--name", "w", "--data", data],
                                  check=True, capture_output=True, text=True).stdout.strip()
        foreground, driven, ratios = [], [], []
        for repetition in range(options.repetitions + 1):
            a = run_on_terminal([athanor, "run", instance, "--data", data])
            measured = subprocess.run([driver, "workload", "--data", os.path.join(scratch, "driver"),
                                       "--visibility", "no"], check=True, capture_output=True, text=True)
            b = json.loads(measured.stdout)["seconds"]
            if repetition == 0:
                continue  # warm-up: page cache, dynamic linking
            foreground.append(a)
            driven.append(b)
            ratios.append(a / b)

    def line(name, values):
        return f"{name}: median {statistics.median(values):.3f} ({min(values):.3f}–{max(values):.3f})"

    print(line("athanor run (foreground, pty) s", foreground))
    print(line("AthanorBench workload s", driven))
    print(line("ratio A/B", ratios))


if __name__ == "__main__":
    main()
