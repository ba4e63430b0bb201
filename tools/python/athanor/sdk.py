"""Declaring experiments in Python: `@athanor.experiment(...)` on a function that takes a
`Context`. Athanor finds the file in an experiment folder, lists the experiment beside the
Swift ones, and runs it in a worker process that owns the journal (see docs/python-experiments.md
and, for the wire protocol underneath, docs/run-protocol.md)."""

import inspect

__all__ = ["experiment", "declared"]

_declared = []


def experiment(*, name, description="", config=()):
    """Declares the decorated function (`def run(ctx)` or `async def run(ctx)`) as the
    experiment `name`, with its configuration fields (see `athanor.Field`)."""
    if not isinstance(name, str) or not name:
        raise ValueError(f"an experiment needs a name, not {name!r}")
    fields = [*config]

    def declare(function):
        if not callable(function):
            raise TypeError(f"@athanor.experiment({name!r}) must decorate a function")
        parameters = inspect.signature(function).parameters
        if len(parameters) != 1:
            raise TypeError(f"experiment {name!r}: {function.__name__} must take one argument, the run's context")
        _declared.append({"name": name, "description": description, "config": fields, "run": function})
        return function

    return declare


def declared():
    """The experiments declared so far, in order (what `describe` reports)."""
    return list(_declared)


def _reset():
    _declared.clear()
