"""Load Athanor run journals into pandas DataFrames.

Every run is a journal of JSON lines (compressed with zstd once closed): see the repository's
docs/journal-format.md. `load_run` loads one, `load_runs` a whole data directory, `follow`
yields the events of a live run as they are written.
"""

from .journal import follow, journal_lines, resolve_run
from .frames import Run, load_run, load_runs

__all__ = ["Run", "follow", "journal_lines", "load_run", "load_runs", "resolve_run"]
