"""Sweeps with real runs through the binary (docs/sweeps.md): a grid under its concurrency cap,
a killed driver resumed, random sweeps fixed by their seed, cancel and resume, failed trials
retried on request, bad input (CLI and API), and the same sweeps through the HTTP API, MCP and
pandas (`athanor.load_sweep`)."""

import asyncio
import json
import sys

import pytest

import support
from support import ATHANOR, REPO, Server

sys.path.insert(0, str(REPO / "tools" / "python"))  # this checkout's package, not an installed one

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

    def trial(self, sweep, key):
        return next(t for t in self.show(sweep)["trials"] if t["key"] == key)

    def events(self, sweep):
        return [json.loads(line) for line in (self.data / "sweeps" / f"{sweep}.jsonl").read_text().splitlines()]

    def run_events(self, run):
        journal = json.loads(self.athanor("show", run, "--json").stdout)["journal"]
        done = support.run([ATHANOR, "cat", journal], capture_output=True, text=True, timeout=TIMEOUT)
        return [json.loads(line) for line in done.stdout.splitlines()]

    def run_status(self, run):
        return json.loads(self.athanor("show", run, "--json").stdout)["status"]

    def spawn_sweep(self, *arguments):
        return support.spawn([ATHANOR, "sweep", "demo", *map(str, arguments), "--data", self.data],
                             stdout=support.subprocess.PIPE, stderr=support.subprocess.DEVNULL, text=True)


@pytest.fixture
def lab(tmp_path):
    return Lab(tmp_path / "data")


def losses(events):
    return [e["value"] for e in events if e["type"] == "metric" and e.get("key") == "loss"]


def most_at_once(lab, runs):
    """The most runs between run_started and their end at any moment, from their journals."""
    edges = []
    for run in runs:
        times = {e["type"]: support.timestamp(e["ts"]) for e in lab.run_events(run)}
        ended = next(times[t] for t in ("run_completed", "run_failed", "run_cancelled") if t in times)
        edges += [(times["run_started"], 1), (ended, -1)]
    running = most = 0
    for _, step in sorted(edges):  # at a tie an end (-1) sorts before a start (+1)
        running += step
        most = max(most, running)
    return most


def nothing_created(data):
    for folder in ("sweeps", "instances", "runs"):
        assert not (data / folder).exists() or not list((data / folder).iterdir()), f"{folder}: something was created"


def test_a_grid_runs_every_trial_under_its_cap_and_ranks_them(lab):
    sweep, done = lab.sweep("--name", "grid", "--grid", "iterations=3,4,5", "--grid", "delay_ms=20,30,40",
                            "--concurrency", "2", "--metric", "loss")
    view = lab.show(sweep)
    assert (view["status"], view["trial_count"], view["counts"]["completed"]) == ("completed", 9, 9), view
    assert (view["concurrency"], view["metric"], view["goal"], view["method"]) == (2, "loss", "min", "grid")
    assert sorted((t["params"]["iterations"], t["params"]["delay_ms"]) for t in view["trials"]) == \
        [(i, d) for i in (3, 4, 5) for d in (20, 30, 40)]
    assert [t["params"] for t in view["trials"][:2]] == [{"iterations": 3, "delay_ms": 20}, {"iterations": 3, "delay_ms": 30}]
    assert done.stderr.count(": completed in ") == 9, done.stderr
    runs = [t["run"] for t in view["trials"]]
    assert len(set(runs)) == 9 and all(t["runs"] == [t["run"]] for t in view["trials"])
    assert most_at_once(lab, runs) <= 2
    finals = {}
    for trial in view["trials"]:
        events = lab.run_events(trial["run"])
        assert events[0]["type"] == "run_created" and events[-1]["type"] == "run_completed"
        assert (events[0]["sweep"], events[0]["trial"]) == (sweep, trial["key"])
        assert events[0]["instance"] == view["instance"]
        assert {k: events[0]["config"][k] for k in trial["params"]} == trial["params"]
        finals[trial["key"]] = losses(events)[-1]
        assert trial["value"] == finals[trial["key"]]
    assert view["best"] == min(finals, key=finals.get)
    assert [e["type"] for e in lab.events(sweep)] == ["sweep_created"] + ["sweep_trial_started"] * 9 + ["sweep_completed"]
    assert f"{sweep[:12]}  grid" in lab.athanor("sweeps").stdout
    listed = json.loads(lab.athanor("sweeps", "--json").stdout)
    assert [(s["sweep"], s["status"], s["best"]) for s in listed] == [(sweep, "completed", view["best"])]
    assert "*" in done.stdout.split(view["best"])[0].splitlines()[-1]  # the best trial is marked


