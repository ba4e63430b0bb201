"""Load test of `athanor serve` (issue 7): N concurrent runs of the bundled `synthetic`
experiment, each logging R events per second for T seconds, with M server-sent-event clients
attached (`GET /api/runs/{id}/events`, client j follows run j mod N).

It checks that nothing is lost: every client receives every `seq` of its run, 1 to the
terminal event, with no gap and no repeat (resuming with `Last-Event-ID` if a connection drops,
counting the reconnects), and every journal holds every event (`athanor verify`, and each line
counted). It measures the throughput written and delivered, the SSE latency from each event's
`ts` to its receipt, the server's memory (VmRSS every second) and the CPU of the server, its
workers and the clients. Prints a Markdown table and writes the figures as JSON.

    python3 tools/load.py BIN_DIR [--runs 50] [--rate 10000] [--seconds 30] [--clients 50] [--json FILE]

Each run logs R*T lines and, by default, records no results and no progress updates (`--results`,
`--progress` add some), so that "R events per second" means R journal lines per second.
`tools/bench load` builds the release binary and runs this. `tools/tests/test_load.py` runs a
small version in the test suite.
"""

import argparse
import array
import calendar
import json
import multiprocessing
import os
import re
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "python"))
from athanor.journal import journal_bytes  # noqa: E402

# One SSE event is `id: <seq>\ndata: <journal line>\n\n`; a journal line starts `{"seq":N,"ts":"…"`.
# A data line is JSON and ends with `}`, so `id: N\n` matches only id lines.
SSE_ID = re.compile(rb"id: (\d+)\n")
SSE_TS = re.compile(rb'\ndata: \{"seq":\d+,"ts":"([^"]+)"')
TERMINAL = re.compile(rb'"type":"(run_completed|run_failed|run_cancelled)"')
JOURNAL_SEQ = re.compile(rb'^\{"seq":(\d+),', re.M)


# --- the clients -----------------------------------------------------------------------------

_minute_epochs = {}


def ts_seconds(ts):
    """`2026-11-26T17:36:43.123456Z` (bytes) as seconds since the epoch, cheaply: the minute is
    converted once and cached, the seconds parsed as a float."""
    minute = ts[:16]
    base = _minute_epochs.get(minute)
    if base is None:
        base = calendar.timegm(time.strptime(minute.decode(), "%Y-%m-%dT%H:%M"))
        _minute_epochs[minute] = base
    return base + float(ts[17:-1])


class Follower:
    """One SSE client of one run: its state survives reconnections."""

    def __init__(self, index, run, stride):
        self.index = index
        self.run = run
        self.stride = stride
        self.last_seq = 0  # the last seq received
        self.received = 0
        self.gaps = 0  # events missing between two received ones
        self.repeats = 0  # events received again (seq not above the last)
        self.reconnects = 0
        self.terminal_seq = None
        self.first_connected = None
        self.last_receipt = None
        self.samples = array.array("d")  # latency (s) of each event whose seq is a multiple of stride
        self.max_latency = 0.0  # exact: the first event of each read waited longest
        self.terminal_latency = None
        self.replayed = 0  # events written before the client connected (not latency)
        self.bytes = 0
        self.done = False
        self.error = None

    def accept(self, events, now):
        """Takes complete SSE events (bytes), received at `now`."""
        ids = list(map(int, SSE_ID.findall(events)))
        if not ids:
            return
        stamps = SSE_TS.findall(events)
        if len(stamps) != len(ids):
            raise ValueError(f"client {self.index}: {len(ids)} ids but {len(stamps)} data lines")
        first = ids[0]
        if ids == list(range(first, first + len(ids))) and first == self.last_seq + 1:
            self.last_seq = ids[-1]
        else:
            for seq in ids:
                if seq <= self.last_seq:
                    self.repeats += 1
                    continue
                self.gaps += seq - self.last_seq - 1
                self.last_seq = seq
        self.received += len(ids)
        self.last_receipt = now
        connected = self.first_connected
        # Latency: the first event of the read (the oldest) and every stride-th seq.
        latency = now - ts_seconds(stamps[0])
        if latency > self.max_latency and ts_seconds(stamps[0]) >= connected:
            self.max_latency = latency
        start = (-first) % self.stride
        for i in range(start, len(ids), self.stride):
            sent = ts_seconds(stamps[i])
            if sent >= connected:
                self.samples.append(now - sent)
            else:
                self.replayed += 1
        match = TERMINAL.search(events, events.rfind(b"\nid: ") if len(ids) > 1 else 0)
        if match:
            self.terminal_seq = ids[-1]
            self.terminal_latency = now - ts_seconds(stamps[-1])

    def report(self):
        return {key: getattr(self, key) for key in (
            "index", "run", "last_seq", "received", "gaps", "repeats", "reconnects", "terminal_seq",
            "first_connected", "last_receipt", "max_latency", "terminal_latency", "replayed", "bytes",
            "done", "error")}


