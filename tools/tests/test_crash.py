"""Crash consistency: writers killed with SIGKILL at random moments while logging at full speed
(and while compressing at close). After each: recovery closes the run as failed (interrupted),
`athanor verify` passes, seq has no gaps, every complete line that reached the file is kept, and
the next run works; every event the writer reported durable (`synth --report-durable`) is
present. ATHANOR_CRASH_TRIALS sets the number of trials (default 200)."""

import json
import os
import pathlib
import random
import signal
import subprocess
import time

from support import ATHANOR, report
TRIALS = int(os.environ.get("ATHANOR_CRASH_TRIALS", "200"))


def zstd_lines(path):
    return subprocess.run(["zstd", "-dc", str(path)], capture_output=True, check=True).stdout.splitlines()


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
            writer = subprocess.Popen([ATHANOR, "synth", str(journal), "--logs", str(logs), "--results", "0",
                                       "--progress", "0", "--durability", durability, "--report-durable"],
                                      stdout=out, stderr=subprocess.DEVNULL)
            # Random moments from the journal's creation on (process start-up time varies with load).
            deadline = time.time() + 30
            while not journal.exists() and writer.poll() is None and time.time() < deadline:
                time.sleep(0.001)
            time.sleep(rng.uniform(0.0, 0.04))
            writer.send_signal(signal.SIGKILL)
            writer.wait()
        durable = max([int(line.split()[1]) for line in reports.read_text().splitlines()
                       if line.startswith("durable ")], default=0)
        reported_durable[durability] += durable
        before = journal.read_bytes() if journal.exists() else b""
        complete_before = before[: before.rfind(b"\n") + 1].splitlines()

        recovered = subprocess.run([ATHANOR, "recover", "--data", str(data)], capture_output=True, text=True, timeout=60)
        assert recovered.returncode == 0, recovered.stderr
        verified = subprocess.run([ATHANOR, "verify", str(data)], capture_output=True, text=True, timeout=60)
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
        subprocess.run([ATHANOR, "synth", str(nxt), "--logs", "10", "--results", "1", "--progress", "1"],
                       check=True, capture_output=True, timeout=60)
        assert zstd_lines(runs / "next.jsonl.zst")[-1].endswith(b'"type":"run_completed"}')
    report(f"{TRIALS} crash trials: {outcomes}; events reported durable before the kill, all present "
                    f"after: {reported_durable}")
    assert outcomes["interrupted"] > TRIALS // 2


TREE_TRIALS = int(os.environ.get("ATHANOR_TREE_TRIALS", "40"))


def descendants(pid):
    """Every process below `pid`, from /proc (parents before children)."""
    children = {}
    for stat in pathlib.Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, queue = [], [pid]
    while queue:
        for child in children.get(queue.pop(), []):
            found.append(child)
            queue.append(child)
    return found


def test_sigkill_of_the_whole_process_tree(tmp_path):
    """`athanor run` (the supervisor) and its worker process both killed at once, at random
    moments while the worker logs at full speed: recovery closes every run as interrupted, the
    data directory verifies, and the next run of the same instance completes."""
    rng = random.Random(7)
    data = tmp_path / "data"

    def athanor(*arguments, **options):
        return subprocess.run([ATHANOR, *arguments, "--data", str(data)], capture_output=True, text=True,
                              timeout=120, **options)

    endless = athanor("create", "synthetic", "--name", "endless",
                      "--config", json.dumps({"logs": 100_000_000, "results": 1_000_000, "progress": 0})).stdout.strip()
    small = athanor("create", "synthetic", "--name", "small",
                    "--config", json.dumps({"logs": 100, "results": 10, "progress": 10})).stdout.strip()
    killed_workers = 0
    for trial in range(TREE_TRIALS):
        supervisor = subprocess.Popen([ATHANOR, "run", endless, "--data", str(data)],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.05, 0.5))
        tree = [supervisor.pid, *descendants(supervisor.pid)]
        killed_workers += len(tree) - 1
        for pid in tree:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        supervisor.wait()

        recovered = athanor("recover")
        assert recovered.returncode == 0, recovered.stderr
        assert not list((data / "runs").rglob("*.jsonl")), "recovery closes every dead writer's journal"
        # This trial's journal (run IDs sort by time); the earlier ones were verified in their trials.
        newest = sorted((data / "runs").rglob("*.jsonl.zst"), key=lambda path: path.name)[-1]
        verified = subprocess.run([ATHANOR, "verify", str(newest)], capture_output=True, text=True, timeout=120)
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
