"""Compare the results of every completed run of an experiment, notebook-style.

    python3 tools/examples/compare_runs.py [DATA_DIR] [EXPERIMENT]

Loads the runs with the `athanor` Python package (tools/python), prints a per-run table of
the numeric result fields, and, if matplotlib is installed, saves a plot to compare_runs.png.
"""

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "python"))

import athanor  # noqa: E402

data_dir = sys.argv[1] if len(sys.argv) > 1 else "data"
experiment = sys.argv[2] if len(sys.argv) > 2 else "demo"

runs, results = athanor.load_runs(data_dir, experiment=experiment, status="completed")
if runs.empty:
    sys.exit(f"no completed {experiment} runs in {data_dir}: run some first (athanor run …)")

print(runs[["run", "instance_name", "duration", "result_count"]].to_string(index=False))
numeric = [c for c in results.columns if c.startswith("value.") and results[c].dtype.kind in "if"]
table = results.groupby("run")[numeric].agg(["mean", "min", "max"])
print()
print(table.to_string())

try:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
except ImportError:
    print("\n(matplotlib is not installed: no plot)")
else:
    field = numeric[0]
    figure, axes = plt.subplots(figsize=(8, 4))
    for run_id, frame in results.groupby("run"):
        axes.plot(range(1, len(frame) + 1), frame[field], marker="o", label=run_id[:12])
    axes.set_xlabel("result")
    axes.set_ylabel(field)
    axes.set_title(f"{experiment}: {field} per run")
    axes.legend()
    figure.tight_layout()
    figure.savefig("compare_runs.png")
    print("\nsaved compare_runs.png")
