"""Metric charts and run comparison in a real browser (test_browser.py's browser and helpers),
against `athanor serve` on a data directory of its own.

Before the server starts, a finished run whose `loss` curve has SPIKY_POINTS points and one huge
value is written as a plain journal (docs/journal-format.md), so zooming, downsampling and the
spike are checked on a curve known point by point. The assertions read what the charts drew:
each chart's canvas exposes its points (`canvas.__series`) and layout (`canvas.__view`), and the
spike is looked for in the canvas's pixels.
"""

import math
import os
import pathlib
import re
import time
import urllib.parse
from datetime import datetime, timedelta, timezone

import pytest

import leftovers
import support
from test_browser import (  # noqa: F401 (browser and page are fixtures)
    ATHANOR, Server, browser, page, find, find_all, text_of, badge, shot, wait_for, visible, click, new_id, line,
)

try:
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select
except ImportError:  # reported by the `browser` fixture
    pass

SPIKY_POINTS = 20_000
SPIKE_STEP = 14_000
SPIKE_VALUE = 50.0
CHART = '.metric-chart[data-key="{}"] canvas'


def spiky_value(step):
    return SPIKE_VALUE if step == SPIKE_STEP else 1 + 0.1 * math.sin(step / 50)


def write_spiky_run(data):
    """A finished demo run whose `loss` has a point at every step 0…SPIKY_POINTS-1, 10 ms apart,
    all near 1 but one (SPIKE_VALUE at SPIKE_STEP). Returns the run's ID."""
    start = datetime.now(timezone.utc) - timedelta(hours=2)
    instance, run = new_id(start), new_id(start + timedelta(seconds=1))
    config = {"iterations": 1, "delay_ms": 0, "fail_at": 0, "crash_at": 0}
    (data / "instances").mkdir(parents=True)
    (data / "instances" / f"{instance}.jsonl").write_text(
        line(1, start, "instance_created", instance=instance, name="Spiky", description="Written by hand",
             experiment="demo", config=config))
    (data / "runs" / instance).mkdir(parents=True)
    moment = start + timedelta(seconds=1)
    out = [
        line(1, moment, "run_created", format=1, run=run, instance=instance, instance_name="Spiky",
             experiment="demo", config=config, executor="process"),
        line(2, moment, "run_started", pid=1, host="test"),
    ]
    for step in range(SPIKY_POINTS):
        out.append(line(3 + step, moment + timedelta(milliseconds=10 * (step + 1)), "metric", key="loss",
                        value=spiky_value(step), step=step))
    out.append(line(3 + SPIKY_POINTS, moment + timedelta(seconds=SPIKY_POINTS / 100 + 1), "run_completed"))
    (data / "runs" / instance / f"{run}.jsonl").write_text("".join(out))
    return run


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if not ATHANOR.exists():
        pytest.fail(f"{ATHANOR} does not exist: build first (tools/test does), or set ATHANOR_BIN")
    data = tmp_path_factory.mktemp("browser-metrics") / "data"
    spiky = write_spiky_run(data)
    env = {k: v for k, v in os.environ.items() if k not in ("ATHANOR_DATA", "PORT")}
    with support.Server(data, env=env, log=data.parent / "serve.log") as serving:
        served = Server(serving.base, data, big=None)
        served.spiky = spiky
        yield served
        serving.stop()


# --------------------------------------------------------------------------------------------
# helpers


def drawn(driver, key="loss"):
    """What the chart of `key` drew: [{run, key, color, raw, count, x, y, smoothed}], or None."""
    return driver.execute_script(
        "const c = document.querySelector(arguments[0]); return c ? c.__series : null", CHART.format(key))


def view(driver, key="loss"):
    """The layout of the chart of `key`: {x, y, yScale, plot, zoomed, draws}, or None."""
    return driver.execute_script(
        "const c = document.querySelector(arguments[0]); return c ? c.__view : null", CHART.format(key))


