"""What every test shares: the processes it started end with it, and the counts the tests
report (crash trials, fuzz cases: `support.report`) appear in pytest's summary, so that CI's log
shows the counts behind each guarantee.

Each test runs with a marker of its own in the environment (ATHANOR_TEST_CASE, passed on to
every process it starts). When the test ends, passed or failed, every process group it started
through `support.spawn` is killed; then any process still carrying its marker (one that left its
group, or an MCP server the `mcp` client started) fails the test, and is killed. At the end of
the session, any process carrying the run's marker fails the session (leftovers.py)."""

import itertools
import os
import sys

import pytest

import leftovers
import support
from support import REPORTED

_cases = itertools.count(1)
_left_at_the_end = []


@pytest.fixture(autouse=True)
def no_process_outlives_its_test():
    first = len(support.STARTED)
    marker = f"{os.getpid()}-{next(_cases)}"
    os.environ[support.CASE_MARKER] = marker
    try:
        yield
    finally:
        del os.environ[support.CASE_MARKER]
        support.end_started(first)
    left = leftovers.sweep(support.CASE_MARKER, marker, ignore=support.PYTHON_HELPERS, out=sys.__stderr__,
                           when="at the end of this test")
    if left:
        pytest.fail(f"{len(left)} process(es) started by this test outlived it (killed now): "
                    + "; ".join(f"{pid} {command[:200]}" for pid, command in left), pytrace=False)


def pytest_sessionfinish(session, exitstatus):
    left = leftovers.sweep(support.SESSION_MARKER, os.environ[support.SESSION_MARKER],
                           ignore=support.PYTHON_HELPERS, out=sys.__stderr__, when="when the tests ended")
    if left:
        _left_at_the_end.extend(left)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter):
    if _left_at_the_end:
        terminalreporter.section("LEFTOVER PROCESSES (the run fails)", red=True)
        for pid, command in _left_at_the_end:
            terminalreporter.write_line(f"pid {pid}: {command[:500]}")
    if REPORTED:
        terminalreporter.section("counts")
        for line in REPORTED:
            terminalreporter.write_line(line)
