"""Experiments written in Python, or in any language that speaks the run protocol
(docs/run-protocol.md), end to end: real `athanor` processes, real journals, real programs.

- discovery from experiment folders (`--experiments`, ATHANOR_EXPERIMENTS, ./experiments), the
  files skipped, and the listing with language, file and configuration fields in
  `athanor experiments` (text and --json), GET /api/experiments and MCP `list_available_modules`;
- broken files (an import error, a program that cannot describe itself, a name declared twice or
  taken by a Swift experiment) listed with their errors, never hiding the others;
- configuration validated by Athanor with field paths, through the CLI, the HTTP API and MCP,
  nothing created on an error;
- a Python run recording logs with metadata, log batches, metrics (keys in order), results and
  progress after `run_started`; every way a program can end (exception, `ctx.fail`, exit
  statuses, NaN); a shell script speaking the protocol by hand, and the lines that fail a run;
- cancellation, graceful and forced, of synchronous and async experiments, with the processes the
  program spawned gone afterwards;
- `athanor serve` picking up new, edited, broken and removed files without a restart;
- `--python` and ATHANOR_PYTHON.

The SDK is not installed: PYTHONPATH points the programs at tools/python. Every command runs in
a scratch directory (so no ./experiments of the checkout is discovered) through support.run, and
every process is ended with its test (conftest.py)."""

import asyncio
import json
import os
import pathlib
import re
import secrets
import stat
import textwrap

import pytest

import support
from support import ATHANOR, wait_until

REPO = pathlib.Path(__file__).resolve().parents[2]
os.environ["PYTHONPATH"] = str(REPO / "tools" / "python") + os.pathsep + os.environ.get("PYTHONPATH", "")

TIMEOUT = 60  # seconds, for any one command or condition
SWIFT = {"demo", "substrate_shift", "synthetic"}
BAD_LINE = "the program sent a line that cannot be recorded ("


# --------------------------------------------------------------------------------------------
# the experiment files


SHARED = '''
GREETING = "hello from a sibling module"
'''

SWEEP = '''
import os

import athanor
from athanor import Field
from _shared import GREETING  # a sibling module: files starting with _ are not experiments


@athanor.experiment(name="prompt_sweep", description="Sweeps prompts over a model.", config=[
    Field.string("model", default="small", options=["small", "large"]),
    Field.float("temperature", default=0.7, min=0, max=2, step=0.1),
    Field.integer("samples", default=20, min=1, max=10_000),
    Field.list("prompts", required=True, fields=[Field.string("text", required=True)]),
    Field.group("limits", fields=[Field.integer("max_tokens", default=256, min=1)]),
])
def run(ctx):
    ctx.log("info", GREETING, attempt=1, model=ctx.config["model"])
    ctx.log_batch([("info", "a"), ("warn", "b", {"k": 1}), {"level": "error", "message": "c"}])
    ctx.metric("loss", 0.5, step=4)
    ctx.metrics({"zeta": 0.25, "alpha": 0.75}, step=5)
    ctx.result("config", ctx.config)
    ctx.result("process", {
        "cwd": os.getcwd(),
        "stdin": os.readlink("/proc/self/fd/0"),
        "env": {k: os.environ.get(k) for k in ("ATHANOR_PROTOCOL", "ATHANOR_CALLS_FD", "ATHANOR_CONTROL_FD")},
        "ids": [ctx.run_id, ctx.instance_id],
    })
    ctx.progress(1, 10, "one of ten")
    ctx.complete()
'''

ENDINGS = '''
import asyncio
import os
import signal
import subprocess
import sys

import athanor
from athanor import Field


@athanor.experiment(name="raises")
def raises(ctx):
    ctx.log("info", "before the exception")
    raise ValueError("bad value 42")


@athanor.experiment(name="fails")
def fails(ctx):
    ctx.log("info", "giving up")
    ctx.fail("x")


@athanor.experiment(name="exits_3")
def exits_3(ctx):
    ctx.log("info", "leaving")
    sys.exit(3)


@athanor.experiment(name="os_exit_3")
def os_exit_3(ctx):
    ctx.log("info", "leaving")
    ctx.flush()
    os._exit(3)


@athanor.experiment(name="segfaults")
def segfaults(ctx):
    ctx.log("info", "crashing")
    ctx.flush()
    os.kill(os.getpid(), signal.SIGSEGV)


@athanor.experiment(name="returns")
def returns(ctx):
    ctx.result("done", True)


@athanor.experiment(name="exits_0")
def exits_0(ctx):
    ctx.result("done", True)
    sys.exit(0)


@athanor.experiment(name="nan_metric")
def nan_metric(ctx):
    ctx.metric("loss", 0.5)
    ctx.metric("loss", float("nan"))


@athanor.experiment(name="async_completes")
async def async_completes(ctx):
    await asyncio.sleep(0)
    ctx.log("info", "in a coroutine")
    ctx.result("async", "yes")


def grandchild(marker):
    """A process of the program's own, recognisable by `marker` on its command line."""
    subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)", marker])


@athanor.experiment(name="graceful", config=[Field.string("marker", required=True)])
def graceful(ctx):
    grandchild(ctx.config["marker"])
    ctx.log("info", "waiting")
    ctx.wait_cancelled(600)
    ctx.result("saw_cancel", {"cancelled": ctx.cancelled, "reason": ctx.cancel_reason})


@athanor.experiment(name="stubborn", config=[Field.string("marker", required=True)])
def stubborn(ctx):
    grandchild(ctx.config["marker"])
    ctx.log("info", "waiting")
    while True:
        ctx.wait_cancelled(600)  # and ignores it


@athanor.experiment(name="async_waits")
async def async_waits(ctx):
    ctx.log("info", "waiting")
    try:
        await asyncio.sleep(600)
    except asyncio.CancelledError:
        ctx.result("task_cancelled", ctx.cancelled)
        raise
'''

