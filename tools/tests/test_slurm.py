"""Runs on a real Slurm cluster (issue 15): a one-node cluster started for the session
(tools/slurm/cluster.py: munged, slurmctld and slurmd as root, every file in a temporary
folder), runs submitted through `athanor run --executor slurm`, their journals written by the
worker on the node, and what Slurm does to their jobs (cancel while queued or running, a job
killed outright) recorded in the journal.

When the daemons cannot start here, every test is skipped, loudly: the reason and the daemons'
log tails are printed and are the skip's reason."""

import collections
import json
import os
import pathlib
import sys
import time

import pytest

import support
from support import ATHANOR, REPO

sys.path.insert(0, str(REPO / "tools" / "slurm"))
import cluster as slurm_cluster  # noqa: E402

TIMEOUT = 120


@pytest.fixture(scope="module")
def slurm(tmp_path_factory):
    cluster = slurm_cluster.Cluster(tmp_path_factory.mktemp("slurm"))
    try:
        cluster.start()
    except slurm_cluster.Unavailable as error:
        cluster.stop()
        print(f"\nSLURM TESTS SKIPPED: the cluster could not start: {error}", file=sys.__stderr__)
        pytest.skip(f"the Slurm cluster could not start here: {error}")
    yield cluster
    cluster.stop()


class Lab:
    """A data directory with the commands the tests run against it, on `slurm`."""

    def __init__(self, slurm, data):
        self.slurm, self.data = slurm, data

    def athanor(self, *arguments, check=True):
        env = {**self.slurm.env, **support.markers()}
        done = support.run([ATHANOR, *map(str, arguments), "--data", self.data], capture_output=True, text=True,
                           env=env, timeout=TIMEOUT)
        assert not check or done.returncode == 0, f"athanor {arguments}: {done.returncode}\n{done.stderr}"
        return done

    def json(self, *arguments):
        return json.loads(self.athanor(*arguments, "--json").stdout)

    def demo(self, **config):
        sets = [a for key, value in config.items() for a in ("--set", f"{key}={value}")]
        return self.athanor("create", "demo", "--name", "on slurm", *sets).stdout.strip()

    def show(self, run):
        return self.json("show", run)

    def events(self, run):
        done = support.run([ATHANOR, "cat", self.show(run)["journal"]], capture_output=True, text=True,
                           timeout=TIMEOUT)
        return [json.loads(line) for line in done.stdout.splitlines()]

    def status_is(self, run, *statuses):
        try:
            return support.wait_until(lambda: (s := self.show(run))["status"] in statuses and s, TIMEOUT,
                                      f"run {run} to be {' or '.join(statuses)}")
        except AssertionError as timeout:
            raise AssertionError(f"{timeout}\n{self.show(run)}\n{self.cluster_state()}") from None

    def cluster_state(self):
        """The queue with each job's reason, and the node's state with its reason."""
        queue = self.slurm.run("squeue", "-h", "--array", "-o", "%i %T %r", check=False).stdout
        node = self.slurm.run("sinfo", "-h", "-o", "%T %E", check=False).stdout
        return f"squeue:\n{queue}sinfo: {node}"

    def queue(self):
        return self.slurm.run("squeue", "-h", "--array", "-o", "%i %T").stdout.split("\n")

    def cpus(self):
        """The number of CPUs of the cluster's one node."""
        return int(self.slurm.run("sinfo", "-h", "-o", "%c").stdout.strip())

    def hold_the_node(self):
        """Submits a job that takes every CPU of the node; returns its ID once it runs."""
        hold = self.slurm.run("sbatch", "--parsable", f"--cpus-per-task={self.cpus()}", "--output=/dev/null",
                              "--wrap", "sleep 300").stdout.strip()
        support.wait_until(lambda: f"{hold} RUNNING" in self.queue(), TIMEOUT, "the node to be taken")
        return hold


@pytest.fixture
def lab(slurm, tmp_path):
    yield Lab(slurm, tmp_path / "data")
    slurm.run("scancel", "--user=root", check=False)  # nothing this test queued outlives it


