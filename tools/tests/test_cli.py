"""The `athanor` command-line interface, end to end: real processes, real journals on disk.

Every test drives the built binary (ATHANOR_BIN, else <repo>/.build/debug/athanor; these tests
never build it) against its own data directory under pytest's tmp_path, using the bundled
`demo` experiment with small delays. Every command starts in a session of its own with a
timeout (support.run), and every process a test leaves behind (detached supervisors and
workers, in the session of the `athanor run --detach` that started them) is killed with its
group when the test ends (conftest.py).
"""

import hashlib
import json
import os
import pathlib
import re
import signal
import subprocess
import time

import pytest

import support
from support import live_processes, wait_until

REPO = pathlib.Path(__file__).resolve().parents[2]
ATHANOR = pathlib.Path(os.environ.get("ATHANOR_BIN") or REPO / ".build" / "debug" / "athanor").resolve()

ID = re.compile(r"^[0-9a-hjkmnp-tv-z]{26}$")  # 26 characters of 0-9 and a-z without i, l, o, u
DEMO_FIELDS = ["iterations", "delay_ms", "fail_at", "crash_at"]
DEMO_DEFAULTS = {"iterations": 10, "delay_ms": 100, "fail_at": 0, "crash_at": 0}
TIMEOUT = 30  # seconds, for any one command
LONG = {"iterations": 100000, "delay_ms": 10}  # a run that would take ~17 minutes
SHORT = {"iterations": 20, "delay_ms": 20}  # a run of ~0.4 s, long enough to follow live


# --------------------------------------------------------------------------------------------
# helpers


@pytest.fixture(scope="module", autouse=True)
def binary_exists():
    if not ATHANOR.exists():
        pytest.fail(f"{ATHANOR} does not exist: build first (tools/test does), or set ATHANOR_BIN")


def base_env(**extra):
    env = {k: v for k, v in os.environ.items() if k != "ATHANOR_DATA"}
    env.update(extra)
    return env


def athanor(*args, data=None, cwd=None, env=None, timeout=TIMEOUT):
    """Runs the binary (with `--data DATA` appended when given); stdout and stderr as text."""
    argv = [str(ATHANOR), *map(str, args)]
    if data is not None:
        argv += ["--data", str(data)]
    return support.run(argv, capture_output=True, text=True, cwd=cwd, env=env or base_env(), timeout=timeout)


def ok(*args, **kw):
    """Runs the binary, asserts exit status 0, returns stdout."""
    p = athanor(*args, **kw)
    assert p.returncode == 0, f"athanor {' '.join(map(str, args))}: exit {p.returncode}\n{p.stderr}"
    return p.stdout


def ok_json(*args, **kw):
    return json.loads(ok(*args, "--json", **kw))


def fails(*args, message, status=None, **kw):
    """Runs the binary, asserts a non-zero exit with `message` on stderr; returns the process."""
    p = athanor(*args, **kw)
    assert p.returncode != 0, f"athanor {' '.join(map(str, args))} succeeded:\n{p.stdout}"
    if status is not None:
        assert p.returncode == status, (p.returncode, p.stderr)
    assert message in p.stderr, f"{message!r} not in stderr:\n{p.stderr}"
    return p


def json_lines(text):
    return [json.loads(line) for line in text.splitlines()]


def create(data, name="N", **config):
    args = ["create", "demo", "--name", name]
    for key, value in config.items():
        args += ["--set", f"{key}={value}"]
    instance = ok(*args, data=data).strip()
    assert ID.match(instance), instance
    return instance


def run_json(data, instance, *extra, expect=0):
    p = athanor("run", instance, *extra, "--json", data=data)
    assert p.returncode == expect, (p.returncode, p.stdout, p.stderr)
    return json.loads(p.stdout)


def completed_run(data, iterations=50, delay_ms=1):
    """An instance and one completed run of it: (instance ID, run ID)."""
    instance = create(data, iterations=iterations, delay_ms=delay_ms)
    summary = run_json(data, instance)
    assert summary["status"] == "completed"
    return instance, summary["run"]


def journal_path(data, run):
    """The run's journal on disk, plain (live) or compressed (closed)."""
    found = [p for p in pathlib.Path(data).glob(f"runs/*/{run}.jsonl*") if not p.name.endswith(".tmp")]
    assert len(found) == 1, found
    return found[0]


def zstd_bytes(path):
    return support.run(["zstd", "-dc", str(path)], capture_output=True, check=True, timeout=TIMEOUT).stdout


def zstd_events(path):
    return json_lines(zstd_bytes(path).decode())


def show(data, run):
    return ok_json("show", run, data=data)


