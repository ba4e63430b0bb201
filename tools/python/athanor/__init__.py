"""Load Athanor run journals into pandas DataFrames.

Every run is a journal of JSON lines (compressed with zstd once closed): see the repository's
docs/journal-format.md. `load_run` loads one, `load_runs` a whole data directory, `follow`
yields the events of a live run as they are written.

A damaged journal is read as far as it can be: each invalid line, `seq` gap or repeat is
skipped with a `JournalWarning` naming the file and line (also listed in `Run.problems` and the
`problems` column of `load_runs`); a compressed journal that cannot be decompressed raises
`JournalError` from `load_run`, and `load_runs` skips it with a warning.
"""

from .journal import JournalError, JournalWarning, follow, journal_lines, resolve_run
from .frames import Run, load_run, load_runs

__all__ = ["JournalError", "JournalWarning", "Run", "follow", "journal_lines", "load_run", "load_runs", "resolve_run"]
