"""Supervision end to end (issue 11): a worker never outlives its supervisor unnoticed; stopping
a run never signals a process that is not provably its worker; a long-lived server forgets what
has ended (runs, MCP sessions); no surface answers with a state older than an event another
surface has delivered; `--data` is accepted before the subcommand as well as after it.

Every process starts in a session of its own (support.spawn); the whole group is ended when the
test ends, passed or failed (conftest.py)."""

import asyncio
import json
import os
import pathlib
import random
import signal
import socket
import subprocess
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

import pytest
from mcp import ClientSession
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client

import support
from support import ATHANOR

LONG = {"iterations": 100000, "delay_ms": 20}  # a run of more than half an hour
SUPERVISOR_EXITED = "supervisor exited"
LEAK_RUNS = int(os.environ.get("ATHANOR_LEAK_RUNS", "1000"))
CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"


def athanor(data, *arguments, timeout=60):
    """`athanor ARGUMENTS --data DATA` (a CompletedProcess, text)."""
    return support.run([ATHANOR, *arguments, "--data", data], capture_output=True, text=True, timeout=timeout)


def ok_json(data, *arguments):
    done = athanor(data, *arguments, "--json")
    assert done.returncode == 0, (arguments, done.stderr)
    return json.loads(done.stdout)


def create(data, **config):
    return ok_json(data, "create", "demo", "--name", "supervised", "--config", json.dumps(config))["instance"]


def run_summary(data, run):
    """The run as `athanor runs --json` lists it (None while it is not listed)."""
    return next((r for r in ok_json(data, "runs") if r["run"] == run), None)


def running_run(data, timeout=30):
    """Waits until exactly one run is listed, running (its worker has started): its summary."""
    def running():
        runs = ok_json(data, "runs")
        return runs[0] if len(runs) == 1 and runs[0]["status"] == "running" else None
    return support.wait_until(running, timeout, "the run to be running", interval=0.05)


def journal_of(data, run):
    return [p for p in pathlib.Path(data).glob(f"runs/*/{run}.jsonl*") if not p.name.endswith(".tmp")]


def assert_ended_because_the_supervisor_exited(data, run, group):
    """Within 30 s: the run is `failed` with an error starting "supervisor exited", its journal
    closed (only the .jsonl.zst left), no process of `group` (the supervisor's session) alive,
    and the data directory verifies."""
    def ended():
        summary = run_summary(data, run)
        return summary if summary and summary["status"] not in ("pending", "running") else None

    summary = support.wait_until(ended, 30, "the run to end after its supervisor died", interval=0.1)
    assert summary["status"] == "failed", summary
    assert summary["error"].startswith(SUPERVISOR_EXITED), summary["error"]
    support.wait_group_gone(group, 30, "the worker to exit")
    paths = journal_of(data, run)
    assert [p.name for p in paths] == [f"{run}.jsonl.zst"], paths
    events = [json.loads(line) for line in
              support.run(["zstd", "-dc", paths[0]], capture_output=True, check=True).stdout.splitlines()]
    assert events[-1]["type"] == "run_failed" and events[-1]["error"].startswith(SUPERVISOR_EXITED), events[-1]
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert sum(e["type"] == "result" for e in events) >= 1, "the run had been running"
    verified = support.run([ATHANOR, "verify", "--data", data], capture_output=True, text=True, timeout=120)
    assert verified.returncode == 0, verified.stdout + verified.stderr


# --------------------------------------------------------------------------------------------
# 1. worker lifetime: a worker whose supervisor dies stops the run and records why


