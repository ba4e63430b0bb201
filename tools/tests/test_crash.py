"""Crash consistency: writers killed with SIGKILL at random moments while logging at full speed
(and while compressing at close). After each: recovery closes the run as failed (interrupted),
`athanor verify` passes, seq has no gaps, every complete line that reached the file is kept, and
the next run works. ATHANOR_CRASH_TRIALS sets the number of trials (default 200)."""

import json
import os
import pathlib
import random
import signal
import subprocess
import time

REPO = pathlib.Path(__file__).resolve().parents[2]
ATHANOR = str(pathlib.Path(os.environ.get("ATHANOR_BIN") or REPO / ".build" / "debug" / "athanor").resolve())
TRIALS = int(os.environ.get("ATHANOR_CRASH_TRIALS", "200"))


def zstd_lines(path):
    return subprocess.run(["zstd", "-dc", str(path)], capture_output=True, check=True).stdout.splitlines()


def test_sigkill_at_random_moments_loses_no_complete_line(tmp_path):
    rng = random.Random(20261126)
    outcomes = {"interrupted": 0, "completed before the kill": 0, "killed while closing": 0}
    for trial in range(TRIALS):
        data = tmp_path / f"trial{trial}"
        runs = data / "runs" / "inst"
        runs.mkdir(parents=True)
        journal = runs / "run.jsonl"
        # Small runs finish (and compress) within the kill window now and then; big ones never do.
        logs = rng.choice([2000, 20000, 10_000_000])
        writer = subprocess.Popen([ATHANOR, "synth", str(journal), "--logs", str(logs), "--results", "0",
                                   "--progress", "0"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.0, 0.06))
        writer.send_signal(signal.SIGKILL)
        writer.wait()
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
    print(f"\n{TRIALS} crash trials: {outcomes}")
    assert outcomes["interrupted"] > TRIALS // 2
