"""The JSON API and server-sent events of `athanor serve`, against the real server and workers."""

import json
import os
import subprocess
import threading
import time
import urllib.error
import urllib.request

import pytest

import support
from support import ATHANOR, Server, call, free_port


@pytest.fixture
def server(tmp_path):
    running = Server(tmp_path / "data")
    yield running.base
    running.stop()


def wait_for(predicate, timeout=30, what="the condition"):
    return support.wait_until(predicate, timeout, what)


def sse(base, path, stop, headers=None, timeout=30, connected=None):
    """Reads server-sent events until `stop(events)` is true; returns [(id, event, data)].
    `connected()` is called when the server's `: connected` comment arrives (it sends it once
    the stream is set up: for /api/events, once the client is subscribed)."""
    request = urllib.request.Request(base + path, headers=headers or {})
    events, current = [], {}
    with urllib.request.urlopen(request, timeout=timeout) as response:
        assert response.headers["Content-Type"].startswith("text/event-stream")
        for raw in response:
            line = raw.decode().rstrip("\n")
            if line == ": connected" and connected:
                connected()
            if line == "":
                if "data" in current:
                    events.append((current.get("id"), current.get("event", "message"), current["data"]))
                    if stop(events):
                        return events
                current = {}
            elif not line.startswith(":"):
                key, _, value = line.partition(": ")
                current[key] = value
    return events


def create_demo(base, **config):
    status, instance = call(base, "POST", "/api/instances",
                            {"experiment": "demo", "name": "api", "config": {"delay_ms": 1, **config}})
    assert status == 201, instance
    return instance


def test_experiments_describe_their_configuration(server):
    status, experiments = call(server, "GET", "/api/experiments")
    assert status == 200
    demo = next(e for e in experiments if e["name"] == "demo")
    assert demo["config_schema"]["properties"]["iterations"]["maximum"] == 1000000
    fields = {f["name"]: f for f in demo["fields"]}
    assert fields["iterations"]["type"] == "integer" and fields["iterations"]["default"] == 10
    shift = next(e for e in experiments if e["name"] == "substrate_shift")
    pairs = next(f for f in shift["fields"] if f["name"] == "model_pairs")
    assert pairs["type"] == "list" and [f["name"] for f in pairs["fields"]] == ["model_a", "model_b"]


def test_instance_lifecycle(server):
    instance = create_demo(server, iterations=3)
    assert instance["config"] == {"iterations": 3, "delay_ms": 1, "fail_at": 0, "crash_at": 0}
    assert instance["run_count"] == 0 and instance["last_run"] is None
    iid = instance["instance"]
    status, patched = call(server, "PATCH", f"/api/instances/{iid[:12]}",
                           {"name": "renamed", "config": {"iterations": 4}})
    assert status == 200 and patched["name"] == "renamed" and patched["config"]["iterations"] == 4
    status, listed = call(server, "GET", "/api/instances")
    assert [i["instance"] for i in listed] == [iid]
    status, deleted = call(server, "DELETE", f"/api/instances/{iid}")
    assert status == 200 and deleted["deleted"] is True
    assert call(server, "GET", "/api/instances")[1] == []
    assert [i["instance"] for i in call(server, "GET", "/api/instances?all=true")[1]] == [iid]
    status, error = call(server, "POST", f"/api/instances/{iid}/runs", {})
    assert status == 409 and error["error"]["code"] == "conflict"