def wait_for_worker(data, run, timeout=60):
    """Waits until the worker has written run_started and a progress event, reading the plain
    journal directly rather than through the CLI (see test_detached_run_is_not_recovered_as_interrupted)."""

    def started():
        plain = next(pathlib.Path(data).glob(f"runs/*/{run}.jsonl"), None)
        if plain is None:
            return False
        try:
            text = plain.read_text()
        except FileNotFoundError:
            return False
        return '"type":"run_started"' in text and '"type":"progress"' in text

    wait_until(started, timeout, f"run {run} to start")


def shortest_prefix(target, ids):
    """The shortest prefix of `target` that no other of `ids` starts with."""
    return next(target[:n] for n in range(1, 27) if sum(x.startswith(target[:n]) for x in ids) == 1)


def wait_closed(data, run, timeout=60):
    wait_until(lambda: not list(pathlib.Path(data).glob(f"runs/*/{run}.jsonl")), timeout, f"run {run} to close")
    return journal_path(data, run)


def detach(data, instance):
    started = time.monotonic()
    out = ok("run", instance, "--detach", data=data, timeout=60)
    assert time.monotonic() - started < 5, "run --detach returns at once"
    run = out.strip()
    assert ID.match(run), out
    return run


def tree_snapshot(data):
    """Every file under DATA's instances/ and runs/ with a hash of its content."""
    root = pathlib.Path(data)
    snapshot = {}
    for sub in ("instances", "runs"):
        for path in sorted((root / sub).rglob("*")):
            if path.is_file():
                snapshot[str(path.relative_to(root))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return snapshot


@pytest.fixture
def data(tmp_path):
    """This test's data directory (what the test started under it ends with the test:
    conftest.py)."""
    return tmp_path / "data"


# --------------------------------------------------------------------------------------------
# 1. experiments


def test_experiments_text_lists_demo_with_fields(data):
    out = ok("experiments")
    assert "demo" in out
    for field in DEMO_FIELDS:
        assert field in out


def test_experiments_json_has_json_schema(data):
    listing = ok_json("experiments")
    assert set(listing) == {"experiments", "broken"}
    experiments = listing["experiments"]
    for experiment in experiments:
        assert {"name", "description", "config_schema"} <= set(experiment)
    demo = next(e for e in experiments if e["name"] == "demo")
    assert demo["description"]
    schema = demo["config_schema"]
    assert schema["type"] == "object"
    assert schema["additionalProperties"] is False
    assert list(schema["properties"]) == DEMO_FIELDS
    for field, default in DEMO_DEFAULTS.items():
        assert schema["properties"][field]["type"] == "integer"
        assert schema["properties"][field]["default"] == default
    assert schema["properties"]["iterations"]["minimum"] == 1
    assert schema["properties"]["iterations"]["maximum"] == 1_000_000
    assert schema["properties"]["delay_ms"]["minimum"] == 0
    assert schema["properties"]["delay_ms"]["maximum"] == 60000


# --------------------------------------------------------------------------------------------
# 2. create


def test_create_prints_id_and_records_instance(data):
    out = ok("create", "demo", "--name", "N", "--set", "iterations=50", "--set", "delay_ms=1", data=data)
    instance = out.strip()
    assert ID.match(instance), out
    journal = data / "instances" / f"{instance}.jsonl"
    assert journal.exists()
    events = json_lines(journal.read_text())
    assert [e["type"] for e in events] == ["instance_created"]
    assert events[0]["config"] == {"iterations": 50, "delay_ms": 1, "fail_at": 0, "crash_at": 0}


def test_create_json_prints_instance_with_defaults(data):
    obj = ok_json("create", "demo", "--name", "J", "--description", "d", "--set", "delay_ms=1", data=data)
    assert list(obj) == [
        "instance", "name", "description", "experiment", "config", "resources", "created_at", "updated_at", "deleted",
        "run_count", "last_run",
    ]
    assert obj["run_count"] == 0 and obj["last_run"] is None
    assert ID.match(obj["instance"])
    assert obj["name"] == "J" and obj["description"] == "d" and obj["experiment"] == "demo"
    assert obj["config"] == {**DEMO_DEFAULTS, "delay_ms": 1}
    assert obj["deleted"] is False
    assert obj["created_at"] == obj["updated_at"]


def test_create_with_config_json(data):
    obj = ok_json("create", "demo", "--name", "C", "--config", '{"iterations":5}', data=data)
    assert obj["config"] == {**DEMO_DEFAULTS, "iterations": 5}


@pytest.mark.parametrize(
    "args, message",
    [
        (["nosuch", "--name", "x"], 'unknown experiment "nosuch"'),
        (["demo", "--name", "x", "--set", "iterations=0"], "iterations: 0 is below the minimum 1"),
        (["demo", "--name", "x", "--set", "iterations=1000001"], "iterations"),
        (["demo", "--name", "x", "--set", "bogus=1"], "bogus: unknown field"),
        (["demo", "--name", "x", "--set", "iterations=abc"], "expected an integer"),
        (["demo", "--name", "x", "--config", "{"], "--config is not valid JSON"),
        (["demo", "--name", "x", "--config", "[1]"], "expected an object"),
        (["demo", "--name", "x", "--set", "novalue"], "--set novalue: expected key=value"),
        (["demo"], "--name"),
    ],
    ids=["unknown-experiment", "below-minimum", "above-maximum", "unknown-field", "wrong-type",
         "malformed-config", "config-not-object", "set-without-value", "missing-name"],
)
def test_create_rejects_bad_input_and_records_nothing(data, args, message):
    create(data, "existing")  # the directory exists and holds one instance
    before = tree_snapshot(data)
    p = fails("create", *args, message=message, data=data)
    assert p.stdout == ""
    assert p.stderr.strip().startswith("Error:"), p.stderr
    assert tree_snapshot(data) == before


# --------------------------------------------------------------------------------------------
# 3. instances, update, delete


def test_instances_lists_with_run_counts(data):
    idle = create(data, "Idle")
    busy, run = completed_run(data)
    text = ok("instances", data=data)
    assert "Idle" in text and "N" in text
    listed = {i["instance"]: i for i in ok_json("instances", data=data)}
    assert set(listed) == {idle, busy}
    assert listed[idle]["run_count"] == 0 and listed[idle]["last_run"] is None
    assert listed[busy]["run_count"] == 1
    assert listed[busy]["last_run"]["run"] == run
    assert listed[busy]["last_run"]["status"] == "completed"


def test_update_name_and_config(data):
    instance = create(data, "Old", iterations=50, delay_ms=1)
    other = create(data, "Other")
    prefix = shortest_prefix(instance, [instance, other])
    out = ok("update", prefix, "--name", "X", "--set", "iterations=7", data=data)
    assert instance in out
    listed = {i["instance"]: i for i in ok_json("instances", data=data)}
    assert listed[instance]["name"] == "X"
    assert listed[instance]["config"] == {**DEMO_DEFAULTS, "iterations": 7, "delay_ms": 1}
    assert listed[other]["name"] == "Other", "only the named instance changes"
    events = json_lines((data / "instances" / f"{instance}.jsonl").read_text())
    assert [e["type"] for e in events] == ["instance_created", "instance_updated"]
    # A run snapshots the configuration it ran with.
    summary = run_json(data, instance)
    assert summary["config"]["iterations"] == 7 and summary["result_count"] == 7


def test_update_name_or_description_alone(data):
    """Without --set or --config the configuration stays as it is."""
    instance = create(data, "Old", iterations=5)
    assert ok_json("update", instance, "--name", "New", data=data)["name"] == "New"
    updated = ok_json("update", instance, "--description", "why", data=data)
    assert updated["description"] == "why"
    assert updated["config"] == {**DEMO_DEFAULTS, "iterations": 5}
    events = json_lines((data / "instances" / f"{instance}.jsonl").read_text())
    assert [e["type"] for e in events] == ["instance_created", "instance_updated", "instance_updated"]
    assert "config" not in events[1] and "config" not in events[2], "only the changed fields"


def test_update_rejects_invalid_config_and_records_nothing(data):
    instance = create(data, "U", iterations=5)
    before = tree_snapshot(data)
    fails("update", instance, "--set", "iterations=0", message="iterations: 0 is below the minimum 1", data=data)
    fails("update", instance, "--set", "bogus=1", message="bogus: unknown field", data=data)
    assert tree_snapshot(data) == before


def test_delete_hides_instance_and_refuses_runs(data):
    keep = create(data, "Keep")
    gone = create(data, "Gone")
    out = ok("delete", gone[:10], data=data)
    assert gone in out
    assert (data / "instances" / f"{gone}.jsonl").exists(), "the journal stays on disk"
    listed = ok_json("instances", data=data)
    assert [i["instance"] for i in listed] == [keep]
    assert "Gone" not in ok("instances", data=data)
    everything = {i["instance"]: i for i in ok_json("instances", "--all", data=data)}
    assert set(everything) == {keep, gone}
    assert everything[gone]["deleted"] is True and everything[keep]["deleted"] is False
    before = tree_snapshot(data)
    fails("run", gone, message="is deleted", data=data)
    assert tree_snapshot(data) == before, "no run journal for a deleted instance"


# --------------------------------------------------------------------------------------------
# 4. run


def test_run_writes_complete_journal(data):
    instance = create(data, iterations=50, delay_ms=1)
    p = athanor("run", instance[:6], data=data)
    assert p.returncode == 0, p.stderr
    match = re.match(r"^([0-9a-z]{26}) completed\b", p.stdout.strip())
    assert match, p.stdout
    run = match.group(1)
    assert "Starting 50 iterations" in p.stderr, "the live view shows the log"

    path = data / "runs" / instance / f"{run}.jsonl.zst"
    assert path.exists()
    assert not (data / "runs" / instance / f"{run}.jsonl").exists(), "closing removes the plain file"
    events = zstd_events(path)
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert events[0]["type"] == "run_created"
    assert events[0]["run"] == run and events[0]["instance"] == instance
    assert events[0]["experiment"] == "demo"
    assert events[0]["config"] == {"iterations": 50, "delay_ms": 1, "fail_at": 0, "crash_at": 0}
    assert events[1]["type"] == "run_started"
    assert events[-1]["type"] == "run_completed"
    results = [e for e in events if e["type"] == "result"]
    assert [r["key"] for r in results] == [f"iteration_{i}" for i in range(1, 51)]
    progress = [e for e in events if e["type"] == "progress"]
    assert progress and progress[-1]["current"] == 50 and progress[-1]["total"] == 50
    types = {e["type"] for e in events}
    assert types == {"run_created", "run_started", "log", "result", "metric", "progress", "run_completed"}


def test_run_json_prints_summary(data):
    instance = create(data, iterations=50, delay_ms=1)
    summary = run_json(data, instance)
    assert ID.match(summary["run"])
    assert summary["instance"] == instance
    assert summary["status"] == "completed"
    assert summary["result_count"] == 50
    assert summary["progress"]["current"] == 50 and summary["progress"]["total"] == 50
    assert summary["log_counts"] == {"debug": 50, "info": 2, "warn": 0, "error": 0}
    assert summary["error"] is None
    assert summary["config"] == {"iterations": 50, "delay_ms": 1, "fail_at": 0, "crash_at": 0}


# --------------------------------------------------------------------------------------------
# 5. exit statuses


def test_run_failing_experiment_exits_1(data):
    instance = create(data, iterations=5, delay_ms=1, fail_at=3)
    p = athanor("run", instance, data=data)
    assert p.returncode == 1, (p.stdout, p.stderr)
    run = p.stdout.split()[0]
    assert "failed" in p.stdout and "fail_at" in p.stdout
    summary = show(data, run)
    assert summary["status"] == "failed"
    assert "fail_at" in summary["error"]
    assert zstd_events(journal_path(data, run))[-1]["type"] == "run_failed"


def test_run_crashing_worker_exits_1_and_cli_survives(data):
    instance = create(data, iterations=5, delay_ms=1, crash_at=2)
    p = athanor("run", instance, data=data)
    assert p.returncode == 1, (p.stdout, p.stderr)
    run = p.stdout.split()[0]
    assert ID.match(run), p.stdout
    assert "worker crashed: killed by signal" in p.stdout, "the CLI prints the outcome"
    summary = show(data, run)
    assert summary["status"] == "failed"
    assert summary["error"].startswith("worker crashed: killed by signal"), summary["error"]
    events = zstd_events(journal_path(data, run))
    assert events[-1]["type"] == "run_failed"
    assert [e["key"] for e in events if e["type"] == "result"] == ["iteration_1"], "what was written stays"


def test_run_timeout_fails_the_run(data):
    instance = create(data, **LONG)
    started = time.monotonic()
    p = athanor("run", instance, "--timeout", "0.5", data=data)
    assert time.monotonic() - started < 10
    assert p.returncode == 1, (p.stdout, p.stderr)
    run = p.stdout.split()[0]
    summary = show(data, run)
    assert summary["status"] == "failed"
    assert "timed out" in summary["error"]
    assert live_processes(run) == [], "the worker is gone"


def test_run_rejects_bad_timeout(data):
    instance = create(data)
    before = tree_snapshot(data)
    fails("run", instance, "--timeout", "0", message="--timeout", data=data)
    fails("run", instance, "--grace", "-1", message="--grace", data=data)
    assert tree_snapshot(data) == before


def test_foreground_run_cancelled_from_another_process_exits_130(data):
    instance = create(data, **LONG)
    proc = support.spawn([ATHANOR, "run", instance, "--data", data], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, env=base_env())
    try:
        run = wait_until(lambda: next(iter(pathlib.Path(data).glob("runs/*/*.jsonl")), None), 10, "the journal")
        run = run.name.removesuffix(".jsonl")
        wait_for_worker(data, run)
        ok("cancel", run, data=data)
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        support.end_group(proc)
    assert proc.returncode == 130, (proc.returncode, stdout, stderr)
    assert f"{run} cancelled" in stdout
    assert show(data, run)["status"] == "cancelled"


def test_foreground_run_ctrl_c_cancels_gracefully(data):
    instance = create(data, **LONG)
    proc = support.spawn([ATHANOR, "run", instance, "--data", data], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, env=base_env())
    try:
        journal = wait_until(lambda: next(iter(pathlib.Path(data).glob("runs/*/*.jsonl")), None), 10, "the journal")
        run = journal.name.removesuffix(".jsonl")
        wait_for_worker(data, run)
        # Ctrl-C in a terminal signals the whole foreground process group, the worker included
        # when it shares the group of `athanor run`: the run must still end as cancelled.
        os.killpg(proc.pid, signal.SIGINT)
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        support.end_group(proc)
    assert proc.returncode == 130, (proc.returncode, stdout, stderr)
    summary = show(data, run)
    assert summary["status"] == "cancelled"
    assert summary["forced"] is False


# --------------------------------------------------------------------------------------------
# 6. detach and cancel


def test_detach_then_cancel_from_another_process(data):
    instance = create(data, **LONG)
    run = detach(data, instance)
    wait_for_worker(data, run)
    assert show(data, run)["status"] == "running"
    p = athanor("cancel", run[:12], data=data)
    assert p.returncode == 0, p.stderr
    assert run in p.stdout

    def cancelled():
        summary = show(data, run)
        return summary if summary["status"] == "cancelled" else None

    summary = wait_until(cancelled, 5, "the run to end as cancelled")
    assert summary["error"] == "cancelled from the command line"
    assert summary["forced"] is False
    events = zstd_events(wait_closed(data, run))
    assert events[-1]["type"] == "run_cancelled"
    assert events[-1]["reason"] == "cancelled from the command line"
    wait_until(lambda: live_processes(run) == [], 5, "the supervisor and worker to exit")
    assert not list(data.glob("runs/*/*.stop")), "the stop marker is cleared"

    fails("cancel", run, message="already ended", data=data)


def test_detach_json_prints_run_and_journal(data):
    instance = create(data, iterations=3, delay_ms=1)
    out = json.loads(ok("run", instance, "--detach", "--json", data=data, timeout=60))
    assert ID.match(out["run"])
    assert out["run"] in out["journal"]
    wait_closed(data, out["run"])
    assert show(data, out["run"])["status"] == "completed"


def test_detached_run_is_not_recovered_as_interrupted(data):
    """A command run right after `run --detach` (as its help suggests: `logs RUN --follow`)
    must see the run pending or running, not "recover" it as interrupted before its worker has
    opened the journal."""
    instance = create(data, **SHORT)
    for _ in range(3):
        run = detach(data, instance)
        summary = show(data, run)
        assert summary["status"] in ("pending", "running"), summary
        lines = ok("logs", run, "--follow", data=data).splitlines()
        assert len(lines) == SHORT["iterations"] + 2 and "Done" in lines[-1], lines
        assert show(data, run)["status"] == "completed"


# --------------------------------------------------------------------------------------------
# 7. recovery after kill -9


def test_killed_run_is_recovered_without_losing_lines(data):
    instance = create(data, **LONG)
    run = detach(data, instance)
    wait_for_worker(data, run)
    assert show(data, run)["status"] == "running"
    plain = journal_path(data, run)
    assert plain.suffix == ".jsonl"
    # Some iterations recorded (each adds a log line, a result and a progress line).
    wait_until(lambda: plain.read_bytes().count(b"\n") >= 12, 10, "the run to record a few iterations")
    relative = str(plain.relative_to(data))
    pids = live_processes(relative)
    commands = {pid: pathlib.Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[1] for pid in pids}
    assert sorted(commands.values()) == [b"supervise", b"worker"], commands
    # Both killed at once, as by a power cut: stopped first (so that neither sees the other
    # die), then killed.
    def stopped(pid):
        found = support.leftovers.stat(pid)
        return found is None or found[0] in ("T", "t", "Z", "X")

    for pid in sorted(pids, key=lambda pid: commands[pid] != b"worker"):
        os.kill(pid, signal.SIGSTOP)
    wait_until(lambda: all(stopped(pid) for pid in pids), 5, "the supervisor and the worker to stop")
    for pid in pids:
        os.kill(pid, signal.SIGKILL)
    wait_until(lambda: live_processes(relative) == [], 5, "the killed processes to die")

    before = plain.read_bytes()
    before_lines = before[: before.rfind(b"\n") + 1].splitlines(keepends=True)  # complete lines only
    assert len(before_lines) > 3

    runs = {r["run"]: r for r in ok_json("runs", data=data)}
    assert runs[run]["status"] == "failed"
    assert runs[run]["error"].startswith("interrupted:"), runs[run]["error"]

    closed = journal_path(data, run)
    assert closed.name == f"{run}.jsonl.zst" and not plain.exists()
    after_lines = zstd_bytes(closed).splitlines(keepends=True)
    assert after_lines[: len(before_lines)] == before_lines, "nothing already written is lost"
    assert len(after_lines) == len(before_lines) + 1
    last = json.loads(after_lines[-1])
    assert last["type"] == "run_failed" and last["seq"] == len(after_lines)


# --------------------------------------------------------------------------------------------
# 8. runs, show, logs, results, replay


def test_runs_lists_and_filters(data):
    a = create(data, "Alpha", iterations=3, delay_ms=1)
    b = create(data, "Beta", iterations=3, delay_ms=1, fail_at=2)
    ra = run_json(data, a)["run"]
    rb = run_json(data, b, expect=1)["run"]

    text = ok("runs", data=data)
    assert "status" in text.lower()
    assert ra[:12] in text and rb[:12] in text
    assert "completed" in text and "failed" in text

    listed = ok_json("runs", data=data)
    assert isinstance(listed, list)
    assert {r["run"]: r["status"] for r in listed} == {ra: "completed", rb: "failed"}

    assert [r["run"] for r in ok_json("runs", a[:10], data=data)] == [ra]
    assert [r["run"] for r in ok_json("runs", b, data=data)] == [rb]
    assert [r["run"] for r in ok_json("runs", "--status", "completed", data=data)] == [ra]
    assert [r["run"] for r in ok_json("runs", "--status", "failed", data=data)] == [rb]
    assert ok_json("runs", "--status", "cancelled", data=data) == []

    p = fails("runs", "--status", "bogus", message="bogus", data=data)
    assert p.returncode == 64, "a usage error"


def test_show_text_and_json(data):
    instance, run = completed_run(data)
    text = ok("show", run[:10], data=data)
    assert "status" in text and "completed" in text and run in text
    summary = ok_json("show", run[:10], data=data)
    assert summary["run"] == run and summary["instance"] == instance
    assert summary["status"] == "completed"
    assert summary["result_count"] == 50
    journal = pathlib.Path(summary["journal"])
    assert run in journal.name
    closed = journal if journal.name.endswith(".zst") else journal.with_name(journal.name + ".zst")
    assert closed.exists(), summary["journal"]


def test_logs_filters(data):
    _, run = completed_run(data)
    everything = ok("logs", run, data=data).splitlines()
    assert len(everything) == 52
    assert "Starting 50 iterations" in everything[0]
    assert "Iteration 1" in everything[1]

    info = ok("logs", run, "--level", "info", data=data).splitlines()
    assert len(info) == 2
    assert "Starting 50 iterations" in info[0] and "Done" in info[1]
    assert not any("Iteration " in line for line in info)

    last = ok("logs", run, "--limit", "3", data=data).splitlines()
    assert len(last) == 3 and last == everything[-3:]

    logs = json_lines(ok("logs", run, "--json", data=data))
    assert len(logs) == 52
    for entry in logs:
        assert {"seq", "ts", "level", "message", "metadata"} <= set(entry)
    assert logs[0]["level"] == "info" and logs[0]["message"] == "Starting 50 iterations"
    assert logs[1] == {**logs[1], "level": "debug", "message": "Iteration 1", "metadata": {"iteration": 1}}
    assert [e["seq"] for e in logs] == sorted(e["seq"] for e in logs)

    info_json = json_lines(ok("logs", run, "--level", "info", "--json", data=data))
    assert {e["level"] for e in info_json} == {"info"}

    fails("logs", run, "--level", "loud", message="loud", data=data)


def test_logs_follow_ends_with_the_run(data):
    instance = create(data, **SHORT)
    run = detach(data, instance)
    wait_for_worker(data, run)
    lines = ok("logs", run, "--follow", data=data, timeout=20).splitlines()
    assert show(data, run)["status"] == "completed"
    assert lines == ok("logs", run, data=data).splitlines()
    assert len(lines) == SHORT["iterations"] + 2


def test_results(data):
    _, run = completed_run(data)
    lines = ok("results", run, data=data).splitlines()
    assert len(lines) == 50
    for i, line in enumerate(lines, start=1):
        key, value = line.split(None, 1)
        assert key == f"iteration_{i}"
        assert json.loads(value)["iteration"] == i

    one = ok_json("results", run, "--key", "iteration_2", data=data)
    assert one["key"] == "iteration_2"
    assert one["value"]["iteration"] == 2 and one["value"]["even"] is True

    text = ok("results", run, "--key", "iteration_2", data=data).strip()
    assert text.startswith("iteration_2") and text.count("\n") == 0

    fails("results", run, "--key", "nope", message='no result with key "nope"', data=data)


def test_replay(data):
    _, run = completed_run(data)
    path = journal_path(data, run)
    lines = ok("replay", run, data=data).splitlines()
    assert len(lines) == len(zstd_events(path))
    assert "run_created" in lines[0]
    assert "run_completed" in lines[-1]

    p = support.run([ATHANOR, "replay", run, "--json", "--data", data], capture_output=True, timeout=TIMEOUT,
                    env=base_env())
    assert p.returncode == 0
    assert p.stdout == zstd_bytes(path), "replay --json prints the journal's bytes"

    p = support.run([ATHANOR, "cat", path], capture_output=True, timeout=TIMEOUT, env=base_env())
    assert p.returncode == 0 and p.stdout == zstd_bytes(path)


def test_replay_follow_ends_with_the_run(data):
    instance = create(data, **SHORT)
    run = detach(data, instance)
    wait_for_worker(data, run)
    text = ok("replay", run, "--follow", data=data, timeout=20).splitlines()
    assert "run_created" in text[0] and "run_completed" in text[-1]

    run = detach(data, instance)
    wait_for_worker(data, run)
    p = support.run([ATHANOR, "replay", run, "--follow", "--json", "--data", data], capture_output=True,
                    timeout=20, env=base_env())
    assert p.returncode == 0, p.stderr
    assert p.stdout == zstd_bytes(wait_closed(data, run)), "followed to the end, no gaps or repeats"


# --------------------------------------------------------------------------------------------
# 9. IDs


RUN_COMMANDS = [["show"], ["logs"], ["results"], ["replay"], ["cancel"]]
INSTANCE_COMMANDS = [["run"], ["runs"], ["update", "--name", "x"], ["delete"]]


def test_unique_prefixes_work_everywhere(data):
    instance, run = completed_run(data)
    create(data, "Second")
    run_json(data, instance)  # a second run, so that short prefixes could be ambiguous
    # The shortest prefixes that are still unique.
    runs = [r["run"] for r in ok_json("runs", data=data)]
    instances = [i["instance"] for i in ok_json("instances", data=data)]

    rp, ip = shortest_prefix(run, runs), shortest_prefix(instance, instances)
    assert ok_json("show", rp, data=data)["run"] == run
    assert len(ok("logs", rp, data=data).splitlines()) == 52
    assert len(ok("results", rp, data=data).splitlines()) == 50
    assert "run_completed" in ok("replay", rp, data=data)
    assert {r["instance"] for r in ok_json("runs", ip, data=data)} == {instance}
    assert ok_json("update", ip, "--set", "iterations=9", data=data)["config"]["iterations"] == 9
    fails("cancel", rp, message="already ended", data=data)


@pytest.mark.parametrize("command", RUN_COMMANDS + INSTANCE_COMMANDS, ids=lambda c: c[0])
def test_bad_ids_are_rejected_and_touch_nothing(tmp_path, data, command):
    a = create(data, "A", iterations=2, delay_ms=0)
    create(data, "B", iterations=2, delay_ms=0)
    run_json(data, a)
    run_json(data, a)
    kind = "run" if command in RUN_COMMANDS else "instance"
    before = tree_snapshot(data)
    name, rest = command[0], command[1:]
    fails(name, "zzzz", *rest, message=f'no {kind} with an ID starting "zzzz"', data=data)
    fails(name, "0", *rest, message="matches", data=data)
    for bad in ["../x", "/etc/passwd", "../../" + a, a + "/..", ""]:
        # `replay` also takes journal files, so a path is looked up as one (and is not there).
        expected = "journal" if name == "replay" and "/" in bad else f"is not a valid {kind} ID"
        fails(name, bad, *rest, message=expected, data=data)
    assert tree_snapshot(data) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data"], "nothing written outside the data directory"


# --------------------------------------------------------------------------------------------
# 10. verify


def test_verify_accepts_a_data_dir_with_every_kind_of_run(data):
    runs = {}
    runs["completed"] = completed_run(data, iterations=5)[1]
    runs["failed"] = run_json(data, create(data, "F", iterations=5, delay_ms=1, fail_at=2), expect=1)["run"]
    runs["crashed"] = run_json(data, create(data, "C", iterations=5, delay_ms=1, crash_at=2), expect=1)["run"]
    long = create(data, "L", **LONG)
    runs["cancelled"] = detach(data, long)
    wait_for_worker(data, runs["cancelled"])
    ok("cancel", runs["cancelled"], data=data)
    wait_until(lambda: show(data, runs["cancelled"])["status"] == "cancelled", 5, "the cancel")
    wait_closed(data, runs["cancelled"])
    runs["timed out"] = run_json(data, long, "--timeout", "0.3", expect=1)["run"]
    update = create(data, "Updated")
    ok("update", update, "--name", "Renamed", "--set", "iterations=3", data=data)
    ok("delete", update, data=data)
    statuses = {r["run"]: r["status"] for r in ok_json("runs", data=data)}
    assert sorted(statuses.values()) == ["cancelled", "completed", "failed", "failed", "failed"]

    p = athanor("verify", data)
    assert p.returncode == 0, p.stdout + p.stderr
    for run in runs.values():
        assert run in p.stdout
    for path in (data / "instances").iterdir():
        assert path.name in p.stdout, "instance journals are checked too"
    assert "FAIL" not in p.stdout

    # the same with the data directory as an option, and of one run named by an ID prefix
    p = athanor("verify", data=data)
    assert p.returncode == 0, p.stdout + p.stderr
    assert all(run in p.stdout for run in runs.values())
    everything = [r["run"] for r in ok_json("runs", data=data)]
    p = athanor("verify", shortest_prefix(runs["crashed"], everything), data=data)
    assert p.returncode == 0, p.stdout + p.stderr
    assert runs["crashed"] in p.stdout and runs["completed"] not in p.stdout

    # and it does find a real problem
    closed = journal_path(data, runs["completed"])
    damaged = data / "runs" / "damaged.jsonl"
    damaged.write_bytes(zstd_bytes(closed).replace(b'"seq":3,', b'"seq":4,', 1))
    p = athanor("verify", "--quiet", data)
    assert p.returncode == 1
    assert "damaged.jsonl" in p.stdout and runs["completed"] not in p.stdout


# --------------------------------------------------------------------------------------------
# the data directory


def test_default_data_directory_is_dot_data(tmp_path):
    instance = ok("create", "demo", "--name", "Here", "--set", "iterations=3", "--set", "delay_ms=1",
                  cwd=tmp_path).strip()
    assert (tmp_path / "data" / "instances" / f"{instance}.jsonl").exists()
    assert [i["instance"] for i in ok_json("instances", cwd=tmp_path)] == [instance]
    summary = json.loads(ok("run", instance, "--json", cwd=tmp_path))
    assert summary["status"] == "completed"
    assert (tmp_path / "data" / "runs" / instance / f"{summary['run']}.jsonl.zst").exists()


def test_athanor_data_environment_variable(tmp_path):
    env = base_env(ATHANOR_DATA=str(tmp_path / "from-env"))
    instance = ok("create", "demo", "--name", "Env", cwd=tmp_path, env=env).strip()
    assert (tmp_path / "from-env" / "instances" / f"{instance}.jsonl").exists()
    assert not (tmp_path / "data").exists()
    assert [i["instance"] for i in ok_json("instances", cwd=tmp_path, env=env)] == [instance]
    # --data wins over the environment
    other = tmp_path / "flag"
    assert ok_json("instances", data=other, cwd=tmp_path, env=env) == []


def test_metrics_and_compare(data):
    """`athanor metrics` and `athanor compare` on runs the binary recorded (demo records `loss`
    at every iteration)."""
    _, first = completed_run(data, iterations=30, delay_ms=0)
    _, second = completed_run(data, iterations=12, delay_ms=0)
    summary = ok_json("metrics", first, data=data)
    loss = summary["metrics"]["loss"]
    journal = [json.loads(line) for line in ok("replay", first, "--json", "--type", "metric", data=data).splitlines()]
    values = [(line["step"], line["value"]) for line in journal]
    assert loss["count"] == 30 == len(values)
    assert (loss["first"]["step"], loss["first"]["value"]) == values[0]
    assert (loss["last"]["step"], loss["last"]["value"]) == values[-1]
    assert loss["min"]["value"] == min(v for _, v in values) and loss["max"]["value"] == max(v for _, v in values)
    table = ok("metrics", first, data=data).splitlines()
    assert table[0].split()[:5] == ["KEY", "POINTS", "LAST", "MIN", "MAX"]
    row = table[1].split()
    assert row[0] == "loss" and row[1] == "30" and any(ch in table[1] for ch in "▁▂▃▄▅▆▇█")
    fails("metrics", first, "--key", "accuracy", message='has no metric "accuracy"', data=data)

    compared = ok_json("compare", first, second, data=data)
    assert [run["run"] for run in compared["runs"]] == [first, second]
    config = {row["key"]: row for row in compared["config"]}
    assert config["iterations"]["differs"] and config["iterations"]["values"] == [30, 12]
    assert not config["delay_ms"]["differs"]
    metrics = {row["key"]: row["values"] for row in compared["metrics"]}
    assert [value["count"] for value in metrics["loss"]] == [30, 12]
    text = ok("compare", first, second, data=data)
    assert "configuration: 1 of 4 keys differ" in text and "iterations" in text and "delay_ms" not in text
    fails("compare", first, message="at least two runs", data=data)
