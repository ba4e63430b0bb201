"""Sweeps with real runs through the binary (docs/sweeps.md): a grid under its concurrency cap,
a killed driver resumed, random sweeps fixed by their seed, cancel and resume, failed trials
retried on request, bad input, and the same sweeps through the HTTP API, MCP and pandas."""

import asyncio
import json

import pytest

import support
from support import ATHANOR, Server

TIMEOUT = 120


class Lab:
    def __init__(self, data):
        self.data = data

    def athanor(self, *arguments, check=True):
        done = support.run([ATHANOR, *map(str, arguments), "--data", self.data], capture_output=True, text=True,
                           timeout=TIMEOUT)
        assert not check or done.returncode == 0, f"athanor {arguments}: {done.returncode}\n{done.stderr}"
        return done

    def sweep(self, *arguments, check=True):
        """`athanor sweep demo …`: (its ID, the finished process)."""
        done = self.athanor("sweep", "demo", *arguments, check=check)
        return done.stdout.split("\n", 1)[0], done

    def show(self, sweep):
        return json.loads(self.athanor("sweep", "show", sweep, "--json").stdout)

    def events(self, sweep):
        return [json.loads(line) for line in (self.data / "sweeps" / f"{sweep}.jsonl").read_text().splitlines()]

    def run_events(self, run):
        journal = json.loads(self.athanor("show", run, "--json").stdout)["journal"]
        done = support.run([ATHANOR, "cat", journal], capture_output=True, text=True, timeout=TIMEOUT)
        return [json.loads(line) for line in done.stdout.splitlines()]

    def spawn_sweep(self, *arguments):
        return support.spawn([ATHANOR, "sweep", "demo", *map(str, arguments), "--data", self.data],
                             stdout=support.subprocess.PIPE, stderr=support.subprocess.DEVNULL, text=True)


@pytest.fixture
def lab(tmp_path):
    return Lab(tmp_path / "data")


def most_at_once(lab, runs):
    """The most runs between run_started and their end at any moment, from their journals."""
    edges = []
    for run in runs:
        times = {e["type"]: support.timestamp(e["ts"]) for e in lab.run_events(run)}
        ended = next(times[t] for t in ("run_completed", "run_failed", "run_cancelled") if t in times)
        edges += [(times["run_started"], 1), (ended, -1)]
    running = most = 0
    for _, step in sorted(edges):
        running += step
        most = max(most, running)
    return most


def test_a_grid_runs_every_trial_under_its_cap_and_ranks_them(lab):
    sweep, done = lab.sweep("--name", "grid", "--grid", "iterations=3,4,5", "--grid", "delay_ms=20,30,40",
                            "--concurrency", "2", "--metric", "loss")
    view = lab.show(sweep)
    assert (view["status"], view["trial_count"], view["counts"]["completed"]) == ("completed", 9, 9), view
    assert [t["params"] for t in view["trials"][:2]] == [{"iterations": 3, "delay_ms": 20}, {"iterations": 3, "delay_ms": 30}]
    runs = [t["run"] for t in view["trials"]]
    assert most_at_once(lab, runs) <= 2
    finals = {}
    for trial in view["trials"]:
        events = lab.run_events(trial["run"])
        assert (events[0]["sweep"], events[0]["trial"]) == (sweep, trial["key"])
        assert {k: events[0]["config"][k] for k in trial["params"]} == trial["params"]
        finals[trial["key"]] = [e["value"] for e in events if e["type"] == "metric" and e.get("key") == "loss"][-1]
        assert trial["value"] == finals[trial["key"]]
    assert view["best"] == min(finals, key=finals.get)
    assert [e["type"] for e in lab.events(sweep)] == ["sweep_created"] + ["sweep_trial_started"] * 9 + ["sweep_completed"]
    assert f"{sweep[:12]}  grid" in lab.athanor("sweeps").stdout
    assert "*" in done.stdout.split(view["best"])[0].splitlines()[-1]  # the best trial is marked


def test_a_killed_driver_loses_nothing_and_resume_runs_the_rest_once(lab):
    driver = lab.spawn_sweep("--name", "killed", "--grid", "iterations=10", "--grid", "delay_ms=50",
                             "--repeats", "6", "--concurrency", "2")
    sweep = driver.stdout.readline().strip()
    support.wait_until(lambda: lab.show(sweep)["counts"]["completed"] >= 2, TIMEOUT, "two trials to complete")
    support.end_group(driver)
    before = {t["key"]: t["run"] for t in lab.show(sweep)["trials"] if t["status"] == "completed"}
    assert lab.show(sweep)["status"] == "stopped"
    lab.athanor("sweep", "resume", sweep)
    view = lab.show(sweep)
    assert view["status"] == "completed" and view["counts"]["completed"] == 6, view
    for trial in view["trials"]:
        statuses = [json.loads(lab.athanor("show", run, "--json").stdout)["status"] for run in trial["runs"]]
        assert statuses.count("completed") == 1, (trial, statuses)  # every trial completed exactly once
        if trial["key"] in before:
            assert trial["runs"] == [before[trial["key"]]]  # nothing that had completed ran again
    kinds = [e["type"] for e in lab.events(sweep)]
    assert "sweep_resumed" in kinds and kinds[-1] == "sweep_completed"


