"""The web UI in a real browser: headless Chromium (Debian's `chromium` and `chromium-driver`)
driven by Python selenium, against a real `athanor serve` on its own data directory.

The server is the built binary (ATHANOR_BIN, else <repo>/.build/debug/athanor; these tests never
build it), started once for the module with `--port <free port> --data <tmp>`. Before it starts, a
finished run with 100,000 log lines and a 10,000-element result is written into the data
directory as plain journal files (docs/journal-format.md), so the large-data views are tested
without waiting for a run to produce them. Every page visited is saved as a screenshot under
tools/tests/artifacts/.
"""

import json
import os
import pathlib
import random
import re
import shutil
import time
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone

import pytest

import support

try:
    from selenium import webdriver
    from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait
except ImportError:  # reported by the `browser` fixture, with what to install
    webdriver = None

REPO = pathlib.Path(__file__).resolve().parents[2]
ATHANOR = pathlib.Path(os.environ.get("ATHANOR_BIN") or REPO / ".build" / "debug" / "athanor").resolve()
PUBLIC = REPO / "Sources" / "AthanorServer" / "Public"
ARTIFACTS = pathlib.Path(__file__).resolve().parent / "artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
WAIT = 15  # seconds for anything to appear in the page

BIG_LOG_LINES = 100_000
BIG_RESULT_ITEMS = 10_000
CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"


# --------------------------------------------------------------------------------------------
# journals written by hand


def new_id(moment):
    """A ULID as Athanor writes it: 26 characters of lowercase Crockford base32."""
    value = (int(moment.timestamp() * 1000) << 80) | random.getrandbits(80)
    return "".join(CROCKFORD[(value >> (5 * i)) & 31] for i in reversed(range(26)))


