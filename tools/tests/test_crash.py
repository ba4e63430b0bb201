"""Crash consistency: writers killed with SIGKILL at random moments while logging at full speed
(and while compressing at close). After each: recovery closes the run as failed (interrupted),
`athanor verify` passes, seq has no gaps, every complete line that reached the file is kept, and
the next run works; every event the writer reported durable (`synth --report-durable`) is
present. ATHANOR_CRASH_TRIALS sets the number of trials (default 200)."""

import json
import os
import random
import signal
import subprocess
import time

import support
from support import ATHANOR, report
TRIALS = int(os.environ.get("ATHANOR_CRASH_TRIALS", "200"))


def zstd_lines(path):
    return support.run(["zstd", "-dc", str(path)], capture_output=True, check=True).stdout.splitlines()


def test_sigkill_at_random_moments_loses_no_complete_line(tmp_path):
    rng = random.Random(20261126)
    outcomes = {"interrupted": 0, "completed before the kill": 0, "killed while closing": 0}
    reported_durable = {"lifecycle": 0, "strict": 0}
    for trial in range(TRIALS):
        data = tmp_path / f"trial{trial}"
        runs = data / "runs" / "inst"
        runs.mkdir(parents=True)
        journal = runs / "run.jsonl"
        # Small runs finish (and compress) within the kill window now and then; big ones never do.
        logs = rng.choice([2000, 20000, 10_000_000])
        durability = rng.choice(["lifecycle", "strict"])
        reports = tmp_path / f"durable{trial}.txt"
        with reports.open("w") as out:
            writer = support.spawn([ATHANOR, "synth", str(journal), "--logs", str(logs), "--results", "0",
                                    "--progress", "0", "--durability", durability, "--report-durable"],
                                   stdout=out, stderr=subprocess.DEVNULL)
            try:
                # Random moments from the journal's creation on (process start-up time varies with load).
                deadline = time.time() + 30
                while not journal.exists() and writer.poll() is None and time.time() < deadline:
                    time.sleep(0.001)
                # The random moment of the kill: this sleep is what the test varies, not a wait.
                time.sleep(rng.uniform(0.0, 0.04))
            finally:
                support.end_group(writer)
        durable = max([int(line.split()[1]) for line in reports.read_text().splitlines()
                       if line.startswith("durable ")], default=0)
        reported_durable[durability] += durable
        before = journal.read_bytes() if journal.exists() else b""
        complete_before = before[: before.rfind(b"\n") + 1].splitlines()

        if journal.exists() and journal.stat().st_size == 0:
            # Killed before its first event: recovery takes such a file for one being created
            # during its first seconds, then removes it. Seen later, as here.
            a_minute_ago = time.time() - 60
            os.utime(journal, (a_minute_ago, a_minute_ago))
        recovered = support.run([ATHANOR, "recover", "--data", str(data)], capture_output=True, text=True, timeout=60)
        assert recovered.returncode == 0, recovered.stderr
        verified = support.run([ATHANOR, "verify", str(data)], capture_output=True, text=True, timeout=60)
        assert verified.returncode == 0, f"trial {trial}: {verified.stdout}"
        assert not journal.exists(), "recovery closes (compresses) every dead writer's journal"
        compressed = runs / "run.jsonl.zst"
        if not compressed.exists():
            # Killed before its first event was complete: nothing was ever recorded.
            assert not complete_before
            continue
        lines = zstd_lines(compressed)
        events = [json.loads(line) for line in lines]
        assert [e["seq"] for e in events] == list(range(1, len(events) + 1)), f"trial {trial}: seq gap"
        assert lines[: len(complete_before)] == complete_before, f"trial {trial}: a complete line was lost"
        assert len(events) >= durable, f"trial {trial}: event {durable} was reported durable but is missing"
        last = events[-1]
        if last["type"] == "run_failed":
            assert last["error"].startswith("interrupted:")
            outcomes["interrupted"] += 1
        else:
            assert last["type"] == "run_completed"
            outcomes["killed while closing" if before else "completed before the kill"] += 1

        # The next run in the same directory works.
        nxt = runs / "next.jsonl"
        support.run([ATHANOR, "synth", str(nxt), "--logs", "10", "--results", "1", "--progress", "1"],
                    check=True, capture_output=True, timeout=60)
        assert zstd_lines(runs / "next.jsonl.zst")[-1].endswith(b'"type":"run_completed"}')
    report(f"{TRIALS} crash trials: {outcomes}; events reported durable before the kill, all present "
                    f"after: {reported_durable}")
    assert outcomes["interrupted"] > TRIALS // 2