def test_a_killed_driver_loses_nothing_and_resume_runs_the_rest_once(lab):
    driver = lab.spawn_sweep("--name", "killed", "--grid", "iterations=10", "--grid", "delay_ms=50",
                             "--repeats", "8", "--concurrency", "2")
    sweep = driver.stdout.readline().strip()
    support.wait_until(lambda: lab.show(sweep)["counts"]["completed"] >= 2, TIMEOUT, "two trials to complete")
    support.end_group(driver)  # SIGKILL to the driver and its workers
    driver.stdout.close()
    killed = lab.show(sweep)
    before = {t["key"]: t["run"] for t in killed["trials"] if t["status"] == "completed"}
    assert killed["status"] == "stopped", killed
    assert 2 <= len(before) < 8, "the driver was killed after every trial had completed: nothing to resume"
    assert lab.events(sweep)[-1]["type"] == "sweep_trial_started"
    lab.athanor("sweep", "resume", sweep)  # exit 0
    view = lab.show(sweep)
    assert view["status"] == "completed" and view["counts"]["completed"] == 8, view
    for trial in view["trials"]:
        statuses = [lab.run_status(run) for run in trial["runs"]]
        assert statuses.count("completed") == 1, (trial, statuses)  # every trial completed exactly once
        assert statuses[-1] == "completed" and trial["run"] == trial["runs"][-1]
        if trial["key"] in before:
            assert trial["runs"] == [before[trial["key"]]]  # nothing that had completed ran again
    events = lab.events(sweep)
    kinds = [e["type"] for e in events]
    assert kinds.count("sweep_resumed") == 1 and kinds[-1] == "sweep_completed"
    restarted = [e["trial"] for e in events[kinds.index("sweep_resumed"):] if e["type"] == "sweep_trial_started"]
    assert sorted(restarted) == sorted(t["key"] for t in view["trials"] if t["key"] not in before)

    import athanor
    frame = athanor.load_sweep(sweep, data_dir=lab.data).set_index("trial")
    for trial in view["trials"]:
        assert (frame.loc[trial["key"], "runs"], frame.loc[trial["key"], "run"]) == (len(trial["runs"]), trial["run"])
    assert set(frame["status"]) == {"completed"}


def test_a_random_sweep_expands_to_the_same_trials_for_its_seed(lab):
    def trials(seed):
        sweep, _ = lab.sweep("--name", f"seed {seed}", "--random", "delay_ms=int:0:30", "--random", "iterations=int:1:5",
                             "--random", "fail_at=0,0", "--count", "6", "--seed", seed, "--create-only")
        view = lab.show(sweep)
        # Six draws; one that repeats a parameter set already drawn is the same trial, listed once.
        count = view["trial_count"]
        assert (view["method"], view["seed"], view["counts"]["waiting"], len(view["trials"])) == ("random", seed, count, count)
        assert 1 <= count <= 6 and len({json.dumps(t["params"], sort_keys=True) for t in view["trials"]}) == count
        assert [e["type"] for e in lab.events(sweep)] == ["sweep_created"]  # created only: nothing started
        return [(t["key"], t["params"]) for t in view["trials"]]

    first = trials(7)
    assert first == trials(7)
    other = trials(8)
    assert [key for key, _ in first] != [key for key, _ in other]
    assert [params for _, params in first] != [params for _, params in other]
    for _, params in first + other:
        assert 0 <= params["delay_ms"] <= 30 and 1 <= params["iterations"] <= 5 and params["fail_at"] == 0
        assert all(isinstance(params[k], int) for k in ("delay_ms", "iterations"))
    assert not (lab.data / "runs").exists() or not any((lab.data / "runs").rglob("*.jsonl*"))


