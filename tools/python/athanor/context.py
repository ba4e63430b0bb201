"""The run context a Python experiment records through. Every call encodes one JSON line of the
run protocol (docs/run-protocol.md) into a buffer and returns; a thread writes the buffer to the
worker at least every millisecond, and before any call that ends the run."""

import json
import math
import os
import threading
import time

__all__ = ["Context", "RunEnded"]

_LEVELS = frozenset(("debug", "info", "warn", "error"))
_string = json.encoder.encode_basestring_ascii


def _unknown(value):
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")


# json's C encoder made once (json.dumps makes one per call): compact, ASCII, NaN refused.
_chunks = json.encoder.c_make_encoder(None, _unknown, _string, None, ":", ",", False, False, False)


def _encode(value):
    try:
        return "".join(_chunks(value, 0))
    except RecursionError:
        raise ValueError("the value contains itself (or nests too deep)") from None


class RunEnded(RuntimeError):
    """`complete()` or `fail()` was called twice: a run ends once."""


def _json(value, what):
    try:
        return _encode(value)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{what} cannot be recorded: {error}") from None


def _finite(key, value):
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"metric {key!r} cannot be recorded: {number} is not a finite number")
    return number


def _step(key, step):
    if step is None:
        return None
    if isinstance(step, bool) or int(step) != step:
        raise ValueError(f"metric {key!r}: step must be an integer, not {step!r}")
    step = int(step)
    if step < 0:
        raise ValueError(f"metric {key!r}: step {step} is negative")
    return step


class Context:
    """One run of an experiment, as its function sees it: `config` (validated, defaults
    applied), `run_id`, `instance_id`, `cancelled`, and the recording calls."""

    def __init__(self, start, calls_fd, flush_interval=0.001):
        self.config = start.get("config") or {}
        self.run_id = start.get("run")
        self.instance_id = start.get("instance")
        self.experiment = start.get("experiment")
        self._fd = calls_fd
        self._interval = flush_interval
        self._lock = threading.Lock()
        self._writing = threading.Lock()
        self._buffer = []
        self._pending = threading.Event()
        self._ended = False
        self._cancelled = threading.Event()
        self.cancel_reason = None
        self._on_cancel = []
        self._closed = False
        self._flusher = threading.Thread(target=self._flush_loop, name="athanor-flush", daemon=True)
        self._flusher.start()

    # Recording

    def log(self, level, message, **metadata):
        """Logs `message` at `level` (debug, info, warn or error); keyword arguments are its
        metadata: `ctx.log("info", "epoch done", epoch=3, loss=0.2)`."""
        self._emit('{"call":"log",' + self._log_fields(level, message, metadata) + "}\n")

    def log_batch(self, entries):
        """Logs several messages in one line: each entry a `(level, message)` or `(level,
        message, metadata_dict)` tuple, or a dict with `level`, `message` and `metadata`."""
        lines = []
        for entry in entries:
            if isinstance(entry, dict):
                level, message, metadata = entry.get("level"), entry.get("message"), entry.get("metadata")
            else:
                level, message, *rest = entry
                metadata = rest[0] if rest else None
            lines.append(self._log_fields(level, message, metadata))
        if lines:
            self._emit('{"call":"log_batch","entries":[{' + "},{".join(lines) + "}]}\n")

    def result(self, key, value):
        """Records `value` (anything JSON can hold) under `key`; raises ValueError for what it
        cannot (NaN, ±Infinity, objects JSON does not know)."""
        self._emit('{"call":"result","key":' + _string(str(key)) + ',"value":' + _json(value, f"result {key!r}") + "}\n")

    def progress(self, current, total, message=None):
        """Reports progress: `current` of `total`, with an optional message."""
        tail = "}\n" if message is None else ',"message":' + _string(str(message)) + "}\n"
        self._emit('{"call":"progress","current":%d,"total":%d' % (int(current), int(total)) + tail)

    def metric(self, key, value, step=None):
        """Records the point (`step`, `value`) of the curve `key`; without a step, at the key's
        next step. Raises ValueError for NaN, ±Infinity or a negative step."""
        number = _finite(key, value)
        step = _step(key, step)
        if step is None:
            self._emit('{"call":"metric","key":%s,"value":%r}\n' % (_string(str(key)), number))
        else:
            self._emit('{"call":"metric","key":%s,"value":%r,"step":%d}\n' % (_string(str(key)), number, step))

    def metrics(self, values, step=None):
        """Records several curves at one step in one line, keys in the order given:
        `ctx.metrics({"loss": 0.31, "accuracy": 0.88}, step=120)`."""
        parts = ["%s:%r" % (_string(str(key)), _finite(key, value)) for key, value in dict(values).items()]
        if not parts:
            return
        step = _step(next(iter(dict(values))), step)
        tail = "}\n" if step is None else ',"step":%d}\n' % step
        self._emit('{"call":"metrics","values":{' + ",".join(parts) + "}" + tail)

    def complete(self):
        """Ends the run as completed now."""
        self._end('{"call":"complete"}\n')

    def fail(self, message):
        """Ends the run as failed now, with `message` as the reason."""
        self._end('{"call":"fail","error":' + _string(str(message)) + "}\n")

    # Cancellation

    @property
    def cancelled(self):
        """Whether the run has been asked to stop (by a user, an agent or a time limit)."""
        return self._cancelled.is_set()

    def wait_cancelled(self, timeout=None):
        """Sleeps until the run is asked to stop or `timeout` seconds pass; True if asked."""
        return self._cancelled.wait(timeout)

    # Internals

    @property
    def ended(self):
        return self._ended

    @staticmethod
    def _log_fields(level, message, metadata):
        if level not in _LEVELS:
            raise ValueError(f"log level {level!r} is not one of debug, info, warn, error")
        fields = '"level":"' + level + '","message":' + _string(str(message))
        if not metadata:
            return fields
        try:
            encoded = _encode(metadata)
        except (TypeError, ValueError) as error:
            # As in Swift: the message is never lost for metadata JSON cannot hold.
            encoded = _encode({"unrecordable_metadata": str(error)})
        return fields + ',"metadata":' + encoded

    def _emit(self, line):
        with self._lock:
            if self._ended:
                return
            self._buffer.append(line)
            first = len(self._buffer) == 1
        if first:
            self._pending.set()

    def _end(self, line):
        with self._lock:
            if self._ended:
                raise RunEnded("the run has already ended")
            self._buffer.append(line)
            self._ended = True
        self.flush()

    def flush(self):
        """Writes everything recorded so far to the worker now."""
        # One writer at a time, taking the buffer in turn: a pipe write larger than PIPE_BUF is
        # not atomic, so two flushes at once (the flusher's and an ending's) would interleave.
        with self._writing:
            with self._lock:
                lines, self._buffer = self._buffer, []
            if lines:
                view = memoryview("".join(lines).encode())
                while view:
                    view = view[os.write(self._fd, view):]

    def _flush_loop(self):
        while not self._closed:
            self._pending.wait()
            self._pending.clear()
            if self._interval:
                # Lets a burst of calls gather into one write, at most a millisecond late.
                time.sleep(self._interval)
            try:
                self.flush()
            except OSError:
                # The worker is gone: nothing more can be recorded.
                os._exit(70)

    def _cancel(self, reason):
        self.cancel_reason = reason
        self._cancelled.set()
        for callback in list(self._on_cancel):
            callback()

    def _close(self):
        self.flush()
        self._closed = True
        self._pending.set()
