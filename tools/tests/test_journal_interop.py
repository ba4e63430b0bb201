"""Journals written by the engine load with the standard tools: zstd, pandas, and athanor itself.

The binary is ATHANOR_BIN, else <repo>/.build/debug/athanor; these tests never build it.
"""

import json
import pathlib
import re

import pandas as pd
import pytest

import support

ATHANOR = pathlib.Path(support.ATHANOR)
REPO = support.REPO

LOGS, RESULTS, PROGRESS = 2000, 200, 20
TOTAL = 1 + 1 + LOGS + RESULTS + PROGRESS + 1  # run_created, run_started, the body, run_completed
TS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$")

# Every key of each run event type, in the order the Swift encoder writes them
# (RunEvent.encodeFields); `log.metadata` and `progress.message` may be absent.
RUN_EVENT_KEYS = {
    "run_created": ["format", "run", "instance", "instance_name", "experiment", "config", "executor"],
    "run_started": ["pid", "host"],
    "log": ["level", "message", "metadata"],
    "progress": ["current", "total", "message"],
    "result": ["key", "value"],
    "run_completed": [],
    "run_failed": ["error"],
    "run_cancelled": ["reason", "forced"],
}
OPTIONAL_KEYS = {"log": {"metadata"}, "progress": {"message"}}


@pytest.fixture(scope="module", autouse=True)
def binary_exists():
    if not ATHANOR.exists():
        pytest.fail(f"{ATHANOR} does not exist: build first (tools/test does), or set ATHANOR_BIN")


def athanor(*args, check=True):
    """Runs the binary; stdout and stderr as text."""
    return support.run([str(ATHANOR), *map(str, args)], capture_output=True, text=True, check=check)


def synth(path, logs=LOGS, results=RESULTS, progress=PROGRESS):
    """Writes a closed synthetic run journal at `path` and returns its compressed path."""
    athanor("synth", path, "--logs", logs, "--results", results, "--progress", progress)
    return path.with_name(path.name + ".zst")


def zstd_bytes(path):
    return support.run(["zstd", "-dc", str(path)], capture_output=True, check=True).stdout


def zstd_lines(path):
    data = zstd_bytes(path)
    assert data.endswith(b"\n"), "every line, the last one included, ends with a newline"
    return data.decode("utf-8").split("\n")[:-1]


def assert_encoder_key_order(event):
    """The keys of a run event are seq, ts, type, then exactly its fields in encoder order."""
    keys = list(event)
    assert keys[:3] == ["seq", "ts", "type"], keys
    expected = [
        key
        for key in RUN_EVENT_KEYS[event["type"]]
        if key in event or key not in OPTIONAL_KEYS.get(event["type"], set())
    ]
    assert keys[3:] == expected, event


def test_closed_journal_loads_with_zstd_command(tmp_path):
    journal = synth(tmp_path / "run.jsonl")
    assert journal.exists()
    assert not (tmp_path / "run.jsonl").exists(), "closing removes the plain file"
    lines = zstd_lines(journal)
    events = [json.loads(line) for line in lines]
    assert len(events) == TOTAL
    assert [event["seq"] for event in events] == list(range(1, TOTAL + 1))
    assert events[0]["type"] == "run_created"
    assert events[-1]["type"] == "run_completed"
    for event in events:
        assert list(event)[:3] == ["seq", "ts", "type"], event
        assert TS.match(event["ts"]), event["ts"]
        assert_encoder_key_order(event)
    # Lines are compact: re-serializing without spaces gives the same text back.
    for line, event in zip(lines[:50], events[:50]):
        assert json.dumps(event, separators=(",", ":"), ensure_ascii=False) == line


def test_closed_journal_loads_with_pandas(tmp_path):
    journal = synth(tmp_path / "run.jsonl")
    frame = pd.read_json(journal, lines=True, compression="zstd")
    assert len(frame) == TOTAL
    for column in ["seq", "ts", "type", "level", "message", "key", "value", "current", "total"]:
        assert column in frame.columns, column
    assert list(frame["seq"]) == list(range(1, TOTAL + 1))
    counts = frame["type"].value_counts()
    assert counts["log"] == LOGS
    assert counts["result"] == RESULTS
    assert counts["progress"] == PROGRESS
    assert counts["run_created"] == counts["run_started"] == counts["run_completed"] == 1
    values = frame.loc[frame["type"] == "result", "value"]
    for value in values:
        assert isinstance(value, dict), value
        assert set(value) == {"prompt", "output", "tokens", "score", "correct"}, value
    table = pd.json_normalize(values.tolist())
    assert table["tokens"].dtype.kind == "i"
    assert table["correct"].dtype == bool
    assert set(frame.loc[frame["type"] == "log", "level"]) == {"debug", "info", "warn", "error"}
    assert pd.to_datetime(frame["ts"]).is_monotonic_increasing