def ts(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def line(seq, moment, kind, **fields):
    return json.dumps({"seq": seq, "ts": ts(moment), "type": kind, **fields}, separators=(",", ":")) + "\n"


def big_level(i):
    """The level of log line i (1-based) in the big run: every 1000th an error, every 100th a warning."""
    return "error" if i % 1000 == 0 else "warn" if i % 100 == 0 else "info" if i % 10 == 0 else "debug"


def write_big_run(data):
    """A finished demo run with BIG_LOG_LINES log lines ("line 1"…) and one result, `big`: an array
    of BIG_RESULT_ITEMS small objects. Returns (instance id, run id)."""
    start = datetime.now(timezone.utc) - timedelta(hours=1)
    instance, run = new_id(start), new_id(start + timedelta(seconds=1))
    config = {"iterations": 1, "delay_ms": 0, "fail_at": 0, "crash_at": 0}
    (data / "instances").mkdir(parents=True)
    (data / "instances" / f"{instance}.jsonl").write_text(
        line(1, start, "instance_created", instance=instance, name="Big result", description="Written by hand",
             experiment="demo", config=config))
    runs = data / "runs" / instance
    runs.mkdir(parents=True)
    moment = start + timedelta(seconds=1)
    out = [
        line(1, moment, "run_created", format=1, run=run, instance=instance, instance_name="Big result",
             experiment="demo", config=config, executor="process"),
        line(2, moment, "run_started", pid=1, host="test"),
    ]
    seq = 2
    for i in range(1, BIG_LOG_LINES + 1):
        seq += 1
        out.append(line(seq, moment + timedelta(microseconds=10 * i), "log", level=big_level(i), message=f"line {i}",
                        metadata={"i": i}))
    end = moment + timedelta(seconds=2)
    value = [{"index": i, "score": i / 7, "even": i % 2 == 0} for i in range(BIG_RESULT_ITEMS)]
    out.append(line(seq + 1, end, "result", key="big", value=value))
    out.append(line(seq + 2, end, "result", key="small", value={"accuracy": 0.5}))
    out.append(line(seq + 3, end, "run_completed"))
    (runs / f"{run}.jsonl").write_text("".join(out))
    return instance, run


# --------------------------------------------------------------------------------------------
# the server and the browser


class Server:
    def __init__(self, base, data, big):
        self.base, self.data, self.big = base, data, big

    def call(self, method, path, body=None):
        request = urllib.request.Request(
            self.base + path, method=method, data=None if body is None else json.dumps(body).encode(),
            headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            raise AssertionError(f"{method} {path} answered {error.code}: {error.read().decode()}") from None

    def create(self, name, experiment="demo", **config):
        return self.call("POST", "/api/instances", {"experiment": experiment, "name": name, "config": config})

    def start(self, instance):
        return self.call("POST", f"/api/instances/{instance}/runs", {})


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if not ATHANOR.exists():
        pytest.fail(f"{ATHANOR} does not exist: build first (tools/test does), or set ATHANOR_BIN")
    data = tmp_path_factory.mktemp("browser") / "data"
    big = write_big_run(data)
    env = {k: v for k, v in os.environ.items() if k not in ("ATHANOR_DATA", "PORT")}
    with support.Server(data, env=env, log=data.parent / "serve.log") as serving:
        yield Server(serving.base, data, big)
        serving.stop()


@pytest.fixture(scope="module")
def browser():
    if webdriver is None:
        pytest.fail("selenium is missing: python3 -m pip install selenium (tools/setup --test installs it)")
    for path in (CHROMIUM, CHROMEDRIVER):
        if not os.path.exists(path):
            pytest.fail(f"{path} is missing: apt-get install -y chromium chromium-driver (tools/setup --test installs them)")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,1000",
                     "--lang=en-US", "--disable-gpu"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    # chromedriver (and the Chromium it starts) in a session of its own, ended as a whole.
    service = Service(CHROMEDRIVER, popen_kw={"start_new_session": True})
    try:
        driver = webdriver.Chrome(service=service, options=options)
        driver.set_page_load_timeout(30)
        ARTIFACTS.mkdir(exist_ok=True)
        for old in ARTIFACTS.glob("failure-*.png"):
            old.unlink()
        yield driver
        driver.quit()
    finally:
        if getattr(service, "process", None) is not None:
            support.end_group(service.process)


@pytest.fixture
def page(browser, server):
    """The browser in a single tab; fails the test on any JavaScript error logged while it ran
    (answers with an error status, such as a 422 the test asked for, are not JavaScript errors)."""
    for handle in browser.window_handles[1:]:
        browser.switch_to.window(handle)
        browser.close()
    browser.switch_to.window(browser.window_handles[0])
    browser.get_log("browser")
    yield browser
    errors = [entry["message"] for entry in browser.get_log("browser")
              if entry["level"] == "SEVERE" and "Failed to load resource" not in entry["message"]]
    assert not errors, f"the page logged errors: {errors}"


# --------------------------------------------------------------------------------------------
# helpers


def wait_for(driver, predicate, what, timeout=WAIT):
    """Waits until predicate(driver) is truthy (stale elements count as not yet) and returns it."""
    def attempt(d):
        try:
            return predicate(d)
        except StaleElementReferenceException:
            return False
    try:
        return WebDriverWait(driver, timeout, poll_frequency=0.05).until(attempt)
    except TimeoutException:
        shot(driver, "failure-" + re.sub(r"\W+", "-", what)[:60])
        raise AssertionError(f"timed out after {timeout} s waiting for {what} on {driver.current_url}") from None


def find(driver, css):
    return driver.find_element(By.CSS_SELECTOR, css)


def find_all(driver, css):
    return driver.find_elements(By.CSS_SELECTOR, css)


def visible(css):
    def check(d):
        elements = [e for e in find_all(d, css) if e.is_displayed()]
        return elements[0] if elements else False
    return check


def text_of(driver, css):
    elements = find_all(driver, css)
    return elements[0].text if elements else ""


def shot(driver, name):
    ARTIFACTS.mkdir(exist_ok=True)
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1280, min(max(1000, height), 3000))
    driver.save_screenshot(str(ARTIFACTS / f"{name}.png"))
    driver.set_window_size(1280, 1000)


def click(driver, element):
    """Clicks an element after scrolling it to the middle of its scroll container (clear of sticky headers)."""
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    element.click()


def press(driver, key):
    ActionChains(driver).send_keys(key).perform()


def last_log_row(driver):
    """The loaded log row with the highest index (rows are positioned, not in DOM order)."""
    rows = find_all(driver, ".log-row[data-seq]")
    return max(rows, key=lambda r: int(r.get_attribute("data-index"))) if rows else None


def badge(driver, css=".page-title .badge"):
    return text_of(driver, css)


def fill(element, text):
    element.clear()
    element.send_keys(text)


# --------------------------------------------------------------------------------------------
# tests


def test_served_pages_are_the_ones_in_the_source_tree(server):
    """The binary serves Sources/AthanorServer/Public as it is now (else: rebuild), and every app
    path answers the single page."""
    stale = []
    for path in sorted(p for p in PUBLIC.rglob("*") if p.is_file()):
        relative = path.relative_to(PUBLIC).as_posix()
        with urllib.request.urlopen(f"{server.base}/{relative}", timeout=30) as response:
            if response.read() != path.read_bytes():
                stale.append(relative)
    assert not stale, f"the server's copy of {stale} differs from the source tree: rebuild the binary"
    index = (PUBLIC / "index.html").read_bytes()
    for path in ("/experiments", "/experiments/new", "/experiments/x/edit", "/experiments/x", "/runs/x", "/compare"):
        with urllib.request.urlopen(server.base + path, timeout=30) as response:
            assert response.read() == index, path


def test_create_instance_through_form_with_field_errors(page, server):
    page.get(server.base + "/")
    wait_for(page, lambda d: d.current_url.endswith("/experiments") and find_all(d, ".page-title h1"), "the experiments page")
    press(page, "n")
    wait_for(page, lambda d: d.current_url.endswith("/experiments/new"), "n to open the new instance form")
    wait_for(page, visible('[data-path="iterations"] input'), "the generated form")
    Select(find(page, "select[name=experiment]")).select_by_value("demo")

    find(page, "form button[type=submit]").click()
    name_error = wait_for(page, visible('[data-field="name"] .field-error'), "the name's error")
    assert "required" in name_error.text

    fill(find(page, "input[name=name]"), "Form demo")
    fill(find(page, "textarea[name=description]"), "Made <b>in</b> the browser")
    iterations = find(page, '[data-path="iterations"] input')
    fill(iterations, "0")
    find(page, "form button[type=submit]").click()
    error = wait_for(page, visible('[data-path="iterations"] .field-error'), "the error next to iterations")
    assert "minimum" in error.text, error.text
    assert not find(page, '[data-field="name"] .field-error').is_displayed()
    assert not find(page, '[data-path="delay_ms"] .field-error').is_displayed()
    assert page.current_url.endswith("/experiments/new")
    shot(page, "form-validation-error")

    fill(iterations, "5")
    fill(find(page, '[data-path="delay_ms"] input'), "10")
    find(page, "form button[type=submit]").click()
    wait_for(page, lambda d: re.search(r"/experiments/[0-9a-z]{26}$", d.current_url), "the instance page")
    wait_for(page, lambda d: text_of(d, ".page-title h1") == "Form demo", "the instance's name")
    assert "Made <b>in</b> the browser" in text_of(page, ".page-subtitle")  # text, not markup
    assert text_of(page, '.config-table tr[data-path="iterations"] td') == "5"
    assert text_of(page, '.config-table tr[data-path="delay_ms"] td') == "10"
    shot(page, "instance")

    page.get(server.base + "/experiments")
    wait_for(page, lambda d: any("Form demo" in r.text for r in find_all(d, ".instances-table tbody tr")), "the instance in the list")
    shot(page, "experiments")


def test_list_field_items_added_removed_and_item_error(page, server):
    page.get(server.base + "/experiments/new")
    Select(wait_for(page, visible("select[name=experiment]"), "the form")).select_by_value("substrate_shift")
    wait_for(page, visible('[data-path="model_pairs"]'), "the model pairs list")
    items = lambda d: find_all(d, '[data-path="model_pairs"] .list-item')
    assert len(items(page)) == 1  # a required list starts with one item
    find(page, '[data-path="model_pairs"] .add-item').click()
    find(page, '[data-path="model_pairs"] .add-item').click()
    assert len(items(page)) == 3
    fill(find(page, '[data-path="model_pairs[0].model_a"] input'), "alpha")
    fill(find(page, '[data-path="model_pairs[0].model_b"] input'), "beta")
    fill(find(page, '[data-path="model_pairs[1].model_a"] input'), "removed")
    fill(find(page, '[data-path="model_pairs[1].model_b"] input'), "removed")
    fill(find(page, '[data-path="model_pairs[2].model_b"] input'), "delta")  # model_a left empty
    find(page, '[data-path="model_pairs[1]"] .remove-item').click()
    assert len(items(page)) == 2
    titles = [e.get_attribute("textContent") for e in find_all(page, '[data-path="model_pairs"] .item-title')]
    assert titles == ["Model pair 1", "Model pair 2"]
    assert find(page, '[data-path="model_pairs[1].model_b"] input').get_attribute("value") == "delta"

    fill(find(page, "input[name=name]"), "Shift pairs")
    find(page, "form button[type=submit]").click()
    error = wait_for(page, visible('[data-path="model_pairs[1].model_a"] .field-error'), "the error at the second item's model_a")
    assert "required" in error.text
    assert not find_all(page, '[data-path="model_pairs[0]"] .has-error')
    assert not find(page, '[data-path="model_pairs[1].model_b"] .field-error').is_displayed()
    shot(page, "form-list-item-error")

    fill(find(page, '[data-path="model_pairs[1].model_a"] input'), "gamma")
    find(page, "form button[type=submit]").click()
    wait_for(page, lambda d: text_of(d, ".page-title h1") == "Shift pairs", "the new instance's page")
    cell = lambda path: text_of(page, f'.config-table tr[data-path="{path}"] td')
    assert [cell("model_pairs[0].model_a"), cell("model_pairs[1].model_a"), cell("model_pairs[1].model_b")] == ["alpha", "gamma", "delta"]


FIELDS_OF_EVERY_TYPE = [
    {"name": "model", "type": "string", "label": "Model", "options": ["small", "large"], "default": "small", "required": False},
    {"name": "temperature", "type": "float", "min": 0, "max": 2, "step": 0.1, "default": 0.7},
    {"name": "verbose", "type": "boolean", "default": False},
    {"name": "limits", "type": "group", "fields": [{"name": "max_tokens", "type": "integer", "min": 1, "default": 256}]},
    {"name": "prompts", "type": "list", "required": True, "fields": [
        {"name": "text", "type": "string", "required": True},
        {"name": "tags", "type": "list", "fields": [{"name": "n", "type": "integer"}]},
    ]},
]


def test_generated_form_covers_every_field_type(page, server):
    """The form generator on its own, with field types the bundled experiments do not use
    (choices, floats, booleans, groups, lists inside lists): prefilled values, the JSON it
    produces, and errors placed at nested paths or at the closest enclosing field."""
    page.get(server.base + "/experiments/new")
    wait_for(page, visible("form"), "the form")
    result = page.execute_async_script("""
        const [fields, config, done] = arguments;
        import('/components/config-form.js').then(({configForm}) => {
            const form = configForm(fields, config);
            form.el.id = 'every-type';
            document.querySelector('form').append(form.el);
            const before = form.value();
            form.el.querySelector('[data-path="prompts[0].tags"] .add-item').click();
            const unplaced = form.showErrors([
                {path: 'limits.max_tokens', message: 'too small'},
                {path: 'prompts[0].tags[1].n', message: 'required'},
                {path: 'prompts[0].tags[1].nope', message: 'unknown key'},
                {path: 'elsewhere', message: 'not a field'},
            ]);
            done({before, after: form.value(), unplaced});
        });
    """, FIELDS_OF_EVERY_TYPE, {"temperature": 1.5, "limits": {"max_tokens": 10},
                                "prompts": [{"text": "hi", "tags": [{"n": 3}]}]})
    assert result["before"] == {"errors": [], "config": {
        "model": "small", "temperature": 1.5, "verbose": False, "limits": {"max_tokens": 10},
        "prompts": [{"text": "hi", "tags": [{"n": 3}]}]}}
    assert result["after"]["config"]["prompts"] == [{"text": "hi", "tags": [{"n": 3}, {}]}]
    assert [d["path"] for d in result["unplaced"]] == ["elsewhere"]
    root = "#every-type "
    assert find(page, root + 'fieldset[data-path="limits"] [data-path="limits.max_tokens"] .field-error').text == "too small"
    assert find(page, root + 'select[name=model]').get_attribute("value") == "small"
    assert find(page, root + '[data-path="temperature"] input').get_attribute("step") == "0.1"
    item_error = find(page, root + '[data-path="prompts[0].tags[1]"] > .field-error').text
    assert "required" in find(page, root + '[data-path="prompts[0].tags[1].n"] .field-error').text
    assert item_error == "nope: unknown key"


def test_the_browser_searches_text_by_the_servers_rule(page, server):
    """The page's log search (text-search.js) and the server's (TextSearch.swift) agree on every
    case of the shared table, which the Swift tests check too."""
    cases = json.loads((support.REPO / "Tests" / "Fixtures" / "text-search-cases.json").read_text())
    page.get(server.base + "/experiments")
    wait_for(page, visible("main"), "the page")
    answers = page.execute_async_script("""
        const [cases, done] = arguments;
        import('/text-search.js').then(({matchesText}) => done(cases.map(c => matchesText(c.text, c.query))));
    """, cases)
    assert [(c["query"], c["text"], a) for c, a in zip(cases, answers)] == \
        [(c["query"], c["text"], c["matches"]) for c in cases]


def test_the_browser_folds_a_run_as_the_server_does(page, server):
    """The page's run fold (run-model.js) against the shared table the Swift tests check
    RunSummary with: every compared field as the API would answer it (durations to the
    millisecond, the precision of JavaScript's dates)."""
    table = json.loads((support.REPO / "Tests" / "Fixtures" / "run-fold-cases.json").read_text())
    page.get(server.base + "/experiments")
    wait_for(page, visible("main"), "the page")
    folded = page.execute_async_script("""
        const [table, done] = arguments;
        import('/run-model.js').then(({applyRunEvent}) => done(table.cases.map(c => {
            const run = structuredClone(table.initial);
            for (const event of c.events.slice(1)) applyRunEvent(run, event);
            return run;
        })));
    """, table)
    for case, run in zip(table["cases"], folded):
        expected = case["expected"]
        for field in table["fields"]:
            if field == "duration" and expected["duration"] is not None:
                assert run["duration"] == pytest.approx(expected["duration"], abs=0.001), case["name"]
            elif field != "duration":
                assert run.get(field) == expected[field], f"{case['name']}: {field}"


def test_run_from_instance_page_shows_progress_and_logs_live(page, server):
    instance = server.create("Live demo", iterations=30, delay_ms=100)
    page.get(f"{server.base}/experiments/{instance['instance']}")
    wait_for(page, visible(".runs-card .empty"), "the empty runs list")
    press(page, "r")
    wait_for(page, lambda d: re.search(r"/runs/[0-9a-z]{26}$", d.current_url), "r to start a run and open it")

    seen = set()
    def progressing(d):
        match = re.match(r"(\d+) / 30", text_of(d, ".run-summary .progress-count"))
        if match:
            seen.add(int(match.group(1)))
        return len({n for n in seen if 0 < n < 30}) >= 3 and badge(d) == "Running"
    wait_for(page, progressing, "progress to move while the run is running")
    rows = wait_for(page, lambda d: [r for r in find_all(d, ".log-row[data-seq]") if r.is_displayed()], "log lines")
    assert rows[0].text
    shot(page, "run-running")

    wait_for(page, lambda d: badge(d) == "Completed", "the run to complete", timeout=20)
    wait_for(page, lambda d: text_of(d, ".log-count") == "32 lines", "32 log lines (30 iterations, start and end)")
    wait_for(page, lambda d: "Done" in last_log_row(d).text, "the last line in view (following the tail)")
    assert text_of(page, ".run-summary .progress-count").startswith("30 / 30")
    assert text_of(page, ".result-count") == "30 keys"
    assert find(page, ".page-head .btn-primary").text.strip() == "Run again"
    assert not any(b.is_displayed() for b in find_all(page, ".page-head .btn-danger-outline"))
    shot(page, "run-completed")

    page.get(f"{server.base}/experiments/{instance['instance']}")
    wait_for(page, lambda d: "Completed" in text_of(d, ".runs-table tbody tr"), "the run in the instance's list")


def test_second_tab_sees_a_run_started_in_the_first(page, server):
    instance = server.create("Two tabs", iterations=3, delay_ms=10)["instance"]
    page.get(f"{server.base}/experiments/{instance}")
    wait_for(page, visible(".runs-card .empty"), "the first tab's empty runs list")
    first = page.current_window_handle
    page.switch_to.new_window("tab")
    page.get(f"{server.base}/experiments/{instance}")
    wait_for(page, visible(".runs-card .empty"), "the second tab's empty runs list")
    second = page.current_window_handle

    page.switch_to.window(first)
    find(page, ".page-head .btn-primary").click()
    wait_for(page, lambda d: "/runs/" in d.current_url, "the first tab on the run page")
    run = page.current_url.rsplit("/", 1)[1]

    page.switch_to.window(second)
    wait_for(page, lambda d: find_all(d, f'.runs-table tr[data-run="{run}"]'), "the new run in the second tab")
    wait_for(page, lambda d: "Completed" in text_of(d, f'.runs-table tr[data-run="{run}"]'), "its status to become completed")
    assert text_of(page, '.facts [data-fact="runs"]') == "1"
    shot(page, "instance-second-tab")


def test_experiments_list_updates_live(page, server):
    page.get(server.base + "/experiments")
    wait_for(page, visible(".page-title h1"), "the experiments page")
    instance = server.create("Appears live", iterations=2, delay_ms=10)["instance"]
    row_css = f'.instances-table tr[data-instance="{instance}"]'
    wait_for(page, lambda d: find_all(d, row_css), "a new instance to appear")
    assert text_of(page, f"{row_css} [data-run-count]") == "0"
    server.start(instance)
    wait_for(page, lambda d: text_of(d, f"{row_css} [data-run-count]") == "1", "the run count to change")
    wait_for(page, lambda d: "Completed" in text_of(d, f"{row_css} [data-last-run]"), "the last run's status")


def test_cancel_a_long_run_from_its_page(page, server):
    instance = server.create("Long", iterations=100_000, delay_ms=10)["instance"]
    run = server.start(instance)["run"]
    page.get(f"{server.base}/runs/{run}")
    wait_for(page, lambda d: badge(d) == "Running", "the run to be running")
    cancel = wait_for(page, visible(".page-head .btn-danger-outline"), "the cancel button")
    cancel.click()
    wait_for(page, lambda d: badge(d) == "Cancelled", "the run to become cancelled", timeout=20)
    assert "Cancelled" in text_of(page, ".run-ending")
    assert find(page, ".page-head .btn-primary").is_displayed()  # Run again
    assert not find(page, ".page-head .btn-danger-outline").is_displayed()
    duration = text_of(page, '.facts [data-fact="duration"]')
    # Not a wait for a condition: the duration of a live run changes every second, so one that
    # stays the same for longer than that has stopped ticking.
    time.sleep(1.1)
    assert text_of(page, '.facts [data-fact="duration"]') == duration  # stopped ticking
    shot(page, "run-cancelled")


def test_failed_run_shows_its_error(page, server):
    instance = server.create("Failing", iterations=5, delay_ms=10, fail_at=2)["instance"]
    run = server.start(instance)["run"]
    page.get(f"{server.base}/runs/{run}")
    wait_for(page, lambda d: badge(d) == "Failed", "the run to fail")
    error = wait_for(page, visible(".run-error .error-text"), "the error")
    assert "iteration 2" in error.text
    wait_for(page, lambda d: server.call("GET", f"/api/runs/{run}")["error"] == error.text, "the same error from the API")
    assert find(page, ".page-head .btn-primary").is_displayed()  # Run again
    shot(page, "run-failed")


def test_edit_then_delete_an_instance(page, server):
    instance = server.create("Before edit", iterations=7, delay_ms=10)["instance"]
    page.get(f"{server.base}/experiments/{instance}")
    click(page, wait_for(page, visible(".page-head a.btn[href$='/edit']"), "the edit button"))
    name = wait_for(page, visible("input[name=name]"), "the edit form")
    assert not find(page, "select[name=experiment]").is_enabled()
    assert find(page, '[data-path="iterations"] input').get_attribute("value") == "7"  # the current config
    fill(name, "After edit")
    fill(find(page, '[data-path="iterations"] input'), "8")
    find(page, "form button[type=submit]").click()
    wait_for(page, lambda d: text_of(d, ".page-title h1") == "After edit", "the saved name")
    assert text_of(page, '.config-table tr[data-path="iterations"] td') == "8"
    assert server.call("GET", f"/api/instances/{instance}")["config"]["iterations"] == 8

    find(page, ".page-head .btn-danger-outline").click()
    dialog = wait_for(page, visible("dialog[open]"), "the confirmation")
    shot(page, "instance-delete-confirm")
    dialog.find_element(By.CSS_SELECTOR, "[data-confirm]").click()
    wait_for(page, lambda d: d.current_url.endswith("/experiments"), "the experiments page after deleting")
    wait_for(page, visible(".page-title h1"), "the list")
    assert not find_all(page, f'.instances-table tr[data-instance="{instance}"]')
    assert server.call("GET", f"/api/instances/{instance}")["deleted"] is True


def test_an_instances_slurm_resources_are_edited_on_its_form(page, server):
    instance = server.create("On the cluster", iterations=2, delay_ms=10)["instance"]
    page.get(f"{server.base}/experiments/{instance}")
    wait_for(page, lambda d: text_of(d, '.facts [data-fact="resources"]') == "the executor’s defaults", "no resources")
    page.get(f"{server.base}/experiments/{instance}/edit")
    cpus = wait_for(page, visible('[data-path="resources.cpus"] input'), "the resources' fields")
    fill(cpus, "4")
    fill(find(page, '[data-path="resources.time"] input'), "soon")
    fill(find(page, '[data-path="resources.options"] input'), "--qos=high  --account=lab")
    find(page, "form button[type=submit]").click()
    # Slurm would refuse that time: the server says so next to the field, and nothing is saved.
    error = wait_for(page, visible('[data-path="resources.time"] .field-error'), "the time's error")
    assert "Slurm time" in error.text
    assert server.call("GET", f"/api/instances/{instance}")["resources"] == {}
    fill(find(page, '[data-path="resources.time"] input'), "2:00:00")
    find(page, "form button[type=submit]").click()
    wait_for(page, lambda d: d.current_url.endswith(f"/experiments/{instance}"), "the instance page")
    wait_for(page, lambda d: text_of(d, '.facts [data-fact="resources"]') == "time 2:00:00 · cpus 4 · --qos=high · --account=lab",
             "the saved resources")
    assert server.call("GET", f"/api/instances/{instance}")["resources"] == {
        "time": "2:00:00", "cpus": 4, "options": ["--qos=high", "--account=lab"]}
    shot(page, "instance-slurm-resources")


def test_large_result_opens_as_a_paged_tree(page, server):
    page.get(f"{server.base}/runs/{server.big[1]}")
    key = wait_for(page, visible('.result-row[data-key="big"]'), "the result keys")
    assert text_of(page, ".result-count") == "2 keys"
    started = time.monotonic()
    key.click()
    more = wait_for(page, visible(".result-detail .jt-more"), "a show-more button")
    elapsed = time.monotonic() - started
    children = lambda: find_all(page, ".result-detail .json-tree > .jt-item > .jt-children > .jt-item")
    assert len(children()) == 100
    assert "100 of 10,000" in more.text
    assert len(find_all(page, ".result-detail .jt-item")) < 150  # nothing below the first level was built
    assert elapsed < 5, f"opening the result took {elapsed:.1f} s"
    more.click()
    wait_for(page, lambda d: len(children()) == 200, "100 more children")
    first = children()[0]
    click(page, first.find_element(By.CSS_SELECTOR, ".jt-toggle"))
    wait_for(page, lambda d: "score" in first.text and "even" in first.text, "the first element's members")
    shot(page, "run-large-result")


def test_large_log_view_is_virtualized(page, server):
    page.get(f"{server.base}/runs/{server.big[1]}")
    wait_for(page, lambda d: text_of(d, ".log-count") == "100,000 lines", "the exact line count")
    wait_for(page, lambda d: any("line 100000" in r.text for r in find_all(d, ".log-row[data-seq]")), "the tail in view")
    assert len(find_all(page, ".log-row")) < 80
    requests = page.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name).filter(n => n.includes('/api/runs/') && n.includes('/logs'))")
    assert len(requests) == 1, f"first paint needed {requests}"

    page.execute_script("document.querySelector('.log-list').scrollTop = 0")
    wait_for(page, lambda d: find_all(d, '.log-row[data-index="0"][data-seq]'), "the first line after scrolling up")
    assert find(page, '.log-row[data-index="0"] .log-message').text == "line 1"
    assert find(page, ".follow-button").is_displayed()  # no longer following the tail
    page.execute_script("const l = document.querySelector('.log-list'); l.scrollTop = l.scrollHeight / 2")
    in_middle = lambda d: any(re.fullmatch(r"line 5\d{4}", m.text) for m in find_all(d, ".log-row[data-seq] .log-message"))
    wait_for(page, in_middle, "lines from the middle")
    assert len(find_all(page, ".log-row")) < 80

    Select(find(page, "select[name=level]")).select_by_value("error")
    wait_for(page, lambda d: text_of(d, ".log-count") == "100 of 100,000 lines", "only the errors counted")
    wait_for(page, lambda d: any("line 100000" in r.text for r in find_all(d, ".log-row[data-seq]")), "the last error in view")
    assert {r.get_attribute("class").split()[1] for r in find_all(page, ".log-row[data-seq]")} == {"log-error"}
    Select(find(page, "select[name=level]")).select_by_value("debug")
    fill(find(page, "input[name=q]"), "LINE 4242")
    wait_for(page, lambda d: text_of(d, ".log-count") == "11 of 100,000 lines", "11 lines matching the search")
    messages = {r.find_element(By.CSS_SELECTOR, ".log-message").text for r in find_all(page, ".log-row[data-seq]")}
    assert messages == {"line 4242", *(f"line 4242{d}" for d in range(10))}
    shot(page, "run-logs-search")


