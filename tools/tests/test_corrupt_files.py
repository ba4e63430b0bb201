"""Torn and corrupt files through every surface (issue 7): one data directory holding good runs
and, where runs live, each kind of damage (a torn last line, a corrupted byte in a plain and in
a compressed journal, a truncated zstd frame, zero-length journals, a duplicated and a missing
`seq`, files that are not journals). Every surface (the catalog behind `athanor runs` and the
server, the CLI, the HTTP API and run page, MCP, the Python loader) names the problem (file,
line where there is one, what is wrong), keeps serving the good runs, and changes no byte of a
damaged file except by documented recovery (docs/journal-format.md, "Recovery")."""

import asyncio
import hashlib
import json
import os
import random
import re
import shutil
import sys
import time
import urllib.error
import urllib.request
import warnings

import pytest
import zstandard
from mcp import ClientSession
from mcp.client.stdio import stdio_client

import support
from support import ATHANOR, REPO, Server

sys.path.insert(0, str(REPO / "tools" / "python"))

import athanor  # noqa: E402

CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"
CRASH = re.compile(r"Fatal error|Stack dump|Traceback|Segmentation|Illegal instruction|Assertion failed|\bpanic")

# What every surface must say about each case, as a regex over the problem text (after recovery
# for the surfaces that recover: the CLI, the server and MCP). `line` cases name `file:line:`.
CASES = {
    # A torn terminal line in a plain journal nobody writes: recovery closes the run as failed,
    # saying how many bytes it discarded; the CLI reports that as the run's error.
    "torn_plain": {"suffix": ".jsonl", "problem": None, "error": r"incomplete last line of 25 bytes was discarded"},
    "corrupt_plain": {"suffix": ".jsonl", "problem": r"\.jsonl(\.zst)?:9: invalid event line"},
    "torn_zst": {"suffix": ".jsonl.zst", "problem": r"\.jsonl\.zst:17: last line is incomplete \(25 bytes"},
    "corrupt_zst": {"suffix": ".jsonl.zst", "problem": r"\.jsonl\.zst: (zstd|damaged compressed journal)"},
    "truncated_zst": {"suffix": ".jsonl.zst", "problem": r"\.jsonl\.zst: the compressed journal is truncated"},
    # Removed by recovery, which says so (`athanor recover`): it held nothing.
    "empty_plain": {"suffix": ".jsonl", "problem": r"\.jsonl: holds no events", "removed": True},
    "empty_zst": {"suffix": ".jsonl.zst", "problem": r"\.jsonl\.zst: holds no events"},
    "duplicate_seq": {"suffix": ".jsonl.zst", "problem": r"\.jsonl\.zst:5: seq 4 does not follow 4"},
    "missing_seq": {"suffix": ".jsonl.zst", "problem": r"\.jsonl\.zst:5: seq gap: expected 5, found 6"},
    "binary_zst": {"suffix": ".jsonl.zst", "problem": r"\.jsonl\.zst:1: invalid event line"},
    "binary_plain": {"suffix": ".jsonl", "problem": r"\.jsonl: holds no events"},
    "notes_plain": {"suffix": ".jsonl", "problem": r"\.jsonl:1: invalid event line"},
}
DAMAGED_ZSTD = {"corrupt_zst", "truncated_zst"}
NON_JOURNALS = ["notes.txt", ".DS_Store"]


def cli(*args, check=True):
    result = support.run([ATHANOR, *map(str, args)], capture_output=True, text=True, timeout=120)
    assert not CRASH.search(result.stdout + result.stderr), result.stdout + result.stderr
    assert result.returncode in (0, 1), (args, result.returncode, result.stderr)
    if check:
        assert result.returncode == 0, (args, result.stderr)
    return result