COUNT_WORDS = r'''#!/bin/sh
# Counts the words of its `text`, speaking the run protocol by hand.
if [ "$1" = describe ]; then
  echo '{"protocol":1,"experiments":[{"name":"count_words","description":"Counts words.","config":[{"name":"text","type":"string","required":true}]}]}'
  exit 0
fi
[ "$1 $2" = "run count_words" ] || exit 9
read -r start <&4
text=$(printf '%s' "$start" | python3 -c 'import json,sys; print(json.load(sys.stdin)["config"]["text"])')
count=$(printf '%s\n' "$text" | wc -w)
echo '{"call":"log","level":"info","message":"counting","metadata":{"shell":true}}' >&3
echo "{\"call\":\"result\",\"key\":\"words\",\"value\":$count}" >&3
echo '{"call":"progress","current":1,"total":1}' >&3
echo '{"call":"complete"}' >&3
'''

BAD_LINES = r'''#!/bin/sh
# One experiment per kind of line that cannot be recorded.
if [ "$1" = describe ]; then
  echo '{"protocol":1,"experiments":[{"name":"bad_malformed"},{"name":"bad_nan"},{"name":"bad_call"},{"name":"bad_long"}]}'
  exit 0
fi
read -r start <&4
echo '{"call":"log","level":"info","message":"before the bad line"}' >&3
case "$2" in
  bad_malformed) echo '{"call":"log","level":"info","message":' >&3 ;;
  bad_nan) echo '{"call":"metric","key":"loss","value":NaN}' >&3 ;;
  bad_call) echo '{"call":"explode","why":"testing"}' >&3 ;;
  bad_long) printf '{"call":"nope","pad":"%0300d"}\n' 0 >&3 ;;
esac
echo '{"call":"log","level":"info","message":"after the bad line"}' >&3
read -r never <&4
'''

BAD_IMPORT = '''
import athanor
import no_such_module_for_athanor_tests
'''


def experiment_file(name, description="", body="ctx.result('ok', True)"):
    """A Python file declaring one experiment `name`."""
    return textwrap.dedent(f'''
        import athanor


        @athanor.experiment(name={name!r}, description={description!r})
        def run(ctx):
            {body}
    ''')


def write(folder, name, text, executable=False):
    path = pathlib.Path(folder) / name
    path.write_text(text)
    if executable:
        path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return path


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """The module's experiment folder, data directory and scratch working directory."""
    root = tmp_path_factory.mktemp("programs")
    folder = root / "experiments-here"
    folder.mkdir()
    write(folder, "_shared.py", SHARED)
    write(folder, "sweep.py", SWEEP)
    write(folder, "endings.py", ENDINGS)
    write(folder, "count_words", COUNT_WORDS, executable=True)
    write(folder, "bad_lines", BAD_LINES, executable=True)
    # Never asked: hidden, underscored, or neither Python nor executable.
    write(folder, ".hidden.py", "raise RuntimeError('a hidden file is never asked')\n")
    write(folder, "_private.py", "raise RuntimeError('an underscored file is never asked')\n")
    write(folder, "_tool", "#!/bin/sh\necho not json\nexit 1\n", executable=True)
    write(folder, "notes.txt", "not an experiment\n")
    cwd = root / "cwd"
    cwd.mkdir()
    return Lab(folder, root / "data", cwd)


def environment(**extra):
    """The test's environment without the variables that would choose folders, interpreter or
    data for the command (the tests pass them explicitly)."""
    env = {k: v for k, v in os.environ.items() if k not in ("ATHANOR_EXPERIMENTS", "ATHANOR_PYTHON", "ATHANOR_DATA")}
    return {**env, **extra}


