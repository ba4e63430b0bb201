"""The load test (issue 7), small: 5 concurrent runs of the `synthetic` experiment, each logging
2,000 events per second for 5 seconds, with 8 SSE clients. Nothing may be lost and the
server's memory must stay bounded; timing is not asserted (it belongs to `tools/bench load`,
which runs the full 50 runs × 10,000 events/s × 30 s with the release binary)."""

import os
import pathlib
import socket
import sys
import time

import support
from support import ATHANOR, REPO

sys.path.insert(0, str(REPO / "tools"))
import load  # noqa: E402


def start_server(athanor, data, max_runs):
    """load.start_server, with the server in a session of its own (support.Server), so that the
    test ends it and its workers, whatever happens: (Popen, port)."""
    server = support.Server(pathlib.Path(data) / "data", "--max-concurrent-runs", str(max_runs),
                            log=os.path.join(data, "server.log"))
    return server.process, server.port


def test_every_client_and_every_journal_has_every_event_under_load(monkeypatch):
    monkeypatch.setattr(load, "start_server", start_server)
    report = load.run_load(ATHANOR, runs=5, rate=2_000, seconds=5, clients=8, results=50, progress=20,
                           stride=1, timeout=120)
    print(load.markdown(report))
    expected = 3 + 10_000 + 50 + 20
    assert report["events_per_run"] == expected
    assert report["journals_complete"], "a journal is missing events"
    assert report["verify_exit"] == 0, report["verify_output"]
    assert report["events_written"] == 5 * expected
    assert report["clients_incomplete"] == []
    assert report["gaps"] == 0 and report["repeats"] == 0
    assert report["every_client_every_event"]
    assert report["events_delivered"] == 8 * expected
    # Bounded memory: a generous ceiling (an idle debug server holds about 45 MiB).
    assert report["server_rss_kib"]["peak"] < 400 * 1024, report["server_rss_series"]


def start_run_with_a_stalled_client(port, config):
    """Starts a run of the synthetic experiment with `config` and opens its event stream on a
    socket with a tiny receive buffer that is never read: (instance, run ID, socket)."""
    instance = load.api(port, "POST", "/api/instances", {"experiment": "synthetic", "name": "s", "config": config})
    run = load.api(port, "POST", f"/api/instances/{instance['instance']}/runs", {})["run"]
    stalled = socket.socket()
    stalled.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    stalled.connect(("127.0.0.1", port))
    stalled.sendall(f"GET /api/runs/{run}/events HTTP/1.1\r\nHost: load\r\n\r\n".encode())
    return instance, run, stalled


def send_queue(port, client_port):
    """Bytes the server has written to the connection to `client_port` that the client has not
    taken yet (tx_queue of the server's end, /proc/net/tcp), or None if there is no such socket."""
    local, remote = f"0100007F:{port:04X}", f"0100007F:{client_port:04X}"
    for line in pathlib.Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[1] == local and fields[2] == remote:
            return int(fields[4].split(":")[0], 16)
    return None


def wait_until_the_server_is_blocked_on(port, stalled, timeout=60):
    """Waits until the server's end of the stalled client's connection holds unsent bytes that
    stay unsent (the same non-zero amount over 100 ms): its buffers are full, its writes wait."""
    client_port = stalled.getsockname()[1]
    samples = []

    def full():
        samples.append(send_queue(port, client_port))
        recent = samples[-6:]
        return len(recent) == 6 and recent[0] and all(value == recent[0] for value in recent)

    support.wait_until(full, timeout, "the stalled client's connection to fill up", interval=0.02)


def test_a_client_that_stops_reading_does_not_grow_the_servers_memory(tmp_path):
    """A client that stops reading holds its stream back (the journal on disk is the buffer):
    the server does not queue the run's events for it in memory, and it still gets them all."""
    server, port = start_server(ATHANOR, str(tmp_path), 1)
    try:
        config = {"logs": 300_000, "results": 0, "progress": 0, "events_per_second": 0}
        instance, run, stalled = start_run_with_a_stalled_client(port, config)
        before = load.rss_kib(server.pid)
        # Watch the disk, not the API: asking for the run's summary makes the server read its
        # logs ahead (RunDataCache), which is memory of another kind.
        closed = tmp_path / "data" / "runs" / instance["instance"] / f"{run}.jsonl.zst"
        support.wait_until(closed.exists, 60, "the run to complete")
        # Not a wait for a condition: a server that queued the events for the stalled client
        # would go on reading the journal into memory now; this second gives it the time to.
        time.sleep(1)
        grown = load.rss_kib(server.pid) - before
        # The run's SSE stream is about 50 MB; queued in memory it would take more than that.
        assert grown < 40 * 1024, f"the server grew by {grown} KiB while a client was not reading"
        # Reading resumes with a buffer of normal size: through the 4 KiB one that stalled it,
        # 50 MB trickle in at delayed-ACK pace (minutes on a loaded machine).
        stalled.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        pieces = [b""]
        stalled.settimeout(30)
        while not (pieces[-2 if len(pieces) > 1 else -1] + pieces[-1]).endswith(b"\r\n0\r\n\r\n"):
            data = stalled.recv(1 << 20)
            assert data, "the stream ended early"
            pieces.append(data)
        received = b"".join(pieces)
        ids = [int(seq) for seq in load.SSE_ID.findall(received)]
        assert ids == list(range(1, 300_004))
    finally:
        support.end_group(server, grace=10)


def test_the_server_stops_promptly_with_a_client_that_stopped_reading(tmp_path):
    """A graceful shutdown ends every event stream, one whose client stopped reading (its write
    waiting on a full socket) included."""
    server, port = start_server(ATHANOR, str(tmp_path), 1)
    try:
        config = {"logs": 200_000, "results": 0, "progress": 0, "events_per_second": 50_000}
        instance, run, stalled = start_run_with_a_stalled_client(port, config)
        wait_until_the_server_is_blocked_on(port, stalled)
        server.terminate()
        support.wait_until(lambda: server.poll() is not None, 30, "the server to stop within 30 s of SIGTERM (it would wait forever on the stalled client)")
        stalled.close()
    finally:
        support.end_group(server)