def test_a_run_completes_on_a_node_and_its_journal_says_so(lab):
    summary = json.loads(lab.athanor("run", lab.demo(iterations=3, delay_ms=10), "--executor", "slurm",
                                     "--slurm-cpus", "1", "--json").stdout)
    assert (summary["status"], summary["executor"]) == ("completed", "slurm"), summary
    events = lab.events(summary["run"])
    assert [e["type"] for e in events[:3]] == ["run_created", "run_queued", "run_started"]
    queued, started = events[1], events[2]
    assert queued["executor"] == "slurm" and queued["resources"] == {"cpus": 1}
    assert started["job_id"] == queued["job_id"] == summary["job_id"]
    assert events[-1]["type"] == "run_completed"
    journal = pathlib.Path(lab.show(summary["run"])["journal"])
    script = journal.with_name(journal.name.replace(".jsonl.zst", ".sbatch")).read_text()
    assert "#SBATCH --cpus-per-task=1" in script and "--scheduled" in script


def test_a_failing_and_a_crashing_experiment_fail_their_runs(lab):
    failed = json.loads(lab.athanor("run", lab.demo(iterations=3, fail_at=2), "--executor", "slurm", "--json",
                                    check=False).stdout)
    assert failed["status"] == "failed" and "iteration 2" in failed["error"], failed
    crashed = json.loads(lab.athanor("run", lab.demo(iterations=3, crash_at=2), "--executor", "slurm", "--json",
                                     check=False).stdout)
    assert crashed["status"] == "failed", crashed
    assert crashed["error"].startswith("the Slurm job ended without ending the run: FAILED"), crashed
    assert [e["type"] for e in lab.events(crashed["run"])][-1] == "run_failed"


def test_a_running_run_is_cancelled_gracefully(lab):
    run = lab.athanor("run", lab.demo(iterations=100000, delay_ms=20), "--executor", "slurm", "--detach").stdout.strip()
    lab.status_is(run, "running")
    lab.athanor("cancel", run, "--reason", "enough")
    summary = lab.status_is(run, "cancelled")
    assert (summary["error"], summary["forced"]) == ("enough", False), summary
    support.wait_until(lambda: summary["job_id"] not in " ".join(lab.queue()), TIMEOUT, "the job to leave the queue")


def test_a_queued_run_is_cancelled_and_its_job_removed(lab, slurm):
    hold = lab.hold_the_node()
    run = lab.athanor("run", lab.demo(iterations=2), "--executor", "slurm", "--detach").stdout.strip()
    summary = lab.show(run)
    assert summary["status"] == "queued" and f"{summary['job_id']} PENDING" in lab.queue(), (summary, lab.queue())
    lab.athanor("cancel", run, "--reason", "not now")
    summary = lab.status_is(run, "cancelled")
    assert summary["error"] == "not now" and summary["started_at"] is None, summary
    assert not any(line.startswith(summary["job_id"] + " ") for line in lab.queue())
    assert [e["type"] for e in lab.events(run)] == ["run_created", "run_queued", "run_cancelled"]


def test_a_job_killed_outright_fails_its_run_with_slurms_reason(lab, slurm):
    run = lab.athanor("run", lab.demo(iterations=100000, delay_ms=20), "--executor", "slurm", "--detach").stdout.strip()
    job = lab.status_is(run, "running")["job_id"]
    slurm.run("scancel", "--signal=KILL", job)
    support.wait_until(lambda: not any(line.startswith(job + " ") for line in lab.queue()), TIMEOUT,
                       "the job to leave the queue")
    # No process followed the detached run: the next command that reads the data directory asks
    # Slurm about runs queued with no writer, and closes this one.
    summary = lab.status_is(run, "failed")
    assert summary["error"].startswith("the Slurm job ended without ending the run:"), summary
    assert "CANCELLED" in summary["error"] or "FAILED" in summary["error"], summary


def test_a_queued_run_is_not_closed_as_interrupted_by_recovery(lab, slurm):
    hold = lab.hold_the_node()
    run = lab.athanor("run", lab.demo(iterations=2), "--executor", "slurm", "--detach").stdout.strip()
    lab.athanor("recover")
    assert lab.show(run)["status"] == "queued"
    slurm.run("scancel", hold)
    summary = lab.status_is(run, "running", "completed")
    # Once the node is free the job starts, and the worker on the node takes the journal over.
    assert summary["job_id"] is not None