class Lab:
    """The module's experiment folder, data directory and working directory, with the commands
    the tests run against them."""

    def __init__(self, folder, data, cwd):
        self.folder, self.data, self.cwd = folder, data, cwd

    def athanor(self, *arguments, folders=None, env=None, timeout=TIMEOUT):
        """`athanor ARGUMENTS --data DATA --experiments F…` in the scratch directory."""
        options = [a for f in (folders if folders is not None else [self.folder]) for a in ("--experiments", f)]
        return support.run([ATHANOR, *arguments, "--data", self.data, *options], capture_output=True, text=True,
                           cwd=self.cwd, env=env or environment(), timeout=timeout)

    def ok(self, *arguments, **options):
        done = self.athanor(*arguments, **options)
        assert done.returncode == 0, f"athanor {arguments}: exit {done.returncode}\n{done.stderr}"
        return done.stdout

    def json(self, *arguments, **options):
        return json.loads(self.ok(*arguments, "--json", **options))

    def create(self, experiment, config=None, **options):
        return self.json("create", experiment, "--name", f"{experiment} test", "--config", json.dumps(config or {}),
                         **options)["instance"]

    def run(self, experiment, config=None, **options):
        """Creates an instance and runs it in the foreground: the run's summary."""
        instance = self.create(experiment, config, **options)
        done = self.athanor("run", instance, "--json", **options)
        assert done.returncode in (0, 1), done.stderr
        summary = json.loads(done.stdout)
        assert done.returncode == (0 if summary["status"] == "completed" else 1), (done.returncode, summary)
        return summary

    def show(self, run):
        return self.json("show", run)

    def events(self, run):
        """The run's journal, as the JSON events it holds."""
        done = support.run([ATHANOR, "cat", self.show(run)["journal"]], capture_output=True, text=True,
                           timeout=TIMEOUT)
        assert done.returncode == 0, done.stderr
        events = json_lines(done.stdout)
        assert [e["seq"] for e in events] == list(range(1, len(events) + 1)), events
        return events

    def detach(self, experiment, config=None, grace=30, timeout=None):
        """Starts a run in the background: its ID once its program has logged "waiting"."""
        instance = self.create(experiment, config)
        limit = ["--timeout", str(timeout)] if timeout else []
        run = self.ok("run", instance, "--detach", "--grace", str(grace), *limit).strip()
        wait_until(lambda: any(e["message"] == "waiting" for e in json_lines(self.ok("logs", run, "--json"))),
                   TIMEOUT, f"the {experiment} program to start waiting")
        return run

    def ended(self, run):
        """Waits for the run to end; its summary."""
        return wait_until(lambda: (s := self.show(run))["finished_at"] and s, TIMEOUT, "the run to end")


def json_lines(text):
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def programs(listing):
    """The experiments of a listing that are not Swift ones, by name."""
    return {e["name"]: e for e in listing if e["language"] != "swift"}


# --------------------------------------------------------------------------------------------
# 1. discovery and listing


SWEEP_FIELDS = [
    ("model", "string", {"default": "small", "options": ["small", "large"], "required": False}),
    ("temperature", "float", {"default": 0.7, "min": 0, "max": 2, "step": 0.1}),
    ("samples", "integer", {"default": 20, "min": 1, "max": 10000}),
    ("prompts", "list", {"required": True}),
    ("limits", "group", {}),
]


def test_experiments_json_lists_python_and_program_files(lab):
    listing = lab.json("experiments")
    assert listing["broken"] == []
    by_name = {e["name"]: e for e in listing["experiments"]}
    assert {n: by_name[n]["language"] for n in SWIFT} == dict.fromkeys(SWIFT, "swift")
    assert all(by_name[n]["file"] is None for n in SWIFT)
    assert set(programs(listing["experiments"])) == {
        "prompt_sweep", "raises", "fails", "exits_3", "os_exit_3", "segfaults", "returns", "exits_0", "nan_metric",
        "async_completes", "graceful", "stubborn", "async_waits", "count_words",
        "bad_malformed", "bad_nan", "bad_call", "bad_long"}

    sweep = by_name["prompt_sweep"]
    assert (sweep["language"], sweep["description"]) == ("python", "Sweeps prompts over a model.")
    assert pathlib.Path(sweep["file"]) == (lab.folder / "sweep.py").resolve()
    assert [(f["name"], f["type"]) for f in sweep["fields"]] == [(n, t) for n, t, _ in SWEEP_FIELDS]
    for field, (_, _, expected) in zip(sweep["fields"], SWEEP_FIELDS):
        assert {k: field[k] for k in expected} == expected, field
    prompts, limits = sweep["fields"][3], sweep["fields"][4]
    assert [(f["name"], f["type"], f["required"]) for f in prompts["fields"]] == [("text", "string", True)]
    assert [(f["name"], f["default"], f["min"]) for f in limits["fields"]] == [("max_tokens", 256, 1)]
    schema = sweep["config_schema"]
    assert schema["required"] == ["prompts"] and schema["additionalProperties"] is False
    assert schema["properties"]["model"]["enum"] == ["small", "large"]
    assert schema["properties"]["prompts"]["items"]["required"] == ["text"]

    words = by_name["count_words"]
    assert (words["language"], words["description"]) == ("program", "Counts words.")
    assert pathlib.Path(words["file"]) == (lab.folder / "count_words").resolve()
    assert [(f["name"], f["type"], f["required"]) for f in words["fields"]] == [("text", "string", True)]
    assert by_name["graceful"]["file"] == by_name["raises"]["file"]  # one file, several experiments