def test_cancel_stops_the_sweep_and_its_trials_and_resume_goes_on(lab):
    # Each trial takes 5 s (250 × 20 ms): cancelled long before it can end, yet short once resumed.
    driver = lab.spawn_sweep("--name", "cancel", "--grid", "iterations=250,251,252", "--grid", "delay_ms=20",
                             "--concurrency", "2")
    sweep = driver.stdout.readline().strip()
    support.wait_until(lambda: lab.show(sweep)["counts"]["running"] == 2, TIMEOUT, "two trials to run")
    lab.athanor("sweep", "cancel", sweep, "--reason", "enough")
    assert driver.wait(timeout=TIMEOUT) == 130
    driver.stdout.close()
    view = lab.show(sweep)
    assert view["status"] == "cancelled", view
    assert sorted(t["status"] for t in view["trials"]) == ["cancelled", "cancelled", "waiting"]
    cancelled = {t["key"]: t["run"] for t in view["trials"] if t["status"] == "cancelled"}
    for run in cancelled.values():
        assert lab.run_events(run)[-1]["type"] == "run_cancelled"
    waiting = next(t for t in view["trials"] if t["status"] == "waiting")
    assert waiting["run"] is None and waiting["runs"] == []  # never started
    last = lab.events(sweep)[-1]
    assert (last["type"], last["reason"]) == ("sweep_cancelled", "enough")
    # Resumed, the cancelled trials start again and the waiting one starts: all three complete.
    lab.athanor("sweep", "resume", sweep)  # exit 0
    view = lab.show(sweep)
    assert view["status"] == "completed" and view["counts"]["completed"] == 3, view
    for trial in view["trials"]:
        if trial["key"] in cancelled:
            assert trial["runs"][0] == cancelled[trial["key"]] and len(trial["runs"]) == 2, trial
        else:
            assert len(trial["runs"]) == 1, trial
        assert lab.run_status(trial["run"]) == "completed"
    kinds = [e["type"] for e in lab.events(sweep)]
    assert kinds[kinds.index("sweep_cancelled"):] == ["sweep_cancelled", "sweep_resumed"] + ["sweep_trial_started"] * 3 + \
        ["sweep_completed"]


def test_a_cancelled_resume_is_cancelled_again(lab):
    driver = lab.spawn_sweep("--name", "long", "--grid", "iterations=1000,1001,1002", "--grid", "delay_ms=20",
                             "--concurrency", "2")
    sweep = driver.stdout.readline().strip()
    support.wait_until(lambda: lab.show(sweep)["counts"]["running"] == 2, TIMEOUT, "two trials to run")
    lab.athanor("sweep", "cancel", sweep)
    assert driver.wait(timeout=TIMEOUT) == 130
    driver.stdout.close()
    resumed = support.spawn([ATHANOR, "sweep", "resume", sweep, "--data", lab.data],
                            stdout=support.subprocess.DEVNULL, stderr=support.subprocess.DEVNULL)
    support.wait_until(lambda: (v := lab.show(sweep))["status"] == "running" and v["counts"]["running"] == 2,
                       TIMEOUT, "the resumed sweep to run two trials")
    lab.athanor("sweep", "cancel", sweep)
    assert resumed.wait(timeout=TIMEOUT) == 130
    view = lab.show(sweep)
    assert view["status"] == "cancelled" and view["counts"]["completed"] == 0, view
    assert [e["type"] for e in lab.events(sweep)].count("sweep_cancelled") == 2


