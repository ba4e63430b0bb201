"""Metric charts in a real browser (issue 13's browser goals), in headless Chromium through
Selenium, against `athanor serve` on a data directory of its own:

1. paint: one run of `synthetic` with one curve of --points points (1,000,000): navigation to
   /runs/{id} → the chart drawn, the server warm (the curve asked for once through the API and
   the page loaded once first), --repetitions times. Goal: < 300 ms.
2. compare: --runs runs (100, of two instances) of --run-points points (10,000) each, overlaid on
   /compare?runs=…: navigation → the chart drawn with every run's curve, --compare-repetitions
   times. Goal: < 1 s.
3. live: a run recording --rate points a second (1,000; --live-points of them at most) open on
   its page for --seconds (10): for each point recorded in that window, the time from its
   journal `ts` to the end of the first chart drawing that held it (p50, p99, max; goal: p99 <
   100 ms), and the CPU time of Chromium's renderer and GPU processes over the window divided
   by its wall time (goal: ≤ 25% of one core).

"Drawn" is read in the page: a script installed before any of the page's own (CDP
Page.addScriptToEvaluateOnNewDocument) wraps HTMLCanvasElement.getContext, which the chart calls
once per drawing (components/metric-chart.js `draw()`), and in a microtask (so once that drawing has
finished) notes the time (performance.now(), whose origin is the navigation's start, and the Unix
time, performance.timeOrigin + performance.now()), the x range drawn (`canvas.__view.x`: the highest
step drawn, the x axis being the step) and, at the first drawing with points, each series' `count`
(`canvas.__series`), which says the drawing held the whole curve. It also wraps EventSource to note
when each event of the run's stream (its SSE id is the journal seq) reached the page, which splits
the live latency into delivery and drawing. The page and the journal are on one machine, so the
page's Unix time and the journal's `ts` are read off one clock.

Usage: python3 tools/bench_browser_metrics.py BIN_DIR [--points N] [--repetitions R] [--runs N]
       [--run-points N] [--compare-repetitions R] [--rate N] [--live-points N] [--seconds S]
       [--only paint,compare,live]"""

import argparse
import datetime
import json
import os
import pathlib
import platform
import re
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
MARKER = "ATHANOR_BENCH_BROWSER_METRICS"  # in the environment of every process this script starts
PARTS = ("paint", "compare", "live")

# Installed in every document before its own scripts (see the module's docstring).
PROBE = r"""
(() => {
  if (window.__bench) return;
  window.__bench = { draws: [], received: null };
  const now = () => performance.timeOrigin + performance.now(); // Unix ms, finer than Date.now()
  const getContext = HTMLCanvasElement.prototype.getContext;
  const seen = new WeakSet();
  HTMLCanvasElement.prototype.getContext = function (...args) {
    const context = getContext.apply(this, args);
    if (this.classList && this.classList.contains('metric-canvas')) {
      const canvas = this;
      queueMicrotask(() => {
        const record = { t: performance.now(), wall: now(), x1: null, draws: null, first: false };
        const view = canvas.__view;
        if (view) {
          record.x1 = view.x[1];
          record.draws = view.draws;
          if (!seen.has(canvas)) {
            seen.add(canvas);
            record.first = true;
            record.series = canvas.__series.map((s) => ({ count: s.count, drawn: s.x.length }));
          }
        }
        window.__bench.draws.push(record);
      });
    }
    return context;
  };
  const Source = window.EventSource;
  window.EventSource = class extends Source {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', (event) => {
        if (window.__bench.received) window.__bench.received.push(Number(event.lastEventId), now());
      });
    }
  };
})();
"""


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def quantile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def epoch(ts):
    return datetime.datetime.fromisoformat(ts.replace("Z", "+00:00")).timestamp()


# --------------------------------------------------------------------------------------------
# processes


def stat(pid):
    """(state, ppid) of a process, or None if it is gone."""
    try:
        fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, ValueError):
        return None
    return fields[0], int(fields[1])


def cmdline(pid):
    try:
        return pathlib.Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def pids():
    return [int(entry) for entry in os.listdir("/proc") if entry.isdigit()]


