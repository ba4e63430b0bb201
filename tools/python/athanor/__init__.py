"""Athanor for Python: experiments written in Python, and run journals loaded into pandas.

Experiments: decorate a function with `@athanor.experiment(name=..., config=[athanor.Field...])`
in a file of an experiment folder (`athanor serve --experiments DIR`); Athanor lists it beside
the Swift experiments and runs it in a worker that owns the journal. See
docs/python-experiments.md.

Journals: every run is a journal of JSON lines (compressed with zstd once closed): see the
repository's docs/journal-format.md. `load_run` loads one, `load_runs` a whole data directory,
`follow` yields the events of a live run as they are written, `load_sweep` a sweep's trials.

A damaged journal is read as far as it can be: each invalid line, `seq` gap or repeat is
skipped with a `JournalWarning` naming the file and line (also listed in `Run.problems` and the
`problems` column of `load_runs`); a compressed journal that cannot be decompressed raises
`JournalError` from `load_run`, and `load_runs` skips it with a warning.

The loading half imports pandas when first used, so an experiment's start does not pay for it.
"""

from .context import Context, RunEnded
from .schema import Field
from .sdk import experiment

_LOADING = {
    "JournalError": "journal",
    "JournalWarning": "journal",
    "follow": "journal",
    "journal_lines": "journal",
    "resolve_run": "journal",
    "Run": "frames",
    "load_run": "frames",
    "load_runs": "frames",
    "load_sweep": "sweeps",
}

__all__ = ["Context", "Field", "RunEnded", "experiment", *_LOADING]


def __getattr__(name):
    module = _LOADING.get(name)
    if module is None:
        raise AttributeError(f"module 'athanor' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value
