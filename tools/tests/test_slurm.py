"""Runs on a real Slurm cluster (issue 15): a one-node cluster started for the session
(tools/slurm/cluster.py: munged, slurmctld and slurmd as root, every file in a temporary
folder), runs submitted through `athanor run --executor slurm`, their journals written by the
worker on the node, and what Slurm does to their jobs (cancel while queued or running, a job
killed outright) recorded in the journal.

When the daemons cannot start here, every test is skipped, loudly: the reason and the daemons'
log tails are printed and are the skip's reason."""

import json
import os
import pathlib
import sys

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
        queue = self.slurm.run("squeue", "-h", "-o", "%i %T %r", check=False).stdout
        node = self.slurm.run("sinfo", "-h", "-o", "%T %E", check=False).stdout
        return f"squeue:\n{queue}sinfo: {node}"

    def queue(self):
        return self.slurm.run("squeue", "-h", "-o", "%i %T").stdout.split("\n")

    def hold_the_node(self):
        """Submits a job that takes every CPU of the node; returns its ID once it runs."""
        cpus = self.slurm.run("sinfo", "-h", "-o", "%c").stdout.strip()
        hold = self.slurm.run("sbatch", "--parsable", f"--cpus-per-task={cpus}", "--output=/dev/null",
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
