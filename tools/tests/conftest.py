"""Prints what the tests reported (crash trials, fuzz cases: `support.report`) in pytest's
summary, so that CI's log shows the counts behind each guarantee."""

from support import REPORTED


def pytest_terminal_summary(terminalreporter):
    if REPORTED:
        terminalreporter.section("counts")
        for line in REPORTED:
            terminalreporter.write_line(line)
