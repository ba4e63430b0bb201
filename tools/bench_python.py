"""Python loading benchmark (run by `tools/bench python`): the results of workload W (100,000
logs, 10,000 results, 1,000 progress updates) into a DataFrame, beside plain pandas in the same
run. Prints a Markdown table row."""

import os
import statistics
import subprocess
import sys
import tempfile
import time

import pandas as pd

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "python"))
import athanor  # noqa: E402

BIN = sys.argv[1]


def best_of(function, repeats=5):
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings), min(timings), max(timings)


def main():
    directory = tempfile.mkdtemp(prefix="athanor-bench-python-")
    journal = os.path.join(directory, "w.jsonl")
    subprocess.run([os.path.join(BIN, "athanor"), "synth", journal], check=True, capture_output=True)
    compressed = journal + ".zst"

    def ours():
        frame = athanor.load_run(compressed).results
        assert len(frame) == 10000

    def plain_pandas():
        frame = pd.read_json(compressed, lines=True, compression="zstd")
        results = frame[frame.type == "result"]
        expanded = pd.json_normalize(results["value"].tolist())
        assert len(expanded) == 10000

    median, low, high = best_of(ours)
    reference, reference_low, reference_high = best_of(plain_pandas, repeats=3)
    print(f"| W's 10,000 results into a DataFrame (`athanor.load_run(path).results`, values expanded with json_normalize) "
          f"| median {median:.3f} s (min {low:.3f}, max {high:.3f}) "
          f"| plain `pandas.read_json(lines=True, compression=\"zstd\")` + filter + json_normalize: median {reference:.3f} s "
          f"(min {reference_low:.3f}, max {reference_high:.3f}); target < 0.1 s |")


if __name__ == "__main__":
    main()