def metric_requests(driver):
    """The query parameters of every GET /api/metrics the page made, oldest first."""
    names = driver.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name).filter(n => n.includes('/api/metrics'))")
    return [dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(name).query)) for name in names]


def pixel_of(v, x):
    """The canvas x (CSS pixels) of data x `x` in view `v`."""
    (x0, x1), plot = v["x"], v["plot"]
    return plot["left"] + (x - x0) / (x1 - x0) * plot["width"]


def drag_across(driver, canvas, start_px, end_px):
    """Drags over the canvas from x start_px to end_px (CSS pixels from its left), halfway down."""
    width = canvas.size["width"]
    ActionChains(driver).move_to_element_with_offset(canvas, int(start_px - width / 2), 0).click_and_hold() \
        .move_by_offset(int((end_px - start_px) / 2), 0).move_by_offset(int((end_px - start_px) / 2), 0) \
        .release().perform()


def page_cpu_seconds(driver):
    """CPU time (user and system) so far of the browser's renderer and GPU processes (the
    descendants of its chromedriver), where a page's scripts, layout and drawing run."""
    children = {}
    for pid in leftovers.pids():
        found = leftovers.stat(pid)
        if found:
            children.setdefault(found[1], []).append(pid)
    total, stack = 0.0, [driver.service.process.pid]
    while stack:
        pid = stack.pop()
        stack.extend(children.get(pid, []))
        if re.search(r"--type=(renderer|gpu-process)", leftovers.cmdline(pid)):
            try:
                fields = pathlib.Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def finished(server, run, timeout=120):
    return support.wait_until(
        lambda: server.call("GET", f"/api/runs/{run}")["status"] == "completed", timeout, f"run {run} to complete")


# --------------------------------------------------------------------------------------------
# tests


def test_curve_model_appends_stream_points_once_and_continues_the_servers_smoothing(page, server):
    """The page's curve model (chart/metric-series.js) on its own: points that an answer and the
    stream both hold count once, the smoothing of live points continues the server's exactly,
    and a bucketed answer is drawn through each bucket's points in x order."""
    page.get(server.base + "/experiments")
    wait_for(page, visible("main"), "the page")
    weight = 0.9
    values = [math.sin(i) + i / 10 for i in range(40)]
    average, smoothed = 0.0, []
    for i, value in enumerate(values):  # TensorBoard's debiased moving average, as the server has it
        average = average * weight + (1 - weight) * value
        smoothed.append(average / (1 - weight ** (i + 1)))
    answer = page.execute_async_script("""
        const [values, smoothed, weight, done] = arguments;
        Promise.all([import('/chart/metric-series.js'), import('/chart/line.js')]).then(([{MetricSeries}, {lineOfSample}]) => {
            const sample = (ys, n) => ({count: n, raw: true, x: ys.slice(0, n).map((_, i) => i), y: ys.slice(0, n), buckets: []});
            const series = new MetricSeries({run: 'r', key: 'loss', known: 20, origin: 0});
            series.configure('step', weight);
            const added = [];
            for (let i = 20; i < 25; i++) added.push(series.add(i, i, values[i]));   // before the answer
            series.setBase(sample(values, 22), sample(smoothed, 22));               // covers 20, 21
            for (let i = 25; i < 30; i++) added.push(series.add(i, i, values[i]));
            series.setBase(sample(values, 32), sample(smoothed, 32));               // ahead of the stream
            for (let i = 30; i < 35; i++) added.push(series.add(i, i, values[i]));  // 30, 31 known already
            const {parts, smoothed: smooth} = series.parts();
            const points = (ps) => ps.flatMap(({line, from}) => Array.from(line.y.slice(from, line.length)));
            const xs = parts.flatMap(({line, from}) => Array.from(line.x.slice(from, line.length)));
            const bucketed = lineOfSample({raw: false, count: 9, x: [], y: [], buckets: [
                {first: [0, 1], min: [2, 0], max: [1, 5], last: [3, 2]}, {first: [4, 3], min: [4, 3], max: [4, 3], last: [4, 3]}]});
            done({added, xs, ys: points(parts), smooth: points(smooth),
                  bucketed: [Array.from(bucketed.x.slice(0, bucketed.length)), Array.from(bucketed.y.slice(0, bucketed.length))]});
        });
    """, values, smoothed, weight)
    assert answer["added"] == [True] * 10 + [False, False, True, True, True]
    assert answer["xs"] == list(range(35))
    assert answer["ys"] == values[:35]
    assert answer["smooth"] == pytest.approx(smoothed[:35], abs=1e-12)
    assert answer["bucketed"] == [[0, 1, 2, 3, 4], [1, 5, 0, 2, 3]]


