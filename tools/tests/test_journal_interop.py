"""Journals written by the engine load with the standard tools: zstd, pandas, and athanor itself."""

import json
import re
import subprocess

import pandas as pd

LOGS, RESULTS, PROGRESS = 2000, 200, 20
TOTAL = LOGS + RESULTS + PROGRESS + 3
TS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")


def synth(run_athanor, path, logs=LOGS, results=RESULTS, progress=PROGRESS):
    run_athanor("synth", path, "--logs", logs, "--results", results, "--progress", progress)
    return path.with_name(path.name + ".zst")


def zstd_lines(path):
    out = subprocess.run(["zstd", "-dc", str(path)], capture_output=True, check=True).stdout
    return out.decode("utf-8").splitlines()


def test_closed_journal_loads_with_zstd_command(tmp_path, run_athanor):
    journal = synth(run_athanor, tmp_path / "run.jsonl")
    assert not (tmp_path / "run.jsonl").exists()
    lines = zstd_lines(journal)
    events = [json.loads(line) for line in lines]
    assert [e["seq"] for e in events] == list(range(1, TOTAL + 1))
    assert events[0]["type"] == "run_created"
    assert events[-1]["type"] == "run_completed"
    for event in events:
        assert list(event)[:3] == ["seq", "ts", "type"]
        assert TS.match(event["ts"]), event["ts"]


def test_closed_journal_loads_with_pandas(tmp_path, run_athanor):
    journal = synth(run_athanor, tmp_path / "run.jsonl")
    frame = pd.read_json(journal, lines=True, compression="zstd")
    assert len(frame) == TOTAL
    for column in ["seq", "ts", "type", "level", "message", "key", "value", "current", "total"]:
        assert column in frame.columns, column
    counts = frame["type"].value_counts()
    assert counts["log"] == LOGS
    assert counts["result"] == RESULTS
    assert counts["progress"] == PROGRESS
    values = frame.loc[frame["type"] == "result", "value"]
    assert all(set(v) == {"prompt", "output", "tokens", "score", "correct"} for v in values)
    table = pd.json_normalize(values.tolist())
    assert table["tokens"].dtype.kind == "i"
    assert table["correct"].dtype == bool


def test_cat_prints_exactly_what_zstd_decompresses(tmp_path, run_athanor, athanor):
    journal = synth(run_athanor, tmp_path / "run.jsonl")
    ours = subprocess.run([athanor, "cat", str(journal)], capture_output=True, check=True).stdout
    reference = subprocess.run(["zstd", "-dc", str(journal)], capture_output=True, check=True).stdout
    assert ours == reference
    by_plain_name = subprocess.run([athanor, "cat", str(tmp_path / "run.jsonl")], capture_output=True, check=True)
    assert by_plain_name.stdout == reference


def test_verify_accepts_a_good_journal_and_names_a_corrupt_line(tmp_path, run_athanor):
    journal = synth(run_athanor, tmp_path / "run.jsonl")
    good = run_athanor("verify", journal)
    assert good.returncode == 0
    assert "0 with problems" in good.stdout

    lines = zstd_lines(journal)
    lines[9] = '{"seq":10,"ts":broken}'
    corrupt = tmp_path / "corrupt.jsonl"
    corrupt.write_text("\n".join(lines) + "\n")
    bad = run_athanor("verify", corrupt, check=False)
    assert bad.returncode == 1
    assert f"{corrupt}:10: invalid event line" in bad.stdout
    assert "last good seq 9" in bad.stdout
    # The lines after the corrupt one are still read.
    assert f"{TOTAL - 1} events" in bad.stdout


def test_recover_closes_an_interrupted_run_keeping_every_line(tmp_path, run_athanor):
    journal = synth(run_athanor, tmp_path / "source.jsonl", logs=100, results=10, progress=5)
    lines = zstd_lines(journal)[:-1]  # without run_completed: the writer "died"
    run_dir = tmp_path / "data" / "runs" / "inst"
    run_dir.mkdir(parents=True)
    plain = run_dir / "r1.jsonl"
    torn = '{"seq":99999,"ts":"2026'
    plain.write_text("\n".join(lines) + "\n" + torn)

    before = run_athanor("verify", plain, check=False)
    assert before.returncode == 1
    assert "athanor recover" in before.stdout

    out = run_athanor("recover", "--data", tmp_path / "data")
    assert "1 journals recovered" in out.stdout
    assert not plain.exists()
    recovered = zstd_lines(run_dir / "r1.jsonl.zst")
    assert recovered[:-1] == lines
    last = json.loads(recovered[-1])
    assert last["type"] == "run_failed"
    assert last["seq"] == len(lines) + 1
    assert last["error"].startswith("interrupted:")
    assert f"{len(torn)} bytes" in last["error"]
    assert run_athanor("verify", tmp_path / "data").returncode == 0


def test_documented_example_loads_with_pandas(tmp_path):
    from conftest import REPO

    page = (REPO / "docs" / "journal-format.md").read_text()
    example = page.split("```jsonl\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "example.jsonl"
    path.write_text(example)
    frame = pd.read_json(path, lines=True)
    assert list(frame["seq"]) == list(range(1, len(frame) + 1))
    assert frame["type"].iloc[-1] == "run_completed"
