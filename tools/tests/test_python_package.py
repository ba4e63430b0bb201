"""The Python package in tools/python (pandas loading of real journals the binary wrote) and
DuckDB querying journals directly."""

import pathlib
import sys

import pandas as pd
import pytest

import support
from support import ATHANOR, REPO

sys.path.insert(0, str(REPO / "tools" / "python"))

import athanor  # noqa: E402


def cli(*args):
    return support.run([ATHANOR, *map(str, args)], capture_output=True, text=True, check=True, timeout=120).stdout


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    data = tmp_path_factory.mktemp("py") / "data"
    demo = cli("create", "demo", "--name", "py", "--set", "iterations=5", "--set", "delay_ms=0", "--data", data).strip()
    for _ in range(2):
        cli("run", demo, "--data", data)
    failing = cli("create", "demo", "--name", "failing", "--set", "fail_at=2", "--set", "delay_ms=0",
                  "--data", data).strip()
    support.run([ATHANOR, "run", failing, "--data", data], capture_output=True, timeout=120)
    return data


def test_load_run_by_id_prefix(data):
    runs, _ = athanor.load_runs(data)
    run_id = runs[runs.status == "completed"].run.iloc[0]
    run = athanor.load_run(run_id[:12], data_dir=data)
    assert list(run.results.key) == [f"iteration_{i}" for i in range(1, 6)]
    assert {"value.iteration", "value.value", "value.even"} <= set(run.results.columns)
    assert run.results["value.iteration"].tolist() == [1, 2, 3, 4, 5]
    assert pd.api.types.is_datetime64_any_dtype(run.results.ts)
    assert run.logs.level.value_counts().to_dict() == {"debug": 5, "info": 2}
    summary = run.summary.iloc[0]
    assert summary.status == "completed" and summary.result_count == 5 and summary.progress_current == 5
    assert summary.logs_debug == 5 and summary.duration >= 0
    events = run.events
    assert events.seq.tolist() == list(range(1, len(events) + 1))
    assert events.type.iloc[0] == "run_created" and events.type.iloc[-1] == "run_completed"


def test_load_run_from_a_journal_file(data, tmp_path):
    journal = next(pathlib.Path(data, "runs").rglob("*.jsonl.zst"))
    copy = tmp_path / "shared.jsonl.zst"
    copy.write_bytes(journal.read_bytes())
    assert len(athanor.load_run(copy).results) in (0, 1, 5)


def test_load_runs_filters_and_concatenates_results(data):
    runs, results = athanor.load_runs(data)
    assert sorted(runs.status) == ["completed", "completed", "failed"]
    assert runs[runs.status == "failed"].error.iloc[0].endswith("(fail_at)")
    completed, completed_results = athanor.load_runs(data, status="completed", experiment="demo")
    assert len(completed) == 2 and len(completed_results) == 10
    assert set(completed_results.run) == set(completed.run)
    per_run = completed_results.groupby("run")["value.value"].mean()
    assert len(per_run) == 2


def test_follow_yields_a_live_run_until_it_ends(data):
    demo = cli("create", "demo", "--name", "live", "--set", "iterations=20", "--set", "delay_ms=20",
               "--data", data).strip()
    run_id = cli("run", demo, "--detach", "--data", data).strip()
    events = list(athanor.follow(run_id, data_dir=data))
    assert events[0]["type"] == "run_created" and events[-1]["type"] == "run_completed"
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))


def test_unknown_runs_are_clear_errors(data):
    with pytest.raises(KeyError, match="no run"):
        athanor.load_run("zzzz", data_dir=data)
    with pytest.raises(FileNotFoundError):
        athanor.load_run("/nonexistent/run.jsonl.zst")


def test_the_package_installs_with_pip(tmp_path):
    # From a copy, so that the build leaves nothing in the repository.
    source = tmp_path / "source"
    __import__("shutil").copytree(REPO / "tools" / "python", source)
    target = tmp_path / "installed"
    support.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), str(source)],
                check=True, timeout=300)
    assert (target / "athanor" / "frames.py").exists()


def test_duckdb_queries_the_results_of_every_run_in_one_statement(data):
    duckdb = pytest.importorskip("duckdb")
    rows = duckdb.sql(f"""
        SELECT run_id, count(*) AS results, avg((to_json(value)->>'iteration')::DOUBLE) AS mean_iteration
        FROM (SELECT regexp_extract(filename, '([0-9a-z]{{26}})\\.jsonl', 1) AS run_id, *
              FROM read_json('{data}/runs/*/*.jsonl.zst', format='newline_delimited', compression='zstd',
                             union_by_name=true, filename=true))
        WHERE type = 'result'
        GROUP BY run_id ORDER BY results DESC
    """).fetchall()
    five = [row for row in rows if row[1] == 5]
    assert len(five) == 2 and all(row[2] == 3.0 for row in five)