def test_a_run_started_over_the_api_completes_with_its_logs_and_results(server):
    iid = create_demo(server, iterations=20)["instance"]
    status, run = call(server, "POST", f"/api/instances/{iid}/runs", {})
    assert status == 202 and run["status"] in ("pending", "running")
    rid = run["run"]
    # Completed as soon as run_completed is written; the journal is closed (compressed) just after.
    done = wait_for(lambda: (r := call(server, "GET", f"/api/runs/{rid}")[1])["status"] == "completed"
                    and r["journal"].endswith(".jsonl.zst") and r)
    assert done["result_count"] == 20 and done["progress"]["current"] == 20
    status, logs = call(server, "GET", f"/api/runs/{rid}/logs?level=info")
    assert logs["total"] == 22 and logs["matched"] == 2
    assert [e["message"] for e in logs["entries"]] == ["Starting 20 iterations", "Done"]
    window = call(server, "GET", f"/api/runs/{rid}/logs?offset=5&limit=3")[1]
    assert window["offset"] == 5 and len(window["entries"]) == 3
    assert [e["message"] for e in call(server, "GET", f"/api/runs/{rid}/logs?q=ITERATION%2012")[1]["entries"]] == ["Iteration 12"]
    # Browsers send a space in a query string as "+".
    assert [e["message"] for e in call(server, "GET", f"/api/runs/{rid}/logs?q=iteration+12")[1]["entries"]] == ["Iteration 12"]
    results = call(server, "GET", f"/api/runs/{rid}/results?limit=5")[1]
    assert results["total"] == 20 and [e["key"] for e in results["entries"]] == [f"iteration_{i}" for i in range(1, 6)]
    one = call(server, "GET", f"/api/runs/{rid}/results?key=iteration_7")[1]["entries"]
    assert one[0]["value"]["iteration"] == 7
    assert [r["run"] for r in call(server, "GET", f"/api/runs?instance={iid}&status=completed")[1]] == [rid]
    # Its metric (demo: `loss` at steps 1…20), raw, bucketed, zoomed, smoothed, and compared.
    assert done["metrics"]["loss"]["count"] == 20
    status, curves = call(server, "GET", f"/api/metrics?runs={rid}")
    series = curves["runs"][0]["series"][0]
    assert status == 200 and series["key"] == "loss" and series["raw"] and series["x"] == list(range(1, 21))
    assert min(series["y"]) == done["metrics"]["loss"]["min"]["value"]
    bucketed = call(server, "GET", f"/api/metrics?runs={rid[:12]}&keys=loss&points=8&smoothing=0.5")[1]
    series = bucketed["runs"][0]["series"][0]
    assert not series["raw"] and len(series["buckets"]) == 2 and series["count"] == 20
    assert max(b["max"][1] for b in series["buckets"]) == done["metrics"]["loss"]["max"]["value"]
    assert series["smoothed"]["count"] == 20
    zoomed = call(server, "GET", f"/api/metrics?runs={rid}&from=5&to=8&x=step")[1]["runs"][0]["series"][0]
    assert zoomed["raw"] and zoomed["x"] == [5, 6, 7, 8]
    timed = call(server, "GET", f"/api/metrics?runs={rid}&x=time")[1]["runs"][0]["series"][0]
    assert 0 <= timed["x"][0] <= timed["x"][-1]
    for query, message in (("", "`runs` is required"), (f"runs={rid}&x=epoch", "`x` must be"),
                           (f"runs={rid}&points=2", "`points` must be"), (f"runs={rid}&smoothing=1", "`smoothing`"),
                           ("runs=../x", "not a valid run ID"), (f"runs={rid}&from=abc", "`from` must be a number")):
        status, problem = call(server, "GET", f"/api/metrics?{query}")
        assert status == 400 and message in problem["error"]["message"], (query, problem)
    status, compared = call(server, "GET", f"/api/compare?runs={rid},{rid}")
    assert status == 200 and [r["run"] for r in compared["runs"]] == [rid, rid]
    assert not any(row["differs"] for row in compared["config"])