def test_a_line_of_several_metrics_feeds_one_chart_per_key(page, server):
    """A `metric` line with `values` (several keys at one step) from a run's stream: the page's
    run fold (run-model.js) keeps each key's summary as the server does, and the metrics panel
    draws each key in a chart of its own."""
    instance = server.create("One point", iterations=1, delay_ms=0)["instance"]
    run = server.start(instance)["run"]
    finished(server, run)
    page.get(f"{server.base}/experiments")
    wait_for(page, visible("main"), "the page")
    answer = page.execute_async_script("""
        const [run, done] = arguments;
        Promise.all([import('/api.js'), import('/run-model.js'), import('/components/metrics-panel.js')]).then(async ([{api}, {applyRunEvent}, {metricsPanel}]) => {
            const summary = await api.run(run);
            const panel = metricsPanel({runs: [summary], signal: new AbortController().signal});
            document.querySelector('main').append(panel.el);
            const lines = [
                {seq: summary.last_seq + 1, ts: '2026-12-03T09:00:00.120000Z', type: 'metric', step: 7, values: {b: 2, a: 1}},
                {seq: summary.last_seq + 2, ts: '2026-12-03T09:00:00.121000Z', type: 'metric', key: 'a', value: 0.5, step: 8},
            ];
            for (const line of lines) {
                applyRunEvent(summary, line);
                panel.add(run, line);
            }
            const series = (key) => document.querySelector(`.metric-chart[data-key="${key}"] canvas`).__series[0];
            done({metrics: summary.metrics, a: series('a'), b: series('b')});
        });
    """, run)
    assert answer["metrics"]["a"] == {"count": 2, "first": {"step": 7, "value": 1}, "last": {"step": 8, "value": 0.5},
                                      "min": {"step": 8, "value": 0.5}, "max": {"step": 7, "value": 1}}
    assert answer["metrics"]["b"]["count"] == 1
    assert (answer["a"]["x"], answer["a"]["y"]) == ([7, 8], [1, 0.5])
    assert (answer["b"]["x"], answer["b"]["y"]) == ([7], [2])
    keys = lambda d: [c.get_attribute("data-key") for c in find_all(d, "main > .metrics .metric-chart")]
    wait_for(page, lambda d: keys(d) == ["b", "a", "loss"], "the run's own curve after them, in a chart of its own")