def test_experiments_text_names_the_language_and_file(lab):
    text = lab.ok("experiments")
    sweep = (lab.folder / "sweep.py").resolve()
    assert f"prompt_sweep: Sweeps prompts over a model. [python: {sweep}]" in text, text
    assert f"count_words: Counts words. [program: {(lab.folder / 'count_words').resolve()}]" in text, text
    assert re.search(r"^  model: one of small, large \(default \"small\"\)", text, re.M), text
    assert re.search(r"^  prompts: list \(required\)", text, re.M), text
    assert "demo: " in text and "broken" not in text


def test_folders_from_the_environment_and_the_working_directory(lab, tmp_path):
    first, second, here = tmp_path / "first", tmp_path / "second", tmp_path / "here"
    for folder, name in ((first, "from_first"), (second, "from_second"), (here / "experiments", "from_cwd")):
        folder.mkdir(parents=True)
        write(folder, f"{name}.py", experiment_file(name))

    def listed(folders=(), **options):
        done = support.run([ATHANOR, "experiments", "--json", "--data", lab.data, *folders], capture_output=True,
                           text=True, timeout=TIMEOUT, **options)
        assert done.returncode == 0, done.stderr
        return set(programs(json.loads(done.stdout)["experiments"]))

    assert listed(env=environment(ATHANOR_EXPERIMENTS=f"{first}{os.pathsep}{second}"), cwd=here) == {
        "from_first", "from_second"}
    assert listed(env=environment(), cwd=here) == {"from_cwd"}  # ./experiments by default
    assert listed(env=environment(), cwd=tmp_path) == set()  # no ./experiments: the Swift ones alone
    assert listed(["--experiments", first, "--experiments", second], env=environment(
        ATHANOR_EXPERIMENTS=str(here / "experiments")), cwd=here) == {"from_first", "from_second"}


def test_broken_files_are_listed_with_their_errors_beside_the_others(lab, tmp_path):
    broken = tmp_path / "broken"
    broken.mkdir()
    write(broken, "bad_import.py", BAD_IMPORT)
    write(broken, "needs_gpu", '#!/bin/sh\necho \'{"error": "needs a GPU"}\'\nexit 1\n', executable=True)
    # The name of the shell program in the other folder: both files are broken.
    write(broken, "words_again.py", experiment_file("count_words"))
    listing = lab.json("experiments", folders=[lab.folder, broken])
    problems = {pathlib.Path(p["file"]).name: p for p in listing["broken"]}
    assert set(problems) == {"bad_import.py", "needs_gpu", "words_again.py", "count_words"}
    assert problems["bad_import.py"]["experiment"] is None
    assert problems["bad_import.py"]["error"].startswith(
        "ModuleNotFoundError: No module named 'no_such_module_for_athanor_tests'"), problems["bad_import.py"]
    assert "bad_import.py\", line 3" in problems["bad_import.py"]["error"]  # with its traceback
    assert "needs a GPU" in problems["needs_gpu"]["error"]
    for name in ("words_again.py", "count_words"):
        assert problems[name]["experiment"] == "count_words"
        error = problems[name]["error"]
        assert str((broken / "words_again.py").resolve()) in error and str((lab.folder / "count_words").resolve()) in error, error
    names = set(programs(listing["experiments"]))
    assert "count_words" not in names and {"prompt_sweep", "graceful", "bad_nan"} <= names

    text = lab.ok("experiments", folders=[lab.folder, broken])
    assert f"broken: {(broken / 'bad_import.py').resolve()}" in text, text
    assert "ModuleNotFoundError: No module named 'no_such_module_for_athanor_tests'" in text


# --------------------------------------------------------------------------------------------
# 2. validation


def test_cli_validates_with_field_paths_and_creates_nothing(lab):
    before = lab.json("instances", "--all")
    cases = [
        ({"prompts": [{}], "samples": 0}, ["samples: 0 is below the minimum 1", "prompts[0].text: required"]),
        ({}, ["prompts: required"]),
        ({"prompts": [{"text": "a"}], "limits": {"max_tokens": 0}}, ["limits.max_tokens: 0 is below the minimum 1"]),
        ({"prompts": [{"text": "a"}], "model": "huge"}, ["model: "]),
        ({"prompts": [{"text": "a"}], "bogus": 1}, ["bogus: "]),
    ]
    for config, messages in cases:
        done = lab.athanor("create", "prompt_sweep", "--name", "invalid", "--config", json.dumps(config))
        assert done.returncode != 0, (config, done.stdout)
        for message in messages:
            assert message in done.stderr, (config, done.stderr)
    done = lab.athanor("create", "prompt_sweep", "--name", "invalid", "--set", "samples=10001",
                       "--set", "prompts=[{\"text\": \"a\"}]")
    assert done.returncode != 0 and "samples: 10001 is above the maximum 10000" in done.stderr, done.stderr
    assert lab.json("instances", "--all") == before


# --------------------------------------------------------------------------------------------
# 3. a Python run


