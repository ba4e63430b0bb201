"""Hostile input on every HTTP route and every MCP tool (issue 7): path-like and oversized IDs,
deeply nested JSON, huge strings, invalid UTF-8, lone surrogates, wrong types, missing and
extra fields, numbers out of range, bad query parameters.

Every case is generated from a seeded random generator (`ATHANOR_FUZZ_SEED`, default fixed), a
few thousand in the suite; `ATHANOR_FUZZ_CASES=N` runs N per test instead. Each case must be
refused with a 4xx and the documented error JSON (or an MCP tool error, the session going on),
never a 5xx, a hang or a dropped connection; afterwards the server still serves, and the data
directory (every path, size and hash) is exactly as it was before the cases.
"""

import asyncio
import hashlib
import http.client
import json
import os
import pathlib
import random
import select
import subprocess
import time
import urllib.parse

import pytest
from mcp import ClientSession
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client

import support
from support import ATHANOR, report
SEED = int(os.environ.get("ATHANOR_FUZZ_SEED", "20261126"))
# Cases per test: HTTP routes get this many, each MCP transport half as many.
CASES = int(os.environ.get("ATHANOR_FUZZ_CASES", "1200"))
MIB = 1 << 20
# Request lines longer than this are refused by the HTTP parser itself (a bare 4xx, no JSON body).
URL_PARSER_LIMIT = 64 * 1024
COUNTS = {}


# ---------------------------------------------------------------- the server and its data