def test_live_run_chart_grows_while_it_runs(page, server):
    """Points arrive on the run's stream and are appended; switched to relative time while the
    run goes on, the live points' x (computed in the page) match the server's."""
    instance = server.create("Live curve", iterations=40, delay_ms=150)["instance"]
    run = server.start(instance)["run"]
    page.get(f"{server.base}/runs/{run}")
    seen = set()

    def growing(d):
        series = drawn(d)
        if series and badge(d) == "Running":
            seen.add(len(series[0]["x"]))
        return len({n for n in seen if 0 < n < 40}) >= 3
    wait_for(page, growing, "the loss chart to grow while the run is running", timeout=120)
    shot(page, "metrics-live")
    wait_for(page, lambda d: badge(d) == "Completed", "the run to complete", timeout=120)
    wait_for(page, lambda d: len(drawn(d)[0]["x"]) == 40, "40 points drawn")
    series = drawn(page)[0]
    curve = server.call("GET", f"/api/metrics?runs={run}")["runs"][0]["series"][0]
    assert series["x"] == list(range(1, 41)) == curve["x"]  # each point once, in order
    assert series["y"] == curve["y"]
    assert series["run"] == run and series["key"] == "loss"

    other = server.start(instance)["run"]
    page.get(f"{server.base}/runs/{other}")
    wait_for(page, lambda d: len((drawn(d) or [{"x": []}])[0]["x"]) >= 3, "the second run's first points")
    Select(find(page, "select[name=x-axis]")).select_by_value("time")
    wait_for(page, lambda d: badge(d) == "Completed" and len(drawn(d)[0]["x"]) == 40, "40 points on the time axis", timeout=120)
    in_seconds = server.call("GET", f"/api/metrics?runs={other}&x=time")["runs"][0]["series"][0]
    assert drawn(page)[0]["x"] == pytest.approx(in_seconds["x"], abs=1e-6)


def test_drag_zooms_into_the_range_at_full_resolution(page, server):
    page.get(f"{server.base}/runs/{server.spiky}")
    wait_for(page, lambda d: (drawn(d) or [{}])[0].get("count") == SPIKY_POINTS, "the whole curve")
    overview = drawn(page)[0]
    assert overview["raw"] is False  # 20,000 points: buckets
    assert len(overview["x"]) < SPIKY_POINTS
    v = view(page)
    plot = v["plot"]
    canvas = find(page, CHART.format("loss"))
    page.execute_script("arguments[0].scrollIntoView({block: 'center'})", canvas)
    drag_across(page, canvas, plot["left"] + 0.3 * plot["width"], plot["left"] + 0.4 * plot["width"])
    wait_for(page, lambda d: view(d)["zoomed"] and drawn(d)[0]["raw"], "the zoomed range's every point")
    x0, x1 = view(page)["x"]
    assert 0.25 * SPIKY_POINTS < x0 < x1 < 0.45 * SPIKY_POINTS
    expected = [step for step in range(SPIKY_POINTS) if x0 <= step <= x1]
    zoomed = drawn(page)[0]
    assert zoomed["x"] == expected
    assert zoomed["count"] == len(expected)
    assert zoomed["y"] == pytest.approx([spiky_value(step) for step in expected])
    asked = metric_requests(page)[-1]
    assert float(asked["from"]) == pytest.approx(x0) and float(asked["to"]) == pytest.approx(x1)
    assert asked["keys"] == "loss"
    shot(page, "metrics-zoomed")

    ActionChains(page).double_click(canvas).perform()
    wait_for(page, lambda d: not view(d)["zoomed"] and drawn(d)[0]["raw"] is False, "the whole curve again")