def test_the_event_stream_forwards_the_journals_own_lines(server, tmp_path):
    """`data:` is the journal line as it is on disk: a type this server does not know and
    fields it does not know reach the client untouched (a newer writer's journal, say)."""
    iid = create_demo(server, iterations=1)["instance"]
    rid = "01m8xa0000000000000000000z"
    lines = [
        {"seq": 1, "ts": "2026-12-03T06:00:00.000001Z", "type": "run_created", "format": 1, "run": rid,
         "instance": iid, "instance_name": "by hand", "experiment": "demo", "config": {"iterations": 1},
         "executor": "process"},
        {"seq": 2, "ts": "2026-12-03T06:00:00.100000Z", "type": "run_started", "pid": 1, "host": "elsewhere"},
        {"seq": 3, "ts": "2026-12-03T06:00:00.200000Z", "type": "checkpoint", "path": "/ckpt/1", "bytes": 12.5e6},
        {"seq": 4, "ts": "2026-12-03T06:00:00.300000Z", "type": "log", "level": "info", "message": "étape 1",
         "span": {"trace": "abc", "depth": [1, 2]}},
        {"seq": 5, "ts": "2026-12-03T06:00:00.400000Z", "type": "run_completed"},
    ]
    texts = [json.dumps(line, separators=(",", ":"), ensure_ascii=False) for line in lines]
    folder = tmp_path / "data" / "runs" / iid
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{rid}.jsonl").write_text("".join(text + "\n" for text in texts), encoding="utf-8")
    wait_for(lambda: call(server, "GET", f"/api/runs/{rid}")[0] == 200, what="the run to be listed")
    events = sse(server, f"/api/runs/{rid}/events", lambda ev: len(ev) == len(texts))
    assert [(i, d) for i, _, d in events] == [(str(line["seq"]), text) for line, text in zip(lines, texts)]


def test_run_events_stream_live_and_resume_from_last_event_id(server):
    iid = create_demo(server, iterations=30, delay_ms=20)["instance"]
    rid = call(server, "POST", f"/api/instances/{iid}/runs", {})[1]["run"]
    events = sse(server, f"/api/runs/{rid}/events", lambda ev: json.loads(ev[-1][2])["type"].startswith("run_")
                 and json.loads(ev[-1][2])["type"] not in ("run_created", "run_started"))
    lines = [json.loads(data) for _, _, data in events]
    assert [int(i) for i, _, _ in events] == [line["seq"] for line in lines] == list(range(1, len(lines) + 1))
    assert lines[0]["type"] == "run_created" and lines[-1]["type"] == "run_completed"
    resumed = sse(server, f"/api/runs/{rid}/events", lambda ev: False, headers={"Last-Event-ID": str(len(lines) - 3)})
    assert [int(i) for i, _, _ in resumed] == [len(lines) - 2, len(lines) - 1, len(lines)]


def test_catalog_events_announce_new_and_changing_runs(server):
    iid = create_demo(server, iterations=10, delay_ms=50)["instance"]
    seen, subscribed, failures = [], threading.Event(), []

    def listen():
        try:
            seen.extend(sse(server, "/api/events",
                            lambda ev: any(e == "run" and json.loads(d)["status"] == "completed" for _, e, d in ev),
                            connected=subscribed.set))
        except Exception as error:  # reported by the test, not lost in the thread
            failures.append(error)

    listener = threading.Thread(target=listen, daemon=True)
    listener.start()
    assert subscribed.wait(30), f"the event stream did not connect: {failures}"
    status, run = call(server, "POST", f"/api/instances/{iid}/runs", {})
    assert status == 202, run
    listener.join(timeout=30)
    assert not listener.is_alive() and not failures, f"the stream did not announce the run's end: {failures}"
    statuses = [json.loads(d)["status"] for _, e, d in seen if e == "run" and json.loads(d)["run"] == run["run"]]
    # Announced when it appeared (not yet ended), then as it ran, then its end; never backwards.
    assert statuses and statuses[0] in ("pending", "running"), statuses
    assert "running" in statuses and statuses[-1] == "completed", statuses
    order = ["pending", "running", "completed"]
    assert [order.index(s) for s in statuses] == sorted(order.index(s) for s in statuses), statuses
    instances = [json.loads(d) for _, e, d in seen if e == "instance"]
    assert instances and instances[-1]["run_count"] == 1


def test_a_run_started_by_another_process_appears(server, tmp_path):
    iid = create_demo(server, iterations=2)["instance"]
    support.run([ATHANOR, "run", iid, "--data", str(tmp_path / "data")], check=True, capture_output=True, timeout=60)
    runs = wait_for(lambda: (r := call(server, "GET", f"/api/runs?instance={iid}")[1]) and r[0]["status"] == "completed" and r)
    assert len(runs) == 1 and runs[0]["result_count"] == 2