def test_a_requeued_job_goes_on_in_the_same_journal(lab, slurm):
    instance = lab.demo(iterations=150, delay_ms=20)
    follower = support.spawn([ATHANOR, "run", instance, "--executor", "slurm", "--json", "--data", lab.data],
                             env={**slurm.env, **support.markers()}, stdout=support.subprocess.PIPE,
                             stderr=support.subprocess.DEVNULL, text=True)
    run = support.wait_until(lambda: (runs := lab.json("runs")) and runs[0]["status"] == "running" and runs[0]["run"],
                             TIMEOUT, "the run to start on the node")
    job = lab.show(run)["job_id"]
    slurm.run("scontrol", "requeue", job)
    # The run stays as it is until the job starts again: only then is run_requeued written.
    support.wait_until(lambda: f"{job} PENDING" in lab.queue(), TIMEOUT, "the job to be pending again")
    # Slurm holds a requeued job back a while (its BeginTime); let it start now.
    support.wait_until(lambda: slurm.run("scontrol", "update", f"jobid={job}", "starttime=now", check=False)
                       .returncode == 0, TIMEOUT, "the requeued job to accept a start time")
    out, _ = follower.communicate(timeout=TIMEOUT)
    summary = json.loads(out)
    assert (summary["status"], summary["requeues"], summary["job_id"]) == ("completed", 1, job), summary
    kinds = [e["type"] for e in lab.events(run) if e["type"].startswith("run_")]
    assert kinds == ["run_created", "run_queued", "run_started", "run_requeued", "run_started", "run_completed"]


def test_the_time_limit_fails_the_run_and_keeps_what_it_recorded(lab):
    # Slurm's time limits are whole minutes: this test takes one.
    summary = json.loads(lab.athanor("run", lab.demo(iterations=100000, delay_ms=50), "--executor", "slurm",
                                     "--slurm-time", "1", "--grace", "5", "--json", check=False).stdout)
    assert summary["status"] == "failed" and summary["error"].startswith("time limit"), summary
    assert summary["log_counts"]["debug"] > 100  # the iterations before the limit stay


# --------------------------------------------------------------------------------------------
# Through a server: the API, MCP, an instance's resources, forced cancel, a restart, 50 runs.

STUBBORN = '''import athanor


@athanor.experiment(name="stubborn_on_slurm")
def stubborn(ctx):
    ctx.log("info", "waiting")
    while True:
        ctx.wait_cancelled(600)  # and ignores it
'''


def slurm_server(lab, *arguments):
    """`athanor serve --executor slurm` on the lab's data directory, against the cluster."""
    return support.Server(lab.data, "--executor", "slurm", *arguments, env={**lab.slurm.env, **support.markers()})


def api_run(server, instance):
    status, run = server.call("POST", f"/api/instances/{instance}/runs")
    assert status == 202, run
    return run["run"]


def api_status_is(lab, server, run, *statuses):
    try:
        return support.wait_until(lambda: (s := server.call("GET", f"/api/runs/{run}")[1])["status"] in statuses and s,
                                  TIMEOUT, f"run {run} to be {' or '.join(statuses)} through the API")
    except AssertionError as timeout:
        raise AssertionError(f"{timeout}\n{server.call('GET', f'/api/runs/{run}')[1]}\n{lab.cluster_state()}") from None


def test_through_the_api_an_instances_own_resources_reach_its_job(lab):
    with slurm_server(lab, "--slurm-time", "10") as server:
        status, instance = server.call("POST", "/api/instances", {
            "experiment": "demo", "name": "api", "config": {"iterations": 3, "delay_ms": 10},
            "resources": {"cpus": 1, "options": ["--comment=from-the-instance"]}})
        assert status == 201, instance
        run = api_run(server, instance["instance"])
        summary = api_status_is(lab, server, run, "completed")
        assert (summary["executor"], summary["job_id"] is not None) == ("slurm", True), summary
        queued = lab.events(run)[1]
        # The instance's own over the server's defaults.
        assert queued["resources"] == {"time": "10", "cpus": 1, "options": ["--comment=from-the-instance"]}, queued
        journal = pathlib.Path(summary["journal"])
        script = journal.with_name(journal.name.replace(".jsonl.zst", ".sbatch")).read_text()
        assert "#SBATCH --comment=from-the-instance" in script and "#SBATCH --time=10" in script
        status = server.call("GET", "/api/status")[1]
        assert status["executor"] == "slurm" and isinstance(status["scheduler_calls_per_minute"], int), status


