"""The MCP server with the official Python client (`mcp`), over both transports (stdio, and
Streamable HTTP at /mcp in `athanor serve`): every tool, a whole lifecycle, and every error case
as a tool error that leaves the session working."""

import asyncio
import json
import time
import urllib.error
import urllib.request

import pytest
from mcp import ClientSession
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client

import support

TOOLS = {"list_experiments", "get_experiment", "create_experiment", "update_experiment", "delete_experiment",
         "list_available_modules", "get_config_schema", "validate_config", "list_runs", "get_run", "start_run",
         "cancel_run", "get_run_logs", "list_results", "get_result_details", "wait_for_run", "replay_run", "get_run_metrics", "compare_runs",
         "create_sweep", "get_sweep", "list_sweeps", "cancel_sweep", "resume_sweep"}


def run(coroutine):
    return asyncio.run(asyncio.wait_for(coroutine, timeout=120))


@pytest.fixture(params=["stdio", "http"])
def connect(request, tmp_path):
    """A function that runs `body(session)` in an initialized MCP session of the given transport."""
    data = tmp_path / "data"
    if request.param == "stdio":
        async def over_stdio(body):
            async with stdio_client(support.mcp_stdio(data)) as (read, write):
                async with ClientSession(read, write) as session:
                    await session.initialize()
                    return await body(session)
        yield over_stdio
        # The client ended `athanor mcp` (closing its input, then killing its group if need be);
        # nothing it started may outlive it. (conftest.py checks the same for every test.)
        support.wait_until(lambda: not support.live_processes(str(data)), 10,
                           "athanor mcp and its workers to end with the session")
        return
    with support.Server(data) as server:
        async def over_http(body):
            async with streamable_http_client(f"{server.base}/mcp") as streams:
                async with ClientSession(streams[0], streams[1]) as session:
                    await session.initialize()
                    return await body(session)
        yield over_http
        server.stop()


async def call(session, tool, **arguments):
    result = await session.call_tool(tool, arguments)
    text = result.content[0].text if result.content else ""
    return result.is_error, (json.loads(text) if not result.is_error else text), result.structured_content


def test_every_tool_is_listed_with_a_schema(connect):
    async def body(session):
        tools = (await session.list_tools()).tools
        assert {t.name for t in tools} == TOOLS
        for tool in tools:
            assert tool.description and tool.input_schema["type"] == "object"
        start = next(t for t in tools if t.name == "start_run")
        assert start.input_schema["required"] == ["experiment_id"]
    run(connect(body))


