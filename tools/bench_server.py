"""Server benchmarks (run by `tools/bench server`): event appended by a worker → visible to an
SSE client, 100 SSE clients on one run, and GET /api/runs/{id} with 10,000 runs.
Prints a Markdown table. Needs the release binaries (tools/bench builds them)."""

import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import datetime

BIN = sys.argv[1]  # the release bin directory
ATHANOR = os.path.join(BIN, "athanor")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(data):
    port = free_port()
    process = subprocess.Popen([ATHANOR, "serve", "--port", str(port), "--data", data],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            urllib.request.urlopen(base + "/api/experiments", timeout=1)
            return process, port
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("server did not start")


def api(port, method, path, body=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request(method, path, body=json.dumps(body) if body is not None else None,
                       headers={"Content-Type": "application/json"})
    answer = json.loads(connection.getresponse().read() or b"null")
    connection.close()
    return answer


def parse_ts(text):
    return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def follow(port, run, sink, ready):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    connection.request("GET", f"/api/runs/{run}/events")
    response = connection.getresponse()
    ready.set()
    for raw in response:
        line = raw.decode()
        if line.startswith("data: "):
            received = time.time()
            event = json.loads(line[6:])
            sink.append((received - parse_ts(event["ts"])) * 1000)
            if event["type"] in ("run_completed", "run_failed", "run_cancelled"):
                break
    connection.close()


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def sse_latency(port, clients, iterations, delay_ms, server_pid):
    instance = api(port, "POST", "/api/instances", {"experiment": "demo", "name": f"sse {clients}",
                                                    "config": {"iterations": iterations, "delay_ms": delay_ms}})
    # Create the run, then connect every client before the worker starts producing events.
    run = api(port, "POST", f"/api/instances/{instance['instance']}/runs", {})["run"]
    sinks = [[] for _ in range(clients)]
    threads = []
    cpu_before = cpu_seconds(server_pid)
    for sink in sinks:
        ready = threading.Event()
        thread = threading.Thread(target=follow, args=(port, run, sink, ready), daemon=True)
        thread.start()
        ready.wait(10)
        threads.append(thread)
    for thread in threads:
        thread.join(300)
    cpu = cpu_seconds(server_pid) - cpu_before
    # The catalog refreshes a moment after the run ends: wait for it to say so.
    for _ in range(100):
        summary = api(port, "GET", f"/api/runs/{run}")
        if summary["status"] == "completed":
            break
        time.sleep(0.05)
    expected = summary["last_seq"]
    # Events written before a client connected are replayed, not live: count only live ones.
    live = [sorted(s[5:]) for s in sinks]
    everyone = all(len(s) == expected for s in sinks)
    return live, everyone, expected, cpu


def mcp_get_run(port, run_ids):
    """Times `get_run` tool calls through the official MCP Python client over /mcp."""
    import asyncio
    from mcp import ClientSession
    from mcp.client.streamable_http import streamable_http_client

    async def measure():
        timings = []
        async with streamable_http_client(f"http://127.0.0.1:{port}/mcp") as streams:
            async with ClientSession(streams[0], streams[1]) as session:
                await session.initialize()
                for index in range(300):
                    start = time.perf_counter()
                    result = await session.call_tool("get_run", {"id": run_ids[index * 13 % len(run_ids)]})
                    timings.append((time.perf_counter() - start) * 1000)
                    assert not result.is_error
        return timings

    return asyncio.run(measure())


def percentile(values, fraction):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * fraction))]


def main():
    rows = []
    data = tempfile.mkdtemp(prefix="athanor-bench-server-")
    try:
        process, port = start_server(data)
        try:
            live, everyone, expected, cpu = sse_latency(port, 1, 300, 10, process.pid)
            latencies = live[0]
            rows.append(("SSE: event appended by a worker → received by a client (one event every ~10 ms)",
                         f"median {statistics.median(latencies):.2f} ms, p99 {percentile(latencies, 0.99):.2f} ms "
                         f"({len(latencies)} events)", "targets: median < 10 ms, p99 < 50 ms"))
            live, everyone, expected, cpu = sse_latency(port, 100, 300, 10, process.pid)
            merged = [v for s in live for v in s]
            rows.append(("SSE: 100 clients on one running run",
                         f"every client got every event: {'yes' if everyone else 'NO'} ({expected} each); "
                         f"median {statistics.median(merged):.2f} ms, p99 {percentile(merged, 0.99):.2f} ms; "
                         f"server CPU {cpu:.2f} s over the run (~{300 * 10 / 1000:.0f} s)", "—"))
        finally:
            process.terminate()
            process.wait(10)
        shutil.rmtree(data)
        data = tempfile.mkdtemp(prefix="athanor-bench-server-")
        subprocess.run([os.path.join(BIN, "AthanorBench"), "make-runs", data, "10000", "5"], check=True)
        process, port = start_server(data)
        try:
            runs = api(port, "GET", "/api/runs")
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            timings = []
            for index in range(1000):
                run = runs[index * 7 % len(runs)]["run"]
                start = time.perf_counter()
                connection.request("GET", f"/api/runs/{run}")
                body = connection.getresponse().read()
                timings.append((time.perf_counter() - start) * 1000)
                assert json.loads(body)["run"] == run
            rows.append((f"GET /api/runs/{{id}} with {len(runs)} runs in the catalog (1,000 requests, keep-alive)",
                         f"median {statistics.median(timings):.2f} ms, p99 {percentile(timings, 0.99):.2f} ms",
                         "target: median < 5 ms"))
            mcp_timings = mcp_get_run(port, [r["run"] for r in runs])
            rows.append((f"MCP `get_run` over Streamable HTTP with {len(runs)} runs (official Python client, 300 calls)",
                         f"median {statistics.median(mcp_timings):.2f} ms, p99 {percentile(mcp_timings, 0.99):.2f} ms",
                         "target: median < 10 ms"))
        finally:
            process.terminate()
            process.wait(10)
    finally:
        shutil.rmtree(data, ignore_errors=True)
    print("| measure | Athanor | reference / target |")
    print("|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    main()