def test_cancelling_a_run(server):
    iid = create_demo(server, iterations=100000, delay_ms=10)["instance"]
    rid = call(server, "POST", f"/api/instances/{iid}/runs", {})[1]["run"]
    wait_for(lambda: call(server, "GET", f"/api/runs/{rid}")[1]["status"] == "running")
    status, answer = call(server, "POST", f"/api/runs/{rid}/cancel", {"reason": "from the test"})
    assert status == 202 and answer["outcome"] == "requested"
    run = wait_for(lambda: (r := call(server, "GET", f"/api/runs/{rid}")[1])["status"] == "cancelled" and r)
    assert run["error"] == "from the test"
    status, error = call(server, "POST", f"/api/runs/{rid}/cancel", {})
    assert status == 409 and "already ended" in error["error"]["message"]


@pytest.mark.parametrize("method,path,body,raw,status,code", [
    ("GET", "/api/runs/zzzz", None, None, 404, "not_found"),
    ("GET", "/api/instances/zzzz", None, None, 404, "not_found"),
    ("GET", "/api/runs/%2E%2E%2Fx", None, None, 400, "bad_request"),
    ("GET", "/api/instances/ABC!", None, None, 400, "bad_request"),
    ("POST", "/api/instances", None, b"{not json", 400, "bad_request"),
    ("POST", "/api/instances", None, b"[1,2]", 400, "bad_request"),
    ("POST", "/api/instances", {"experiment": "nope", "name": "x"}, None, 404, "not_found"),
    ("POST", "/api/instances", {"experiment": "demo"}, None, 400, "bad_request"),
    ("POST", "/api/instances", {"experiment": "demo", "name": 5}, None, 400, "bad_request"),
    ("POST", "/api/instances", None, "BIG", 413, "payload_too_large"),
    ("GET", "/api/runs?status=bogus", None, None, 400, "bad_request"),
    ("GET", "/api/nothing", None, None, 404, "not_found"),
])
def test_bad_input_gets_a_clear_error_and_the_server_keeps_serving(server, method, path, body, raw, status, code):
    if raw == "BIG":
        raw = b'{"name":"' + b"x" * (2 << 20) + b'"}'
    got, error = call(server, method, path, body, raw)
    assert got == status, error
    assert error["error"]["code"] == code and error["error"]["message"]
    assert call(server, "GET", "/api/experiments")[0] == 200


def test_invalid_configurations_list_every_error(server):
    status, error = call(server, "POST", "/api/instances", {
        "experiment": "substrate_shift", "name": "x",
        "config": {"runs_per_pair": 0, "model_pairs": [{"model_a": "a", "model_b": "b"}, {"model_b": "b"}]}})
    assert status == 422 and error["error"]["code"] == "invalid_config"
    assert {(d["path"], d["message"]) for d in error["error"]["details"]} == {
        ("runs_per_pair", "0 is below the minimum 1"), ("model_pairs[1].model_a", "required")}


def test_an_access_token_guards_every_request(tmp_path):
    token = "test-token-0123456789abcdef"
    port = free_port()
    process = support.spawn([ATHANOR, "serve", "--port", str(port), "--data", str(tmp_path / "data"),
                             "--token", token], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 30
        while True:
            try:
                urllib.request.urlopen(base + "/api/experiments", timeout=2)
                pytest.fail("a request without the token was served")
            except urllib.error.HTTPError as error:
                assert error.code == 401
                assert json.loads(error.read())["error"]["code"] == "unauthorized"
                break
            except OSError:
                assert time.time() < deadline
                time.sleep(0.05)
        request = urllib.request.Request(base + "/api/experiments", headers={"Authorization": f"Bearer {token}"})
        assert urllib.request.urlopen(request, timeout=30).status == 200
        # A page opened with ?token= sets a cookie and drops the token from the address.
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        page = opener.open(base + f"/experiments?token={token}", timeout=30)
        assert page.status == 200 and page.url == base + "/experiments"
        assert opener.open(base + "/api/instances", timeout=30).status == 200
    finally:
        support.end_group(process, grace=10)


def test_listening_beyond_loopback_needs_a_token(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "ATHANOR_TOKEN"}
    refused = support.run([ATHANOR, "serve", "--host", "0.0.0.0", "--port", str(free_port()), "--data",
                           str(tmp_path / "data")], capture_output=True, text=True, env=env, timeout=30)
    assert refused.returncode != 0 and "needs an access token" in refused.stderr
    port = free_port()
    token = "0123456789abcdef0123"
    process = support.spawn([ATHANOR, "serve", "--host", "0.0.0.0", "--port", str(port), "--data",
                             str(tmp_path / "data")], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**env, "ATHANOR_TOKEN": token})
    try:
        line = ""
        while "serving" not in line:
            line = process.stdout.readline()
            assert line, "the server exited"
        assert f"?token={token}" in line
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/mcp", data=b"{}", timeout=30)
            pytest.fail("MCP served without the token")
        except urllib.error.HTTPError as error:
            assert error.code == 401
    finally:
        support.end_group(process, grace=10)