def test_cat_prints_exactly_what_zstd_decompresses(tmp_path):
    journal = synth(tmp_path / "run.jsonl")
    reference = zstd_bytes(journal)
    ours = support.run([str(ATHANOR), "cat", str(journal)], capture_output=True, check=True).stdout
    assert ours == reference
    # The plain name of a closed journal names the same journal.
    by_plain_name = support.run([str(ATHANOR), "cat", str(tmp_path / "run.jsonl")], capture_output=True, check=True).stdout
    assert by_plain_name == reference


def test_verify_accepts_a_good_journal_and_names_a_corrupt_line(tmp_path):
    journal = synth(tmp_path / "run.jsonl")
    good = athanor("verify", journal, check=False)
    assert good.returncode == 0, good.stdout + good.stderr
    assert "0 with problems" in good.stdout

    lines = zstd_lines(journal)
    lines[9] = '{"seq":10,"ts":broken}'  # line 10; the terminal line stays
    corrupt = tmp_path / "corrupt.jsonl"
    corrupt.write_text("\n".join(lines) + "\n")
    bad = athanor("verify", corrupt, check=False)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert f"{corrupt}:10: invalid event line" in bad.stdout
    assert ":10:" in bad.stdout
    assert "last good seq 9" in bad.stdout
    # The lines after the corrupt one are still read.
    assert f"{TOTAL - 1} events" in bad.stdout


def test_recover_closes_an_interrupted_run_keeping_every_line(tmp_path):
    journal = synth(tmp_path / "source.jsonl", logs=100, results=10, progress=5)
    complete = zstd_lines(journal)
    assert json.loads(complete[-1])["type"] == "run_completed"
    lines = complete[:-1]  # without run_completed: the writer "died"
    data = tmp_path / "data"
    run_dir = data / "runs" / "inst"
    run_dir.mkdir(parents=True)
    plain = run_dir / "r1.jsonl"
    torn = '{"seq":99999,"ts":"2026'  # a write cut short: no newline
    plain.write_text("\n".join(lines) + "\n" + torn)

    before = athanor("verify", plain, check=False)
    assert before.returncode == 1
    assert "unclosed" in before.stdout
    assert "athanor recover" in before.stdout

    out = athanor("recover", "--data", data)
    assert "1 journals recovered" in out.stdout
    assert not plain.exists()
    compressed = run_dir / "r1.jsonl.zst"
    assert compressed.exists()
    recovered = zstd_lines(compressed)
    assert recovered[:-1] == lines, "every complete line is kept byte for byte"
    last = json.loads(recovered[-1])
    assert list(last) == ["seq", "ts", "type", "error"]
    assert last["type"] == "run_failed"
    assert last["seq"] == len(lines) + 1
    assert TS.match(last["ts"])
    assert last["error"].startswith("interrupted:")
    assert f"{len(torn)} bytes" in last["error"]
    assert "discarded" in last["error"]
    after = athanor("verify", data, check=False)
    assert after.returncode == 0, after.stdout


def documented_example():
    page = (REPO / "docs" / "journal-format.md").read_text(encoding="utf-8")
    blocks = page.split("```jsonl\n")[1:]
    assert len(blocks) == 1, "docs/journal-format.md has exactly one ```jsonl block"
    return blocks[0].split("```", 1)[0]


def test_documented_example_is_in_the_encoders_exact_format(tmp_path):
    example = documented_example()
    lines = example.split("\n")[:-1]
    assert len(lines) >= 8
    events = [json.loads(line) for line in lines]
    assert [event["seq"] for event in events] == list(range(1, len(events) + 1))
    assert events[0]["type"] == "run_created"
    assert [event["type"] for event in events].count("run_completed") == 1
    assert events[-1]["type"] == "run_completed"
    for line, event in zip(lines, events):
        assert TS.match(event["ts"]), event["ts"]
        assert_encoder_key_order(event)
        assert json.dumps(event, separators=(",", ":"), ensure_ascii=False) == line

    path = tmp_path / "example.jsonl"
    path.write_text(example, encoding="utf-8")
    frame = pd.read_json(path, lines=True)
    assert list(frame["seq"]) == list(range(1, len(frame) + 1))
    assert athanor("verify", path, check=False).returncode == 0


def test_verify_accepts_an_instance_journal(tmp_path):
    path = tmp_path / "instance.jsonl"
    path.write_text(
        '{"seq":1,"ts":"2026-11-26T17:36:43.120301Z","type":"instance_created","instance":"i1",'
        '"name":"A","description":"","experiment":"x","config":{}}\n'
        '{"seq":2,"ts":"2026-11-26T17:36:44.120301Z","type":"instance_updated","name":"B"}\n'
    )
    result = athanor("verify", path, check=False)
    assert result.returncode == 0, result.stdout
    assert "instance" in result.stdout