TREE_TRIALS = int(os.environ.get("ATHANOR_TREE_TRIALS", "40"))


def test_sigkill_of_the_whole_process_tree(tmp_path):
    """`athanor run` (the supervisor) and its worker process both killed at once, at random
    moments while the worker logs at full speed: recovery closes every run as interrupted, the
    data directory verifies, and the next run of the same instance completes.

    `athanor run` starts in a session (and process group) of its own; its worker is in its
    group, so one SIGKILL to the group (killpg) kills both at once, and a worker forked a moment
    before the kill is killed with it."""
    rng = random.Random(7)
    data = tmp_path / "data"

    def athanor(*arguments):
        return support.run([ATHANOR, *arguments, "--data", str(data)], capture_output=True, text=True, timeout=120)

    endless = athanor("create", "synthetic", "--name", "endless",
                      "--config", json.dumps({"logs": 100_000_000, "results": 1_000_000, "progress": 0})).stdout.strip()
    small = athanor("create", "synthetic", "--name", "small",
                    "--config", json.dumps({"logs": 100, "results": 10, "progress": 10})).stdout.strip()
    killed_workers = 0
    for trial in range(TREE_TRIALS):
        supervisor = support.spawn([ATHANOR, "run", endless, "--data", str(data)],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            # The run exists (its journal is created before the worker starts), then the random
            # moment of the kill: that sleep is what the test varies, not a wait.
            support.wait_until(lambda: any(p.stat().st_size > 0 for p in (data / "runs").rglob("*.jsonl")), 60,
                               "the trial's run journal to hold run_created")
            time.sleep(rng.uniform(0.0, 0.45))
            killed_workers += len(support.group_members(supervisor.pid)) - 1
            os.killpg(supervisor.pid, signal.SIGKILL)
            supervisor.wait()
            # Nothing of the group (nor of its session) survives the one kill: no worker goes on
            # writing, or, with a supervisor gone, stops of its own accord and records its end.
            support.wait_group_gone(supervisor, 10, "every process of the killed group to die")
        finally:
            support.end_group(supervisor)

        recovered = athanor("recover")
        assert recovered.returncode == 0, recovered.stderr
        assert not list((data / "runs").rglob("*.jsonl")), "recovery closes every dead writer's journal"
        # This trial's journal (run IDs sort by time); the earlier ones were verified in their trials.
        newest = sorted((data / "runs").rglob("*.jsonl.zst"), key=lambda path: path.name)[-1]
        verified = support.run([ATHANOR, "verify", str(newest)], capture_output=True, text=True, timeout=120)
        assert verified.returncode == 0, f"trial {trial}: {verified.stdout}"
        runs = json.loads(athanor("runs", endless, "--json").stdout)
        assert len(runs) == trial + 1
        for run in runs:
            assert run["status"] == "failed" and run["error"].startswith("interrupted:"), run

        finished = athanor("run", small, "--json")
        assert finished.returncode == 0 and json.loads(finished.stdout)["status"] == "completed", finished.stderr
    report(f"{TREE_TRIALS} process-tree kills ({killed_workers} worker processes killed with their "
                    "supervisor)")
    assert killed_workers > TREE_TRIALS // 2