def page_cpu_seconds(driver):
    """CPU time (user and system) so far of the browser's renderer and GPU processes (the
    descendants of its chromedriver), where a page's scripts, layout and drawing run."""
    children = {}
    for pid in pids():
        found = stat(pid)
        if found:
            children.setdefault(found[1], []).append(pid)
    total, stack = 0.0, [driver.service.process.pid]
    while stack:
        pid = stack.pop()
        stack.extend(children.get(pid, []))
        if re.search(r"--type=(renderer|gpu-process)", cmdline(pid)):
            try:
                fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def marked(value):
    """Live processes (not zombies) carrying MARKER=value, other than this one and its ancestors."""
    mine, pid = set(), os.getpid()
    while pid > 0 and pid not in mine:
        mine.add(pid)
        found = stat(pid)
        pid = found[1] if found else 0
    found = []
    for pid in pids():
        if pid in mine:
            continue
        try:
            environment = pathlib.Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
        except OSError:
            continue
        state = stat(pid)
        if f"{MARKER}={value}".encode() in environment and state and state[0] not in "ZXx":
            found.append(pid)
    return found


def end_group(process, grace=15):
    """Ends the process group of `process` (started in a session of its own): TERM, then KILL."""
    if process is None:
        return
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            pass
        try:
            process.wait(grace)
            return
        except subprocess.TimeoutExpired:
            continue


def sweep(value):
    """Ends whatever this script started that is still alive (found by its marker); returns the count."""
    left = marked(value)
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid in left:
            try:
                os.kill(pid, sig)
            except ProcessLookupError:
                pass
        deadline = time.time() + 5
        while time.time() < deadline and marked(value):
            time.sleep(0.1)
        if not marked(value):
            break
    return len(left)


# --------------------------------------------------------------------------------------------
# the bench