class SSEProtocol:
    """An asyncio protocol reading one `GET /api/runs/{id}/events` response: chunked transfer
    encoding, then server-sent events, handed to the `Follower` in whole events."""

    def __init__(self, follower, finished):
        self.follower = follower
        self.finished = finished  # called with (follower, clean: bool) when the connection ends
        self.raw = b""
        self.sse = b""
        self.headers_done = False
        self.stream_ended = False

    def connection_made(self, transport):
        self.transport = transport
        follower = self.follower
        if follower.first_connected is None:
            # Events written after this moment are live: their latency counts, however long the
            # server takes to answer.
            follower.first_connected = time.time()
        resume = f"Last-Event-ID: {follower.last_seq}\r\n" if follower.last_seq else ""
        transport.write(f"GET /api/runs/{follower.run}/events HTTP/1.1\r\nHost: load\r\n{resume}\r\n".encode())

    def data_received(self, data):
        now = time.time()
        follower = self.follower
        follower.bytes += len(data)
        raw = self.raw + data
        if not self.headers_done:
            end = raw.find(b"\r\n\r\n")
            if end < 0:
                self.raw = raw
                return
            head = raw[:end].decode("latin-1")
            if not head.startswith("HTTP/1.1 200") or "chunked" not in head.lower():
                follower.error = "unexpected response: " + head.splitlines()[0]
                self.transport.close()
                return
            self.headers_done = True
            raw = raw[end + 4:]
        # Chunked framing is `<hex size>\r\n<payload>\r\n`; SSE payloads never hold a CR (the
        # data is a JSON line), so splitting at CRLF alternates sizes and payloads.
        parts = raw.split(b"\r\n")
        complete = (len(parts) - 1) // 2  # pairs followed by a CRLF
        sizes = parts[0:2 * complete:2]
        payloads = parts[1:2 * complete:2]
        self.raw = b"\r\n".join(parts[2 * complete:])
        body = b"".join(payloads)
        if len(body) != sum(int(size, 16) for size in sizes):
            follower.error = "chunk sizes do not match their payloads"
            self.transport.close()
            return
        if b"0" in sizes:
            self.stream_ended = True
        sse = self.sse + body
        cut = sse.rfind(b"\n\n") + 2
        if cut > 1:
            try:
                follower.accept(sse[:cut], now)
            except ValueError as error:
                follower.error = str(error)
            sse = sse[cut:]
        self.sse = sse
        if self.stream_ended:
            self.transport.close()

    def eof_received(self):
        return False

    def connection_lost(self, exc):
        self.finished(self.follower, self.stream_ended)


