"""`athanor replay`: the timeline, its filters, the state at any seq, raw lines, and journals
given as files outside any data directory."""

import json
import shutil

import pytest

import support
from support import ATHANOR


def athanor(*args, check=True):
    return support.run([ATHANOR, *map(str, args)], capture_output=True, text=True, check=check, timeout=60)


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory):
    data = tmp_path_factory.mktemp("replay") / "data"
    instance = athanor("create", "demo", "--name", "replay", "--set", "iterations=6", "--set", "delay_ms=1",
                       "--data", data).stdout.strip()
    run = json.loads(athanor("run", instance, "--json", "--data", data).stdout)["run"]
    return data, run


def lines(result):
    return [line for line in result.stdout.splitlines() if line.strip()]


def test_the_timeline_shows_every_event_in_order(finished_run):
    data, run = finished_run
    timeline = lines(athanor("replay", run, "--data", data))
    assert "run_created" in timeline[0] and "run_completed" in timeline[-1]
    seqs = [int(line.split()[2]) for line in timeline]
    assert seqs == list(range(1, len(seqs) + 1))
    assert timeline[0].lstrip().startswith("+0.000s")
    assert "\x1b[" not in athanor("replay", run, "--data", data).stdout, "plain when piped"


def test_filters(finished_run):
    data, run = finished_run
    results = lines(athanor("replay", run, "--type", "result", "--data", data))
    assert len(results) == 6 and all(" result " in line for line in results)
    assert lines(athanor("replay", run, "--type", "result", "--key", "iteration_2", "--data", data))[0].count("iteration_2") == 1
    infos = lines(athanor("replay", run, "--type", "log", "--level", "info", "--data", data))
    assert infos[0].split(None, 4)[4].startswith("info Starting 6 iterations")
    assert len(infos) == 2
    grepped = lines(athanor("replay", run, "--grep", "ITERATION 5 OF", "--data", data))
    assert len(grepped) == 1 and "progress" in grepped[0]
    window = lines(athanor("replay", run, "--from", "3", "--to", "5", "--data", data))
    assert [int(line.split()[2]) for line in window] == [3, 4, 5]


def test_the_state_at_any_seq(finished_run):
    data, run = finished_run
    state = json.loads(athanor("replay", run, "--at", "9", "--json", "--data", data).stdout)
    assert state["last_seq"] == 9 and state["status"] == "running"
    assert list(state["results"]) == ["iteration_1", "iteration_2"]
    final = json.loads(athanor("replay", run, "--at", "100000", "--json", "--data", data).stdout)
    assert final["status"] == "completed" and len(final["results"]) == 6
    text = athanor("replay", run, "--at", "9", "--data", data).stdout
    assert "status      running" in text and "iteration_2 =" in text


def test_json_lines_are_the_journal_and_a_shared_file_works(finished_run, tmp_path):
    data, run = finished_run
    journal = next((data / "runs").rglob(f"{run}.jsonl.zst"))
    raw = support.run(["zstd", "-dc", str(journal)], capture_output=True, check=True).stdout.decode()
    assert athanor("replay", run, "--json", "--data", data).stdout == raw
    shared = tmp_path / "from-a-colleague.jsonl.zst"
    shutil.copy(journal, shared)
    assert athanor("replay", shared, "--json").stdout == raw
    assert athanor("replay", tmp_path / "missing.jsonl.zst", check=False).returncode != 0


def test_speed_zero_and_bad_arguments(finished_run):
    data, run = finished_run
    assert lines(athanor("replay", run, "--speed", "1000", "--data", data))
    assert athanor("replay", run, "--speed", "-1", "--data", data, check=False).returncode != 0
    assert athanor("replay", run, "--at", "0", "--data", data, check=False).returncode != 0


def test_the_state_at_every_seq_is_the_projection_of_the_first_seq_events(finished_run):
    data, run = finished_run
    raw = [json.loads(line) for line in lines(athanor("replay", run, "--json", "--data", data))]
    for seq in range(1, len(raw) + 1):
        state = json.loads(athanor("replay", run, "--at", seq, "--json", "--data", data).stdout)
        first = raw[:seq]
        assert state["last_seq"] == seq
        assert list(state["results"]) == [e["key"] for e in first if e["type"] == "result"]
        assert state["log_counts"]["debug"] == sum(e["type"] == "log" and e["level"] == "debug" for e in first)
        assert state["log_counts"]["info"] == sum(e["type"] == "log" and e["level"] == "info" for e in first)
        progress = [e for e in first if e["type"] == "progress"]
        assert (state["progress"] or {}).get("current") == (progress[-1]["current"] if progress else None)
        expected = ("completed" if first[-1]["type"] == "run_completed" else
                    "running" if any(e["type"] == "run_started" for e in first) else "pending")
        assert state["status"] == expected


def test_following_a_live_run(tmp_path):
    data = tmp_path / "data"
    instance = athanor("create", "demo", "--name", "live", "--set", "iterations=15", "--set", "delay_ms=20",
                       "--data", data).stdout.strip()
    run = athanor("run", instance, "--detach", "--data", data).stdout.strip()
    followed = lines(athanor("replay", run, "--follow", "--data", data))
    assert "run_created" in followed[0] and "run_completed" in followed[-1]