def test_failed_trials_run_again_only_when_asked(lab):
    sweep, done = lab.sweep("--name", "fails", "--grid", "fail_at=0,2", "--set", "iterations=3", "--set", "delay_ms=1",
                            check=False)
    assert done.returncode == 1 and "failed" in done.stderr
    view = lab.show(sweep)
    assert sorted(t["status"] for t in view["trials"]) == ["completed", "failed"]
    failed = next(t for t in view["trials"] if t["status"] == "failed")
    assert failed["params"] == {"fail_at": 2} and "fail_at" in failed["error"]
    runs = {t["key"]: t["runs"] for t in view["trials"]}

    resumed = lab.athanor("sweep", "resume", sweep, check=False)
    assert resumed.returncode == 1  # a trial still has no completed run
    assert {t["key"]: t["runs"] for t in lab.show(sweep)["trials"]} == runs  # nothing started
    events = lab.events(sweep)
    assert [e["type"] for e in events[-2:]] == ["sweep_resumed", "sweep_completed"] and events[-2]["retry_failed"] is False

    retried = lab.athanor("sweep", "resume", sweep, "--retry-failed", check=False)
    assert retried.returncode == 1  # it fails again: fail_at is part of its parameters
    view = lab.show(sweep)
    for trial in view["trials"]:
        if trial["key"] == failed["key"]:
            assert trial["runs"][0] == failed["run"] and len(trial["runs"]) == 2 and trial["status"] == "failed"
        else:
            assert trial["runs"] == runs[trial["key"]]
    events = lab.events(sweep)
    since = next(i for i in range(len(events) - 1, -1, -1) if events[i]["type"] == "sweep_resumed")
    assert events[since]["retry_failed"] is True
    assert [(e["type"], e.get("trial")) for e in events[since + 1:]] == \
        [("sweep_trial_started", failed["key"]), ("sweep_completed", None)]

    import athanor
    frame = athanor.load_sweep(sweep, data_dir=lab.data).set_index("trial")
    assert frame.loc[failed["key"], "runs"] == 2 and frame.loc[failed["key"], "status"] == "failed"
    assert "fail_at" in frame.loc[failed["key"], "error"]
    assert frame.loc[failed["key"], "run"] == view["trials"][[t["key"] for t in view["trials"]].index(failed["key"])]["run"]


TOO_MANY = ["--grid", "iterations=" + ",".join(map(str, range(1, 102))), "--grid", "delay_ms=" + ",".join(map(str, range(100)))]


@pytest.mark.parametrize("arguments,message", [
    ([], "invalid sweep: space: is empty"),
    (["--grid", "iterations=0,5"], "invalid sweep: space.iterations: 0 is below the minimum 1"),
    (["--random", "delay_ms=int:0:100000", "--count", "2"], "invalid sweep: space.delay_ms: 100000 is above the maximum 60000"),
    (["--grid", "nope=1"], "invalid sweep: space.nope: unknown field"),
    (TOO_MANY, "invalid sweep: space: expands to 10100 trials, more than 10000"),
], ids=["empty", "below-minimum", "above-maximum", "unknown-parameter", "too-many"])
def test_bad_sweeps_are_refused_and_nothing_is_created(lab, arguments, message):
    _, done = lab.sweep("--name", "bad", *arguments, check=False)
    assert done.returncode == 1 and message in done.stderr, done.stderr
    assert done.stdout == ""
    nothing_created(lab.data)


def test_a_forced_sweep_of_more_than_10000_trials_is_created(lab):
    sweep, _ = lab.sweep("--name", "big", *TOO_MANY, "--force", "--create-only")
    view = lab.show(sweep)
    assert view["trial_count"] == 10100 and view["counts"]["waiting"] == 10100
    assert len({t["key"] for t in view["trials"]}) == 10100


def test_bad_sweeps_through_the_api_are_422_with_their_paths(tmp_path):
    bodies = [
        ({"space": {}}, "space"),
        ({"space": {"iterations": [0, 5]}}, "space.iterations"),
        ({"space": {"delay_ms": {"int": [0, 100000]}}, "count": 2}, "space.delay_ms"),
        ({"space": {"nope": [1]}}, "space.nope"),
        ({"space": {"iterations": list(range(1, 102)), "delay_ms": list(range(100))}}, "space"),
    ]
    with Server(tmp_path / "data") as server:
        for body, path in bodies:
            space = body["space"]
            status, problem = server.call("POST", "/api/sweeps", {"experiment": "demo", "name": "bad", **body})
            assert status == 422 and problem["error"]["code"] == "invalid_sweep", (space, problem)
            assert [d["path"] for d in problem["error"]["details"]] == [path], (space, problem)
        assert "more than 10000" in problem["error"]["details"][0]["message"]
        assert server.call("GET", "/api/sweeps") == (200, [])
        nothing_created(tmp_path / "data")