@pytest.mark.parametrize("path", ["/../../../../etc/passwd", "/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "/..%2f..%2f..%2fetc/passwd",
                                  "/experiments/../../../etc/passwd", "/app.js/../../Package.swift", "/api/runs/..%2f..%2fx"])
def test_no_directory_traversal(server, path):
    import http.client
    host, port = server.replace("http://", "").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.request("GET", path)
    response = connection.getresponse()
    body = response.read()
    # Either refused, or (for app paths) the web UI's own page: never a file from outside it.
    assert response.status in (400, 404) or b"<!doctype html" in body.lower(), (path, response.status)
    assert b"root:" not in body and b"PackageDescription" not in body


def test_an_instance_carries_slurm_resources_validated_and_replaced_whole(server):
    status, bad = call(server, "POST", "/api/instances",
                       {"experiment": "demo", "name": "r", "resources": {"cpus": 0}})
    assert status == 422 and [d["path"] for d in bad["error"]["details"]] == ["resources.cpus"], bad
    assert call(server, "GET", "/api/instances")[1] == []  # nothing was created
    status, instance = call(server, "POST", "/api/instances",
                            {"experiment": "demo", "name": "r", "resources": {"cpus": 2, "time": "10"}})
    assert status == 201 and instance["resources"] == {"time": "10", "cpus": 2}, instance
    iid = instance["instance"]
    for resources, path in [({"time": "soon"}, "resources.time"), ({"gpus": 1}, "resources.gpus"),
                            ({"options": ["qos"]}, "resources.options[0]"), ([], "resources")]:
        status, problem = call(server, "PATCH", f"/api/instances/{iid}", {"resources": resources})
        assert status == 422 and problem["error"]["details"][0]["path"] == path, (resources, problem)
    assert call(server, "GET", f"/api/instances/{iid}")[1]["resources"] == {"time": "10", "cpus": 2}
    status, patched = call(server, "PATCH", f"/api/instances/{iid}", {"resources": {"mem": "4G", "options": ["--qos=high"]}})
    assert status == 200 and patched["resources"] == {"mem": "4G", "options": ["--qos=high"]}, patched
    assert call(server, "PATCH", f"/api/instances/{iid}", {"resources": {}})[1]["resources"] == {}


def test_with_poll_the_server_follows_runs_that_other_processes_write(tmp_path):
    data = tmp_path / "data"
    with Server(data) as watching:
        assert call(watching.base, "GET", "/api/status")[1]["following"] == "inotify"
    with Server(data, "--poll") as polling:
        status = call(polling.base, "GET", "/api/status")[1]
        assert (status["following"], status["executor"], status["scheduler_calls_per_minute"]) == \
            ("polling", "process", None), status
        instance = create_demo(polling.base, iterations=40, delay_ms=10)["instance"]
        # Written by a process of its own: the server learns of it only from the files.
        run = support.run([ATHANOR, "run", instance, "--detach", "--data", data], capture_output=True, text=True,
                          check=True).stdout.strip()
        events = sse(polling.base, f"/api/runs/{run}/events", lambda ev: json.loads(ev[-1][2])["type"] == "run_completed")
        assert sum(json.loads(e[2])["type"] == "progress" for e in events) == 40
        wait_for(lambda: call(polling.base, "GET", f"/api/instances/{instance}")[1]["runs"][0]["status"] == "completed",
                 what="the catalog to see the run completed")