def test_a_sweep_page_ranks_its_trials_live_and_links_to_compare(page, server):
    sweep = server.call("POST", "/api/sweeps", {
        "experiment": "demo", "name": "Browser sweep", "space": {"iterations": list(range(3, 12)), "delay_ms": [20]},
        "concurrency": 2, "metric": "loss"})["sweep"]
    page.get(f"{server.base}/sweeps")
    row = wait_for(page, visible(f'.sweeps-table tr[data-sweep="{sweep}"]'), "the sweep in the list")
    assert "Browser sweep" in row.text
    click(page, row.find_element(By.CSS_SELECTOR, "a"))
    wait_for(page, lambda d: text_of(d, ".page-title h1") == "Browser sweep", "the sweep page")
    # Live: the page follows the trials until the sweep completes.
    wait_for(page, lambda d: badge(d) == "Completed", "the sweep to complete", timeout=120)
    rows = find_all(page, ".trials-table tbody tr")
    assert len(rows) == 9
    headers = [th.text.lower() for th in find_all(page, ".trials-table thead th")]
    assert headers[1:3] == ["iterations", "delay_ms"] and "loss" in headers
    answer = server.call("GET", f"/api/sweeps/{sweep}")
    best = find_all(page, ".trials-table tr.best-trial")
    assert [r.get_attribute("data-trial") for r in best] == [answer["best"]]
    # Sorted by the metric, best first; sorting again reverses it.
    assert rows[0].get_attribute("data-trial") == answer["best"]
    click(page, find(page, '.trials-table [data-sort="value"]'))
    wait_for(page, lambda d: find_all(d, ".trials-table tbody tr")[-1].get_attribute("data-trial") == answer["best"],
             "the best trial last once sorted the other way")
    shot(page, "sweep-page")
    chosen = [t["run"] for t in answer["trials"][:2]]
    for run in chosen:
        click(page, find(page, f'.trials-table input[data-run="{run}"]'))
    link = wait_for(page, visible(".compare-selected:not(.disabled)"), "the compare link")
    assert link.text == "Compare selected (2)"
    click(page, link)
    wait_for(page, lambda d: "/compare" in d.current_url and len(find_all(d, ".compare-runs tbody tr")) == 2,
             "the compare page with the two trials")
    assert set(page.current_url.split("runs=")[1].split(",")) == set(chosen)


def test_a_sweep_is_cancelled_and_resumed_from_its_page(page, server):
    sweep = server.call("POST", "/api/sweeps", {
        "experiment": "demo", "name": "Long sweep", "space": {"iterations": [1000, 1001]}, "config": {"delay_ms": 20}})["sweep"]
    page.get(f"{server.base}/sweeps/{sweep}")
    cancel = wait_for(page, visible(".page-head .btn-danger-outline"), "the cancel button")
    click(page, cancel)
    wait_for(page, lambda d: badge(d) == "Cancelled", "the sweep to be cancelled")
    assert server.call("GET", f"/api/sweeps/{sweep}")["status"] == "cancelled"
    click(page, wait_for(page, visible(".page-head .btn-primary"), "the resume button"))
    wait_for(page, lambda d: badge(d) == "Running", "the sweep to run again")
    click(page, wait_for(page, visible(".page-head .btn-danger-outline"), "the cancel button again"))
    wait_for(page, lambda d: badge(d) == "Cancelled", "the sweep to be cancelled again")