def test_through_the_api_a_queued_run_is_cancelled(lab):
    with slurm_server(lab) as server:
        instance = server.call("POST", "/api/instances", {"experiment": "demo", "name": "q"})[1]["instance"]
        hold = lab.hold_the_node()
        run = api_run(server, instance)
        summary = api_status_is(lab, server, run, "queued")
        assert any(row["run"] == run and row["status"] == "queued" for row in server.call("GET", "/api/runs")[1])
        status, answer = server.call("POST", f"/api/runs/{run}/cancel", {"reason": "not now"})
        assert status in (200, 202), answer
        assert api_status_is(lab, server, run, "cancelled")["error"] == "not now"
        assert not any(line.startswith(summary["job_id"] + " ") for line in lab.queue())
        assert [e["type"] for e in lab.events(run)] == ["run_created", "run_queued", "run_cancelled"]
        lab.slurm.run("scancel", hold)


def test_through_mcp_runs_complete_and_a_running_one_is_cancelled(lab):
    import asyncio
    from mcp import ClientSession
    from mcp.client.streamable_http import streamable_http_client

    async def call(session, tool, **arguments):
        result = await session.call_tool(tool, arguments)
        assert not result.is_error, result.content[0].text
        return json.loads(result.content[0].text)

    async def body(base):
        async with streamable_http_client(f"{base}/mcp") as streams:
            async with ClientSession(streams[0], streams[1]) as session:
                await session.initialize()
                short = await call(session, "create_experiment", name="m", experiment_module="demo",
                                   configuration={"iterations": 3, "delay_ms": 10})
                run = (await call(session, "start_run", experiment_id=short["instance"]))["run"]
                ended = await call(session, "wait_for_run", id=run, timeout_seconds=TIMEOUT)
                assert (ended["status"], ended["executor"]) == ("completed", "slurm"), ended
                long = await call(session, "create_experiment", name="l", experiment_module="demo",
                                  configuration={"iterations": 100000, "delay_ms": 20})
                run = (await call(session, "start_run", experiment_id=long["instance"]))["run"]
                deadline = time.monotonic() + TIMEOUT
                while (seen := await call(session, "get_run", id=run))["status"] != "running":
                    assert time.monotonic() < deadline, f"the run is not running through MCP: {seen}\n" \
                                                        f"{lab.cluster_state()}"
                    await asyncio.sleep(0.05)
                await call(session, "cancel_run", id=run, reason="enough")
                ended = await call(session, "wait_for_run", id=run, timeout_seconds=TIMEOUT)
                assert (ended["status"], ended["error"], ended["forced"]) == ("cancelled", "enough", False), ended

    with slurm_server(lab) as server:
        asyncio.run(asyncio.wait_for(body(server.base), timeout=TIMEOUT * 3))


def test_a_run_that_ignores_cancel_has_its_job_removed_after_the_grace_period(lab, tmp_path):
    folder = tmp_path / "experiments"
    folder.mkdir()
    (folder / "stubborn.py").write_text(STUBBORN)
    with slurm_server(lab, "--grace", "2", "--experiments", folder) as server:
        instance = server.call("POST", "/api/instances", {"experiment": "stubborn_on_slurm", "name": "s"})[1]["instance"]
        run = api_run(server, instance)
        job = api_status_is(lab, server, run, "running")["job_id"]
        support.wait_until(lambda: any(e["type"] == "log" for e in lab.events(run)), TIMEOUT, "the program to log")
        server.call("POST", f"/api/runs/{run}/cancel", {"reason": "stop now"})
        summary = api_status_is(lab, server, run, "cancelled")
        assert (summary["error"], summary["forced"]) == ("stop now", True), summary
        ending = lab.events(run)[-1]
        assert (ending["type"], ending["reason"], ending["forced"]) == ("run_cancelled", "stop now", True), ending
        support.wait_until(lambda: not any(line.startswith(job + " ") for line in lab.queue()), TIMEOUT,
                           "the job to be removed")


