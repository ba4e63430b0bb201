"""Starting a run while many runs are live (issue 12): "Starting a run with 50 runs live: p99
under 10 ms, with no growth with the number of live runs."

On a fresh data directory it starts `athanor serve` (in a process group of its own, with room
for every run to execute at once), creates one long-lived paced instance of the `synthetic`
experiment (R events/s, for far longer than the benchmark) and one tiny one (10 logs), then
times `POST /api/instances/{id}/runs`, end to end on one persistent HTTP connection:

1. with no run live, K starts of the tiny instance;
2. L starts of the long instance, one by one, each waited for until it is `running` before the
   next, so that the i-th start is timed with exactly i-1 runs live;
3. with those L runs live, K more starts of the tiny instance.

Each tiny run is waited for to its end (its status finished and the server no longer
supervising it, `GET /api/status`), plus a short settle, before the next start: tiny runs never
accumulate, and each start is timed with exactly 0 (phase 1) or L (phase 3) runs live. At the
end every long run must still be `running` (`GET /api/runs?status=running`); they are then
cancelled and waited for, and the server stopped. Nothing is left running, even on an error or
Ctrl-C. Prints a Markdown table for BENCHMARKS.md.

    python3 tools/bench_live_start.py BIN_DIR [--live 50] [--starts 50] [--rate 100] [--json FILE]

The default pace, 100 events/s per live run, keeps 50 live runs short of saturating two cores
(about one core of the two, server included, measured on a 2-core x86_64): each worker costs
about 10% of a core at 1,000 events/s, so 50 of them at that pace saturate two cores and time the
machine's run queue (starts of seconds) rather than the server. The table gives the CPU of the
server and its workers with the runs live, and the load average before the benchmark: figures
taken beside another busy process are not comparable.

`tools/bench live-start` builds the release binary and runs this.
"""

import argparse
import datetime
import http.client
import json
import os
import platform
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

FINISHED = ("completed", "failed", "cancelled")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values, fraction):
    """Nearest rank, as the other benchmarks compute it (with 50 values, p99 is the maximum)."""
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * fraction))]


def group_cpu(pgid):
    """{pid: CPU seconds} of the live processes of a process group (the server and its
    workers); the leader's entry adds its reaped children's (workers that have ended)."""
    tick = os.sysconf("SC_CLK_TCK")
    found = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if int(fields[2]) == pgid:
            found[int(name)] = sum(int(v) for v in fields[11:15 if int(name) == pgid else 13]) / tick
    return found


def cpu_between(before, after, leader):
    """(server, workers) CPU seconds spent between two `group_cpu` snapshots: a worker that
    started between them counts whole; one that ended is in the leader's reaped children."""
    server = after.get(leader, 0.0) - before.get(leader, 0.0)
    workers = sum(value - before.get(pid, 0.0) for pid, value in after.items() if pid != leader)
    return server, workers


class Client:
    """JSON requests on one persistent HTTP/1.1 connection."""

    def __init__(self, port):
        self.port = port
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.reconnects = 0
        self.used = False

    def request(self, method, path, body=None):
        """(status, parsed body, seconds from sending the request to reading the whole answer)."""
        payload = json.dumps(body).encode() if body is not None else None
        headers = {"Content-Type": "application/json"} if payload is not None else {}
        for attempt in range(2):
            if self.connection.sock is None:
                # Connect outside the timed span, so that every sample is a request on an open
                # connection; a connection opened again (the server closed it) is counted.
                if self.used:
                    self.reconnects += 1
                self.connection.connect()
            self.used = True
            try:
                started = time.perf_counter()
                self.connection.request(method, path, body=payload, headers=headers)
                response = self.connection.getresponse()
                raw = response.read()
                elapsed = time.perf_counter() - started
                if response.will_close:
                    self.connection.close()
                return response.status, json.loads(raw or b"null"), elapsed
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # The server closed the kept-alive connection under the request: send it again
                # on a new one (the failed attempt is not timed).
                self.connection.close()
                if attempt == 1:
                    raise
        raise AssertionError("unreachable")

    def json(self, method, path, body=None, expect=(200,)):
        status, answer, _ = self.request(method, path, body)
        if status not in expect:
            raise RuntimeError(f"{method} {path}: HTTP {status}: {answer}")
        return answer

    def close(self):
        self.connection.close()