class Bench:
    def __init__(self, options):
        self.options = options
        self.athanor = os.path.join(options.bin, "athanor")
        self.scratch = tempfile.mkdtemp(prefix="athanor-bench-browser-metrics-")
        self.data = os.path.join(self.scratch, "data")
        self.token = os.urandom(8).hex()
        self.env = {k: v for k, v in os.environ.items() if k not in ("ATHANOR_DATA", "PORT")}
        self.env[MARKER] = self.token
        self.server = None
        self.service = None
        self.driver = None
        self.base = None
        self.live_run = None

    # helpers

    def cli(self, *arguments):
        return subprocess.run([self.athanor, *arguments, "--data", self.data], check=True, capture_output=True,
                              text=True, env=self.env).stdout.strip()

    def create(self, name, **config):
        settings = {"logs": 0, "results": 0, "progress": 0}
        settings.update(config)
        return self.cli("create", "synthetic", "--name", name, "--config", json.dumps(settings))

    def call(self, method, path, body=None, timeout=120):
        request = urllib.request.Request(self.base + path, method=method,
                                         data=None if body is None else json.dumps(body).encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.loads(response.read())

    def serve(self):
        port = free_port()
        self.base = f"http://127.0.0.1:{port}"
        self.server = subprocess.Popen([self.athanor, "serve", "--port", str(port), "--data", self.data],
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=self.env,
                                       start_new_session=True)
        deadline = time.time() + 60
        while True:
            try:
                self.call("GET", "/api/status", timeout=2)
                return
            except OSError:
                if self.server.poll() is not None or time.time() > deadline:
                    raise RuntimeError("athanor serve did not answer within 60 s")
                time.sleep(0.05)

    def open_browser(self):
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000",
                         "--lang=en-US", "--disable-gpu"):
            options.add_argument(argument)
        # chromedriver (and the Chromium it starts) in a session of its own, ended as a whole.
        self.service = Service(CHROMEDRIVER, env=self.env, popen_kw={"start_new_session": True})
        self.driver = webdriver.Chrome(service=self.service, options=options)
        self.driver.set_page_load_timeout(120)
        self.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": PROBE})

    def first_drawing(self, path, timeout=120):
        """Navigates to `path` (from about:blank) and returns the first drawing with points of a
        metric chart: {t (ms since the navigation started), wall, x1, series: [{count, drawn}]}."""
        self.driver.get("about:blank")
        self.driver.get(self.base + path)
        deadline = time.time() + timeout
        while True:
            found = self.driver.execute_script(
                "return window.__bench ? window.__bench.draws.find((d) => d.first) || null : null")
            if found:
                return found
            if time.time() > deadline:
                raise RuntimeError(f"no chart was drawn on {path} within {timeout} s")
            time.sleep(0.01)

    def shutdown(self):
        if self.live_run and self.server is not None and self.server.poll() is None:
            try:
                self.cancel(self.live_run)
            except Exception as error:  # the server is ended below anyway
                print(f"cancelling the live run failed: {error}", file=sys.stderr)
        if self.driver is not None:
            try:
                self.driver.quit()
            except Exception:
                pass
        if self.service is not None and getattr(self.service, "process", None) is not None:
            end_group(self.service.process)
        end_group(self.server)
        left = sweep(self.token)
        if left:
            print(f"ended {left} process(es) left behind", file=sys.stderr)
        shutil.rmtree(self.scratch, ignore_errors=True)

    def cancel(self, run, timeout=60):
        status = self.call("GET", f"/api/runs/{run}")["status"]
        if status in ("pending", "running"):
            self.call("POST", f"/api/runs/{run}/cancel", {})
        deadline = time.time() + timeout
        while status in ("pending", "running"):
            if time.time() > deadline:
                raise RuntimeError(f"run {run} did not end within {timeout} s of its cancellation")
            time.sleep(0.1)
            status = self.call("GET", f"/api/runs/{run}")["status"]
        self.live_run = None

    # the measures

    def api_requests(self):
        """The page's API requests so far: {path: (start, end, bytes)} (ms since the navigation
        started, the body's size as sent), the last of each path."""
        entries = self.driver.execute_script(
            "return performance.getEntriesByType('resource').filter((e) => e.name.includes('/api/'))"
            ".map((e) => [new URL(e.name).pathname, e.startTime, e.responseEnd, e.encodedBodySize])")
        return {path: (start, end, size) for path, start, end, size in entries}

    def loads(self, path, repetitions, check):
        """Loads `path` once, then `repetitions` times timed: (first drawing's time of the first
        load, [first drawing's time], [its `GET /api/metrics` as {path: (start, end, bytes)}], the
        last drawing)."""
        first = self.first_drawing(path)["t"]
        timings, requests = [], []
        for _ in range(repetitions):
            drawing = self.first_drawing(path)
            check(drawing)
            timings.append(drawing["t"])
            requests.append(self.api_requests())
        return first, timings, requests, drawing

    @staticmethod
    def breakdown(timings, requests, paths):
        """A row's `… of which` cell: the median time of each API request of `paths` from its
        start to its answer's end, and from the answer of `/api/metrics` to the chart drawn."""
        starts = [min(start for start, _, _ in found.values()) for found in requests if found]
        parts = [f"navigation → first API request sent {statistics.median(starts):.0f} ms"] if starts else []
        for path in paths:
            spans = [found[path][1] - found[path][0] for found in requests if path in found]
            if spans:
                size = requests[-1][path][2]
                shown = re.sub(r"/api/runs/[^/]+$", "/api/runs/{id}", path)
                parts.append(f"`GET {shown}` {statistics.median(spans):.0f} ms ({size / 1e6:.2f} MB)")
        after = [t - found["/api/metrics"][1] for t, found in zip(timings, requests) if "/api/metrics" in found]
        if after:
            parts.append(f"its answer → chart drawn {statistics.median(after):.0f} ms")
        return ", ".join(parts) + " (medians)"

    def paint(self, run):
        n = self.options.points
        started = time.perf_counter()
        answer = self.call("GET", f"/api/metrics?runs={run}&points=1000")
        api_first = (time.perf_counter() - started) * 1000
        assert answer["runs"][0]["series"][0]["count"] == n, answer["runs"][0]["series"][0]["count"]

        def check(drawing):
            assert [s["count"] for s in drawing["series"]] == [n], drawing
            assert drawing["x1"] == n - 1, drawing

        first, timings, requests, drawing = self.loads(f"/runs/{run}", self.options.repetitions, check)
        drawn = drawing["series"][0]["drawn"]
        return [
            f"| `/runs/{{id}}`, one curve of {n:,} points, server warm: navigation → chart drawn "
            f"({drawn:,} points drawn) | median {statistics.median(timings):.0f} ms (min {min(timings):.0f}, "
            f"max {max(timings):.0f}) of {len(timings)}; the first load {first:.0f} ms, after a first "
            f"`GET /api/metrics?points=1000` of {api_first:.0f} ms on the just-started server | < 300 ms |",
            f"| … of which | {self.breakdown(timings, requests, [f'/api/runs/{run}', '/api/metrics'])} | — |",
        ]

    def compare(self, runs):
        n, count = self.options.run_points, len(runs)
        ids = ",".join(runs)
        self.call("GET", f"/api/metrics?runs={ids}&points=1000")

        def check(drawing):
            counts = [s["count"] for s in drawing["series"]]
            assert counts == [n] * count, counts

        first, timings, requests, drawing = self.loads(f"/compare?runs={ids}", self.options.compare_repetitions, check)
        drawn = sum(s["drawn"] for s in drawing["series"])
        return [
            f"| `/compare` of {count} runs × {n:,} points, server warm: navigation → chart drawn with every curve "
            f"({drawn:,} points drawn) | median {statistics.median(timings):.0f} ms "
            f"(min {min(timings):.0f}, max {max(timings):.0f}) of {len(timings)}; the first load "
            f"{first:.0f} ms | < 1 s |",
            f"| … of which | {self.breakdown(timings, requests, ['/api/compare', '/api/metrics'])} | — |",
        ]

    def live(self, instance):
        seconds, rate = self.options.seconds, self.options.rate
        run = self.call("POST", f"/api/instances/{instance}/runs", {})["run"]
        self.live_run = run
        driver = self.driver
        driver.get("about:blank")
        driver.get(f"{self.base}/runs/{run}")
        deadline = time.time() + 120
        # Settled: two seconds' worth of points drawn.
        while not driver.execute_script(
                "return window.__bench.draws.some((d) => d.x1 !== null && d.x1 >= arguments[0])", 2 * rate):
            if time.time() > deadline:
                raise RuntimeError("the live chart did not reach two seconds' worth of points within 120 s")
            time.sleep(0.05)
        driver.execute_cdp_cmd("Performance.enable", {})

        def main_thread():
            return next(m["value"] for m in driver.execute_cdp_cmd("Performance.getMetrics", {})["metrics"]
                        if m["name"] == "TaskDuration")

        driver.execute_script("window.__bench.received = []")
        start, cpu, busy = time.time(), page_cpu_seconds(driver), main_thread()
        time.sleep(seconds)
        end = time.time()
        cpu, busy = page_cpu_seconds(driver) - cpu, main_thread() - busy
        time.sleep(1)  # the points of the window's last moments get drawn
        draws = driver.execute_script("return window.__bench.draws.filter((d) => d.x1 !== null)"
                                      ".map((d) => [d.wall, d.x1])")
        received = driver.execute_script("return window.__bench.received")
        self.cancel(run)
        ts_of_step, ts_of_seq = {}, {}
        for line in self.cli("replay", run, "--json", "--type", "metric").splitlines():
            event = json.loads(line)
            moment = epoch(event["ts"])
            ts_of_step[event["step"]] = moment
            ts_of_seq[event["seq"]] = moment
        window = sorted(step for step, moment in ts_of_step.items() if start <= moment <= end)
        latencies, undrawn, i = [], 0, 0
        draws.sort()
        for step in window:  # each point at the first drawing (in time) that reached its step
            while i < len(draws) and draws[i][1] < step:
                i += 1
            if i == len(draws):
                undrawn += 1
            else:
                latencies.append(draws[i][0] - ts_of_step[step] * 1000)
        delivery = [received[k + 1] - ts_of_seq[int(received[k])] * 1000 for k in range(0, len(received), 2)
                    if int(received[k]) in ts_of_seq and start <= ts_of_seq[int(received[k])] <= end]
        window_draws = [wall for wall, _ in draws if start * 1000 <= wall <= end * 1000]
        elapsed = end - start
        if not latencies:
            raise RuntimeError("no point recorded in the window was drawn")
        rows = [
            f"| live run at {rate:,} points/s, `/runs/{{id}}` open for {elapsed:.0f} s: journal `ts` → chart drawn "
            f"with the point ({len(latencies):,} points recorded in the window, {len(window) / elapsed:,.0f}/s; "
            f"{len(window_draws) / elapsed:.1f} drawings/s{f'; {undrawn} not drawn within 1 s' if undrawn else ''}) "
            f"| p50 {quantile(latencies, 0.5):.0f} ms, p99 {quantile(latencies, 0.99):.0f} ms, "
            f"max {max(latencies):.0f} ms | p99 < 100 ms |",
            f"| … of which journal `ts` → the event in the page (SSE) | p50 {quantile(delivery, 0.5):.1f} ms, "
            f"p99 {quantile(delivery, 0.99):.1f} ms, max {max(delivery):.1f} ms | — |" if delivery else
            "| … of which journal `ts` → the event in the page (SSE) | no event noted | — |",
            f"| page CPU during it: Chromium's renderer and GPU processes | {cpu / elapsed:.1%} of one core "
            f"(main thread busy {busy / elapsed:.1%} of the time) | ≤ 25% of one core |",
        ]
        return rows

    def run(self):
        options = self.options
        parts = set(options.only.split(","))
        load_before = os.getloadavg()[0]
        rows = []
        if "paint" in parts:
            big_instance = self.create("one curve", metrics=options.points)
            big = json.loads(self.cli("run", big_instance, "--json"))["run"]
        if "compare" in parts:
            runs = []
            instances = [self.create(f"overlaid {i + 1}", metrics=options.run_points) for i in range(2)]
            for k in range(options.runs):
                runs.append(json.loads(self.cli("run", instances[k % 2], "--json"))["run"])
        if "live" in parts:
            live_instance = self.create("live", metrics=options.live_points, events_per_second=options.rate)
        self.serve()
        self.open_browser()
        if "paint" in parts:
            rows.extend(self.paint(big))
        if "compare" in parts:
            rows.extend(self.compare(runs))
        if "live" in parts:
            rows.extend(self.live(live_instance))
        load_after = os.getloadavg()[0]

        command = ["python3", "tools/bench_browser_metrics.py", options.bin, "--points", str(options.points),
                   "--repetitions", str(options.repetitions), "--runs", str(options.runs), "--run-points",
                   str(options.run_points), "--compare-repetitions", str(options.compare_repetitions), "--rate",
                   str(options.rate), "--live-points", str(options.live_points), "--seconds", str(options.seconds)]
        if parts != set(PARTS):
            command += ["--only", options.only]
        chromium = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True).stdout.strip()
        print(f"{datetime.date.today()}, {os.cpu_count()} cores, {platform.machine()}, load average (1 min) "
              f"{load_before:.2f} before, {load_after:.2f} after; {chromium}, headless, 1280×1000")
        print(f"`{shlex.join(command)}`\n")
        print("| measure | result | goal |")
        print("|---|---|---|")
        for row in rows:
            print(row)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("bin", help="the directory of a release `athanor` (with its resources bundle beside it)")
    parser.add_argument("--points", type=int, default=1_000_000, help="points of the one curve (paint)")
    parser.add_argument("--repetitions", type=int, default=5, help="timed loads of the run page (paint)")
    parser.add_argument("--runs", type=int, default=100, help="runs overlaid (compare)")
    parser.add_argument("--run-points", type=int, default=10_000, help="points of each overlaid run (compare)")
    parser.add_argument("--compare-repetitions", type=int, default=3, help="timed loads of the compare page")
    parser.add_argument("--rate", type=int, default=1000, help="points a second of the live run (live)")
    parser.add_argument("--live-points", type=int, default=60_000, help="points of the live run at most (live)")
    parser.add_argument("--seconds", type=float, default=10, help="the window measured on the live run")
    parser.add_argument("--only", default=",".join(PARTS), help="comma-separated: paint, compare, live")
    options = parser.parse_args()
    unknown = set(options.only.split(",")) - set(PARTS)
    if unknown:
        parser.error(f"--only: unknown part(s) {', '.join(sorted(unknown))}")
    for path in (CHROMIUM, CHROMEDRIVER, os.path.join(options.bin, "athanor")):
        if not os.path.exists(path):
            parser.error(f"{path} is missing")
    # A TERM ends the bench as Ctrl-C does: through the `finally` that ends what it started.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    bench = Bench(options)
    try:
        bench.run()
    finally:
        bench.shutdown()


if __name__ == "__main__":
    main()