def test_a_restarted_server_picks_up_the_jobs_it_left(lab):
    # Each run takes the whole node: when the server dies one runs, the other waits in the queue.
    server = slurm_server(lab, "--slurm-cpus", lab.cpus())
    try:
        instance = server.call("POST", "/api/instances", {
            "experiment": "demo", "name": "r", "config": {"iterations": 300, "delay_ms": 20}})[1]["instance"]
        runs = [api_run(server, instance) for _ in range(2)]
        support.wait_until(lambda: sorted(server.call("GET", f"/api/runs/{run}")[1]["status"] for run in runs)
                           == ["queued", "running"], TIMEOUT, f"one run to run and one to wait\n{lab.cluster_state()}")
    finally:
        server.kill()  # the server's whole process group, at once; the jobs are Slurm's and go on
    assert sorted(lab.show(run)["status"] for run in runs) == ["queued", "running"], lab.cluster_state()
    with slurm_server(lab) as again:
        for run in runs:
            summary = api_status_is(lab, again, run, "completed", "failed", "cancelled")
            assert summary["status"] == "completed", summary
            kinds = [e["type"] for e in lab.events(run) if e["type"].startswith("run_")]
            assert kinds == ["run_created", "run_queued", "run_started", "run_completed"], (run, kinds)
        listed = {row["run"]: row["status"] for row in again.call("GET", "/api/runs")[1]}
        assert [listed[run] for run in runs] == ["completed", "completed"], listed


def test_fifty_runs_queue_and_never_exceed_the_nodes_cpus(lab):
    cpus = lab.cpus()
    with slurm_server(lab, "--slurm-cpus", "1") as server:
        instance = server.call("POST", "/api/instances", {
            "experiment": "demo", "name": "fifty", "config": {"iterations": 3, "delay_ms": 10}})[1]["instance"]
        runs = [api_run(server, instance) for _ in range(50)]
        def statuses():
            return collections.Counter(r["status"] for r in server.call("GET", f"/api/instances/{instance}")[1]["runs"])
        try:
            support.wait_until(lambda: statuses() == {"completed": 50}, TIMEOUT * 3, "the 50 runs to complete",
                               interval=0.2)
        except AssertionError as timeout:
            raise AssertionError(f"{timeout}: {dict(statuses())}\n{lab.cluster_state()}") from None
        edges = []
        for run in runs:
            events = lab.events(run)
            assert [e["type"] for e in events if e["type"].startswith("run_")] == \
                ["run_created", "run_queued", "run_started", "run_completed"], run
            times = {e["type"]: support.timestamp(e["ts"]) for e in events}
            edges += [(times["run_started"], 1), (times["run_completed"], -1)]
        running = most = 0
        for _, step in sorted(edges):
            running += step
            most = max(most, running)
        assert most <= cpus, f"{most} runs at once on a node of {cpus} CPUs"


def test_a_sweep_runs_its_trials_as_slurm_jobs(lab):
    done = lab.athanor("sweep", "demo", "--name", "on slurm", "--grid", "iterations=2,3,4", "--set", "delay_ms=10",
                       "--concurrency", "2", "--executor", "slurm", "--slurm-cpus", "1", "--metric", "loss", "--json")
    sweep = json.loads(done.stdout.split("\n", 1)[1])
    assert (sweep["status"], sweep["counts"]["completed"]) == ("completed", 3), sweep
    for trial in sweep["trials"]:
        events = lab.events(trial["run"])
        assert (events[0]["sweep"], events[0]["trial"]) == (sweep["sweep"], trial["key"])
        assert events[1]["type"] == "run_queued" and events[1]["resources"] == {"cpus": 1}
        assert events[1]["job_id"] == next(e for e in events if e["type"] == "run_started")["job_id"]


def sweep_json(done):
    """The sweep a `athanor sweep … --json` printed (after its first line, the sweep's ID)."""
    return json.loads(done.stdout.split("\n", 1)[1])