def test_through_the_api(tmp_path):
    with Server(tmp_path / "data") as server:
        status, sweep = server.call("POST", "/api/sweeps", {
            "experiment": "demo", "name": "api", "space": {"iterations": [2, 3]}, "config": {"delay_ms": 1},
            "concurrency": 2, "metric": "loss"})
        assert status == 201 and sweep["status"] in ("running", "completed"), sweep
        done = support.wait_until(lambda: (v := server.call("GET", f"/api/sweeps/{sweep['sweep']}")[1])["status"]
                                  == "completed" and v, TIMEOUT, "the sweep to complete")
        assert done["counts"]["completed"] == 2 and done["best"] is not None
        assert done["config"]["delay_ms"] == 1 and done["concurrency"] == 2
        assert [s["sweep"] for s in server.call("GET", "/api/sweeps")[1]] == [sweep["sweep"]]
        status, long = server.call("POST", "/api/sweeps", {
            "experiment": "demo", "name": "long", "space": {"iterations": [1000, 1001]}, "config": {"delay_ms": 20}})
        assert status == 201, long
        support.wait_until(lambda: server.call("GET", f"/api/sweeps/{long['sweep']}")[1]["counts"]["running"] == 1,
                           TIMEOUT, "a trial to run")
        status, cancelled = server.call("POST", f"/api/sweeps/{long['sweep']}/cancel", {"reason": "stop"})
        assert status == 200, cancelled
        view = support.wait_until(lambda: (v := server.call("GET", f"/api/sweeps/{long['sweep']}")[1])["status"]
                                  == "cancelled" and v, TIMEOUT, "the sweep to be cancelled")
        assert sorted(t["status"] for t in view["trials"]) == ["cancelled", "waiting"], view
        status, resumed = server.call("POST", f"/api/sweeps/{long['sweep']}/resume", {"retry_failed": True})
        assert status == 202 and resumed["status"] == "running", resumed
        assert server.call("POST", f"/api/sweeps/{long['sweep']}/resume")[0] == 409  # one driver at a time
        support.wait_until(lambda: server.call("GET", f"/api/sweeps/{long['sweep']}")[1]["counts"]["running"] == 1,
                           TIMEOUT, "a resumed trial to run")
        server.call("POST", f"/api/sweeps/{long['sweep']}/cancel")
        support.wait_until(lambda: server.call("GET", "/api/status")[1]["sweep_drivers"] == 0, TIMEOUT,
                           "the drivers to end")
        assert server.call("GET", f"/api/sweeps/{long['sweep']}")[1]["status"] == "cancelled"
        kinds = [json.loads(line)["type"] for line in
                 (tmp_path / "data" / "sweeps" / f"{long['sweep']}.jsonl").read_text().splitlines()]
        assert kinds.count("sweep_cancelled") == 2 and kinds.count("sweep_resumed") == 1
        assert server.call("GET", "/api/sweeps/0000000000")[0] == 404
        assert server.call("GET", "/api/sweeps/nope")[0] == 400  # not an ID at all


