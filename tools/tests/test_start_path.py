"""Starting a run does not wait on other runs' recovery (issue 11, point 4): `athanor run`
creates its run's journal first and closes dead journals beside the running run."""

import json
import subprocess

from support import ATHANOR, end_group, run, spawn, wait_until


def journal_events(data, run_id):
    """The events of a run's journal (plain or compressed), decoded."""
    [path] = [p for p in (data / "runs").rglob(f"{run_id}.jsonl*") if not p.name.endswith(".tmp")]
    printed = run([ATHANOR, "cat", str(path)], capture_output=True, text=True, timeout=120)
    assert printed.returncode == 0, printed.stderr
    return [json.loads(line) for line in printed.stdout.splitlines()]


def test_a_run_is_created_before_dead_journals_are_recovered(tmp_path):
    data = tmp_path / "data"

    def athanor(*arguments):
        return run([ATHANOR, *arguments, "--data", str(data)], capture_output=True, text=True, timeout=120)

    endless = athanor("create", "synthetic", "--name", "endless",
                      "--config", json.dumps({"logs": 100_000_000, "results": 0, "progress": 0})).stdout.strip()
    small = athanor("create", "synthetic", "--name", "small",
                    "--config", json.dumps({"logs": 10, "results": 1, "progress": 1})).stdout.strip()

    # A dead run: `athanor run` and its worker killed together once the journal holds a few MB.
    tree = spawn([ATHANOR, "run", endless, "--data", data], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until(lambda: [p for p in (data / "runs").rglob("*.jsonl") if p.stat().st_size > 4_000_000], 60,
                   "the endless run to log a few MB")
    finally:
        end_group(tree)
    [dead] = [p for p in (data / "runs").rglob("*.jsonl")]
    dead_id = dead.name[: -len(".jsonl")]

    finished = athanor("run", small, "--json")
    assert finished.returncode == 0, finished.stderr
    new_id = json.loads(finished.stdout)["run"]

    created = journal_events(data, new_id)[0]
    recovered = journal_events(data, dead_id)[-1]
    assert created["type"] == "run_created"
    assert recovered["type"] == "run_failed" and recovered["error"].startswith("interrupted:"), recovered
    # RFC 3339 UTC with microseconds: the strings sort as the times do.
    assert created["ts"] < recovered["ts"], "the new run's journal exists before the dead one is closed"
    assert not list((data / "runs").rglob("*.jsonl")), "the dead journal was closed all the same"