def test_a_sweep_goes_to_slurm_as_one_job_array_that_keeps_the_cap(lab):
    done = lab.athanor("sweep", "demo", "--name", "array", "--grid", "iterations=3,4,5,6", "--set", "delay_ms=20",
                       "--concurrency", "1", "--executor", "slurm", "--slurm-cpus", "1", "--json")
    sweep = sweep_json(done)
    assert (sweep["status"], sweep["counts"]["completed"]) == ("completed", 4), sweep
    spans, jobs = [], []
    for trial in sweep["trials"]:
        events = lab.events(trial["run"])
        queued = next(e for e in events if e["type"] == "run_queued")
        started = next(e for e in events if e["type"] == "run_started")
        assert started["job_id"] == queued["job_id"], events
        jobs.append(queued["job_id"])
        spans.append((started["ts"], events[-1]["ts"]))
    # One sbatch: every trial is a task of one array, in the order of the sweep's trials.
    array = jobs[0].split("_")[0]
    assert jobs == [f"{array}_{task}" for task in range(4)], jobs
    journal = pathlib.Path(lab.show(sweep["trials"][0]["run"])["journal"])
    script = journal.with_name(journal.name.replace(".jsonl.zst", ".array.sbatch")).read_text()
    assert "#SBATCH --array=0-3%1" in script, script
    # Slurm kept the cap of 1: no two trials ran at once.
    spans.sort()
    assert all(earlier[1] <= later[0] for earlier, later in zip(spans, spans[1:])), spans


def test_a_sweep_that_stops_on_a_failure_removes_the_array_tasks_not_started(lab):
    done = lab.athanor("sweep", "demo", "--name", "stops", "--grid", "fail_at=1,0", "--set", "delay_ms=20",
                       "--set", "iterations=50", "--repeats", "3", "--concurrency", "1", "--on-failure", "stop",
                       "--executor", "slurm", "--slurm-cpus", "1", "--json", check=False)
    assert done.returncode == 1, done
    sweep = sweep_json(done)
    assert sweep["status"] == "cancelled", sweep
    last = json.loads((pathlib.Path(lab.data) / "sweeps" / f"{sweep['sweep']}.jsonl").read_text().splitlines()[-1])
    assert (last["type"], last["reason"]) == \
        ("sweep_cancelled", "a trial failed and the sweep stops on failure (on_failure: stop)"), last
    statuses = [trial["status"] for trial in sweep["trials"]]
    assert statuses.count("failed") >= 1 and statuses.count("cancelled") >= 2, statuses
    for trial in sweep["trials"]:
        if trial["status"] == "cancelled":
            kinds = [e["type"] for e in lab.events(trial["run"])]
            assert kinds == ["run_created", "run_queued", "run_cancelled"], kinds
    assert not any("_" in line for line in lab.queue()), lab.cluster_state()


def test_cancelling_a_sweep_removes_its_queued_array_tasks(lab):
    hold = lab.hold_the_node()
    driver = support.spawn([ATHANOR, "sweep", "demo", "--name", "held", "--grid", "iterations=2,3,4", "--concurrency",
                            "2", "--executor", "slurm", "--slurm-cpus", "1", "--data", lab.data],
                           env={**lab.slurm.env}, stdout=support.subprocess.PIPE, stderr=support.subprocess.DEVNULL,
                           text=True)
    sweep = driver.stdout.readline().strip()
    support.wait_until(lambda: lab.json("sweep", "show", sweep)["counts"]["queued"] == 3, TIMEOUT,
                       "the three trials to be queued")
    assert sum(" PENDING" in line and "_" in line for line in lab.queue()) == 3, lab.cluster_state()
    lab.athanor("sweep", "cancel", sweep, "--reason", "not today")
    assert driver.wait(timeout=TIMEOUT) == 130
    driver.stdout.close()
    shown = lab.json("sweep", "show", sweep)
    assert (shown["status"], shown["counts"]["cancelled"]) == ("cancelled", 3), shown
    for trial in shown["trials"]:
        assert [e["type"] for e in lab.events(trial["run"])] == ["run_created", "run_queued", "run_cancelled"]
    support.wait_until(lambda: not any("_" in line for line in lab.queue()), TIMEOUT, "the array's tasks to go")
    lab.slurm.run("scancel", hold)