def snapshot(directory):
    """Every file under `directory`: relative path → (size, sha256)."""
    files = {}
    for path in sorted(pathlib.Path(directory).rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            files[str(path.relative_to(directory))] = (len(data), hashlib.sha256(data).hexdigest())
    return files


def send_http(port, method, path, body=None, headers=None, timeout=30):
    """(status, headers, body bytes); a dropped connection or a timeout fails the test."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.putrequest(method, path, skip_accept_encoding=True)
        all_headers = {"Content-Type": "application/json"}
        all_headers.update(headers or {})
        for name, value in all_headers.items():
            connection.putheader(name, value)
        connection.putheader("Content-Length", str(len(body or b"")))
        connection.endheaders(body or None)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    except (OSError, http.client.HTTPException) as error:
        pytest.fail(f"{method} {path[:200]}: no answer ({error!r})")
    finally:
        connection.close()


class Server(support.Server):
    """`athanor serve` (support.Server) with the raw HTTP client of these tests."""

    def json(self, method, path, body=None):
        status, _, data = send_http(self.port, method, path, json.dumps(body).encode() if body is not None else None)
        return status, json.loads(data or b"null")

    def assert_alive(self):
        assert self.process.poll() is None, "the server died:\n" + self.output()[-4000:]
        status, experiments = self.json("GET", "/api/experiments")
        assert status == 200 and any(e["name"] == "demo" for e in experiments)


def settled(data, run):
    """Whether the run's journal is closed (compressed, nothing plain or temporary left) and the
    catalog has cached its summary: what a finished run writes, all written."""
    runs = list((data / "runs").rglob("*"))
    cache = data / ".cache" / "run-summaries.jsonl"
    return (any(path.name == f"{run}.jsonl.zst" for path in runs)
            and not any(path.name.endswith((".jsonl", ".tmp")) for path in runs)
            and cache.exists() and f"{run}.jsonl.zst" in cache.read_text())


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    """A server over a data directory with one instance and one completed run, a completed sweep, and the
    snapshot of that directory once it has settled."""
    with Server(tmp_path_factory.mktemp("hostile") / "data") as server:
        status, instance = server.json("POST", "/api/instances", {
            "experiment": "demo", "name": "target", "config": {"iterations": 3, "delay_ms": 1}})
        assert status == 201, instance
        status, run = server.json("POST", f"/api/instances/{instance['instance']}/runs", {})
        assert status == 202, run
        support.wait_until(lambda: server.json("GET", f"/api/runs/{run['run']}")[1]["status"] == "completed", 60,
                           "the seed run to complete")
        status, sweep = server.json("POST", "/api/sweeps", {
            "experiment": "demo", "name": "target sweep", "space": {"iterations": [2]}, "config": {"delay_ms": 1}})
        assert status == 201, sweep
        SEEDED_SWEEP["id"] = sweep["sweep"]
        support.wait_until(lambda: server.json("GET", f"/api/sweeps/{sweep['sweep']}")[1]["status"] == "completed", 60,
                           "the seed sweep to complete")
        # Read everything once, so that whatever reading caches is written before the snapshot.
        for path in ["/api/instances", f"/api/instances/{instance['instance']}", "/api/runs",
                     f"/api/runs/{run['run']}", f"/api/runs/{run['run']}/logs", f"/api/runs/{run['run']}/results"]:
            assert server.json("GET", path)[0] == 200
        trial_run = server.json("GET", f"/api/sweeps/{sweep['sweep']}")[1]["trials"][0]["run"]
        support.wait_until(lambda: settled(server.data, run["run"]) and settled(server.data, trial_run), 30,
                           "the seed runs' journals and summaries to be written")
        before = snapshot(server.data)
        assert any(name.endswith(".jsonl.zst") for name in before)
        yield server, instance["instance"], run["run"], before
        server.stop()


def assert_nothing_written(server, before):
    after = snapshot(server.data)
    changed = {k for k in before.keys() | after.keys() if before.get(k) != after.get(k)}
    assert not changed, f"rejected input changed the data directory: {sorted(changed)}"


# ---------------------------------------------------------------- hostile values


PATH_LIKE = ["../../etc/passwd", "..%2f..%2fetc%2fpasswd", "%2e%2e%2f%2e%2e%2f", "/etc/passwd", "..\\..\\windows",
             "a\x00b", "\x00", "..", ".", "./x", "~root", "C:\\Windows", "file:///etc/passwd", "x/../../y",
             "%00", "%zz", "%ff", "\u202e\u0301", "\U0001F600", "0" * 27, "ABCDEFGHIJKLMNOPQRSTUVWXYZ1",
             "iloi", " ", "\t\n", "?q=1", "#frag", ";x", "*", "%", "null", "[]"]


def hostile_id(rng):
    choice = rng.random()
    if choice < 0.7:
        return rng.choice(PATH_LIKE)
    if choice < 0.97:
        return rng.choice(["a", "0", "z", "/", ".", "\\", "\x00", "é"]) * rng.choice([27, 100, 10_000])
    return "a" * MIB


def deep(rng, depth=None):
    depth = depth or rng.choice([513, 600, 2_000, 10_000, 100_000])
    kind = rng.choice(["array", "object", "mixed"])
    if kind == "array":
        return "[" * depth + "]" * depth
    if kind == "object":
        return '{"a":' * depth + "1" + "}" * depth
    return '[{"a":' * (depth // 2) + "1" + "}]" * (depth // 2)


def huge_string(rng):
    return json.dumps(rng.choice("ab\u00e9\u4e2d") * rng.choice([MIB + 1, 2 * MIB, 5 * MIB]))


BAD_UTF8 = [b"\xff", b"\xfe\xff", b"\xc0\xaf", b"\xed\xa0\x80", b"\xe2\x82", b"\xf8\x88\x80\x80\x80", b"\x80",
            b"\xf4\x90\x80\x80"]
LONE_SURROGATES = ['"\\ud800"', '"\\udfff"', '"a\\ud800b"', '"\\ud800\\u0041"', '"\\udc00\\ud800"']
NOT_JSON = ["{", "}", "[1,]", '{"a":1,}', "{'a':1}", "NaN", '{"a":NaN}', '{"a":Infinity}', '{"a":-Infinity}',
            '{"a":01}', '{"a":1.}', '{"a":.5}', '{"a":+1}', '{"a":0x10}', '{"a":"\\x41"}', '{"a":"\x01"}',
            '{"a":1} x', '{"a" 1}', "nul", "tru", '"unterminated', "\x00", '{"a":"\\u12"}', '{"a":1e}']
NOT_OBJECT = ["[]", "[1,2]", '"text"', "1", "-1", "1e308", "null", "true", "false"]
WRONG_FOR_STRING = ["1", "-1", "1e308", "1e400", "-1e400", "123456789012345678901234567890", "true", "false",
                    "[]", '["a"]', "{}", '{"a":1}', "0.5"]
BAD_NUMBERS = ['"abc"', '"10"', "[]", "{}", "true", "0", "-1", "-0", "1e308", "1e400", "-1e400", "1e-400",
               "123456789012345678901234567890", "9223372036854775807", "31622401", "-5e-324"]


def body_with(fields, **override):
    """A JSON object text from `fields` (already JSON texts)."""
    members = dict(fields)
    members.update(override)
    return "{" + ",".join(f"{json.dumps(k)}:{v}" for k, v in members.items()) + "}"


def hostile_body(rng, valid, string_fields, number_fields=(), required=(), object_fields=()):
    """A request body that must be refused: `valid` (field → JSON text) spoiled in one way.
    Answers (bytes, what was done)."""
    kinds = ["deep", "deep_field", "bad_utf8", "surrogate", "not_json", "not_object", "extra", "huge"]
    if string_fields:
        kinds += ["wrong_type"] * 3
    if number_fields:
        kinds += ["bad_number"] * 3
    if required:
        kinds += ["missing", "empty"]
    if object_fields:
        kinds += ["deep_field"]
    kind = rng.choice(kinds)
    field = rng.choice(list(string_fields) or list(valid) or ["x"])
    if kind == "deep":
        return deep(rng).encode(), kind
    if kind == "deep_field":
        target = rng.choice(list(object_fields) or [field])
        return body_with(valid, **{target: deep(rng)}).encode(), kind
    if kind == "bad_utf8":
        text = body_with(valid, **{field: '"x"'}).encode()
        return text.replace(b'"x"', b'"x' + rng.choice(BAD_UTF8) + b'"', 1), kind
    if kind == "surrogate":
        return body_with(valid, **{field: rng.choice(LONE_SURROGATES)}).encode(), kind
    if kind == "not_json":
        return rng.choice(NOT_JSON).encode(), kind
    if kind == "not_object":
        return rng.choice(NOT_OBJECT).encode(), kind
    if kind == "extra":
        return body_with(valid, **{rng.choice(["bogus", "../x", "", "id", "run", "Name"]): "1"}).encode(), kind
    if kind == "huge":
        return body_with(valid, **{rng.choice(list(valid) or ["x"]): huge_string(rng)}).encode(), kind
    if kind == "wrong_type":
        return body_with(valid, **{field: rng.choice(WRONG_FOR_STRING)}).encode(), kind
    if kind == "bad_number":
        return body_with(valid, **{rng.choice(list(number_fields)): rng.choice(BAD_NUMBERS)}).encode(), kind
    if kind == "missing":
        members = dict(valid)
        del members[rng.choice(list(required))]
        return body_with(members).encode(), kind
    return body_with(valid, **{rng.choice(list(required)): '""'}).encode(), kind


def hostile_query(rng, names, numbers=(), choices=None):
    """A query string with one bad parameter among good ones."""
    choices = choices or {}
    name = rng.choice(list(numbers) + list(choices) or list(names))
    kind = rng.random()
    if name in numbers:
        value = rng.choice(["-1", "abc", "1.5", "1e3", "99999999999999999999999", "", "%FF", "%zz", "0x10", "%201",
                            "+1", "-0x1", "NaN", "%00", "1" * 10_000])
    else:
        value = rng.choice(["bogus", "", "%FF", "%zz", "%C0%AF", "ERROR", "True", "1", "%00", "x" * 5_000]
                           + choices.get(name, []))
    if kind < 0.1:
        value = "%FF%FE"
    return f"{name}={value}"


# ---------------------------------------------------------------- HTTP cases


def id_path(identifier):
    return urllib.parse.quote(identifier, safe="") if "%" not in identifier else identifier.replace("\x00", "%00")


def http_cases(rng, instance, run, count):
    """(method, path, body, headers, expectation) where expectation is "reject" (a 4xx with the
    error JSON) or "tolerate" (anything but a 5xx: the input was harmless there, or a page)."""
    instance_body = {"experiment": '"demo"', "name": '"n"', "description": '"d"', "config": '{"iterations":2}'}
    routes = [
        ("POST /api/instances", lambda: ("POST", "/api/instances", *hostile_body(
            rng, instance_body, ["experiment", "name", "description"], required=["experiment", "name"],
            object_fields=["config"]))),
        ("POST /api/instances config", lambda: ("POST", "/api/instances", body_with(instance_body, config=rng.choice(
            ['"x"', "1", "[]", "true", '{"iterations":-1}', '{"iterations":1e308}', '{"iterations":1e400}',
             '{"iterations":"abc"}', '{"bogus":1}', '{"iterations":[[[[1]]]]}', '{"delay_ms":-1e400}',
             '{"iterations":123456789012345678901234567890}', '{"../x":1}', '{"iterations":null,"fail_at":{}}',
             deep(rng, 500)])).encode(), "config")),
        ("POST /api/instances experiment", lambda: ("POST", "/api/instances", body_with(
            instance_body, experiment=json.dumps(hostile_id(rng)[:5000])).encode(), "experiment")),
        ("PATCH /api/instances/{id}", lambda: ("PATCH", f"/api/instances/{instance}", *hostile_body(
            rng, {k: v for k, v in instance_body.items() if k != "experiment"}, ["name", "description"],
            object_fields=["config"]))),
        ("PATCH /api/instances/{id} config", lambda: ("PATCH", f"/api/instances/{instance}", body_with(
            {}, config=rng.choice(['"x"', '{"iterations":0}', '{"iterations":1e400}', '{"bogus":[]}', "[]"])).encode(),
            "config")),
        ("POST /api/instances/{id}/runs", lambda: ("POST", f"/api/instances/{instance}/runs", *hostile_body(
            rng, {"timeout": "10"}, [], number_fields=["timeout"]))),
        ("POST /api/runs/{id}/cancel", lambda: ("POST", f"/api/runs/{run}/cancel", *hostile_body(
            rng, {"reason": '"r"'}, ["reason"]))),
        ("GET /api/instances?all", lambda: ("GET", "/api/instances?" + hostile_query(
            rng, ["all"], choices={"all": ["yes", "TRUE", "1"]}), None, "query")),
        ("GET /api/runs?query", lambda: ("GET", "/api/runs?" + rng.choice([
            hostile_query(rng, ["status"], choices={"status": ["RUNNING", "done", "../x"]}),
            "instance=" + id_path(hostile_id(rng)[:20_000])]), None, "query")),
        ("GET /api/runs/{id}/logs?query", lambda: ("GET", f"/api/runs/{run}/logs?" + hostile_query(
            rng, ["level", "limit", "offset", "after", "q"], numbers=["limit", "offset", "after"],
            choices={"level": ["WARN", "fatal", "warn%20"], "q": []}), None, "query")),
        ("GET /api/runs/{id}/results?query", lambda: ("GET", f"/api/runs/{run}/results?" + hostile_query(
            rng, ["limit", "offset", "after"], numbers=["limit", "offset", "after"]), None, "query")),
        ("GET /api/runs/{id}/events?after", lambda: ("GET", f"/api/runs/{run}/events?" + hostile_query(
            rng, ["after"], numbers=["after"]), None, "query")),
        ("GET /api/runs/{id}/events Last-Event-ID", lambda: ("GET", f"/api/runs/{run}/events", None, "header")),
    ]
    id_routes = [("GET", "/api/instances/{}"), ("PATCH", "/api/instances/{}"), ("DELETE", "/api/instances/{}"),
                 ("POST", "/api/instances/{}/runs"), ("GET", "/api/runs/{}"), ("POST", "/api/runs/{}/cancel"),
                 ("GET", "/api/runs/{}/logs"), ("GET", "/api/runs/{}/results"), ("GET", "/api/runs/{}/events")]
    for method, template in id_routes:
        routes.append((f"{method} {template.format('{id}')} id", lambda m=method, t=template: (
            m, t.format(id_path(hostile_id(rng))), b'{"name":"x"}' if m == "PATCH" else None, "id")))
    other = [
        ("unknown API routes", lambda: (rng.choice(["GET", "POST", "PUT", "PATCH", "DELETE"]), rng.choice(
            ["/api/", "/api/bogus", f"/api/instances/{instance}/bogus", "/api/runs/x/y/z", "/api/experiments/x",
             "/api/" + id_path(hostile_id(rng)[:5000]), "/api/instances/%2e%2e/%2e%2e/etc/passwd"]),
            None, "route")),
        ("PUT and POST on read routes", lambda: (rng.choice(["PUT", "POST"]), rng.choice(
            ["/api/experiments", "/api/runs", f"/api/runs/{run}", f"/api/runs/{run}/logs"]), b"{}", "method")),
    ]
    routes += other
    pages = ("pages", lambda: ("GET", rng.choice(
        ["/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/..%2f..%2fetc%2fpasswd", "/runs/" + "a" * 10_000,
         "/experiments/%00", "/experiments/..%5c..%5c", "/app.js%00.html", "//etc/passwd", "/Public/../Package.swift",
         "/" + id_path(hostile_id(rng)[:5000]), "/favicon.svg/..", "/index.html?x=%FF"]), None, "page"))
    cases = []
    for index in range(count):
        label, make = routes[index % len(routes)] if index % 10 else pages
        method, path, body, kind = make()
        headers = {}
        if kind == "header":
            headers["Last-Event-ID"] = rng.choice(["-1", "abc", "1e3", "99999999999999999999999", "", " ", "1.0"])
        expectation = "tolerate" if kind == "page" or (kind == "query" and "q=" in path) else "reject"
        cases.append((label, method, path, body, headers, expectation))
    return cases


def check_http_answer(case, status, headers, body):
    label, method, path, body_sent, _, expectation = case
    where = f"{label}: {method} {path[:120]!r} {(body_sent or b'')[:120]!r}"
    assert status < 500, f"{where}: {status} {body[:300]!r}"
    if len(path) > URL_PARSER_LIMIT:
        assert 400 <= status < 500, f"{where}: {status}"
        return
    if expectation == "tolerate":
        assert b"root:" not in body and b"PackageDescription" not in body, where
        return
    assert 400 <= status < 500, f"{where}: {status} {body[:300]!r}"
    try:
        error = json.loads(body)["error"]
    except (ValueError, KeyError, TypeError):
        pytest.fail(f"{where}: {status} without the error JSON: {body[:300]!r}")
    assert isinstance(error["code"], str) and isinstance(error["details"], list), where
    assert isinstance(error["message"], str) and 0 < len(error["message"]) < 2000, f"{where}: {error['message'][:300]}"


def test_every_route_refuses_hostile_input(seeded):
    server, instance, run, before = seeded
    rng = random.Random(SEED)
    cases = http_cases(rng, instance, run, CASES)
    started = time.time()
    statuses = {}
    for number, case in enumerate(cases):
        _, method, path, body, headers, _ = case
        status, answer_headers, answer = request_case(server, method, path, body, headers)
        check_http_answer(case, status, answer_headers, answer)
        statuses[status] = statuses.get(status, 0) + 1
        if number % 200 == 199:
            server.assert_alive()
    server.assert_alive()
    assert_nothing_written(server, before)
    COUNTS["http"] = len(cases)
    report(f"hostile input: {len(cases)} HTTP cases over {len(set(c[0] for c in cases))} routes "
                    f"in {time.time() - started:.1f} s, statuses {dict(sorted(statuses.items()))}")


def request_case(server, method, path, body, headers):
    return send_http(server.port, method, path, body, headers)


def test_limits_are_stated_in_the_errors(seeded):
    server, instance, run, before = seeded
    status, _, body = send_http(server.port, "POST", "/api/instances", b'{"name":"' + b"a" * (2 * MIB) + b'"}')
    assert status == 413 and json.loads(body)["error"]["message"].startswith("the request body is larger than 1 MiB")
    status, _, body = send_http(server.port, "POST", "/api/instances", ("[" * 10_000).encode())
    assert status == 400 and "nested deeper than 512 levels" in json.loads(body)["error"]["message"]
    status, _, body = send_http(server.port, "POST", "/api/instances", b'{"experiment":"demo","name":"\xff"}')
    assert status == 400 and "not valid UTF-8 (at byte 30)" in json.loads(body)["error"]["message"]
    status, _, body = send_http(server.port, "POST", "/api/instances", b'{"experiment":"demo","name":"\\udc00"}')
    assert status == 400 and "lone surrogate" in json.loads(body)["error"]["message"]
    status, _, body = send_http(server.port, "POST", "/api/instances", b'{"experiment":"demo","name":["a"]}')
    assert status == 400 and json.loads(body)["error"]["message"] == "`name`: expected a string, got an array"
    status, _, body = send_http(server.port, "POST", "/api/instances", b'{"experiment":"demo","name":"a","x":1}')
    assert status == 400 and "unknown field `x`" in json.loads(body)["error"]["message"]
    status, _, body = send_http(server.port, "POST", f"/api/instances/{instance}/runs", b'{"timeout":1e308}')
    assert status == 400 and "at most 31622400" in json.loads(body)["error"]["message"]
    status, _, body = send_http(server.port, "GET", f"/api/runs/{run}/logs?limit=-1")
    assert status == 400 and "`limit` must be a whole number" in json.loads(body)["error"]["message"]
    status, _, body = send_http(server.port, "GET", f"/api/runs/{run}/logs?q=%FF")
    assert status == 400 and "not valid percent-encoded UTF-8" in json.loads(body)["error"]["message"]
    status, _, body = send_http(server.port, "POST", "/mcp", b"[" + b" " * (2 * MIB) + b"]",
                              {"Accept": "application/json, text/event-stream"})
    assert status == 413 and json.loads(body)["error"]["code"] == -32600
    server.assert_alive()
    assert_nothing_written(server, before)


# ---------------------------------------------------------------- MCP cases


TOOL_STRINGS = {  # the string arguments of each tool that name something (IDs, modules, keys)
    "get_experiment": ["id"], "create_experiment": ["experiment_module"], "update_experiment": ["id"],
    "delete_experiment": ["id"], "get_config_schema": ["experiment_module"], "validate_config": ["experiment_module"],
    "list_runs": ["experiment_id"], "get_run": ["id"], "start_run": ["experiment_id"], "cancel_run": ["id"],
    "get_run_logs": ["run_id"], "list_results": ["run_id"], "get_result_details": ["run_id", "key"],
    "wait_for_run": ["id"], "replay_run": ["id"], "get_run_metrics": ["run_id", "key"],
    "create_sweep": ["experiment_module"], "get_sweep": ["id"], "cancel_sweep": ["id"], "resume_sweep": ["id"],
}

SEEDED_SWEEP = {}  # the ID of the seeded data directory's sweep, set by `seeded`


def valid_arguments(tool, instance, run):
    """Arguments that would be accepted (the hostile cases spoil one of them)."""
    return {
        "list_experiments": {}, "list_available_modules": {},
        "get_experiment": {"id": instance},
        "create_experiment": {"name": "n", "experiment_module": "demo", "description": "d",
                              "configuration": {"iterations": 2}},
        "update_experiment": {"id": instance, "name": "n2", "description": "d2", "configuration": {"iterations": 2}},
        "delete_experiment": {"id": instance},
        "get_config_schema": {"experiment_module": "demo"},
        "validate_config": {"experiment_module": "demo", "configuration": {"iterations": 2}},
        "list_runs": {"experiment_id": instance},
        "get_run": {"id": run},
        "start_run": {"experiment_id": instance, "timeout_seconds": 10},
        "cancel_run": {"id": run, "reason": "r"},
        "get_run_logs": {"run_id": run, "limit": 10, "level": "info", "after_seq": 1},
        "list_results": {"run_id": run, "limit": 10, "cursor": 1},
        "get_result_details": {"run_id": run, "key": "iteration_1"},
        "wait_for_run": {"id": run, "timeout_seconds": 1},
        "replay_run": {"id": run, "at_seq": 2, "limit": 5},
        "get_run_metrics": {"run_id": run, "key": "loss", "points": 10, "x": "step"},
        "compare_runs": {"run_ids": [run, run]},
        "create_sweep": {"experiment_module": "demo", "name": "n", "space": {"iterations": [2]},
                         "configuration": {"delay_ms": 1}, "concurrency": 1, "repeats": 1, "seed": 0},
        "get_sweep": {"id": SEEDED_SWEEP["id"]}, "list_sweeps": {},
        "cancel_sweep": {"id": SEEDED_SWEEP["id"], "reason": "r"},
        "resume_sweep": {"id": SEEDED_SWEEP["id"], "retry_failed": False},
    }[tool]


WRONG_TYPES = [1, -1, 1e308, 10 ** 30, -(10 ** 30), True, False, [], ["a"], {}, {"a": 1}, 0.5]
BAD_INTEGERS = [-1, -(10 ** 30), 10 ** 30, 1.5, 1e308, -1e308, "10", "abc", True, [], {}, None]
BAD_SECONDS = [0, -1, 1e308, -1e308, 10 ** 30, 5e-324 * 0, 31622401, 3601, "10", True, [], {}]


def hostile_arguments(rng, tool, schema, instance, run, allow_huge=True, huge_sizes=(MIB + 1, 3 * MIB)):
    """Arguments for `tool` that must be refused (or, for validate_config's configuration, found
    invalid), and what was done."""
    valid = valid_arguments(tool, instance, run)
    properties = schema.get("properties", {})
    required = schema.get("required", [])
    kinds = ["extra"]
    if required:
        kinds += ["missing"]
    if TOOL_STRINGS.get(tool):
        kinds += ["id"] * 3 + ["wrong_type"] * 2 + (["huge"] if allow_huge else [])
    numeric = [name for name, p in properties.items() if p["type"] in ("integer", "number")]
    if numeric:
        kinds += ["number"] * 3
    objects = [name for name, p in properties.items() if p["type"] == "object"]
    if objects:
        kinds += ["config"] * 2
    lists = [name for name, p in properties.items() if p["type"] == "array"]
    if lists:
        kinds += ["list"] * 3
    kind = rng.choice(kinds)
    arguments = dict(valid)
    if kind == "extra":
        arguments[rng.choice(["bogus", "../x", "", "ID", "run", "limit_"])] = rng.choice(["x", 1, None, []])
    elif kind == "missing":
        del arguments[rng.choice(required)]
    elif kind == "id":
        big = allow_huge and rng.random() < 0.02
        arguments[rng.choice(TOOL_STRINGS[tool])] = "a" * MIB if big else hostile_id(rng)[:10_000]
    elif kind == "wrong_type":
        name = rng.choice([n for n, p in properties.items() if p["type"] == "string"])
        arguments[name] = rng.choice(WRONG_TYPES)
    elif kind == "huge":
        name = rng.choice([n for n, p in properties.items() if p["type"] == "string"])
        arguments[name] = rng.choice("ab\u00e9") * rng.choice(huge_sizes)
    elif kind == "number":
        name = rng.choice(numeric)
        bad = BAD_SECONDS if "seconds" in name else BAD_INTEGERS
        # Only wait_for_run stops at an hour; a run's own timeout may be longer.
        arguments[name] = rng.choice([v for v in bad if not (tool == "start_run" and v == 3601)])
        if arguments[name] is None:  # null is "absent", which is fine: make it wrong instead
            arguments[name] = "null"
    elif kind == "list":
        arguments[rng.choice(lists)] = rng.choice(
            [[], [run] * 101, "x", 1, {}, [1], [None], [[run]], [hostile_id(rng)[:10_000]], [run, "../x"]])
    elif kind == "config":
        arguments[rng.choice(objects)] = rng.choice(
            ["x", 1, [], True, {"iterations": -1}, {"iterations": 1e308}, {"bogus": 1}, {"iterations": "abc"},
             {"iterations": [[[[1]]]]}, {"../x": 1}, {"iterations": 10 ** 30}, {"delay_ms": {"a": {"b": []}}}])
    return arguments, kind


def is_refusal(tool, result):
    if result.is_error:
        text = result.content[0].text if result.content else ""
        return 0 < len(text) < 5000
    if tool == "validate_config":
        return json.loads(result.content[0].text)["valid"] is False
    return False


async def mcp_cases(session, rng, instance, run, count, huge_budget=None):
    """Sends `count` hostile calls; at most `huge_budget` of them over a megabyte (the SDK's
    stdio transport reads a long line in quadratic time: ~4 s for 1 MB in a debug build)."""
    tools = {t.name: t.input_schema for t in (await session.list_tools()).tools}
    assert len(tools) == 24
    names = sorted(tools)
    kinds = {}
    for number in range(count):
        tool = names[number % len(names)]
        allow_huge = huge_budget is None or huge_budget > 0
        arguments, kind = hostile_arguments(rng, tool, tools[tool], instance, run, allow_huge,
                                            (MIB + 1, 3 * MIB) if huge_budget is None else (MIB + 1,))
        if huge_budget is not None and any(isinstance(v, str) and len(v) >= MIB for v in arguments.values()):
            huge_budget -= 1
        try:
            result = await asyncio.wait_for(session.call_tool(tool, arguments), timeout=30)
        except asyncio.TimeoutError:
            pytest.fail(f"{tool} {kind}: no answer within 30 s")
        except Exception as error:  # noqa: BLE001: a protocol-level refusal (the body over 1 MiB over HTTP)
            assert kind == "huge" or "a" * MIB in arguments.values(), f"{tool} {kind}: {error!r}"
            result = None
        if result is not None:
            shown = {k: (str(v)[:80] if isinstance(v, str) else v) for k, v in arguments.items()}
            assert is_refusal(tool, result), f"{tool} {kind} {shown}: accepted: {result.content[0].text[:300]}"
        kinds[kind] = kinds.get(kind, 0) + 1
        if number % 100 == 99:
            modules = await session.call_tool("list_available_modules", {})
            assert not modules.is_error
    modules = await session.call_tool("list_available_modules", {})
    assert not modules.is_error
    return kinds


def run_async(coroutine, timeout=600):
    return asyncio.run(asyncio.wait_for(coroutine, timeout=timeout))


def test_every_mcp_tool_refuses_hostile_arguments_over_http(seeded):
    server, instance, run, before = seeded
    rng = random.Random(SEED + 1)
    count = max(CASES // 2, 17)

    async def body():
        async with streamable_http_client(f"http://127.0.0.1:{server.port}/mcp") as streams:
            async with ClientSession(streams[0], streams[1]) as session:
                await session.initialize()
                return await mcp_cases(session, rng, instance, run, count)
    started = time.time()
    kinds = run_async(body())
    server.assert_alive()
    assert_nothing_written(server, before)
    COUNTS["mcp_http"] = count
    report(f"hostile input: {count} MCP tool calls over Streamable HTTP (24 tools) in "
                    f"{time.time() - started:.1f} s, {dict(sorted(kinds.items()))}")


def test_every_mcp_tool_refuses_hostile_arguments_over_stdio(seeded):
    server, instance, run, before = seeded
    rng = random.Random(SEED + 2)
    count = max(CASES // 2, 17)

    async def body():
        async with stdio_client(support.mcp_stdio(server.data)) as (read, write):
            async with ClientSession(read, write) as session:
                await session.initialize()
                return await mcp_cases(session, rng, instance, run, count, huge_budget=2)
    started = time.time()
    kinds = run_async(body())
    server.assert_alive()
    assert_nothing_written(server, before)
    COUNTS["mcp_stdio"] = count
    report(f"hostile input: {count} MCP tool calls over stdio (24 tools) in "
                    f"{time.time() - started:.1f} s, {dict(sorted(kinds.items()))}")


# ---------------------------------------------------------------- raw JSON-RPC (what no client library sends)


def raw_messages(rng, instance, count):
    """JSON-RPC texts (bytes) that the official client cannot produce: deep nesting, invalid
    UTF-8, lone surrogates, NaN, broken JSON, wrong types in the envelope."""
    def call(arguments_text, name="validate_config"):
        return ('{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"%s","arguments":%s}}'
                % (name, arguments_text)).encode()
    makers = [
        lambda: call('{"experiment_module":"demo","configuration":%s}' % deep(rng)),
        lambda: call('{"experiment_module":"demo","configuration":{"a":%s}}' % deep(rng, rng.choice([200, 500]))),
        lambda: call('{"name":"x","experiment_module":"demo","configuration":%s}' % deep(rng), "create_experiment"),
        lambda: call('{"experiment_module":"demo","name":"x"}').replace(b'"x"', b'"x' + rng.choice(BAD_UTF8) + b'"'),
        lambda: call('{"experiment_module":"demo","name":%s}' % rng.choice(LONE_SURROGATES), "create_experiment"),
        lambda: call('{"experiment_id":"%s","timeout_seconds":%s}' % (instance, rng.choice(
            ["NaN", "Infinity", "1e400", "-1e400", "1e308", "123456789012345678901234567890"])), "start_run"),
        lambda: call(rng.choice(['"x"', "[]", "1", "null", "true", deep(rng)]), rng.choice(["get_run", "start_run"])),
        lambda: rng.choice(NOT_JSON).encode(),
        lambda: ('{"jsonrpc":"2.0","id":%s,"method":"tools/call","params":{"name":%s,"arguments":{}}}' % (
            rng.choice(["[]", "{}", "1e400", "true", '"x"']), rng.choice(["1", "[]", "null", '"../x"']))).encode(),
        lambda: b'{"jsonrpc":"2.0","id":8,"method":' + rng.choice([b"1", b"[]", b'"tools/\xff"', b'"x"']) + b"}",
    ]
    return [makers[number % len(makers)]() for number in range(count)]


def refused(message):
    """Whether a JSON-RPC message answers with a refusal: a JSON-RPC error, a tool error, or a
    configuration found invalid (validate_config's answer). Parsed, not searched as text: a
    successful answer may well hold `"error":null`."""
    if isinstance(message.get("error"), dict):
        return True
    result = message.get("result")
    if not isinstance(result, dict):
        return False
    if result.get("isError") is True:
        return True
    values = [result.get("structuredContent")]
    for item in result.get("content") or []:
        try:
            values.append(json.loads(item.get("text", "")))
        except (ValueError, AttributeError):
            pass
    return any(isinstance(value, dict) and value.get("valid") is False for value in values)


def json_rpc_messages(body):
    """The JSON-RPC messages of an HTTP answer: a JSON body, or server-sent events' data."""
    text = body.decode()
    if text.lstrip().startswith("{"):
        return [json.loads(text)]
    # (An event with empty data primes a resumable stream: it carries no message.)
    return [json.loads(line[len("data: "):]) for line in text.splitlines() if line.startswith("data: ") and line[6:]]


def test_raw_json_rpc_over_http_is_refused_and_the_session_goes_on(seeded):
    server, instance, _, before = seeded
    rng = random.Random(SEED + 3)
    headers = {"Accept": "application/json, text/event-stream"}
    initialize = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "fuzz", "version": "1"}}})
    status, answer_headers, _ = send_http(server.port, "POST", "/mcp", initialize.encode(), headers)
    assert status == 200
    session = {k.lower(): v for k, v in answer_headers.items()}["mcp-session-id"]
    headers.update({"MCP-Session-Id": session, "MCP-Protocol-Version": "2025-06-18"})
    send_http(server.port, "POST", "/mcp", b'{"jsonrpc":"2.0","method":"notifications/initialized"}', headers)
    messages = raw_messages(rng, instance, max(CASES // 20, 10))
    for number, message in enumerate(messages):
        status, _, body = send_http(server.port, "POST", "/mcp", message, headers)
        assert status < 500, f"{message[:200]!r}: {status} {body[:300]!r}"
        if status == 200:  # answered as a result: it must be an error (tool error or JSON-RPC error)
            answers = json_rpc_messages(body)
            assert answers and all(refused(answer) for answer in answers), f"{message[:200]!r}: {body[:400]!r}"
        if number % 20 == 19:
            status, _, body = send_http(server.port, "POST", "/mcp", b'{"jsonrpc":"2.0","id":9,"method":"tools/list"}',
                                      headers)
            assert status == 200 and b"list_available_modules" in body
    server.assert_alive()
    assert_nothing_written(server, before)
    report(f"hostile input: {len(messages)} raw JSON-RPC messages over Streamable HTTP")


def test_raw_json_rpc_over_stdio_is_refused_and_the_session_goes_on(seeded):
    server, instance, _, before = seeded
    rng = random.Random(SEED + 4)
    process = support.spawn([ATHANOR, "mcp", "--data", str(server.data)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    os.set_blocking(process.stdout.fileno(), False)
    buffered = bytearray()

    def send(data):
        process.stdin.write(data + b"\n")
        process.stdin.flush()

    def answer_to(id_text, timeout=30):
        """Reads lines until the response whose id is `id_text`; returns it."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            while b"\n" in buffered:
                line, _, rest = bytes(buffered).partition(b"\n")
                buffered[:] = rest
                message = json.loads(line)
                if json.dumps(message.get("id")) == id_text:
                    return message
                # An answer to a hostile message must be an error of some kind.
                assert refused(message), json.dumps(message)[:400]
            assert process.poll() is None, "athanor mcp exited"
            # Waits for output (or the deadline) rather than polling.
            select.select([process.stdout], [], [], max(0.0, deadline - time.time()))
            chunk = process.stdout.read(1 << 16)
            if chunk:
                buffered.extend(chunk)
        pytest.fail(f"no answer to id {id_text} within {timeout} s")

    try:
        send(json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
            "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "fuzz", "version": "1"}}}).encode())
        assert "result" in answer_to("1")
        send(b'{"jsonrpc":"2.0","method":"notifications/initialized"}')
        messages = raw_messages(rng, instance, max(CASES // 20, 10))
        for number, message in enumerate(messages):
            send(message.replace(b"\n", b" "))
            # Whatever the SDK does with it (an error response or nothing), the next request is answered.
            send(('{"jsonrpc":"2.0","id":%d,"method":"tools/list"}' % (1000 + number)).encode())
            reply = answer_to(str(1000 + number))
            assert "list_available_modules" in json.dumps(reply)
        assert process.poll() is None
    finally:
        process.stdin.close()
        try:
            process.wait(timeout=10)  # it ends when its input does
        finally:
            support.end_group(process)
    server.assert_alive()
    assert_nothing_written(server, before)
    report(f"hostile input: {len(messages)} raw JSON-RPC messages over stdio")