def test_a_random_sweep_expands_to_the_same_trials_for_its_seed(lab):
    def trials(seed):
        sweep, _ = lab.sweep("--name", f"seed {seed}", "--random", "delay_ms=int:0:30", "--random", "iterations=int:1:5",
                             "--random", "fail_at=0,0", "--count", "6", "--seed", seed, "--create-only")
        return [(t["key"], t["params"]) for t in lab.show(sweep)["trials"]]

    first = trials(7)
    assert first == trials(7)
    assert [key for key, _ in first] != [key for key, _ in trials(8)]
    for _, params in first:
        assert 0 <= params["delay_ms"] <= 30 and 1 <= params["iterations"] <= 5


def test_cancel_stops_the_sweep_and_its_trials_and_resume_goes_on(lab):
    driver = lab.spawn_sweep("--name", "cancel", "--grid", "iterations=1000,1001,1002", "--grid", "delay_ms=20",
                             "--concurrency", "2")
    sweep = driver.stdout.readline().strip()
    support.wait_until(lambda: lab.show(sweep)["counts"]["running"] == 2, TIMEOUT, "two trials to run")
    lab.athanor("sweep", "cancel", sweep, "--reason", "enough")
    assert driver.wait(timeout=TIMEOUT) == 130
    view = lab.show(sweep)
    assert view["status"] == "cancelled", view
    assert sorted(t["status"] for t in view["trials"]) == ["cancelled", "cancelled", "waiting"]
    last = lab.events(sweep)[-1]
    assert (last["type"], last["reason"]) == ("sweep_cancelled", "enough")
    # Resumed, every trial starts again (none had completed); cancelled again at once.
    resumed = support.spawn([ATHANOR, "sweep", "resume", sweep, "--data", lab.data],
                            stdout=support.subprocess.DEVNULL, stderr=support.subprocess.DEVNULL)
    support.wait_until(lambda: lab.show(sweep)["status"] == "running" and lab.show(sweep)["counts"]["running"] == 2,
                       TIMEOUT, "the resumed sweep to run two trials")
    lab.athanor("sweep", "cancel", sweep)
    assert resumed.wait(timeout=TIMEOUT) == 130
    assert [e["type"] for e in lab.events(sweep)].count("sweep_cancelled") == 2


def test_failed_trials_run_again_only_when_asked(lab):
    sweep, done = lab.sweep("--name", "fails", "--grid", "fail_at=0,2", "--set", "iterations=3", "--set", "delay_ms=1",
                            check=False)
    assert done.returncode == 1 and "failed" in done.stderr
    failed = next(t for t in lab.show(sweep)["trials"] if t["status"] == "failed")
    lab.athanor("sweep", "resume", sweep, check=False)
    assert next(t for t in lab.show(sweep)["trials"] if t["key"] == failed["key"])["runs"] == [failed["run"]]
    lab.athanor("sweep", "resume", sweep, "--retry-failed", check=False)
    view = lab.show(sweep)
    retried = next(t for t in view["trials"] if t["key"] == failed["key"])
    assert len(retried["runs"]) == 2 and all(len(t["runs"]) == 1 for t in view["trials"] if t["key"] != failed["key"])


@pytest.mark.parametrize("arguments,message", [
    ([], "space: is empty"),
    (["--grid", "iterations=0,5"], "space.iterations: 0 is below the minimum 1"),
    (["--random", "delay_ms=int:0:100000", "--count", "2"], "space.delay_ms"),
    (["--grid", "nope=1"], "space.nope"),
    (["--grid", "iterations=" + ",".join(map(str, range(1, 102))), "--grid", "delay_ms=" + ",".join(map(str, range(100)))],
     "more than 10000"),
])
def test_bad_sweeps_are_refused_and_nothing_is_created(lab, arguments, message):
    _, done = lab.sweep("--name", "bad", *arguments, check=False)
    assert done.returncode != 0 and message in done.stderr, done.stderr
    assert not (lab.data / "sweeps").exists() or not list((lab.data / "sweeps").iterdir())
    assert not (lab.data / "instances").exists() or not list((lab.data / "instances").iterdir())