def test_a_python_run_records_every_call(lab):
    config = {"prompts": [{"text": "one"}, {"text": "two"}], "samples": 3}
    summary = lab.run("prompt_sweep", config)
    assert summary["status"] == "completed" and summary["error"] is None, summary
    run = summary["run"]
    events = lab.events(run)
    assert [e["type"] for e in events] == [
        "run_created", "run_started", "log", "log", "log", "log", "metric", "metric", "result", "result", "progress",
        "run_completed"]
    logs = [(e["level"], e["message"], e.get("metadata")) for e in events if e["type"] == "log"]
    assert logs == [("info", "hello from a sibling module", {"attempt": 1, "model": "small"}),
                    ("info", "a", None), ("warn", "b", {"k": 1}), ("error", "c", None)]
    metrics = [e for e in events if e["type"] == "metric"]
    assert (metrics[0]["key"], metrics[0]["value"], metrics[0]["step"]) == ("loss", 0.5, 4)
    assert list(metrics[1]["values"].items()) == [("zeta", 0.25), ("alpha", 0.75)] and metrics[1]["step"] == 5
    results = {e["key"]: e["value"] for e in events if e["type"] == "result"}
    # The program receives the validated configuration, defaults applied.
    assert results["config"] == {"model": "small", "temperature": 0.7, "samples": 3,
                                 "prompts": [{"text": "one"}, {"text": "two"}], "limits": {"max_tokens": 256}}
    assert results["process"] == {
        "cwd": str(lab.cwd), "stdin": "/dev/null",
        "env": {"ATHANOR_PROTOCOL": "1", "ATHANOR_CALLS_FD": "3", "ATHANOR_CONTROL_FD": "4"},
        "ids": [run, summary["instance"]]}
    progress = next(e for e in events if e["type"] == "progress")
    assert (progress["current"], progress["total"], progress["message"]) == (1, 10, "one of ten")

    # The same through the CLI's views.
    assert summary["progress"] == {"current": 1, "total": 10, "message": "one of ten"}
    assert summary["log_counts"] == {"debug": 0, "info": 2, "warn": 1, "error": 1}
    printed = json_lines(lab.ok("logs", run, "--json"))
    assert [(l["level"], l["message"], l["metadata"]) for l in printed] == logs
    curves = lab.json("metrics", run)["metrics"]
    assert list(curves) == ["loss", "zeta", "alpha"]
    assert curves["alpha"]["last"] == {"step": 5, "value": 0.75}
    printed = {r["key"]: r["value"] for r in json_lines(lab.ok("results", run, "--json"))}
    assert printed["config"] == results["config"]


ENDINGS_CASES = [
    ("raises", "failed", "ValueError: bad value 42"),
    ("fails", "failed", "x"),
    ("os_exit_3", "failed", "the program exited with status 3 without ending the run"),
    ("segfaults", "failed", "the program was killed by signal 11 (Segmentation fault) without ending the run"),
    ("nan_metric", "failed", "ValueError: metric 'loss' cannot be recorded: nan is not a finite number"),
    ("returns", "completed", None),
    ("exits_0", "completed", None),
    ("async_completes", "completed", None),
]


@pytest.mark.parametrize("experiment,status,error", ENDINGS_CASES, ids=[c[0] for c in ENDINGS_CASES])
def test_how_a_python_program_ends(lab, experiment, status, error):
    summary = lab.run(experiment)
    assert (summary["status"], summary["error"]) == (status, error), summary
    events = lab.events(summary["run"])
    assert events[-1]["type"] == {"completed": "run_completed", "failed": "run_failed"}[status]
    if experiment == "raises":
        logs = [(e["level"], e["message"]) for e in events if e["type"] == "log"]
        assert logs[0] == ("info", "before the exception")
        level, traceback = logs[1]
        assert level == "error" and traceback.startswith("Traceback (most recent call last):"), traceback
        assert 'raise ValueError("bad value 42")' in traceback and "endings.py" in traceback, traceback
    if experiment == "os_exit_3":
        assert [e["message"] for e in events if e["type"] == "log"] == ["leaving"]
    if experiment == "nan_metric":
        metrics = [e for e in events if e["type"] == "metric"]
        assert [(m["key"], m["value"]) for m in metrics] == [("loss", 0.5)]  # what came before stays
    if experiment == "async_completes":
        assert [e.get("value") for e in events if e["type"] == "result"] == ["yes"]


def test_sys_exit_with_a_status_fails_the_run_as_that_exit_status(lab):
    """`sys.exit(3)` in the experiment is the program exiting with status 3 (docs/run-protocol.md,
    "The ending"): the run fails as for any program that exits non-zero without ending the run,
    and what it recorded before stays."""
    summary = lab.run("exits_3")
    assert (summary["status"], summary["error"]) == (
        "failed", "the program exited with status 3 without ending the run"), summary
    assert [e["message"] for e in lab.events(summary["run"]) if e["type"] == "log"][0] == "leaving"


# --------------------------------------------------------------------------------------------
# 4. a program in shell


