"""`python -m athanor FILE describe` and `python -m athanor FILE run NAME`: what an Athanor
worker starts for an experiment file (see docs/run-protocol.md). `describe` prints the file's
declared experiments as JSON; `run` runs one of them, speaking the run protocol on the
descriptors the worker gives (ATHANOR_CALLS_FD, ATHANOR_CONTROL_FD)."""

import importlib.util
import inspect
import json
import os
import pathlib
import sys
import threading
import traceback

from . import sdk
from .context import Context, RunEnded

USAGE = "usage: python -m athanor FILE describe | python -m athanor FILE run NAME"


def _load(path):
    """Imports the experiment file as a module of its own (its folder first on sys.path, so
    that its sibling modules import); returns what it declared."""
    path = pathlib.Path(path).resolve()
    sys.path.insert(0, str(path.parent))
    sdk._reset()
    spec = importlib.util.spec_from_file_location(f"athanor_experiment_{path.stem}", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"{path} cannot be imported as Python")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return sdk.declared()


_PACKAGE = str(pathlib.Path(__file__).resolve().parent)


def _traceback(error):
    """The traceback of `error` from the experiment's own code on (Athanor's frames and the
    import machinery's left out)."""
    frames = [
        frame
        for frame in traceback.extract_tb(error.__traceback__)
        if not frame.filename.startswith(_PACKAGE) and not frame.filename.startswith("<frozen")
    ]
    head = "Traceback (most recent call last):\n" if frames else ""
    return (head + "".join(traceback.format_list(frames)) + "".join(traceback.format_exception_only(type(error), error))).rstrip()


def _error_text(error):
    return f"{type(error).__name__}: {error}\n\n{_traceback(error)}"


def describe(path):
    # What the file prints while it imports goes to standard error: standard output is the answer.
    answer = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    try:
        declared = _load(path)
        body = {
            "protocol": 1,
            "experiments": [
                {"name": item["name"], "description": item["description"], "config": item["config"]} for item in declared
            ],
        }
        text = json.dumps(body, allow_nan=False)
        status = 0
    except BaseException as error:  # noqa: BLE001: a file that fails to import in any way is reported
        text = json.dumps({"protocol": 1, "error": _error_text(error)})
        status = 1
    answer.write(text + "\n")
    answer.flush()
    return status


def _read_line(fd):
    line = bytearray()
    while True:
        chunk = os.read(fd, 1)
        if not chunk:
            return bytes(line) if line else None
        if chunk == b"\n":
            return bytes(line)
        line += chunk


def run(path, name):
    calls_fd = int(os.environ.get("ATHANOR_CALLS_FD", "3"))
    control_fd = int(os.environ.get("ATHANOR_CONTROL_FD", "4"))
    start_line = _read_line(control_fd)
    if start_line is None:
        print("athanor: no start message from the worker", file=sys.stderr)
        return 2
    start = json.loads(start_line)
    ctx = Context(start, calls_fd)
    threading.Thread(target=_listen, args=(control_fd, ctx), name="athanor-control", daemon=True).start()
    try:
        declared = _load(path)
        matches = [item for item in declared if item["name"] == name]
        if not matches:
            raise LookupError(f"{path} declares no experiment {name!r} (it declares: {', '.join(d['name'] for d in declared) or 'none'})")
        function = matches[0]["run"]
        if inspect.iscoroutinefunction(function):
            import asyncio  # only for async experiments: it takes a while to import

            asyncio.run(_run_async(function, ctx))
        else:
            function(ctx)
    except SystemExit as exit:
        # sys.exit(): the run ends as the program's exit status says (0: completed).
        ctx._close()
        if exit.code is None or isinstance(exit.code, int):
            return exit.code or 0
        print(exit.code, file=sys.stderr)
        return 1
    except BaseException as error:  # noqa: BLE001: every way an experiment can end is recorded
        if not (ctx.cancelled and _is_cancellation(error)):
            _record_failure(ctx, error)
    ctx._close()
    return 0


def _record_failure(ctx, error):
    if ctx.ended:
        return
    try:
        ctx.log("error", _traceback(error))
        message = f"{type(error).__name__}: {error}"
        ctx.fail(message if str(error) else type(error).__name__)
    except RunEnded:
        pass


def _is_cancellation(error):
    """Whether `error` is how a cancelled experiment stops (its asyncio task cancelled, or ^C)."""
    asyncio = sys.modules.get("asyncio")
    return isinstance(error, KeyboardInterrupt) or (asyncio is not None and isinstance(error, asyncio.CancelledError))


async def _run_async(function, ctx):
    import asyncio

    task = asyncio.current_task()
    loop = asyncio.get_running_loop()
    ctx._on_cancel.append(lambda: loop.call_soon_threadsafe(task.cancel))
    if ctx.cancelled:
        task.cancel()
    await function(ctx)


def _listen(fd, ctx):
    while True:
        line = _read_line(fd)
        if line is None:
            # The worker is gone: nothing more can be recorded.
            os._exit(70)
        try:
            message = json.loads(line)
        except ValueError:
            continue
        if message.get("type") == "cancel":
            ctx._cancel(message.get("reason") or "cancelled")


def main(argv):
    if len(argv) == 2 and argv[1] == "describe":
        return describe(argv[0])
    if len(argv) == 3 and argv[1] == "run":
        return run(argv[0], argv[2])
    print(USAGE, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