def test_through_the_api(tmp_path):
    with Server(tmp_path / "data") as server:
        status, problem = server.call("POST", "/api/sweeps", {"experiment": "demo", "name": "x", "space": {"iterations": [0]}})
        assert status == 422 and [d["path"] for d in problem["error"]["details"]] == ["space.iterations"], problem
        status, sweep = server.call("POST", "/api/sweeps", {
            "experiment": "demo", "name": "api", "space": {"iterations": [2, 3]}, "config": {"delay_ms": 1},
            "concurrency": 2, "metric": "loss"})
        assert status == 201 and sweep["status"] in ("running", "completed"), sweep
        done = support.wait_until(lambda: (v := server.call("GET", f"/api/sweeps/{sweep['sweep']}")[1])["status"]
                                  == "completed" and v, TIMEOUT, "the sweep to complete")
        assert done["counts"]["completed"] == 2 and done["best"] is not None
        assert [s["sweep"] for s in server.call("GET", "/api/sweeps")[1]] == [sweep["sweep"]]
        status, long = server.call("POST", "/api/sweeps", {
            "experiment": "demo", "name": "long", "space": {"iterations": [1000, 1001]}, "config": {"delay_ms": 20}})
        support.wait_until(lambda: server.call("GET", f"/api/sweeps/{long['sweep']}")[1]["counts"]["running"] == 1,
                           TIMEOUT, "a trial to run")
        status, cancelled = server.call("POST", f"/api/sweeps/{long['sweep']}/cancel", {"reason": "stop"})
        assert status == 200, cancelled
        support.wait_until(lambda: server.call("GET", f"/api/sweeps/{long['sweep']}")[1]["status"] == "cancelled",
                           TIMEOUT, "the sweep to be cancelled")
        status, resumed = server.call("POST", f"/api/sweeps/{long['sweep']}/resume", {"retry_failed": True})
        assert status == 202 and resumed["status"] == "running", resumed
        assert server.call("POST", f"/api/sweeps/{long['sweep']}/resume")[0] == 409  # one driver at a time
        server.call("POST", f"/api/sweeps/{long['sweep']}/cancel")
        support.wait_until(lambda: server.call("GET", "/api/status")[1]["sweep_drivers"] == 0, TIMEOUT,
                           "the drivers to end")


def test_through_mcp(tmp_path):
    from mcp import ClientSession
    from mcp.client.streamable_http import streamable_http_client

    async def call(session, tool, **arguments):
        result = await session.call_tool(tool, arguments)
        text = result.content[0].text
        return (result.is_error, text if result.is_error else json.loads(text))

    async def body(base):
        async with streamable_http_client(f"{base}/mcp") as streams:
            async with ClientSession(streams[0], streams[1]) as session:
                await session.initialize()
                failed, text = await call(session, "create_sweep", experiment_module="demo", name="bad", space={})
                assert failed and "space: is empty" in text
                _, sweep = await call(session, "create_sweep", experiment_module="demo", name="mcp",
                                      space={"iterations": [2, 3]}, configuration={"delay_ms": 1}, metric="loss")
                while (await call(session, "get_sweep", id=sweep["sweep"]))[1]["status"] == "running":
                    await asyncio.sleep(0.05)
                _, done = await call(session, "get_sweep", id=sweep["sweep"])
                assert done["status"] == "completed" and len(done["trials"]) == 2, done
                _, listed = await call(session, "list_sweeps")
                assert [s["sweep"] for s in listed] == [sweep["sweep"]]
                _, long = await call(session, "create_sweep", experiment_module="demo", name="long",
                                     space={"iterations": [1000]}, configuration={"delay_ms": 20})
                _, cancelled = await call(session, "cancel_sweep", id=long["sweep"], reason="agent")
                while (await call(session, "get_sweep", id=long["sweep"]))[1]["status"] != "cancelled":
                    await asyncio.sleep(0.05)
                _, resumed = await call(session, "resume_sweep", id=long["sweep"])
                assert resumed["status"] == "running"
                await call(session, "cancel_sweep", id=long["sweep"])
                while (await call(session, "get_sweep", id=long["sweep"]))[1]["status"] != "cancelled":
                    await asyncio.sleep(0.05)

    with Server(tmp_path / "data") as server:
        asyncio.run(asyncio.wait_for(body(server.base), timeout=TIMEOUT))


def test_load_sweep_gives_one_row_per_trial(lab):
    import athanor

    sweep, _ = lab.sweep("--name", "pandas", "--grid", "iterations=3,4,5", "--grid", "delay_ms=1,2,3", "--concurrency", "2",
                         "--metric", "loss")
    frame = athanor.load_sweep(sweep[:10], data_dir=lab.data)
    view = lab.show(sweep)
    assert len(frame) == 9 and set(frame["status"]) == {"completed"}
    assert {"trial", "repeat", "iterations", "delay_ms", "run", "loss_last", "loss_min", "loss_max", "best"} <= set(frame)
    by_key = frame.set_index("trial")
    for trial in view["trials"]:
        assert by_key.loc[trial["key"], "loss_last"] == trial["value"]
        assert by_key.loc[trial["key"], "run"] == trial["run"]
    assert by_key.index[by_key["best"]].tolist() == [view["best"]]