def test_a_whole_lifecycle(connect):
    async def body(session):
        error, modules, _ = await call(session, "list_available_modules")
        assert not error and {m["name"] for m in modules} >= {"demo", "substrate_shift"}
        error, schema, _ = await call(session, "get_config_schema", experiment_module="demo")
        assert schema["properties"]["iterations"]["type"] == "integer"
        error, verdict, _ = await call(session, "validate_config", experiment_module="demo",
                                       configuration={"iterations": 0, "bogus": 1})
        assert verdict["valid"] is False
        assert {e["path"] for e in verdict["errors"]} == {"iterations", "bogus"}
        error, verdict, _ = await call(session, "validate_config", experiment_module="demo",
                                       configuration={"iterations": 5})
        assert verdict["valid"] is True and verdict["configuration"]["delay_ms"] == 100
        error, instance, structured = await call(session, "create_experiment", name="agent", experiment_module="demo",
                                                 configuration={"iterations": 12, "delay_ms": 5})
        assert not error and structured["instance"] == instance["instance"]
        iid = instance["instance"]
        error, started, _ = await call(session, "start_run", experiment_id=iid)
        assert not error and started["status"] in ("pending", "running")
        error, done, _ = await call(session, "wait_for_run", id=started["run"], timeout_seconds=60)
        assert done["status"] == "completed" and done["timed_out"] is False and done["result_count"] == 12
        error, logs, _ = await call(session, "get_run_logs", run_id=done["run"], level="info")
        assert not error, logs
        assert [l["message"] for l in logs["logs"]] == ["Starting 12 iterations", "Done"]
        error, page, _ = await call(session, "get_run_logs", run_id=done["run"], after_seq=0, limit=3)
        assert len(page["logs"]) == 3 and page["next_after_seq"] == page["logs"][-1]["seq"]
        error, results, _ = await call(session, "list_results", run_id=done["run"], limit=5)
        assert [r["key"] for r in results["results"]] == [f"iteration_{i}" for i in range(1, 6)]
        error, more, _ = await call(session, "list_results", run_id=done["run"], limit=5, cursor=results["next_cursor"])
        assert more["results"][0]["key"] == "iteration_6"
        error, details, _ = await call(session, "get_result_details", run_id=done["run"], key="iteration_3")
        assert details["results"][0]["value"]["iteration"] == 3
        # Metrics: demo records `loss` at steps 1…12.
        error, metrics, _ = await call(session, "get_run_metrics", run_id=done["run"])
        assert not error and metrics["metrics"]["loss"]["count"] == 12, metrics
        error, curve, _ = await call(session, "get_run_metrics", run_id=done["run"], key="loss", points=8)
        series = curve["series"][0]
        assert not error and series["raw"] is False and series["count"] == 12 and len(series["buckets"]) == 2, curve
        assert min(b["min"][1] for b in series["buckets"]) == metrics["metrics"]["loss"]["min"]["value"]
        error, curve, _ = await call(session, "get_run_metrics", run_id=done["run"], key="loss")
        assert curve["series"][0]["x"] == list(range(1, 13)) and curve["x"] == "step"
        error, text, _ = await call(session, "get_run_metrics", run_id=done["run"], key="nope")
        assert error and 'has no metric "nope"' in text
        error, compared, _ = await call(session, "compare_runs", run_ids=[done["run"], done["run"][:12]])
        assert not error and not any(row["differs"] for row in compared["config"]), compared
        error, replay, _ = await call(session, "replay_run", id=done["run"], at_seq=5)
        assert replay["at_seq"] == 5 and replay["state"]["status"] == "running" and len(replay["timeline"]) == 5
        error, runs, structured = await call(session, "list_runs", experiment_id=iid)
        assert [r["run"] for r in runs] == [done["run"]] and structured["items"][0]["run"] == done["run"]
        error, detail, _ = await call(session, "get_experiment", id=iid[:10])
        assert detail["run_counts"]["completed"] == 1
        error, updated, _ = await call(session, "update_experiment", id=iid, name="renamed")
        assert updated["name"] == "renamed"
        # A long run, cancelled.
        error, long_run, _ = await call(session, "start_run", experiment_id=(await call(
            session, "create_experiment", name="long", experiment_module="demo",
            configuration={"iterations": 100000, "delay_ms": 10}))[1]["instance"])
        # Cancelled once it runs (a cancel before the worker starts is tested elsewhere).
        deadline = time.monotonic() + 30
        while (await call(session, "get_run", id=long_run["run"]))[1]["status"] != "running":
            assert time.monotonic() < deadline, "the long run did not start"
            await asyncio.sleep(0.02)
        error, cancelled, _ = await call(session, "cancel_run", id=long_run["run"], reason="agent says stop")
        assert not error and cancelled["cancelling"] is True
        error, ended, _ = await call(session, "wait_for_run", id=long_run["run"], timeout_seconds=30)
        assert ended["status"] == "cancelled" and ended["error"] == "agent says stop"
        error, deleted, _ = await call(session, "delete_experiment", id=iid)
        assert deleted["deleted"] is True
    run(connect(body))