def test_a_shell_program_speaks_the_protocol(lab):
    summary = lab.run("count_words", {"text": "the quick brown fox"})
    assert summary["status"] == "completed", summary
    events = lab.events(summary["run"])
    assert [e["type"] for e in events] == ["run_created", "run_started", "log", "result", "progress", "run_completed"]
    assert (events[2]["message"], events[2]["metadata"]) == ("counting", {"shell": True})
    assert (events[3]["key"], events[3]["value"]) == ("words", 4)


BAD_LINE_CASES = [
    ("bad_malformed", "not JSON", '{"call":"log","level":"info","message":'),
    ("bad_nan", "NaN and ±Infinity are not numbers JSON can hold", '{"call":"metric","key":"loss","value":NaN}'),
    ("bad_call", 'unknown call "explode"', '{"call":"explode","why":"testing"}'),
    ("bad_long", 'unknown call "nope"', '{"call":"nope","pad":"' + "0" * 300 + '"}'),
]


@pytest.mark.parametrize("experiment,problem,line", BAD_LINE_CASES, ids=[c[0] for c in BAD_LINE_CASES])
def test_a_line_that_cannot_be_recorded_fails_the_run(lab, experiment, problem, line):
    summary = lab.run(experiment)
    assert summary["status"] == "failed", summary
    error = summary["error"]
    assert error.startswith(BAD_LINE) and problem in error, error
    # The line quoted whole, or its first 100 characters and its length.
    quoted = line if len(line) <= 100 else f"{line[:100]}… ({len(line)} characters)"
    assert error.endswith(f"): {quoted}"), error
    events = lab.events(summary["run"])
    assert [e["type"] for e in events] == ["run_created", "run_started", "log", "run_failed"]
    assert events[2]["message"] == "before the bad line" and events[3]["error"] == error
    # The program, blocked on its control descriptor, was killed with its group.
    wait_until(lambda: not support.live_processes(str(lab.folder / "bad_lines")), TIMEOUT,
               "the program to be killed")


# --------------------------------------------------------------------------------------------
# 5. cancellation


def marker():
    return f"athanor-grandchild-{secrets.token_hex(8)}"


def test_graceful_cancel_lets_the_program_stop_and_kills_its_processes(lab):
    mark = marker()
    run = lab.detach("graceful", {"marker": mark})
    wait_until(lambda: support.live_processes(mark), TIMEOUT, "the program's own process")
    lab.ok("cancel", run, "--reason", "enough")
    summary = lab.ended(run)
    assert (summary["status"], summary["error"], summary["forced"]) == ("cancelled", "enough", False), summary
    results = {r["key"]: r["value"] for r in json_lines(lab.ok("results", run, "--json"))}
    assert results["saw_cancel"] == {"cancelled": True, "reason": "enough"}
    wait_until(lambda: not support.live_processes(mark), TIMEOUT, "the program's own process to be killed")


def test_a_program_that_ignores_cancel_is_killed_after_the_grace_period(lab):
    mark = marker()
    run = lab.detach("stubborn", {"marker": mark}, grace=1)
    wait_until(lambda: support.live_processes(mark), TIMEOUT, "the program's own process")
    lab.ok("cancel", run)
    summary = lab.ended(run)
    assert (summary["status"], summary["forced"]) == ("cancelled", True), summary
    assert lab.events(run)[-1]["type"] == "run_cancelled"
    wait_until(lambda: not support.live_processes(mark), TIMEOUT, "the program's own process to be killed")
    wait_until(lambda: not support.live_processes("run stubborn"), TIMEOUT, "the program to be killed")


def test_a_program_past_its_time_limit_is_stopped_and_the_run_fails(lab):
    mark = marker()
    run = lab.detach("stubborn", {"marker": mark}, grace=1, timeout=2)
    summary = lab.ended(run)
    assert summary["status"] == "failed" and summary["error"].startswith("timed out after"), summary
    assert [e["message"] for e in lab.events(run) if e["type"] == "log"] == ["waiting"]  # what it recorded stays
    wait_until(lambda: not support.live_processes(mark), TIMEOUT, "the program's own process to be killed")


def test_cancelling_an_async_experiment_cancels_its_task(lab):
    run = lab.detach("async_waits")
    lab.ok("cancel", run)
    summary = lab.ended(run)
    assert (summary["status"], summary["forced"]) == ("cancelled", False), summary
    results = {r["key"]: r["value"] for r in json_lines(lab.ok("results", run, "--json"))}
    assert results == {"task_cancelled": True}


# --------------------------------------------------------------------------------------------
# 6. the server: hot reload, the HTTP API


def api_programs(server):
    status, listing = server.call("GET", "/api/experiments")
    assert status == 200, listing
    return programs(listing)


def api_broken(server):
    status, broken = server.call("GET", "/api/experiments/broken")
    assert status == 200, broken
    return {pathlib.Path(p["file"]).name: p for p in broken}