async def follow_all(port, assignments, stride, deadline):
    """Follows every (index, run) of `assignments` until each stream ends after its terminal
    event, reconnecting with Last-Event-ID when one ends early; stops at `deadline`."""
    import asyncio

    loop = asyncio.get_running_loop()
    followers = [Follower(index, run, stride) for index, run in assignments]
    remaining = len(followers)
    all_done = loop.create_future()

    def finished(follower, clean):
        nonlocal remaining
        if follower.error is None and follower.terminal_seq is None:
            follower.reconnects += 1
            loop.call_later(0.05, connect, follower)
            return
        follower.done = follower.error is None
        remaining -= 1
        if remaining == 0 and not all_done.done():
            all_done.set_result(None)

    def connect(follower):
        async def attempt():
            try:
                await loop.create_connection(lambda: SSEProtocol(follower, finished), "127.0.0.1", port)
            except OSError:
                finished(follower, False)
        loop.create_task(attempt())

    for follower in followers:
        connect(follower)
    if followers:
        try:
            await asyncio.wait_for(all_done, max(0.1, deadline - time.time()))
        except asyncio.TimeoutError:
            pass
    return followers


def client_process(port, inbox, pipe):
    """One process of clients (asyncio, raw sockets): receives its (index, run) assignments and
    the deadline, follows them, and sends its followers' reports and latency samples."""
    import asyncio

    pipe.send("ready")
    assignments, stride, deadline = inbox.recv()
    followers = asyncio.run(follow_all(port, assignments, stride, deadline))
    usage = resource.getrusage(resource.RUSAGE_SELF)
    pipe.send({"followers": [f.report() for f in followers],
               "samples": [f.samples.tobytes() for f in followers],
               "cpu": usage.ru_utime + usage.ru_stime})
    pipe.close()


# --- the server and its processes ------------------------------------------------------------

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def api(port, method, path, body=None):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method,
                                     data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.loads(response.read() or b"null")


