"""The load test (issue 7), small: 5 concurrent runs of the `synthetic` experiment, each logging
2,000 events per second for 5 seconds, with 8 SSE clients. Nothing may be lost and the
server's memory must stay bounded; timing is not asserted (it belongs to `tools/bench load`,
which runs the full 50 runs × 10,000 events/s × 30 s with the release binary)."""

import os
import pathlib
import sys

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tools"))
import load  # noqa: E402

ATHANOR = str(pathlib.Path(os.environ.get("ATHANOR_BIN") or REPO / ".build" / "debug" / "athanor").resolve())


def test_every_client_and_every_journal_has_every_event_under_load():
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