def test_the_server_picks_up_changed_files_without_a_restart(tmp_path):
    folder = tmp_path / "experiments"
    folder.mkdir()
    first = write(folder, "first.py", experiment_file("first", "the first description"))
    with support.Server(tmp_path / "data", "--experiments", folder, env=environment()) as server:
        listed = api_programs(server)
        assert set(listed) == {"first"} and api_broken(server) == {}
        assert (listed["first"]["language"], listed["first"]["description"]) == ("python", "the first description")
        assert pathlib.Path(listed["first"]["file"]) == first.resolve()

        write(folder, "second.py", experiment_file("second"))
        wait_until(lambda: "second" in api_programs(server), TIMEOUT, "a new file to be listed")

        write(folder, "first.py", experiment_file("first", "edited, and longer than before"))
        wait_until(lambda: api_programs(server)["first"]["description"] == "edited, and longer than before",
                   TIMEOUT, "the edited description")

        write(folder, "bad_import.py", BAD_IMPORT)
        broken = wait_until(lambda: api_broken(server).get("bad_import.py"), TIMEOUT, "the broken file")
        assert broken["error"].startswith("ModuleNotFoundError: No module named 'no_such_module_for_athanor_tests'")
        assert set(api_programs(server)) == {"first", "second"}

        write(folder, "twin_a.py", experiment_file("twin"))
        write(folder, "twin_b.py", experiment_file("twin"))
        write(folder, "demo.py", experiment_file("demo"))
        problems = wait_until(lambda: len(p := api_broken(server)) == 4 and p, TIMEOUT, "four broken files")
        assert set(problems) == {"bad_import.py", "twin_a.py", "twin_b.py", "demo.py"}
        for name in ("twin_a.py", "twin_b.py"):
            assert problems[name]["experiment"] == "twin"
            error = problems[name]["error"]
            assert str((folder / "twin_a.py").resolve()) in error and str((folder / "twin_b.py").resolve()) in error
        assert problems["demo.py"]["experiment"] == "demo" and "Swift" in problems["demo.py"]["error"]
        status, listing = server.call("GET", "/api/experiments")
        by_name = {e["name"]: e for e in listing}
        assert by_name["demo"]["language"] == "swift" and "twin" not in by_name
        assert set(programs(listing)) == {"first", "second"}

        (folder / "bad_import.py").unlink()
        (folder / "twin_b.py").unlink()
        wait_until(lambda: set(api_broken(server)) == {"demo.py"}, TIMEOUT, "removed files to be forgotten")
        wait_until(lambda: "twin" in api_programs(server), TIMEOUT, "twin to be listed once declared once")

        # A file added while the server runs can be run, too.
        status, instance = server.call("POST", "/api/instances", {"experiment": "second", "name": "hot"})
        assert status == 201, instance
        status, run = server.call("POST", f"/api/instances/{instance['instance']}/runs", {})
        assert status == 202, run
        ended = wait_until(lambda: (r := server.call("GET", f"/api/runs/{run['run']}")[1])["finished_at"] and r,
                           TIMEOUT, "the run to end")
        assert (ended["status"], ended["result_keys"]) == ("completed", ["ok"]), ended
        server.stop()


def test_the_http_api_validates_and_runs_a_python_experiment(lab):
    with support.Server(lab.data, "--experiments", lab.folder, env=environment()) as server:
        status, before = server.call("GET", "/api/instances?all=true")
        status, answer = server.call("POST", "/api/instances", {
            "experiment": "prompt_sweep", "name": "invalid", "config": {"prompts": [{}], "samples": 0}})
        assert status == 422, answer
        assert answer["error"]["details"] == [{"path": "samples", "message": "0 is below the minimum 1"},
                                              {"path": "prompts[0].text", "message": "required"}]
        assert server.call("GET", "/api/instances?all=true")[1] == before

        status, instance = server.call("POST", "/api/instances", {
            "experiment": "prompt_sweep", "name": "served", "config": {"prompts": [{"text": "hi"}]}})
        assert status == 201, instance
        status, run = server.call("POST", f"/api/instances/{instance['instance']}/runs", {})
        assert status == 202, run
        ended = wait_until(lambda: (r := server.call("GET", f"/api/runs/{run['run']}")[1])["finished_at"] and r,
                           TIMEOUT, "the run to end")
        assert ended["status"] == "completed", ended
        status, results = server.call("GET", f"/api/runs/{run['run']}/results?key=config")
        assert results["entries"][0]["value"]["prompts"] == [{"text": "hi"}]
        status, logs = server.call("GET", f"/api/runs/{run['run']}/logs")
        assert [(e["level"], e["message"]) for e in logs["entries"]][1:] == [("info", "a"), ("warn", "b"), ("error", "c")]
        server.stop()


# --------------------------------------------------------------------------------------------
# 7. MCP


async def mcp_call(session, tool, **arguments):
    result = await session.call_tool(tool, arguments)
    text = result.content[0].text if result.content else ""
    return result.is_error, (text if result.is_error else json.loads(text))