def test_through_mcp(tmp_path):
    from mcp import ClientSession
    from mcp.client.streamable_http import streamable_http_client

    async def call(session, tool, **arguments):
        result = await session.call_tool(tool, arguments)
        text = result.content[0].text
        return (result.is_error, text if result.is_error else json.loads(text))

    async def until(session, sweep, predicate, what):
        async def poll():
            while not predicate(view := (await call(session, "get_sweep", id=sweep))[1]):
                await asyncio.sleep(0.05)
            return view
        try:
            return await asyncio.wait_for(poll(), TIMEOUT)
        except asyncio.TimeoutError:
            raise AssertionError(f"timed out waiting for {what}") from None

    async def body(base):
        async with streamable_http_client(f"{base}/mcp") as streams:
            async with ClientSession(streams[0], streams[1]) as session:
                await session.initialize()
                failed, text = await call(session, "create_sweep", experiment_module="demo", name="bad", space={})
                assert failed and "space: is empty" in text
                failed, text = await call(session, "create_sweep", experiment_module="demo", name="bad",
                                          space={"iterations": [0]})
                assert failed and "space.iterations: 0 is below the minimum 1" in text
                failed, sweep = await call(session, "create_sweep", experiment_module="demo", name="mcp",
                                           space={"iterations": [2, 3]}, configuration={"delay_ms": 1}, metric="loss")
                assert not failed, sweep
                done = await until(session, sweep["sweep"], lambda v: v["status"] != "running", "the sweep to end")
                assert done["status"] == "completed" and [t["status"] for t in done["trials"]] == ["completed"] * 2, done
                assert done["best"] in {t["key"] for t in done["trials"]}
                _, listed = await call(session, "list_sweeps")
                assert [(s["sweep"], s["status"]) for s in listed] == [(sweep["sweep"], "completed")]
                _, long = await call(session, "create_sweep", experiment_module="demo", name="long",
                                     space={"iterations": [1000]}, configuration={"delay_ms": 20})
                await until(session, long["sweep"], lambda v: v["counts"]["running"] == 1, "the long trial to run")
                failed, _ = await call(session, "cancel_sweep", id=long["sweep"], reason="agent")
                assert not failed
                view = await until(session, long["sweep"], lambda v: v["status"] == "cancelled", "the cancel")
                assert [t["status"] for t in view["trials"]] == ["cancelled"], view
                failed, resumed = await call(session, "resume_sweep", id=long["sweep"])
                assert not failed and resumed["status"] == "running", resumed
                view = await until(session, long["sweep"], lambda v: v["counts"]["running"] == 1, "the trial to run again")
                assert len(view["trials"][0]["runs"]) == 2
                await call(session, "cancel_sweep", id=long["sweep"])
                await until(session, long["sweep"], lambda v: v["status"] == "cancelled", "the second cancel")
                failed, text = await call(session, "get_sweep", id="nope")
                assert failed

    with Server(tmp_path / "data") as server:
        asyncio.run(asyncio.wait_for(body(server.base), timeout=TIMEOUT * 2))
        support.wait_until(lambda: server.call("GET", "/api/status")[1]["sweep_drivers"] == 0, TIMEOUT,
                           "the drivers to end")
        kinds = [json.loads(line)["type"] for line in
                 next((tmp_path / "data" / "sweeps").glob("*.jsonl")).read_text().splitlines()]
        assert "sweep_completed" in kinds or "sweep_cancelled" in kinds


def test_load_sweep_gives_one_row_per_trial(lab):
    import athanor

    assert athanor.__file__.startswith(str(REPO))
    sweep, _ = lab.sweep("--name", "pandas", "--grid", "iterations=3,4,5", "--grid", "delay_ms=20,30,40",
                         "--concurrency", "2", "--metric", "loss")
    frame = athanor.load_sweep(sweep[:10], data_dir=lab.data)
    view = lab.show(sweep)
    assert len(frame) == 9 and set(frame["status"]) == {"completed"} and set(frame["runs"]) == {1}
    assert list(frame.columns[:4]) == ["trial", "repeat", "iterations", "delay_ms"]
    assert {"status", "run", "runs", "error", "duration", "loss_last", "loss_min", "loss_max", "best"} <= set(frame)
    started = [e["trial"] for e in lab.events(sweep) if e["type"] == "sweep_trial_started"]
    assert frame["trial"].tolist() == started  # in the order the sweep started them
    assert frame.attrs["sweep"]["sweep"] == sweep and frame.attrs["sweep"]["metric"] == "loss"
    by_key = frame.set_index("trial")
    for trial in view["trials"]:
        row = by_key.loc[trial["key"]]
        assert (row["iterations"], row["delay_ms"]) == (trial["params"]["iterations"], trial["params"]["delay_ms"])
        assert row["run"] == trial["run"] and row["repeat"] == trial["repeat"]
        curve = losses(lab.run_events(trial["run"]))
        assert (row["loss_last"], row["loss_min"], row["loss_max"]) == (curve[-1], min(curve), max(curve))
        assert row["loss_last"] == trial["value"] and row["duration"] > 0
    assert by_key.index[by_key["best"]].tolist() == [view["best"]]
    with pytest.raises(KeyError, match="no sweep"):
        athanor.load_sweep("zzzz", data_dir=lab.data)