def test_the_example_compares_runs(data, tmp_path):
    out = support.run([sys.executable, str(REPO / "tools" / "examples" / "compare_runs.py"), str(data), "demo"],
                      capture_output=True, text=True, check=True, timeout=120, cwd=tmp_path).stdout
    assert "value.iteration" in out and "mean" in out


def test_export_writes_csv_and_json_lines(data, tmp_path):
    runs, _ = athanor.load_runs(data, status="completed")
    run_id = runs.run.iloc[0]
    csv_path = tmp_path / "results.csv"
    cli("export", run_id, "--format", "csv", "--output", csv_path, "--data", data)
    table = pd.read_csv(csv_path)
    assert list(table.columns[:4]) == ["run", "seq", "ts", "key"]
    assert table["value.iteration"].tolist() == [1, 2, 3, 4, 5]
    lines = [l for l in cli("export", run_id, "--format", "jsonl", "--table", "logs", "--data", data).splitlines() if l]
    logs = pd.read_json(__import__("io").StringIO("\n".join(lines)), lines=True)
    assert len(logs) == 7 and set(logs.level) == {"debug", "info"}
    instance = runs.instance.iloc[0]
    every = pd.read_csv(__import__("io").StringIO(cli("export", instance, "--data", data)))
    assert every.run.nunique() >= 2


def write_journal(path, events, end=True):
    """A run journal in the documented format (docs/journal-format.md), written by hand."""
    lines = []
    for seq, (kind, fields) in enumerate(events, start=1):
        body = {"seq": seq, "ts": f"2026-11-26T10:00:{seq:02d}.000000Z", "type": kind, **fields}
        lines.append(__import__("json").dumps(body, separators=(",", ":")))
    path.write_text("\n".join(lines) + "\n")


def test_nested_values_expand_into_dotted_columns_and_a_live_journal_loads(tmp_path):
    created = ("run_created", {"format": 1, "run": "r1", "instance": "i1", "instance_name": "nested",
                               "experiment": "x", "config": {}, "executor": "inline"})
    result = ("result", {"key": "eval", "value": {"metrics": {"accuracy": 0.9, "loss": 0.25}, "tags": ["a", "b"]}})
    live = tmp_path / "live.jsonl"
    write_journal(live, [created, ("run_started", {"pid": 1, "host": "h"}), result,
                         ("progress", {"current": 1, "total": 4})])
    with live.open("a") as f:
        f.write('{"seq":5,"ts":"2026')  # a line still being written
    run = athanor.load_run(live)
    assert run.results["value.metrics.accuracy"].tolist() == [0.9]
    assert run.results["value.tags"].tolist() == [["a", "b"]]
    summary = run.summary.iloc[0]
    assert summary.status == "running" and summary.progress_current == 1 and summary.last_seq == 4


def test_metrics_load_as_long_frames(data):
    """`run.metrics` and `load_runs(…).metrics` (demo records `loss` at steps 1…5)."""
    runs, _ = athanor.load_runs(data, status="completed")
    run = athanor.load_run(runs.run.iloc[0], data_dir=data)
    metrics = run.metrics
    assert list(metrics.columns) == ["step", "ts", "key", "value"]
    assert metrics.step.tolist() == [1, 2, 3, 4, 5] and set(metrics.key) == {"loss"}
    assert pd.api.types.is_datetime64_any_dtype(metrics.ts) and metrics.value.dtype == float
    loaded = athanor.load_runs(data, status="completed")
    assert set(loaded.metrics.run) == set(loaded.runs.run)
    assert len(loaded.metrics) == sum(len(athanor.load_run(r, data_dir=data).metrics) for r in loaded.runs.run)
    by_step = loaded.metrics.pivot(index="step", columns="run", values="value")
    assert by_step.shape == (loaded.metrics.step.max(), len(loaded.runs))


def test_a_batch_metric_line_gives_a_row_per_key(tmp_path):
    journal = tmp_path / "batch.jsonl"
    journal.write_text(
        '{"seq":1,"ts":"2026-12-03T09:00:00.000000Z","type":"run_created","format":1,"run":"r","instance":"i",'
        '"instance_name":"n","experiment":"e","config":{},"executor":"inline"}\n'
        '{"seq":2,"ts":"2026-12-03T09:00:00.100000Z","type":"metric","step":3,"values":{"loss":0.5,"accuracy":1}}\n'
        '{"seq":3,"ts":"2026-12-03T09:00:00.200000Z","type":"metric","key":"loss","value":0.25,"step":4}\n')
    metrics = athanor.load_run(journal).metrics
    assert metrics[["step", "key", "value"]].values.tolist() == [[3, "loss", 0.5], [3, "accuracy", 1.0],
                                                               [4, "loss", 0.25]]