def proc_stat(pid):
    """(utime+stime, cutime+cstime) of a process, in seconds; cutime counts reaped children."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / tick, (int(fields[13]) + int(fields[14])) / tick


def machine_busy():
    """(busy, total) jiffies of every CPU, from /proc/stat."""
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def rss_kib(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return None


class MemorySampler(threading.Thread):
    """The server's VmRSS, and the total of its worker processes', every `interval` seconds."""

    def __init__(self, pid, interval=1.0):
        super().__init__(daemon=True)
        self.pid = pid
        self.interval = interval
        self.server = []  # (seconds since start, KiB)
        self.workers = []
        self.stop = threading.Event()

    def children(self):
        found = []
        for name in os.listdir("/proc"):
            if name.isdigit():
                try:
                    with open(f"/proc/{name}/stat") as f:
                        if int(f.read().rsplit(")", 1)[1].split()[1]) == self.pid:
                            found.append(int(name))
                except (FileNotFoundError, ProcessLookupError, ValueError):
                    pass
        return found

    def run(self):
        start = time.time()
        while not self.stop.is_set():
            elapsed = round(time.time() - start, 1)
            value = rss_kib(self.pid)
            if value is not None:
                self.server.append((elapsed, value))
            self.workers.append((elapsed, sum(rss_kib(child) or 0 for child in self.children())))
            self.stop.wait(self.interval)


def start_server(athanor, data, max_runs):
    port = free_port()
    log = open(os.path.join(data, "server.log"), "w")
    process = subprocess.Popen([athanor, "serve", "--port", str(port), "--data", os.path.join(data, "data"),
                                "--max-concurrent-runs", str(max_runs)], stdout=log, stderr=subprocess.STDOUT)
    deadline = time.time() + 60
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/experiments", timeout=2)
            return process, port
        except OSError:
            if process.poll() is not None or time.time() > deadline:
                raise RuntimeError(f"the server did not start (see {data}/server.log)")
            time.sleep(0.05)


def check_journal(path, expected):
    """Whether a closed journal holds exactly seq 1…expected, ending with run_completed."""
    data = journal_bytes(path)
    seqs = list(map(int, JOURNAL_SEQ.findall(data)))
    lines = data.count(b"\n")
    complete = seqs == list(range(1, expected + 1)) and lines == expected \
        and data[data.rfind(b"\n", 0, len(data) - 1) + 1:].find(b'"type":"run_completed"') > 0
    first = data.find(b'"type":"run_started"')
    started = ts_seconds(data[data.rfind(b'"ts":"', 0, first) + 6:][:27])
    ended = ts_seconds(data[data.rfind(b'"ts":"') + 6:][:27])
    return {"lines": lines, "last_seq": seqs[-1] if seqs else 0, "complete": complete,
            "started": started, "ended": ended}


def percentile(values, fraction):
    if not values:
        return None
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * fraction))]


# --- the load --------------------------------------------------------------------------------

def run_load(athanor, runs=50, rate=10_000, seconds=30, clients=50, results=0, progress=0,
             client_processes=None, stride=10, timeout=None, keep=False, say=lambda text: None):
    """Runs the load and returns the report (a dict); see the module's documentation."""
    assert clients >= runs >= 1, "at least one client per run"
    logs = rate * seconds
    expected = 3 + logs + results + progress  # run_created, run_started, the body, run_completed
    client_processes = client_processes or min(clients, max(1, os.cpu_count() or 1))
    timeout = timeout or max(120, 10 * seconds)
    work = tempfile.mkdtemp(prefix="athanor-load-")
    report = {"runs": runs, "rate": rate, "seconds": seconds, "clients": clients, "logs_per_run": logs,
              "results_per_run": results, "progress_per_run": progress, "events_per_run": expected,
              "client_processes": client_processes, "latency_stride": stride, "data": work}
    server, port = start_server(athanor, work, runs)
    sampler = MemorySampler(server.pid)
    try:
        config = {"logs": logs, "results": results, "progress": progress,
                  "events_per_second": rate * (logs + results + progress) // max(1, logs)}
        instances = [api(port, "POST", "/api/instances",
                         {"experiment": "synthetic", "name": f"load {i}", "config": config})["instance"]
                     for i in range(runs)]
        say(f"{runs} instances created; starting {runs} runs with {clients} clients")
        context = multiprocessing.get_context("spawn")
        busy_before, total_before = machine_busy()
        server_cpu_before, workers_cpu_before = proc_stat(server.pid)
        # The client processes start first, so that they attach as the runs start.
        pipes, inboxes, processes = [], [], []
        for _ in range(client_processes):
            receiver, sender = context.Pipe(duplex=False)
            inbox_reader, inbox = context.Pipe(duplex=False)
            process = context.Process(target=client_process, args=(port, inbox_reader, sender))
            process.start()
            sender.close()
            pipes.append(receiver)
            inboxes.append(inbox)
            processes.append(process)
        for receiver in pipes:
            if not receiver.poll(60) or receiver.recv() != "ready":
                raise RuntimeError("a client process did not start")
        sampler.start()
        started = time.time()
        run_ids = [api(port, "POST", f"/api/instances/{instance}/runs", {})["run"] for instance in instances]
        deadline = started + timeout
        assignments = [[] for _ in range(client_processes)]
        for index in range(clients):
            assignments[index % client_processes].append((index, run_ids[index % runs]))
        for inbox, share in zip(inboxes, assignments):
            inbox.send((share, stride, deadline))
        followers, samples, client_cpu = [], [], 0.0
        for receiver, process in zip(pipes, processes):
            part = receiver.recv() if receiver.poll(max(1, deadline - time.time() + 30)) else None
            process.join(10)
            if part is None:
                raise RuntimeError("a client process did not report")
            followers += part["followers"]
            client_cpu += part["cpu"]
            for blob in part["samples"]:
                values = array.array("d")
                values.frombytes(blob)
                samples.extend(values)
        clients_done = time.time()
        say(f"clients finished after {clients_done - started:.1f} s; checking journals")
        # The runs end with their terminal event; the journals are closed (compressed) just after.
        # They are watched on disk: asking the API for a run's summary would make the server read
        # its logs ahead (RunDataCache), adding memory that is not the load's.
        journals = {}
        for instance, run in zip(instances, run_ids):
            plain = os.path.join(work, "data", "runs", instance, run + ".jsonl")
            while not os.path.exists(plain + ".zst"):
                if time.time() > deadline:
                    raise RuntimeError(f"run {run} did not end (its journal is not closed)")
                time.sleep(0.1)
            journals[run] = check_journal(plain, expected)
        server_cpu_after, workers_cpu_after = proc_stat(server.pid)
        busy_after, total_after = machine_busy()
        sampler.stop.set()
        sampler.join()
        verify = subprocess.run([athanor, "verify", "--quiet", "--data", os.path.join(work, "data")],
                                capture_output=True, text=True)
    finally:
        sampler.stop.set()
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
        if not keep:
            shutil.rmtree(work, ignore_errors=True)

    by_run = {run: [f for f in followers if f["run"] == run] for run in run_ids}
    first_start = min(j["started"] for j in journals.values())
    last_end = max(j["ended"] for j in journals.values())
    durations = sorted(j["ended"] - j["started"] for j in journals.values())
    written = sum(j["lines"] for j in journals.values())
    delivered = sum(f["received"] for f in followers)
    connected = [f["first_connected"] for f in followers if f["first_connected"]]
    receipts = [f["last_receipt"] for f in followers if f["last_receipt"]]
    every_client = all(
        f["done"] and f["gaps"] == 0 and f["repeats"] == 0 and f["received"] == expected
        and f["last_seq"] == expected and f["terminal_seq"] == expected for f in followers)
    report.update({
        "journals_complete": all(j["complete"] for j in journals.values()) and len(journals) == runs,
        "verify_exit": verify.returncode, "verify_output": (verify.stdout + verify.stderr)[-2000:],
        "every_client_every_event": every_client,
        "clients_incomplete": [f for f in followers if not (f["done"] and f["received"] == expected)],
        "gaps": sum(f["gaps"] for f in followers), "repeats": sum(f["repeats"] for f in followers),
        "reconnects": sum(f["reconnects"] for f in followers),
        "events_written": written, "events_asked": runs * expected,
        "write_seconds": last_end - first_start,
        "write_rate": written / (last_end - first_start),
        "asked_rate": runs * rate,
        "run_seconds": {"min": durations[0], "median": durations[len(durations) // 2], "max": durations[-1]},
        "start_spread_seconds": max(j["started"] for j in journals.values()) - first_start,
        "events_delivered": delivered, "delivered_expected": clients * expected,
        # From the first run's start (clients attach as the runs start) to the last event received.
        "deliver_seconds": max(receipts) - min(connected + [first_start]) if receipts else None,
        "latency_samples": len(samples),
        "latency": {"p50": percentile(samples, 0.5), "p90": percentile(samples, 0.9),
                    "p99": percentile(samples, 0.99), "max": max((f["max_latency"] for f in followers), default=None)},
        "terminal_latency_max": max((f["terminal_latency"] or 0 for f in followers), default=None),
        "replayed": sum(f["replayed"] for f in followers),
        "wall_seconds": clients_done - started,
        "server_rss_kib": {"start": sampler.server[0][1] if sampler.server else None,
                           "peak": max((v for _, v in sampler.server), default=None),
                           "end": sampler.server[-1][1] if sampler.server else None},
        "server_rss_series": sampler.server,
        "workers_rss_peak_kib": max((v for _, v in sampler.workers), default=None),
        "cpu_seconds": {"server": server_cpu_after - server_cpu_before,
                        "workers": workers_cpu_after - workers_cpu_before,
                        "clients": client_cpu},
        "machine_busy": (busy_after - busy_before) / max(1, total_after - total_before),
        "runs_per_client": {run: len(fs) for run, fs in by_run.items()},
    })
    report["delivered_rate"] = delivered / report["deliver_seconds"] if report["deliver_seconds"] else None
    return report


def markdown(report):
    """The report as a Markdown table."""
    def ms(value):
        return "—" if value is None else f"{value * 1000:.1f} ms"

    r = report
    lat = r["latency"]
    cpu = r["cpu_seconds"]
    wall = r["wall_seconds"]
    rss = r["server_rss_kib"]
    rows = [
        ("load", f"{r['runs']} runs × {r['rate']:,} events/s × {r['seconds']} s ({r['events_per_run']:,} events each: "
                 f"{r['logs_per_run']:,} logs, {r['results_per_run']} results, {r['progress_per_run']} progress); "
                 f"{r['clients']} SSE clients in {r['client_processes']} processes"),
        ("events written (journals)", f"{r['events_written']:,} of {r['events_asked']:,}; every journal complete and "
                                      f"verified: {'yes' if r['journals_complete'] and r['verify_exit'] == 0 else 'NO'}"),
        ("write rate", f"{r['write_rate']:,.0f} events/s over {r['write_seconds']:.1f} s (asked {r['asked_rate']:,}/s "
                       f"for {r['seconds']} s); a run took {r['run_seconds']['min']:.1f}–{r['run_seconds']['max']:.1f} s "
                       f"(median {r['run_seconds']['median']:.1f}); the last started {r['start_spread_seconds']:.1f} s "
                       f"after the first"),
        ("events delivered (SSE)", f"{r['events_delivered']:,} of {r['delivered_expected']:,}; every client every event "
                                   f"(no gap, no repeat): {'yes' if r['every_client_every_event'] else 'NO'} "
                                   f"(gaps {r['gaps']}, repeats {r['repeats']}, reconnects {r['reconnects']})"),
        ("delivery rate", f"{r['delivered_rate']:,.0f} events/s over {r['deliver_seconds']:.1f} s"
         if r["delivered_rate"] else "—"),
        ("SSE latency, `ts` → received", f"p50 {ms(lat['p50'])}, p90 {ms(lat['p90'])}, p99 {ms(lat['p99'])}, "
                                         f"max {ms(lat['max'])} ({r['latency_samples']:,} samples); last event of a "
                                         f"run received at most {ms(r['terminal_latency_max'])} after it was written"),
        ("server memory (VmRSS, every second)", f"start {rss['start'] / 1024:.0f} MiB, peak {rss['peak'] / 1024:.0f} MiB, "
                                                f"end {rss['end'] / 1024:.0f} MiB; workers together peak "
                                                f"{(r['workers_rss_peak_kib'] or 0) / 1024:.0f} MiB"),
        ("CPU over the load", f"server {cpu['server']:.1f} s, workers {cpu['workers']:.1f} s, clients {cpu['clients']:.1f} s "
                              f"in {wall:.1f} s wall; machine busy {r['machine_busy'] * 100:.0f}% of "
                              f"{os.cpu_count()} cores"),
    ]
    lines = ["| measure | result |", "|---|---|"]
    lines += [f"| {a} | {b} |" for a, b in rows]
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("bin", help="the directory of the release `athanor` binary (or the binary itself)")
    parser.add_argument("--runs", type=int, default=50, help="concurrent runs (N)")
    parser.add_argument("--rate", type=int, default=10_000, help="events per second per run (R)")
    parser.add_argument("--seconds", type=int, default=30, help="seconds of logging per run (T)")
    parser.add_argument("--clients", type=int, default=50, help="SSE clients (M ≥ N), spread over the runs")
    parser.add_argument("--results", type=int, default=0, help="results per run (on top of R*T logs)")
    parser.add_argument("--progress", type=int, default=0, help="progress updates per run (on top of R*T logs)")
    parser.add_argument("--client-processes", type=int, default=None, help="processes for the clients (default: cores)")
    parser.add_argument("--stride", type=int, default=10, help="latency of every stride-th event (and each read's oldest)")
    parser.add_argument("--timeout", type=float, default=None, help="give up after this many seconds (default 10 T)")
    parser.add_argument("--json", default="load.json", help="where to write the figures (default load.json)")
    parser.add_argument("--keep", action="store_true", help="keep the data directory")
    args = parser.parse_args(argv)
    athanor = args.bin if os.path.isfile(args.bin) else os.path.join(args.bin, "athanor")
    report = run_load(athanor, args.runs, args.rate, args.seconds, args.clients, args.results, args.progress,
                      args.client_processes, args.stride, args.timeout, args.keep,
                      say=lambda text: print(text, file=sys.stderr))
    with open(args.json, "w") as f:
        json.dump(report, f, indent=1)
    print(markdown(report))
    ok = report["journals_complete"] and report["verify_exit"] == 0 and report["every_client_every_event"]
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