def test_load_sweep_of_a_sweep_not_started_is_empty(lab):
    import athanor

    sweep, _ = lab.sweep("--name", "later", "--grid", "iterations=3,4", "--create-only")
    frame = athanor.load_sweep(sweep, data_dir=lab.data)
    assert frame.empty and {"trial", "repeat", "status", "run", "runs", "error", "duration"} <= set(frame)
    assert frame.attrs["sweep"]["space"] == {"iterations": {"grid": [3, 4]}}


def test_a_finished_sweep_cannot_be_cancelled(tmp_path):
    # Like a run that has ended (`athanor cancel`: exit 1, the API: 409), a sweep whose every
    # trial completed has nothing to cancel: it stays completed, and its journal ends with
    # sweep_completed.
    lab = Lab(tmp_path / "data")
    sweep, _ = lab.sweep("--name", "done", "--grid", "iterations=2", "--set", "delay_ms=1")
    assert lab.show(sweep)["status"] == "completed"
    refused = lab.athanor("sweep", "cancel", sweep, check=False)
    assert refused.returncode == 1, refused
    assert lab.show(sweep)["status"] == "completed" and lab.events(sweep)[-1]["type"] == "sweep_completed"
    with Server(lab.data) as server:
        status, problem = server.call("POST", f"/api/sweeps/{sweep}/cancel")
        assert status == 409, problem
        assert server.call("GET", f"/api/sweeps/{sweep}")[1]["status"] == "completed"
    assert lab.events(sweep)[-1]["type"] == "sweep_completed"


def test_ctrl_c_cancels_the_sweep_and_its_trials(lab):
    driver = lab.spawn_sweep("--name", "ctrl-c", "--grid", "iterations=1000,1001,1002", "--grid", "delay_ms=20",
                             "--concurrency", "2")
    sweep = driver.stdout.readline().strip()
    support.wait_until(lambda: lab.show(sweep)["counts"]["running"] == 2, TIMEOUT, "two trials to run")
    support.os.killpg(driver.pid, support.signal.SIGINT)  # what a terminal's Ctrl-C does: the whole group
    assert driver.wait(timeout=TIMEOUT) == 130
    driver.stdout.close()
    view = lab.show(sweep)
    assert view["status"] == "cancelled" and sorted(t["status"] for t in view["trials"]) == ["cancelled", "cancelled", "waiting"]
    assert lab.events(sweep)[-1]["type"] == "sweep_cancelled"


def test_a_sweep_that_stops_on_failure_ends_cancelled_saying_why_and_resumes(lab):
    sweep, done = lab.sweep("--name", "stop", "--grid", "fail_at=2,0", "--grid", "delay_ms=1,2", "--set", "iterations=3",
                            "--on-failure", "stop", check=False)
    assert done.returncode == 1, done.stderr
    view = lab.show(sweep)
    assert view["status"] == "cancelled" and view["counts"]["failed"] == 1 and view["counts"]["waiting"] == 3, view
    last = lab.events(sweep)[-1]
    assert last["type"] == "sweep_cancelled" and "on_failure" in last["reason"]
    # Resumed, the trials not started run (until the next failure stops it again).
    assert lab.athanor("sweep", "resume", sweep, check=False).returncode == 1
    assert lab.show(sweep)["counts"]["failed"] == 2