def test_errors_are_tool_errors_and_the_session_goes_on(connect):
    async def body(session):
        cases = [
            ("get_experiment", {"id": "zzzz"}, "no instance"),
            ("get_run", {"id": "../etc"}, "not a valid run ID"),
            ("get_run", {}, "`id` is required"),
            ("create_experiment", {"name": "x", "experiment_module": "nope"}, "unknown experiment"),
            ("create_experiment", {"name": "x", "experiment_module": "demo", "configuration": {"iterations": 0}},
             "iterations: 0 is below the minimum 1"),
            ("get_run_logs", {"run_id": "zzzz", "limit": 10}, "no run"),
            ("no_such_tool", {}, "unknown tool"),
        ]
        for tool, arguments, message in cases:
            error, text, _ = await call(session, tool, **arguments)
            assert error, tool
            assert message in text, (tool, text)
        error, instance, _ = await call(session, "create_experiment", name="quick", experiment_module="demo",
                                        configuration={"iterations": 1, "delay_ms": 0})
        error, started, _ = await call(session, "start_run", experiment_id=instance["instance"])
        await call(session, "wait_for_run", id=started["run"])
        error, text, _ = await call(session, "cancel_run", id=started["run"])
        assert error and "already ended" in text
        error, text, _ = await call(session, "get_run_logs", run_id=started["run"], limit="ten")
        assert error and "`limit`: expected an integer, got a string" in text
        # Still working after all of that.
        assert not (await call(session, "list_experiments"))[0]
    run(connect(body))


def test_http_sessions_check_the_origin_and_end_on_delete(tmp_path):
    server = support.Server(tmp_path / "data")
    port = server.port
    url = f"http://127.0.0.1:{port}/mcp"
    initialize = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "test", "version": "1"}}}).encode()
    headers = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}

    def post(extra, body=initialize, method="POST"):
        request = urllib.request.Request(url, data=body, method=method, headers={**headers, **extra})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, dict(response.headers), response.read()
        except urllib.error.HTTPError as error:
            return error.code, dict(error.headers), error.read()

    try:
        status, _, _ = post({"Origin": "http://attacker.example"})
        assert status == 403
        status, answer_headers, _ = post({"Origin": f"http://127.0.0.1:{port}"})
        assert status == 200
        session = next(v for k, v in answer_headers.items() if k.lower() == "mcp-session-id")
        status, _, _ = post({"Mcp-Session-Id": session, "MCP-Protocol-Version": "2025-06-18"}, body=None,
                            method="DELETE")
        assert status == 200
        status, _, _ = post({"Mcp-Session-Id": session, "MCP-Protocol-Version": "2025-06-18"},
                            body=json.dumps({"jsonrpc": "2.0", "id": 2, "method": "tools/list"}).encode())
        assert status == 404
    finally:
        server.kill()


def test_runs_are_resources(connect):
    async def body(session):
        templates = (await session.list_resource_templates()).resource_templates
        assert {t.uri_template for t in templates} == {
            "athanor://runs/{id}", "athanor://runs/{id}/logs", "athanor://runs/{id}/results"}
        error, instance, _ = await call(session, "create_experiment", name="res", experiment_module="demo",
                                        configuration={"iterations": 3, "delay_ms": 0})
        error, started, _ = await call(session, "start_run", experiment_id=instance["instance"])
        await call(session, "wait_for_run", id=started["run"])
        listed = (await session.list_resources()).resources
        uri = f"athanor://runs/{started['run']}"
        assert uri in [str(r.uri) for r in listed]
        run = json.loads((await session.read_resource(uri)).contents[0].text)
        assert run["status"] == "completed"
        logs = json.loads((await session.read_resource(uri + "/logs")).contents[0].text)
        assert logs["total"] == 5
        results = json.loads((await session.read_resource(uri + "/results")).contents[0].text)
        assert [r["key"] for r in results["results"]] == ["iteration_1", "iteration_2", "iteration_3"]
        with pytest.raises(Exception) as failure:
            await session.read_resource("athanor://runs/zzzz")
        assert "no run" in str(failure.value)
        assert not (await call(session, "list_experiments"))[0]  # the session goes on
    run(connect(body))
