"""A full disk and a read-only data directory, for real: the data directory on a small tmpfs
(mounted by the test; the test command runs as root in CI). A run that fills the disk fails
with the reason, everything already written stays readable, and the server keeps serving."""

import json

import pytest

import support
from support import ATHANOR, Server


@pytest.fixture
def small_disk(tmp_path):
    """A 1 MiB tmpfs, unmounted afterwards."""
    mountpoint = tmp_path / "disk"
    mountpoint.mkdir()
    mounted = support.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mountpoint)],
                          capture_output=True, text=True, timeout=60)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {mounted.stderr.strip()}")
    try:
        yield mountpoint
    finally:
        support.run(["umount", "-l", str(mountpoint)], check=True, timeout=60)


def athanor(data, *arguments):
    return support.run([ATHANOR, *arguments, "--data", str(data)], capture_output=True, text=True, timeout=120)


def events(data, run):
    return [json.loads(line) for line in athanor(data, "replay", run, "--json").stdout.splitlines()]


def test_a_run_that_fills_the_disk_fails_with_the_reason(small_disk):
    data = small_disk / "data"
    small = athanor(data, "create", "synthetic", "--name", "small",
                    "--config", json.dumps({"logs": 100, "results": 10, "progress": 10})).stdout.strip()
    assert athanor(data, "run", small).returncode == 0
    # Workload W is about 15 MB of JSON lines: it cannot fit in 1 MiB.
    big = athanor(data, "create", "synthetic", "--name", "big").stdout.strip()
    ran = athanor(data, "run", big, "--json")
    assert ran.returncode == 1, ran.stderr
    run = json.loads(ran.stdout)
    assert run["status"] == "failed"
    assert "No space left on device" in run["error"] and "could not be written" in run["error"], run["error"]

    # What was written before the disk filled up is all there, seq without gaps, ending in the reason.
    recorded = events(data, run["run"])
    assert [e["seq"] for e in recorded] == list(range(1, len(recorded) + 1))
    assert len(recorded) > 1000 and recorded[-1]["type"] == "run_failed"
    assert athanor(data, "verify").returncode == 0
    listed = {r["run"]: r for r in json.loads(athanor(data, "runs", "--json").stdout)}
    assert listed[run["run"]]["status"] == "failed" and len(listed) == 2

    # The server on the full disk keeps serving, and says why a new run cannot start or fails.
    server = Server(data)
    try:
        status, runs = server.call("GET", "/api/runs")
        assert status == 200 and {r["run"] for r in runs} == set(listed)
        status, started = server.call("POST", f"/api/instances/{big}/runs")
        if status < 300:
            support.wait_until(lambda: server.call("GET", f"/api/runs/{started['run']}")[1]["status"]
                               not in ("pending", "running"), 60, "the run on the full disk to end")
            status, failed = server.call("GET", f"/api/runs/{started['run']}")
            assert failed["status"] == "failed" and "space" in failed["error"], failed
        else:
            assert "space" in started["error"]["message"], started
        status, logs = server.call("GET", f"/api/runs/{run['run']}/logs?limit=5")
        assert status == 200 and len(logs["entries"]) == 5
    finally:
        server.stop()


def test_a_read_only_data_directory_is_served_and_refuses_writes_clearly(small_disk):
    data = small_disk / "data"
    instance = athanor(data, "create", "demo", "--name", "kept",
                       "--config", json.dumps({"iterations": 3, "delay_ms": 0})).stdout.strip()
    run = json.loads(athanor(data, "run", instance, "--json").stdout)["run"]
    support.run(["mount", "-o", "remount,ro", str(small_disk)], check=True, timeout=60)
    before = sorted((p.relative_to(data), p.stat().st_size) for p in data.rglob("*"))

    refused = athanor(data, "run", instance)
    assert refused.returncode != 0 and "read-only" in refused.stderr.lower(), refused.stderr
    assert athanor(data, "show", run).returncode == 0
    assert athanor(data, "verify").returncode == 0

    server = Server(data)
    try:
        status, runs = server.call("GET", "/api/runs")
        assert status == 200 and [r["run"] for r in runs] == [run]
        status, answer = server.call("POST", f"/api/instances/{instance}/runs")
        assert status >= 400 and "read-only" in answer["error"]["message"].lower(), answer
        status, answer = server.call("POST", "/api/instances", {"experiment": "demo", "name": "new"})
        assert status >= 400 and "read-only" in answer["error"]["message"].lower(), answer
        status, results = server.call("GET", f"/api/runs/{run}/results")
        assert status == 200 and len(results["entries"]) == 3
    finally:
        server.stop()
    assert sorted((p.relative_to(data), p.stat().st_size) for p in data.rglob("*")) == before
