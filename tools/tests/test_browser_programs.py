"""Python experiments in the web UI, in a real browser: headless Chromium driven by selenium
(as in test_browser.py), against `athanor serve --experiments DIR` on its own data directory.

The experiment folder holds a Python experiment with a few configuration fields and a file that
fails to import. The experiments page warns about the broken file, naming it; the new-instance
form offers the Python experiment as "name (python)" with a form generated from its fields; an
instance created there and run from its page completes, with its logs, results and metric chart shown.
Every page visited is saved as a screenshot under tools/tests/artifacts/.

The SDK is not installed: PYTHONPATH points the experiment's process at tools/python."""

import os
import pathlib
import re
import shutil

import pytest

import support

try:
    from selenium import webdriver
    from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait
except ImportError:  # reported by the `browser` fixture, with what to install
    webdriver = None

REPO = pathlib.Path(__file__).resolve().parents[2]
os.environ["PYTHONPATH"] = str(REPO / "tools" / "python") + os.pathsep + os.environ.get("PYTHONPATH", "")

ATHANOR = pathlib.Path(support.ATHANOR)
ARTIFACTS = pathlib.Path(__file__).resolve().parent / "artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
WAIT = 30  # seconds for anything to appear in the page

SWEEP = '''
import athanor
from athanor import Field


@athanor.experiment(name="browser_sweep", description="Echoes its prompts, once per sample.", config=[
    Field.integer("samples", default=2, min=1, max=100, label="Samples"),
    Field.string("model", default="small", options=["small", "large"]),
    Field.list("prompts", required=True, fields=[Field.string("text", required=True)]),
])
def run(ctx):
    ctx.log("info", "sweeping", model=ctx.config["model"])
    for i in range(ctx.config["samples"]):
        ctx.result(f"sample_{i + 1}", [p["text"] for p in ctx.config["prompts"]])
        ctx.metric("loss", 1.0 / (i + 1), step=i + 1)
        ctx.progress(i + 1, ctx.config["samples"])
    ctx.log("info", "swept")
'''

BAD_IMPORT = '''
import athanor
import no_such_module_for_the_browser_test
'''


# --------------------------------------------------------------------------------------------
# the server and the browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if not ATHANOR.exists():
        pytest.fail(f"{ATHANOR} does not exist: build first (tools/test does), or set ATHANOR_BIN")
    root = tmp_path_factory.mktemp("browser-programs")
    folder = root / "experiments"
    folder.mkdir()
    (folder / "sweep.py").write_text(SWEEP)
    (folder / "bad_import.py").write_text(BAD_IMPORT)
    env = {k: v for k, v in os.environ.items()
           if k not in ("ATHANOR_DATA", "ATHANOR_EXPERIMENTS", "ATHANOR_PYTHON", "PORT")}
    with support.Server(root / "data", "--experiments", folder, env=env, log=root / "serve.log") as serving:
        serving.folder = folder
        yield serving
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
        yield driver
        driver.quit()
    finally:
        if getattr(service, "process", None) is not None:
            support.end_group(service.process)


@pytest.fixture
def page(browser, server):
    """The browser; fails the test on any JavaScript error logged while it ran."""
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
        shot(driver, "failure-programs-" + re.sub(r"\W+", "-", what)[:60])
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


def fill(element, text):
    element.clear()
    element.send_keys(text)


def shot(driver, name):
    ARTIFACTS.mkdir(exist_ok=True)
    driver.save_screenshot(str(ARTIFACTS / f"{name}.png"))


# --------------------------------------------------------------------------------------------
# tests


def test_the_experiments_page_names_the_broken_file(page, server):
    broken = (server.folder / "bad_import.py").resolve()
    page.get(server.base + "/experiments")
    item = wait_for(page, visible(f'ul.broken-experiments li[data-file="{broken}"]'), "the broken file's notice")
    assert "bad_import.py" in item.text
    assert "ModuleNotFoundError: No module named 'no_such_module_for_the_browser_test'" in item.text, item.text
    assert len(find_all(page, "ul.broken-experiments li")) == 1
    assert "1 experiment file cannot be used" in page.find_element(By.CSS_SELECTOR, "main").text
    shot(page, "programs-broken-notice")


def test_a_python_experiment_is_created_and_run_from_the_ui(page, server):
    page.get(server.base + "/experiments/new")
    select = Select(wait_for(page, visible("select[name=experiment]"), "the new-instance form"))
    options = {o.get_attribute("value"): o.text for o in select.options}
    assert options["browser_sweep"] == "browser_sweep (python)", options
    assert options["demo"] == "demo"
    select.select_by_value("browser_sweep")

    samples = wait_for(page, visible('[data-path="samples"] input'), "the samples field")
    assert samples.get_attribute("value") == "2"  # the default
    assert find(page, '[data-path="model"] select').get_attribute("value") == "small"
    assert "Echoes its prompts" in page.find_element(By.CSS_SELECTOR, "form").text
    fill(find(page, "input[name=name]"), "Swept in the browser")
    fill(samples, "3")
    find(page, "form button[type=submit]").click()
    # The required prompt's text is empty: the error is placed at its path.
    error = wait_for(page, visible('[data-path="prompts[0].text"] .field-error'), "the error at the prompt's text")
    assert "required" in error.text
    shot(page, "programs-form-error")

    fill(find(page, '[data-path="prompts[0].text"] input'), "hello")
    find(page, "form button[type=submit]").click()
    wait_for(page, lambda d: re.search(r"/experiments/[0-9a-z]{26}$", d.current_url), "the instance page")
    wait_for(page, lambda d: text_of(d, ".page-title h1") == "Swept in the browser", "the instance's name")
    assert text_of(page, '.config-table tr[data-path="samples"] td') == "3"
    assert text_of(page, '.config-table tr[data-path="prompts[0].text"] td') == "hello"

    find(page, ".page-head .btn-primary").click()  # Run
    wait_for(page, lambda d: re.search(r"/runs/[0-9a-z]{26}$", d.current_url), "the run page")
    wait_for(page, lambda d: text_of(d, ".page-title .badge") == "Completed", "the run to complete")
    wait_for(page, lambda d: text_of(d, ".result-count") == "3 keys", "three results")
    wait_for(page, lambda d: text_of(d, ".log-count") == "2 lines", "two log lines")
    assert text_of(page, ".run-summary .progress-count").startswith("3 / 3")
    # The curve the Python program recorded is drawn: its three points on the loss chart.
    drawn = wait_for(page, lambda d: d.execute_script(
        "const c = document.querySelector('.metric-chart[data-key=\"loss\"] canvas');"
        " return c && c.__series && c.__series.length ? c.__series[0] : null"), "the loss chart")
    assert list(drawn["x"]) == [1, 2, 3] and drawn["y"][0] == 1.0, drawn
    run = page.current_url.rsplit("/", 1)[1]
    status, summary = server.call("GET", f"/api/runs/{run}")
    assert (summary["status"], summary["experiment"], summary["result_keys"]) == (
        "completed", "browser_sweep", ["sample_1", "sample_2", "sample_3"]), summary
    shot(page, "programs-run-completed")