def test_spike_stays_drawn_after_downsampling(page, server):
    page.get(f"{server.base}/runs/{server.spiky}")
    wait_for(page, lambda d: (drawn(d) or [{}])[0].get("count") == SPIKY_POINTS, "the whole curve")
    series, v = drawn(page)[0], view(page)
    assert series["raw"] is False and SPIKE_VALUE in series["y"]
    assert v["y"][1] >= SPIKE_VALUE
    page.execute_script("arguments[0].scrollIntoView({block: 'center'})", find(page, CHART.format("loss")))

    def coloured_pixels_near_the_top(step):
        """Pixels of the series' colour in the top tenth of the plot, within 2 px of `step`'s x."""
        return page.execute_script("""
            const [selector, px, plot, color] = arguments;
            const canvas = document.querySelector(selector);
            const ratio = canvas.width / canvas.clientWidth;
            const [r, g, b] = color.match(/[0-9a-f]{2}/gi).map(hex => parseInt(hex, 16));
            const x = Math.round((px - 2) * ratio), y = Math.round(plot.top * ratio);
            const w = Math.round(5 * ratio), h = Math.round(plot.height * 0.1 * ratio);
            const data = canvas.getContext('2d').getImageData(x, y, w, h).data;
            let count = 0;
            for (let i = 0; i < data.length; i += 4) {
                const distance = Math.abs(data[i] - r) + Math.abs(data[i + 1] - g) + Math.abs(data[i + 2] - b);
                if (data[i + 3] > 60 && distance < 90) count++;
            }
            return count;
        """, CHART.format("loss"), pixel_of(v, step), v["plot"], series["color"])
    assert re.fullmatch(r"#[0-9a-fA-F]{6}", series["color"])
    assert coloured_pixels_near_the_top(SPIKE_STEP) > 0, "the spike is not drawn"
    assert coloured_pixels_near_the_top(SPIKE_STEP // 2) == 0, "a line near the top where there is no spike"


def test_smoothing_axes_and_hover(page, server):
    page.get(f"{server.base}/runs/{server.spiky}")
    wait_for(page, lambda d: (drawn(d) or [{}])[0].get("count") == SPIKY_POINTS, "the whole curve")
    assert drawn(page)[0]["smoothed"] is None
    page.execute_script("""
        const input = document.querySelector('input[name=smoothing]');
        input.value = '0.9';
        input.dispatchEvent(new Event('input', {bubbles: true}));
    """)
    wait_for(page, lambda d: drawn(d)[0]["smoothed"], "the smoothed line")
    assert text_of(page, ".smoothing-value") == "0.90"
    assert metric_requests(page)[-1]["smoothing"] == "0.9"
    expected = server.call("GET", f"/api/metrics?runs={server.spiky}&smoothing=0.9&points=10000")["runs"][0]["series"][0]
    assert drawn(page)[0]["smoothed"]["y"][-1] == pytest.approx(expected["smoothed"]["buckets"][-1]["last"][1])

    Select(find(page, "select[name=x-axis]")).select_by_value("time")
    wait_for(page, lambda d: metric_requests(d)[-1].get("x") == "time" and view(d)["x"][1] < 1000, "x in seconds")
    assert view(page)["x"][1] == pytest.approx(SPIKY_POINTS / 100, abs=1)  # 10 ms apart, from the run's start
    Select(find(page, "select[name=y-scale]")).select_by_value("log")
    wait_for(page, lambda d: view(d)["yScale"] == "log", "a log y axis")

    canvas = find(page, CHART.format("loss"))
    page.execute_script("arguments[0].scrollIntoView({block: 'center'})", canvas)
    ActionChains(page).move_to_element(canvas).perform()
    tooltip = wait_for(page, visible(".metric-chart .chart-tooltip"), "the tooltip")
    assert re.search(r"loss\s*[\d.]+\s*smoothed [\d.]+", tooltip.text), tooltip.text
    shot(page, "metrics-smoothed-hover")


def test_compare_page_shows_differing_keys_and_one_line_per_run(page, server):
    short = server.create("Short", iterations=3, delay_ms=0)["instance"]
    long = server.create("Long", iterations=5, delay_ms=0)["instance"]
    runs = [server.start(short)["run"], server.start(long)["run"]]
    for run in runs:
        finished(server, run)
    page.get(f"{server.base}/experiments")
    page.execute_script("sessionStorage.clear()")  # the runs chosen for comparison
    for instance, run in zip((short, long), runs):
        page.get(f"{server.base}/experiments/{instance}")
        box = wait_for(page, visible(f'.runs-table tr[data-run="{run}"] input.run-select'), "the run's checkbox")
        click(page, box)
        assert page.current_url.endswith(f"/experiments/{instance}")  # checking does not open the run
    compare = wait_for(page, visible(".runs-card .compare-link"), "the compare button")
    assert compare.text == "Compare 2 runs"
    shot(page, "instance-runs-selected")
    click(page, compare)
    wait_for(page, lambda d: d.current_url.endswith(f"/compare?runs={runs[0]},{runs[1]}"), "the comparison's address")

    wait_for(page, visible('.config-matrix tr[data-key="iterations"]'), "the configurations")
    assert "differs" in find(page, '.config-matrix tr[data-key="iterations"]').get_attribute("class")
    assert "differs" not in (find(page, '.config-matrix tr[data-key="delay_ms"]').get_attribute("class") or "")
    assert [td.text for td in find_all(page, '.config-matrix tr[data-key="iterations"] td')] == ["3", "5"]
    wait_for(page, lambda d: len(drawn(d) or []) == 2 and all(s["count"] for s in drawn(d)), "two lines")
    lines = drawn(page)
    assert [s["run"] for s in lines] == runs
    assert [s["x"] for s in lines] == [[1, 2, 3], [1, 2, 3, 4, 5]]
    assert lines[0]["color"] != lines[1]["color"]
    assert len(find_all(page, ".chart-legend .legend-item")) == 2
    shot(page, "compare")

    last = server.call("GET", f"/api/compare?runs={','.join(runs)}")["metrics"][0]["values"]
    header = next(th for th in find_all(page, ".compare-table th") if th.text.strip().startswith("loss last"))
    order = lambda: [tr.get_attribute("data-run") for tr in find_all(page, ".compare-table tbody tr")]
    by_last = [run for _, run in sorted(zip((v["last"] for v in last), runs))]
    header.find_element(By.TAG_NAME, "button").click()
    assert header.get_attribute("aria-sort") == "ascending" and order() == by_last
    header.find_element(By.TAG_NAME, "button").click()
    assert header.get_attribute("aria-sort") == "descending" and order() == by_last[::-1]
    page.execute_script("sessionStorage.clear()")


def test_live_chart_at_a_thousand_points_a_second_holds_every_point_once(page, server):
    """While a run records 1,000 points a second, the chart draws new points as they come,
    replaces the piled-up live points by a new answer, and holds every point once. (How much of
    a core the page uses is reported here and measured by `tools/bench browser-metrics`: timing
    is not a pass/fail matter on a shared machine.)"""
    instance = server.create("Fast curve", experiment="synthetic", logs=0, results=0, progress=0, metrics=60_000,
                             events_per_second=1000)["instance"]
    run = server.start(instance)["run"]
    try:
        page.get(f"{server.base}/runs/{run}")
        wait_for(page, lambda d: (view(d) or {"x": [0, 0]})["x"][1] > 2000, "2,000 points", timeout=120)
        page.execute_cdp_cmd("Performance.enable", {})
        main_thread = lambda: next(m["value"] for m in page.execute_cdp_cmd("Performance.getMetrics", {})["metrics"]
                                   if m["name"] == "TaskDuration")
        started, cpu, busy, steps = time.monotonic(), page_cpu_seconds(page), main_thread(), view(page)["x"][1]
        support.wait_until(lambda: time.monotonic() - started > 5, 10, "five seconds")
        elapsed = time.monotonic() - started
        cpu, busy = (page_cpu_seconds(page) - cpu) / elapsed, (main_thread() - busy) / elapsed
        steps = view(page)["x"][1] - steps
        support.report(f"live chart at 1,000 points/s: renderer and GPU processes {cpu:.1%} of a core, main thread busy "
                       f"{busy:.1%} of the time, {steps:.0f} steps drawn in {elapsed:.1f} s")
        assert steps > 0, "the chart draws new points as they come"
        support.wait_until(lambda: len(metric_requests(page)) >= 2, 120,
                           "the chart to replace its piled-up live points by a new answer")
        drawn_steps = drawn(page)[0]["x"]
        assert drawn_steps == sorted(set(drawn_steps))  # each point once
    finally:
        support.call(server.base, "POST", f"/api/runs/{run}/cancel", {})