def test_mcp_lists_validates_creates_and_runs_python_experiments(lab, tmp_path):
    from mcp import ClientSession, StdioServerParameters
    from mcp.client.stdio import stdio_client

    broken = tmp_path / "broken"
    broken.mkdir()
    write(broken, "bad_import.py", BAD_IMPORT)
    data = tmp_path / "data"
    parameters = StdioServerParameters(
        command=ATHANOR, args=["mcp", "--data", str(data), "--experiments", str(lab.folder), "--experiments", str(broken)],
        env={**support.markers(), "PYTHONPATH": os.environ["PYTHONPATH"]}, cwd=str(lab.cwd))

    async def body(session):
        error, modules = await mcp_call(session, "list_available_modules")
        assert not error
        listed = {m["name"]: m for m in modules if not m.get("broken")}
        assert SWIFT | {"prompt_sweep", "count_words"} <= set(listed)
        sweep = listed["prompt_sweep"]
        assert sweep["language"] == "python" and pathlib.Path(sweep["file"]) == (lab.folder / "sweep.py").resolve()
        assert [f["name"] for f in sweep["fields"]] == [n for n, _, _ in SWEEP_FIELDS]
        assert listed["count_words"]["language"] == "program"
        problems = [m for m in modules if m.get("broken")]
        assert len(problems) == 1 and pathlib.Path(problems[0]["file"]) == (broken / "bad_import.py").resolve()
        assert problems[0]["error"].startswith("ModuleNotFoundError"), problems

        error, schema = await mcp_call(session, "get_config_schema", experiment_module="prompt_sweep")
        assert not error and schema["required"] == ["prompts"]
        assert schema["properties"]["samples"] == {"type": "integer", "minimum": 1, "maximum": 10000, "default": 20}
        error, verdict = await mcp_call(session, "validate_config", experiment_module="prompt_sweep",
                                        configuration={"prompts": [{}], "samples": 0})
        assert verdict["valid"] is False
        assert [(e["path"], e["message"]) for e in verdict["errors"]] == [
            ("samples", "0 is below the minimum 1"), ("prompts[0].text", "required")]
        error, verdict = await mcp_call(session, "validate_config", experiment_module="prompt_sweep",
                                        configuration={"prompts": [{"text": "a"}]})
        assert verdict["valid"] is True and verdict["configuration"]["limits"] == {"max_tokens": 256}
        error, text = await mcp_call(session, "create_experiment", name="bad", experiment_module="prompt_sweep",
                                     configuration={"prompts": [{"text": "a"}, {}]})
        assert error and "prompts[1].text: required" in text, text
        assert (await mcp_call(session, "list_experiments"))[1] == []

        error, instance = await mcp_call(session, "create_experiment", name="agent", experiment_module="count_words",
                                         configuration={"text": "one two three"})
        assert not error, instance
        error, started = await mcp_call(session, "start_run", experiment_id=instance["instance"])
        assert not error, started
        error, done = await mcp_call(session, "wait_for_run", id=started["run"], timeout_seconds=TIMEOUT)
        assert (done["status"], done["result_keys"]) == ("completed", ["words"]), done
        error, details = await mcp_call(session, "get_result_details", run_id=started["run"], key="words")
        assert details["results"][0]["value"] == 3

    async def session():
        async with stdio_client(parameters) as (read, write_):
            async with ClientSession(read, write_) as client:
                await client.initialize()
                await body(client)

    asyncio.run(asyncio.wait_for(session(), timeout=120))
    wait_until(lambda: not support.live_processes(str(data)), 10, "athanor mcp and its workers to end")


# --------------------------------------------------------------------------------------------
# 8. the interpreter


WRAPPER = '''#!/bin/sh
echo "$*" >> "{log}"
exec python3 "$@"
'''


def test_the_python_interpreter_is_chosen_with_an_option_or_the_environment(lab, tmp_path):
    log = tmp_path / "wrapper.log"
    wrapper = write(tmp_path, "python-wrapper", WRAPPER.format(log=log), executable=True)
    sweep = (lab.folder / "sweep.py").resolve()

    assert "prompt_sweep" in programs(lab.json("experiments", "--python", wrapper)["experiments"])
    asked = log.read_text().splitlines()
    assert f"-m athanor {sweep} describe" in asked, asked

    log.unlink()
    instance = lab.create("returns", env=environment(ATHANOR_PYTHON=str(wrapper)))
    done = lab.athanor("run", instance, "--json", env=environment(ATHANOR_PYTHON=str(wrapper)))
    assert done.returncode == 0 and json.loads(done.stdout)["status"] == "completed", done.stderr
    asked = log.read_text().splitlines()
    assert f"-m athanor {(lab.folder / 'endings.py').resolve()} run returns" in asked, asked


def test_a_missing_interpreter_breaks_every_python_file_and_nothing_else(lab):
    missing = "/nonexistent/python3.99"
    listing = lab.json("experiments", "--python", missing)
    problems = {pathlib.Path(p["file"]).name: p["error"] for p in listing["broken"]}
    assert set(problems) == {"sweep.py", "endings.py"}
    assert all(missing in error for error in problems.values()), problems
    assert {e["language"] for e in programs(listing["experiments"]).values()} == {"program"}
    assert "count_words" in programs(listing["experiments"])
