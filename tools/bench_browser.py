"""Browser benchmark (run by `tools/bench browser`): first useful paint of /runs/{id} for a run
with 1,000,000 log lines, in headless Chromium. Prints a Markdown table row."""

import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

BIN = sys.argv[1]
LOGS = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    data = tempfile.mkdtemp(prefix="athanor-bench-browser-")
    server = None
    driver = None
    try:
        subprocess.run([os.path.join(BIN, "AthanorBench"), "make-runs", data, "1", str(LOGS)], check=True)
        port = free_port()
        server = subprocess.Popen([os.path.join(BIN, "athanor"), "serve", "--port", str(port), "--data", data],
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        for _ in range(600):
            try:
                runs = json.load(urllib.request.urlopen(base + "/api/runs", timeout=2))
                break
            except OSError:
                time.sleep(0.05)
        run = runs[0]["run"]
        options = webdriver.ChromeOptions()
        for flag in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,900"):
            options.add_argument(flag)
        driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
        driver.set_page_load_timeout(60)
        timings = []
        for attempt in range(4):  # the first load also warms the server's cache of the run
            start = time.perf_counter()
            driver.get(f"{base}/runs/{run}")
            while not driver.find_elements(By.CSS_SELECTOR, "[data-seq]"):
                if time.perf_counter() - start > 60:
                    raise RuntimeError("no log row appeared within 60 s")
                time.sleep(0.005)
            timings.append(time.perf_counter() - start)
        warm = timings[1:]
        print(f"| `/runs/{{id}}` of a run with {LOGS:,} log lines: navigation → first log rows painted (headless Chromium) "
              f"| first (cold server cache) {timings[0]:.2f} s; then median {statistics.median(warm):.2f} s "
              f"(min {min(warm):.2f}, max {max(warm):.2f}) | target < 1 s |")
    finally:
        if driver:
            driver.quit()
        if server:
            server.terminate()
            server.wait(10)
        shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