def test_a_foreground_run_whose_supervisor_is_killed_ends_as_failed(tmp_path):
    data = tmp_path / "data"
    instance = create(data, **LONG)
    supervisor = support.spawn([ATHANOR, "run", instance, "--data", data],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        run = running_run(data)["run"]
        support.wait_until(lambda: (run_summary(data, run) or {}).get("result_count", 0) >= 1, 30,
                           "a first result")
        os.kill(supervisor.pid, signal.SIGKILL)  # the supervisor alone, not its group
        supervisor.wait(timeout=30)
        assert_ended_because_the_supervisor_exited(data, run, supervisor)
    finally:
        support.end_group(supervisor)


def detached_supervisor(journal):
    """The pid of the `athanor supervise` process of the run whose journal is `journal`."""
    found = [pid for pid in support.live_processes(str(journal))
             if support.leftovers.cmdline(pid).split(" ")[1:2] == ["supervise"]]
    assert len(found) == 1, support.describe(support.live_processes(str(journal)))
    return found[0]


def test_a_detached_run_whose_supervisor_is_killed_ends_as_failed(tmp_path):
    data = tmp_path / "data"
    instance = create(data, **LONG)
    starter = support.spawn([ATHANOR, "run", instance, "--detach", "--data", data],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        out, err = starter.communicate(timeout=30)
        assert starter.returncode == 0, err
        run = out.strip()
        assert running_run(data)["run"] == run
        support.wait_until(lambda: (run_summary(data, run) or {}).get("result_count", 0) >= 1, 30,
                           "a first result")
        journal = pathlib.Path(ok_json(data, "show", run)["journal"])
        supervisor = detached_supervisor(journal)
        os.kill(supervisor, signal.SIGKILL)
        # The session of `athanor run --detach` holds the detached supervisor and its worker.
        assert_ended_because_the_supervisor_exited(data, run, starter)
    finally:
        support.end_group(starter)


def test_a_run_whose_server_is_killed_ends_as_failed(tmp_path):
    data = tmp_path / "data"
    with support.Server(data) as server:
        status, instance = server.call("POST", "/api/instances",
                                       {"experiment": "demo", "name": "served", "config": LONG})
        assert status == 201, instance
        status, run = server.call("POST", f"/api/instances/{instance['instance']}/runs", {})
        assert status == 202, run
        support.wait_until(lambda: server.call("GET", f"/api/runs/{run['run']}")[1]["result_count"] >= 1, 30,
                           "the run to record a result")
        os.kill(server.pid, signal.SIGKILL)  # the server alone, not its group
        server.process.wait(timeout=30)
        assert_ended_because_the_supervisor_exited(data, run["run"], server.process)


# --------------------------------------------------------------------------------------------
# 2. no signal to a stranger


def new_id():
    """A ULID as Athanor writes it: 26 characters of lowercase Crockford base32."""
    value = (int(time.time() * 1000) << 80) | random.getrandbits(80)
    return "".join(CROCKFORD[(value >> (5 * i)) & 31] for i in reversed(range(26)))


def orphaned_journal(data, instance, pid):
    """A run journal under DATA written by hand (docs/journal-format.md): created and started by
    a worker with process ID `pid` on this host, a log line, no end, and no writer (its lock is
    free). Returns the run's ID."""
    run = new_id()
    now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    lines = [
        {"seq": 1, "ts": now, "type": "run_created", "format": 1, "run": run, "instance": instance,
         "instance_name": "supervised", "experiment": "demo", "config": {**LONG, "fail_at": 0, "crash_at": 0},
         "executor": "process"},
        {"seq": 2, "ts": now, "type": "run_started", "pid": pid, "host": socket.gethostname()},
        {"seq": 3, "ts": now, "type": "log", "level": "info", "message": "Starting 100000 iterations"},
    ]
    folder = pathlib.Path(data) / "runs" / instance
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{run}.jsonl").write_text("".join(json.dumps(line, separators=(",", ":")) + "\n" for line in lines))
    return run


def stranger():
    """A process that has nothing to do with Athanor, in a session of its own."""
    return support.spawn(["sleep", "600"])


def assert_never_signalled(process):
    """`process` is alive; killed now with SIGKILL, it dies of that (not of an earlier SIGTERM)."""
    assert process.poll() is None, f"the stranger was signalled: exit {process.returncode}"
    support.end_group(process)
    assert process.returncode == -signal.SIGKILL, process.returncode


def test_cancelling_a_run_over_http_never_signals_the_pid_it_recorded(tmp_path):
    """The journal names a live process of this host as its worker, but no one holds its lock:
    the server records the run as cancelled at once and signals nobody."""
    data = tmp_path / "data"
    innocent = stranger()
    with support.Server(data) as server:
        status, instance = server.call("POST", "/api/instances",
                                       {"experiment": "demo", "name": "supervised", "config": LONG})
        assert status == 201, instance
        # Written while the server runs: its start-up recovery does not see it; it is listed live.
        run = orphaned_journal(data, instance["instance"], innocent.pid)
        support.wait_until(lambda: server.call("GET", f"/api/runs/{run}")[1].get("status") == "running", 30,
                           "the server to list the run as running")
        status, answer = server.call("POST", f"/api/runs/{run}/cancel", {"reason": "stop the orphan"})
        assert status == 202 and answer["outcome"] == "cancelled", answer
        summary = support.wait_until(
            lambda: (r := server.call("GET", f"/api/runs/{run}")[1])["status"] == "cancelled" and r, 30,
            "the run to be recorded cancelled")
        assert summary["error"] == "stop the orphan"
        server.stop()
    assert_never_signalled(innocent)
    assert [p.name for p in journal_of(data, run)] == [f"{run}.jsonl.zst"]


def test_cancelling_a_run_from_the_cli_never_signals_the_pid_it_recorded(tmp_path):
    """The same from `athanor cancel`, which first recovers the data directory: the writerless
    journal is closed (as interrupted) before the cancel can reach it. Either way it ends, and
    the process it names is never signalled."""
    data = tmp_path / "data"
    innocent = stranger()
    instance = create(data, **LONG)
    run = orphaned_journal(data, instance, innocent.pid)
    cancelled = athanor(data, "cancel", run, "--reason", "stop the orphan")
    summary = ok_json(data, "show", run)
    assert summary["status"] in ("cancelled", "failed"), summary
    if summary["status"] == "cancelled":
        assert cancelled.returncode == 0 and summary["error"] == "stop the orphan", (cancelled.stderr, summary)
    else:
        assert summary["error"].startswith("interrupted:"), summary
        assert cancelled.returncode == 1 and "already ended" in cancelled.stderr, cancelled.stderr
    assert_never_signalled(innocent)
    assert [p.name for p in journal_of(data, run)] == [f"{run}.jsonl.zst"]


# --------------------------------------------------------------------------------------------
# 3. a long-lived server forgets what has ended


def test_a_thousand_runs_and_closed_mcp_sessions_leave_nothing_behind_in_the_server(tmp_path):
    started = time.monotonic()
    with support.Server(tmp_path / "data") as server:
        status, instance = server.call("POST", "/api/instances", {
            "experiment": "demo", "name": "short", "config": {"iterations": 1, "delay_ms": 0}})
        assert status == 201, instance
        iid = instance["instance"]

        def start(_):
            status, run = server.call("POST", f"/api/instances/{iid}/runs", {})
            assert status == 202, run
            return run["run"]

        with ThreadPoolExecutor(max_workers=8) as pool:
            runs = set(pool.map(start, range(LEAK_RUNS)))
        assert len(runs) == LEAK_RUNS

        def all_completed():
            listed = server.call("GET", f"/api/runs?instance={iid}")[1]
            statuses = {r["run"]: r["status"] for r in listed}
            assert set(statuses) == runs
            assert not {s for s in statuses.values()} - {"pending", "running", "completed"}, statuses
            return all(s == "completed" for s in statuses.values())

        support.wait_until(all_completed, 900, f"{LEAK_RUNS} runs to complete", interval=0.5)
        ran = time.monotonic() - started
        # Every run has ended: the supervisor holds none of them any more.
        support.wait_until(lambda: server.call("GET", "/api/status")[1]["supervised_runs"] == 0, 30,
                           "the server to forget the runs that ended")

        async def sessions():
            for _ in range(3):
                async with streamable_http_client(f"{server.base}/mcp") as streams:
                    async with ClientSession(streams[0], streams[1]) as session:
                        await session.initialize()
                        assert not (await session.call_tool("list_experiments", {})).is_error
                        status, open_now = await asyncio.to_thread(server.call, "GET", "/api/status")
                        assert status == 200 and open_now["mcp_sessions"] >= 1, open_now

        asyncio.run(asyncio.wait_for(sessions(), 120))
        support.wait_until(lambda: server.call("GET", "/api/status")[1]["mcp_sessions"] == 0, 30,
                           "the server to forget the MCP sessions that were closed")
        final = server.call("GET", "/api/status")[1]
        assert final["supervised_runs"] == 0 and final["mcp_sessions"] == 0, final
        server.stop()
    support.report(f"leaks: {LEAK_RUNS} runs through one server completed in {ran:.1f} s "
                   f"({LEAK_RUNS / ran:.0f} runs/s); supervised runs and MCP sessions back to 0")


# --------------------------------------------------------------------------------------------
# 4. reads never lag the streams

REPEATS = 10


def follow_until_the_end(base, run, timeout=60):
    """Reads GET /api/runs/{run}/events until its terminal event; returns that event's type."""
    with urllib.request.urlopen(f"{base}/api/runs/{run}/events", timeout=timeout) as response:
        for raw in response:
            line = raw.decode()
            if line.startswith("data: "):
                kind = json.loads(line[len("data: "):])["type"]
                if kind in ("run_completed", "run_failed", "run_cancelled"):
                    return kind
    raise AssertionError(f"the stream of {run} ended without a terminal event")


def test_after_the_stream_delivers_the_end_get_run_says_so(tmp_path):
    with support.Server(tmp_path / "data") as server:
        status, instance = server.call("POST", "/api/instances", {
            "experiment": "demo", "name": "quick", "config": {"iterations": 5, "delay_ms": 2}})
        assert status == 201, instance
        for attempt in range(REPEATS):
            status, run = server.call("POST", f"/api/instances/{instance['instance']}/runs", {})
            assert status == 202, run
            assert follow_until_the_end(server.base, run["run"]) == "run_completed"
            status, summary = server.call("GET", f"/api/runs/{run['run']}")
            assert status == 200 and summary["status"] == "completed", (attempt, summary)
            listed = {r["run"]: r for r in server.call("GET", f"/api/runs?instance={instance['instance']}")[1]}
            assert listed[run["run"]]["status"] == "completed", (attempt, listed[run["run"]])
        server.stop()


@pytest.mark.parametrize("transport", ["stdio", "http"])
def test_after_wait_for_run_returns_get_run_says_so(tmp_path, transport):
    data = tmp_path / "data"

    async def body(session):
        answer = await session.call_tool("create_experiment", {
            "name": "quick", "experiment_module": "demo", "configuration": {"iterations": 5, "delay_ms": 2}})
        instance = json.loads(answer.content[0].text)["instance"]
        for attempt in range(REPEATS):
            started = json.loads((await session.call_tool("start_run", {"experiment_id": instance})).content[0].text)
            waited = await session.call_tool("wait_for_run", {"id": started["run"], "timeout_seconds": 60})
            assert json.loads(waited.content[0].text)["status"] == "completed", waited
            got = await session.call_tool("get_run", {"id": started["run"]})
            assert not got.is_error and json.loads(got.content[0].text)["status"] == "completed", (attempt, got)

    async def over_stdio():
        async with stdio_client(support.mcp_stdio(data)) as (read, write):
            async with ClientSession(read, write) as session:
                await session.initialize()
                await body(session)

    if transport == "stdio":
        asyncio.run(asyncio.wait_for(over_stdio(), 180))
        return
    with support.Server(data) as server:
        async def over_http():
            async with streamable_http_client(f"{server.base}/mcp") as streams:
                async with ClientSession(streams[0], streams[1]) as session:
                    await session.initialize()
                    await body(session)
        asyncio.run(asyncio.wait_for(over_http(), 180))
        server.stop()


def test_after_athanor_run_returns_show_says_so(tmp_path):
    data = tmp_path / "data"
    instance = create(data, iterations=5, delay_ms=2)
    for attempt in range(REPEATS):
        done = athanor(data, "run", instance, "--json")
        assert done.returncode == 0, done.stderr
        run = json.loads(done.stdout)["run"]
        assert ok_json(data, "show", run)["status"] == "completed", attempt


# --------------------------------------------------------------------------------------------
# 5. --data before the subcommand


def plain(*arguments, cwd, env):
    """`athanor ARGUMENTS` exactly as given."""
    return support.run([ATHANOR, *map(str, arguments)], capture_output=True, text=True, timeout=60, cwd=cwd, env=env)


def test_data_works_before_the_subcommand(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "ATHANOR_DATA"}
    data = tmp_path / "elsewhere"
    instance = create(data, iterations=2, delay_ms=0)

    ran = plain("--data", data, "run", instance, "--json", cwd=tmp_path, env=env)
    assert ran.returncode == 0, ran.stderr
    run = json.loads(ran.stdout)
    assert run["status"] == "completed" and run["instance"] == instance
    assert (data / "runs" / instance / f"{run['run']}.jsonl.zst").exists()
    assert not (tmp_path / "data").exists(), "nothing in ./data: the option was not ignored"

    before = plain("--data", data, "runs", "--json", cwd=tmp_path, env=env)
    after = plain("runs", "--json", "--data", data, cwd=tmp_path, env=env)
    assert before.returncode == after.returncode == 0, before.stderr + after.stderr
    assert json.loads(before.stdout) == json.loads(after.stdout) != []

    before = plain(f"--data={data}", "instances", "--json", cwd=tmp_path, env=env)
    after = plain("instances", "--json", "--data", data, cwd=tmp_path, env=env)
    assert before.returncode == after.returncode == 0, before.stderr + after.stderr
    assert [i["instance"] for i in json.loads(before.stdout)] == [instance]
    assert json.loads(before.stdout) == json.loads(after.stdout)
    assert not (tmp_path / "data").exists()


def test_data_without_a_value_is_a_clear_usage_error(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "ATHANOR_DATA"}
    refused = plain("--data", cwd=tmp_path, env=env)
    assert refused.returncode == 64, (refused.returncode, refused.stderr)
    # It names the option and what is missing; `--data` is a known option, not an unknown one.
    assert "--data" in refused.stderr and "Unknown option" not in refused.stderr, refused.stderr
    assert not (tmp_path / "data").exists()