def checksums(data):
    return {str(path.relative_to(data)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(data.rglob("*")) if path.is_file() and ".cache" not in path.parts}


def lines_of(path):
    raw = path.read_bytes()
    return zstandard.ZstdDecompressor().decompressobj().decompress(raw) if raw[:4] == b"\x28\xb5\x2f\xfd" else raw


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    """The fixture data directory, never touched by a surface: (data, instance, good runs, cases)."""
    data = tmp_path_factory.mktemp("corrupt") / "data"
    instance = cli("create", "demo", "--name", "good", "--config", '{"iterations":3,"delay_ms":0}',
                   "--data", data).stdout.strip()
    for _ in range(3):
        cli("run", instance, "--data", data)
    folder = data / "runs" / instance
    good = sorted(path.name.split(".")[0] for path in folder.iterdir())
    source = lines_of(folder / (good[0] + ".jsonl.zst"))
    assert source.count(b"\n") == 17  # created, started, 3 × (log, result, metric, progress), 2 logs, completed
    generator = random.Random(7)
    compress = zstandard.ZstdCompressor(write_checksum=True).compress

    def corrupt_middle(lines):
        # A NUL in the middle of line 9 (iteration 2's result): invalid in JSON wherever it lands.
        line = bytearray(lines[8])
        line[len(line) // 2] = 0
        return b"".join(lines[:8] + [bytes(line)] + lines[9:])

    def flip_middle_byte(blob):
        blob = bytearray(blob)
        blob[len(blob) // 2] ^= 0xFF
        return bytes(blob)

    binary = bytes(generator.choice([b for b in range(256) if b != 10]) for _ in range(500))
    contents = {
        "torn_plain": lambda lines: b"".join(lines[:-1]) + lines[-1][:25],
        "corrupt_plain": corrupt_middle,
        "torn_zst": lambda lines: compress(b"".join(lines[:-1]) + lines[-1][:25]),
        "corrupt_zst": lambda lines: flip_middle_byte(compress(b"".join(lines))),
        "truncated_zst": lambda lines: compress(b"".join(lines))[:-30],
        "empty_plain": lambda lines: b"",
        "empty_zst": lambda lines: b"",
        "duplicate_seq": lambda lines: compress(b"".join(lines[:4] + [lines[3]] + lines[4:])),
        "missing_seq": lambda lines: compress(b"".join(lines[:4] + lines[5:])),
        "binary_zst": lambda lines: b"\x89PNG\r\n\x1a\n" + binary,
        "binary_plain": lambda lines: b"\x00\x00\x00\x14ftypqt  " + binary,
        "notes_plain": lambda lines: b"my notes on this sweep\nlr 0.1 looked best\n",
    }
    cases = {}
    for name, make in contents.items():
        run = good[0][:10] + "".join(generator.choice(CROCKFORD) for _ in range(16))
        lines = source.replace(good[0].encode(), run.encode()).splitlines(keepends=True)
        path = folder / (run + CASES[name]["suffix"])
        path.write_bytes(make(lines))
        # Found later, as damage is: recovery leaves an empty journal alone for a few seconds
        # after its creation (its writer may be about to lock it).
        an_hour_ago = time.time() - 3600
        os.utime(path, (an_hour_ago, an_hour_ago))
        cases[name] = run
    for place in (folder, data / "runs", data, data / "instances"):
        for name in NON_JOURNALS:
            (place / name).write_bytes(b"\x00\x00\x00\x01Bud1 not a journal\n")
    return data, instance, good, cases


@pytest.fixture
def copy(pristine, tmp_path):
    data, instance, good, cases = pristine
    target = tmp_path / "data"
    shutil.copytree(data, target)
    return target, instance, good, cases


def assert_nothing_lost(pristine_data, data, cases):
    """Every file is byte for byte as it was, except what documented recovery does: a torn
    plain journal is closed (its complete lines kept, `run_failed` appended, compressed), an
    ended plain journal compressed with its bytes unchanged, and an empty one removed."""
    before, after = checksums(pristine_data), checksums(data)
    instance_dir = next(p for p in (data / "runs").iterdir() if p.is_dir()).name
    for name, run in cases.items():
        plain = f"runs/{instance_dir}/{run}.jsonl"
        if CASES[name]["suffix"] == ".jsonl.zst" or name in ("binary_plain", "notes_plain"):
            path = plain + (".zst" if CASES[name]["suffix"] == ".jsonl.zst" else "")
            assert after.get(path) == before[path], f"{name}: {path} changed"
        elif name == "empty_plain":
            assert plain not in after and plain + ".zst" not in after
        else:
            original = (pristine_data / plain).read_bytes()
            assert plain not in after, f"{name}: recovery left the plain journal"
            recovered = lines_of(data / (plain + ".zst"))
            complete = original[: original.rfind(b"\n") + 1]
            assert recovered.startswith(complete), f"{name}: recovery changed a complete line"
            if name == "corrupt_plain":
                assert recovered == original
            else:
                assert b'"type":"run_failed","error":"interrupted:' in recovered[len(complete):]
        before.pop(plain, None), before.pop(plain + ".zst", None)
        after.pop(plain, None), after.pop(plain + ".zst", None)
    assert after == before  # good runs, instances and non-journal files: untouched


def problem_text(name, text):
    expected = CASES[name]["problem"]
    return expected is None or re.search(expected, text) is not None


# MARK: the catalog (`athanor runs`, `athanor verify`) and the CLI


def test_catalog_lists_good_runs_and_names_every_damaged_journal(pristine, copy):
    data, instance, good, cases = copy
    listing = cli("runs", "--data", data)
    for run in good:
        assert run[:12] in listing.stdout
    runs = {row["run"]: row for row in json.loads(cli("runs", "--json", "--data", data).stdout)}
    for run in good:
        assert runs[run]["status"] == "completed" and runs[run]["problems"] == []
        assert runs[run]["result_count"] == 3
    for name, run in cases.items():
        if CASES[name].get("removed"):
            assert run not in runs
            continue
        assert run in runs, f"{name} is not listed"
        assert runs[run]["instance"] == instance
        problems = "\n".join(runs[run]["problems"])
        if CASES[name]["problem"]:
            assert problem_text(name, problems), (name, problems)
            assert run in listing.stderr and "warning" in listing.stderr, name
        else:
            assert runs[run]["status"] == "failed" and re.search(CASES[name]["error"], runs[run]["error"])
    assert_nothing_lost(pristine[0], data, cases)


def test_verify_names_each_damaged_journal_and_passes_the_good_ones(pristine):
    data, _, good, cases = pristine
    before = checksums(data)
    report = cli("verify", data, check=False)
    assert report.returncode == 1
    for run in good:
        assert re.search(rf"ok\s+\S+{run}\.jsonl\.zst", report.stdout)
    for name, run in cases.items():
        assert re.search(rf"FAIL\s+\S+{run}", report.stdout), name
        if name in ("empty_plain", "empty_zst", "binary_plain", "binary_zst", "notes_plain"):
            assert re.search(rf"{run}\.jsonl(\.zst)?: not a journal", report.stdout), name
        elif name != "torn_plain":
            assert problem_text(name, report.stdout), name
    assert re.search(r"\.jsonl:17: last line is incomplete \(25 bytes", report.stdout)
    assert checksums(data) == before  # verify only reads


def test_recover_closes_only_what_it_documents(pristine, copy):
    data, _, _, cases = copy
    output = cli("recover", "--data", data).stdout
    assert re.search(rf"closed\s+\S+{cases['torn_plain']}\.jsonl .*run_failed at seq 17, dropped 25 bytes", output)
    assert re.search(rf"removed\s+\S+{cases['empty_plain']}\.jsonl", output)
    for name in ("binary_plain", "notes_plain"):
        assert re.search(rf"skipped\s+\S+{cases[name]}\.jsonl\s+\(not a run journal", output), name
    assert_nothing_lost(pristine[0], data, cases)


COMMANDS = [["show"], ["logs"], ["results"], ["replay"], ["replay", "--at", "6"], ["export", "--table", "logs"]]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: "-".join(c))
def test_cli_commands_on_every_damaged_run(pristine, copy, command):
    data, _, good, cases = copy
    for name, run in cases.items():
        result = cli(command[0], run, *command[1:], "--data", data, check=False)
        both = result.stdout + result.stderr
        if CASES[name].get("removed"):
            assert result.returncode == 1 and re.search(f'no run (or instance )?with an ID starting "{run}"', result.stderr)
        elif name in DAMAGED_ZSTD and command[0] != "show":
            # Nothing trustworthy to print: a clear error naming the file, exit 1.
            assert result.returncode == 1 and run in result.stderr and problem_text(name, result.stderr), both
        else:
            assert result.returncode == 0, (name, both)
            if name == "torn_plain":
                assert command[0] != "show" or re.search(CASES[name]["error"], result.stdout)
            elif command[0] == "show":
                assert "problems" in result.stdout and problem_text(name, result.stdout), (name, both)
            else:
                assert "warning:" in result.stderr and problem_text(name, result.stderr), (name, command, both)
    for run in good:  # and the good runs are as they were
        result = cli(command[0], run, *command[1:], "--data", data)
        assert "warning" not in result.stderr
    assert_nothing_lost(pristine[0], data, cases)


def test_a_closed_journal_without_its_end_says_so(copy):
    data, _, _, cases = copy
    shown = json.loads(cli("show", cases["torn_zst"], "--json", "--data", data).stdout)
    assert any("closed without a terminal event" in problem for problem in shown["problems"]), shown
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        athanor.load_run(cases["torn_zst"], data_dir=data)
    assert any("closed without a terminal event" in str(w.message) for w in caught)


def test_cli_reads_the_undamaged_part_of_a_damaged_journal(copy):
    data, _, _, cases = copy
    logs = cli("logs", cases["missing_seq"], "--json", "--data", data).stdout.splitlines()
    assert len(logs) == 5
    results = [json.loads(line)["key"] for line in
               cli("results", cases["duplicate_seq"], "--json", "--data", data).stdout.splitlines()]
    assert results == ["iteration_1", "iteration_2", "iteration_3"]
    shown = json.loads(cli("show", cases["corrupt_plain"], "--json", "--data", data).stdout)
    assert shown["status"] == "completed" and shown["result_count"] == 2


# MARK: the web: JSON API and run page


@pytest.fixture
def server(copy):
    running = Server(copy[0])
    yield running.base, copy
    output = running.stop()
    assert not CRASH.search(output), output


def get(base, path):
    try:
        with urllib.request.urlopen(base + path, timeout=30) as response:
            body = response.read()
            return response.status, (json.loads(body) if path.startswith("/api") else body.decode())
    except urllib.error.HTTPError as error:
        body = error.read()
        return error.code, (json.loads(body) if body else None)


def test_http_api_and_run_page_serve_good_runs_and_name_the_damage(pristine, server):
    base, (data, instance, good, cases) = server
    status, runs = get(base, "/api/runs")
    assert status == 200
    listed = {row["run"]: row for row in runs}
    for run in good:
        assert listed[run]["problems"] == [] and listed[run]["status"] == "completed"
        assert get(base, f"/api/runs/{run}")[1]["result_count"] == 3
        assert get(base, f"/api/runs/{run}/logs")[1]["total"] == 5
        assert get(base, f"/api/runs/{run}/results")[1]["total"] == 3
        assert get(base, f"/runs/{run}")[0] == 200
    for name, run in cases.items():
        status, body = get(base, f"/api/runs/{run}")
        if CASES[name].get("removed"):
            assert status == 404 and run in body["error"]["message"]
            continue
        assert status == 200, (name, body)
        assert problem_text(name, "\n".join(body["problems"])), (name, body["problems"])
        assert listed[run]["problems"] == body["problems"]
        for path in ("logs", "results"):
            status, page = get(base, f"/api/runs/{run}/{path}")
            # What could be read before the damage; the run's `problems` say what is wrong.
            assert status == 200, (name, path, page)
            assert isinstance(page["entries"], list)
        status, html = get(base, f"/runs/{run}")
        assert status == 200 and "<html" in html.lower(), name
    assert get(base, f"/api/runs/{cases['missing_seq']}/results")[1]["total"] == 2
    assert get(base, f"/api/runs/{cases['duplicate_seq']}/logs")[1]["total"] == 5
    assert get(base, f"/api/instances/{instance}")[0] == 200
    assert_nothing_lost(pristine[0], data, cases)


def test_run_page_in_a_browser_shows_the_damage_and_the_good_runs(server):
    """The run page of every damaged run renders (no JavaScript error) with a notice listing the
    problems; a good run's page has none. Needs Chromium and selenium (test_browser.py's setup)."""
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    driver_path = shutil.which("chromedriver") or "/usr/bin/chromedriver"
    if not (os.path.exists(chromium) and os.path.exists(driver_path)):
        pytest.skip("chromium and chromium-driver are not installed (tools/setup --test installs them)")
    base, (data, instance, good, cases) = server
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # chromedriver (and the Chromium it starts) in a session of its own, ended as a whole.
    service = Service(driver_path, popen_kw={"start_new_session": True})
    try:
        browser = webdriver.Chrome(service=service, options=options)
    except BaseException:
        if getattr(service, "process", None) is not None:
            support.end_group(service.process)
        raise
    try:
        for name, run in cases.items():
            if CASES[name].get("removed"):
                continue
            browser.get(f"{base}/runs/{run}")
            if CASES[name]["problem"] is None:
                WebDriverWait(browser, 15).until(lambda b: b.find_elements(By.CSS_SELECTOR, ".run-error"))
                assert re.search(CASES[name]["error"], browser.find_element(By.CSS_SELECTOR, ".run-error").text)
                continue
            notice = WebDriverWait(browser, 15).until(lambda b: b.find_elements(By.CSS_SELECTOR, ".run-problems"))
            assert problem_text(name, notice[0].text), (name, notice[0].text)
            errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"
                      and "/api/" not in entry["message"]]
            assert not errors, (name, errors)
        browser.get(f"{base}/runs/{good[0]}")
        WebDriverWait(browser, 15).until(lambda b: "iteration_3" in b.find_element(By.TAG_NAME, "body").text)
        assert not browser.find_elements(By.CSS_SELECTOR, ".run-problems")
    finally:
        try:
            browser.quit()
        finally:
            support.end_group(service.process)


# MARK: MCP


def test_mcp_tools_name_the_damage_and_the_session_keeps_working(pristine, copy):
    data, instance, good, cases = copy

    async def call(session, tool, **arguments):
        result = await session.call_tool(tool, arguments)
        text = result.content[0].text if result.content else ""
        return result.is_error, (text if result.is_error else json.loads(text))

    async def body(session):
        error, runs = await call(session, "list_runs", experiment_id=instance)
        assert not error
        rows = runs if isinstance(runs, list) else next(v for v in runs.values() if isinstance(v, list))
        listed = {row["run"]: row for row in rows}
        for run in good:
            assert listed[run]["problems"] == []
        for name, run in cases.items():
            error, summary = await call(session, "get_run", id=run)
            if CASES[name].get("removed"):
                assert error and run in summary
                continue
            assert not error, (name, summary)
            assert problem_text(name, "\n".join(summary["problems"])), (name, summary)
            for tool, arguments in (("get_run_logs", {"run_id": run}), ("list_results", {"run_id": run})):
                # What could be read, with a warning and the problems.
                error, answer = await call(session, tool, **arguments)
                assert not error, (name, tool, answer)
                assert "damaged" in answer.get("warning", "") or CASES[name]["problem"] is None, (name, tool)
                assert problem_text(name, "\n".join(answer.get("problems", []))), (name, tool, answer)
            error, answer = await call(session, "replay_run", id=run)
            if name in DAMAGED_ZSTD:
                assert error and run in answer and problem_text(name, answer), (name, answer)
            else:
                assert not error, (name, answer)
                assert problem_text(name, "\n".join(answer.get("problems", []))), (name, answer)
            # The session still serves the good runs after each damaged one.
            error, summary = await call(session, "get_run", id=good[-1])
            assert not error and summary["status"] == "completed"
        error, answer = await call(session, "list_results", run_id=good[0])
        assert not error and answer["total"] == 3 and "warning" not in answer and "problems" not in answer

    async def session():
        async with stdio_client(support.mcp_stdio(data)) as (read, write):
            async with ClientSession(read, write) as mcp_session:
                await mcp_session.initialize()
                await body(mcp_session)

    asyncio.run(asyncio.wait_for(session(), timeout=120))
    assert_nothing_lost(pristine[0], data, cases)


# MARK: the Python loader (reads the files as they are: no recovery)


def test_python_load_run_names_file_and_line_or_raises(pristine):
    data, _, good, cases = pristine
    before = checksums(data)
    for name, run in cases.items():
        if name in DAMAGED_ZSTD:
            with pytest.raises(athanor.JournalError, match=run):
                athanor.load_run(run, data_dir=data)
            continue
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            loaded = athanor.load_run(run, data_dir=data)
            loaded.results, loaded.logs, loaded.summary, loaded.events
        messages = "\n".join(str(w.message) for w in caught if issubclass(w.category, athanor.JournalWarning))
        if name == "torn_plain":
            # A plain journal's incomplete last line may be a write in progress: not an event, no warning.
            assert loaded.summary.iloc[0].status == "running" and len(loaded.results) == 3
            continue
        assert problem_text(name, messages) and run in messages, (name, messages)
        assert loaded.problems and problem_text(name, "\n".join(loaded.problems))
    with pytest.warns(athanor.JournalWarning):
        assert len(athanor.load_run(cases["duplicate_seq"], data_dir=data).logs) == 6  # both copies of the line
    with pytest.warns(athanor.JournalWarning):
        assert list(athanor.load_run(cases["missing_seq"], data_dir=data).results.key) == ["iteration_2", "iteration_3"]
    with pytest.warns(athanor.JournalWarning):
        assert list(athanor.load_run(cases["corrupt_plain"], data_dir=data).results.key) == ["iteration_1", "iteration_3"]
    for run in good:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            loaded = athanor.load_run(run, data_dir=data)
            assert loaded.problems == [] and len(loaded.results) == 3
    assert checksums(data) == before


def test_python_load_runs_loads_the_good_runs_and_lists_the_damaged(pristine):
    data, _, good, cases = pristine
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        runs, results = athanor.load_runs(data)
    messages = "\n".join(str(w.message) for w in caught if issubclass(w.category, athanor.JournalWarning))
    rows = {row["run"]: row for row in runs.to_dict("records")}
    for run in good:
        assert rows[run]["status"] == "completed" and rows[run]["problems"] == []
        assert len(results[results.run == run]) == 3
    for name, run in cases.items():
        assert run in rows, name
        if CASES[name]["problem"] and name != "empty_plain":
            assert problem_text(name, messages) and problem_text(name, "\n".join(rows[run]["problems"])), name
    with pytest.warns(athanor.JournalWarning):
        completed, _ = athanor.load_runs(data, status="completed")
    assert set(good) <= set(completed.run)