class Server:
    """`athanor serve` in a process group of its own; `stop()` ends the whole group."""

    def __init__(self, athanor, data, log_path, max_runs):
        self.port = free_port()
        self.log = open(log_path, "w")
        self.process = subprocess.Popen(
            [athanor, "serve", "--port", str(self.port), "--data", data, "--max-concurrent-runs", str(max_runs)],
            stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        self.pgid = self.process.pid  # start_new_session: the server leads its own group
        deadline = time.time() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    pass
                probe = Client(self.port)
                try:
                    probe.json("GET", "/api/status")
                finally:
                    probe.close()
                return
            except OSError:
                if self.process.poll() is not None or time.time() > deadline:
                    self.stop()
                    raise RuntimeError(f"the server did not start (see {log_path})")
                time.sleep(0.05)

    def signal_group(self, sig):
        try:
            os.killpg(self.pgid, sig)
            return True
        except ProcessLookupError:
            return False

    def stop(self):
        """SIGTERM to the group, SIGKILL to whatever of it remains after 10 s (workers included)."""
        if self.signal_group(signal.SIGTERM):
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                pass
        self.signal_group(signal.SIGKILL)
        self.process.wait()
        # Workers are in the same group: wait for the group to be empty.
        deadline = time.time() + 10
        while time.time() < deadline and self.signal_group(0):
            self.signal_group(signal.SIGKILL)
            time.sleep(0.05)
        self.log.close()


def wait_until(condition, timeout, what, interval=0.01):
    deadline = time.time() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.time() > deadline:
            raise RuntimeError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


def measure(athanor, live, starts, rate, settle, say):
    scratch = tempfile.mkdtemp(prefix="athanor-live-start-")
    data = os.path.join(scratch, "data")
    with open("/proc/loadavg") as f:
        loadavg = f.read().split()[0]
    report = {"live": live, "starts": starts, "rate": rate, "settle": settle, "loadavg_before": loadavg}
    server = control = timed = None
    try:
        def cli(*arguments):
            return subprocess.run([athanor, *arguments, "--data", data], check=True, capture_output=True,
                                  text=True, stdin=subprocess.DEVNULL).stdout.strip()

        # Paced for a day: it lives far longer than the benchmark and is cancelled at its end.
        long_instance = cli("create", "synthetic", "--name", "long", "--config", json.dumps(
            {"logs": rate * 86_400, "results": 0, "progress": 0, "events_per_second": rate}))
        tiny_instance = cli("create", "synthetic", "--name", "tiny", "--config",
                            json.dumps({"logs": 10, "results": 0, "progress": 0}))
        max_runs = max(64, live + 16)
        report["max_concurrent_runs"] = max_runs
        server = Server(athanor, data, os.path.join(scratch, "server.log"), max_runs)
        control = Client(server.port)  # polling
        timed = Client(server.port)  # the timed POSTs only
        long_runs = []

        def supervised():
            return control.json("GET", "/api/status")["supervised_runs"]

        def start(instance):
            status, answer, elapsed = timed.request("POST", f"/api/instances/{instance}/runs", {})
            if status != 202:
                raise RuntimeError(f"POST /api/instances/{instance}/runs: HTTP {status}: {answer}")
            return answer["run"], elapsed

        def tiny_phase(label):
            latencies, outcomes = [], {}
            for _ in range(starts):
                if supervised() != len(long_runs):
                    raise RuntimeError(f"{label}: the server supervises {supervised()} runs, not {len(long_runs)}")
                run, elapsed = start(tiny_instance)
                latencies.append(elapsed)
                status = wait_until(lambda: (s := control.json("GET", f"/api/runs/{run}")["status"]) in FINISHED
                                    and s, 60, f"tiny run {run} to end")
                outcomes[status] = outcomes.get(status, 0) + 1
                wait_until(lambda: supervised() == len(long_runs), 60, f"the server to forget tiny run {run}")
                time.sleep(settle)
            say(f"{label}: {starts} starts, median {percentile(latencies, 0.5) * 1000:.2f} ms")
            return latencies, outcomes

        # 1. No run live.
        report["phase1"], report["phase1_outcomes"] = tiny_phase("phase 1 (0 live)")

        # 2. The long runs, one by one, each running before the next starts.
        phase2 = []
        for index in range(live):
            run, elapsed = start(long_instance)
            phase2.append((index, elapsed))  # `index` runs were live when it was sent
            wait_until(lambda: control.json("GET", f"/api/runs/{run}")["status"] == "running", 60,
                       f"long run {run} to be running")
            long_runs.append(run)
            time.sleep(settle)
        report["phase2"] = phase2
        say(f"phase 2: {live} long runs started and running")

        def load(seconds, before, after):
            server_cpu, workers_cpu = cpu_between(before, after, server.pgid)
            return {"seconds": seconds, "server_cpu": server_cpu, "workers_cpu": workers_cpu}

        # The background load of the L live runs alone, over 3 s.
        pause = 3.0
        before = group_cpu(server.pgid)
        time.sleep(pause)
        report["idle_load"] = load(pause, before, group_cpu(server.pgid))

        # 3. With L runs live.
        before, started = group_cpu(server.pgid), time.time()
        report["phase3"], report["phase3_outcomes"] = tiny_phase(f"phase 3 ({live} live)")
        report["phase3_load"] = load(time.time() - started, before, group_cpu(server.pgid))

        # Every long run still running?
        running = {r["run"] for r in control.json("GET", "/api/runs?status=running")}
        report["long_running_at_end"] = sum(run in running for run in long_runs)
        report["running_at_end"] = len(running)
        report["timed_reconnects"] = timed.reconnects

        # Cancel them all and wait for them to end.
        for run in long_runs:
            control.json("POST", f"/api/runs/{run}/cancel", {"reason": "benchmark over"}, expect=(202,))
        wait_until(lambda: all(r["status"] in FINISHED for r in control.json(
            "GET", f"/api/runs?instance={long_instance}") if r["run"] in long_runs), 120,
                   "the long runs to end after cancellation", interval=0.1)
        wait_until(lambda: supervised() == 0, 120, "the server to supervise no run", interval=0.1)
        ends = [r["status"] for r in control.json("GET", f"/api/runs?instance={long_instance}")]
        report["long_outcomes"] = {s: ends.count(s) for s in sorted(set(ends))}
        say(f"long runs cancelled: {report['long_outcomes']}")
        return report
    except BaseException:
        log = os.path.join(scratch, "server.log")
        if os.path.exists(log):
            with open(log, errors="replace") as f:
                tail = f.read()[-3000:]
            if tail.strip():
                print(f"--- the end of the server's log:\n{tail}", file=sys.stderr)
        raise
    finally:
        for client in (control, timed):
            if client is not None:
                client.close()
        if server is not None:
            server.stop()
        shutil.rmtree(scratch, ignore_errors=True)


def least_squares(points):
    """Slope and r² of y against x."""
    n = len(points)
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    sxx = sum((x - mx) ** 2 for x, _ in points)
    sxy = sum((x - mx) * (y - my) for x, y in points)
    syy = sum((y - my) ** 2 for _, y in points)
    slope = sxy / sxx if sxx else 0.0
    r2 = (sxy * sxy) / (sxx * syy) if sxx and syy else 0.0
    return slope, r2


def markdown(report, command):
    ms = lambda seconds: f"{seconds * 1000:.2f}"  # noqa: E731
    live, starts = report["live"], report["starts"]
    lines = [
        f"{datetime.date.today().isoformat()}, {os.cpu_count()} cores, {platform.machine()} "
        f"(1-minute load average before: {report['loadavg_before']})",
        f"`{command}`",
        "",
        f"Starting a run (`POST /api/instances/{{id}}/runs`, end to end on a kept-alive connection) with runs "
        f"live: each live run paced at {report['rate']:,} events/s (`synthetic`, `--rate`); the tiny run logs 10 lines and "
        f"is waited for to its end before the next start; `--max-concurrent-runs {report['max_concurrent_runs']}`.",
        "",
        "| starts | runs live | n | p50 ms | p90 ms | p99 ms | max ms |",
        "|---|---|---|---|---|---|---|",
    ]

    def row(name, live_text, values):
        return (f"| {name} | {live_text} | {len(values)} | {ms(percentile(values, 0.5))} | "
                f"{ms(percentile(values, 0.9))} | {ms(percentile(values, 0.99))} | {ms(max(values))} |")

    lines.append(row("1. tiny run", "0", report["phase1"]))
    phase2 = report["phase2"]
    band = max(1, -(-live // 5))
    for low in range(0, live, band):
        values = [e for n, e in phase2 if low <= n < low + band]
        high = min(live, low + band) - 1
        lines.append(row("2. long run, one by one", f"{low}–{high}" if high > low else f"{low}", values))
    lines.append(row("3. tiny run", str(live), report["phase3"]))
    lines.append("")

    by_live = dict(phase2)
    points = [n for n in (1, 10, 25, 50) if n < live] + ([live - 1] if live - 1 not in (1, 10, 25) else [])
    slope, r2 = least_squares([(n, e * 1000) for n, e in phase2]) if len(phase2) > 1 else (0.0, 0.0)
    growth = percentile(report["phase3"], 0.5) - percentile(report["phase1"], 0.5)
    p99 = percentile(report["phase3"], 0.99)
    idle, load3 = report["idle_load"], report["phase3_load"]
    pct = lambda window, key: f"{window[key] / window['seconds'] * 100:.0f}%"  # noqa: E731
    lines += [
        "| measure | result |",
        "|---|---|",
        f"| phase 2: one start at N live | " + ", ".join(f"N={n}: {ms(by_live[n])} ms" for n in points if n in by_live)
        + f"; least-squares slope {slope * 1000:+.1f} µs per live run (r² {r2:.2f}) |",
        f"| growth, 0 → {live} live | p50 {ms(percentile(report['phase1'], 0.5))} → "
        f"{ms(percentile(report['phase3'], 0.5))} ms ({growth * 1000:+.2f} ms), p99 "
        f"{ms(percentile(report['phase1'], 0.99))} → {ms(p99)} ms |",
        f"| goal: p99 < 10 ms with {live} live | {'met' if p99 < 0.010 else 'NOT met'} ({ms(p99)} ms; "
        f"p99 of {starts} is {'the maximum' if int(starts * 0.99) >= starts - 1 else 'the nearest rank'}) |",
        f"| every long run `running` at the end | {'yes' if report['long_running_at_end'] == live else 'NO'} "
        f"({report['long_running_at_end']} of {live}; {report['running_at_end']} running in all); then cancelled: "
        + ", ".join(f"{v} {k}" for k, v in report["long_outcomes"].items()) + " |",
        f"| tiny runs' ends | phase 1: " + ", ".join(f"{v} {k}" for k, v in report["phase1_outcomes"].items())
        + "; phase 3: " + ", ".join(f"{v} {k}" for k, v in report["phase3_outcomes"].items()) + " |",
        f"| CPU of the server and its workers, {live} runs live | alone (3 s): server {pct(idle, 'server_cpu')}, "
        f"workers {pct(idle, 'workers_cpu')} of a core; during phase 3 ({load3['seconds']:.1f} s, tiny runs "
        f"included): server {pct(load3, 'server_cpu')}, workers {pct(load3, 'workers_cpu')}; "
        f"{os.cpu_count()} cores in all |",
        f"| reconnections of the timed connection | {report['timed_reconnects']} |",
    ]
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("bin", help="the directory of the release `athanor` binary (or the binary itself)")
    parser.add_argument("--live", type=int, default=50, help="long-lived runs started and kept live (L)")
    parser.add_argument("--starts", type=int, default=50, help="timed starts of the tiny run in phases 1 and 3 (K)")
    parser.add_argument("--rate", type=int, default=100, help="events per second of each long run")
    parser.add_argument("--settle", type=float, default=0.05,
                        help="seconds to wait after each run has started or ended before the next start")
    parser.add_argument("--json", help="also write the raw figures (seconds) to this file")
    args = parser.parse_args(argv)
    if args.live < 1 or args.starts < 1 or args.rate < 1:
        parser.error("--live, --starts and --rate must be at least 1")
    athanor = args.bin if os.path.isfile(args.bin) else os.path.join(args.bin, "athanor")
    command = " ".join(shlex.quote(a) for a in ["python3", *sys.argv]) if argv is None else " ".join(argv)

    # SIGTERM and SIGHUP end the benchmark like Ctrl-C: the `finally` clauses stop the server.
    def interrupt(signum, frame):
        raise KeyboardInterrupt(f"signal {signum}")
    signal.signal(signal.SIGTERM, interrupt)
    signal.signal(signal.SIGHUP, interrupt)

    report = measure(athanor, args.live, args.starts, args.rate, args.settle,
                     say=lambda text: print(text, file=sys.stderr))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=1)
    print(markdown(report, command))
    return 0 if report["long_running_at_end"] == args.live else 1


if __name__ == "__main__":
    sys.exit(main())
