"""Finding and reading journals: plain or zstd-compressed, whole or followed live."""

import json
import os
import time

import zstandard

ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
TERMINAL = {"run_completed", "run_failed", "run_cancelled"}


class JournalError(Exception):
    """A journal that cannot be read at all: a damaged or truncated zstd frame."""


class JournalWarning(UserWarning):
    """Something wrong inside a journal that is still read (an invalid line, a `seq` gap or
    repeat, no events): the message names the file and the line. The line is skipped."""


def resolve_run(run, data_dir="data"):
    """The plain path (`…/<run>.jsonl`) of a run given by ID, unique ID prefix, or journal path."""
    run = os.fspath(run)
    if os.sep in run or run.endswith(".jsonl") or run.endswith(".zst"):
        plain = run[:-4] if run.endswith(".zst") else run
        if not (os.path.exists(plain) or os.path.exists(plain + ".zst")):
            raise FileNotFoundError(f"{run}: no such journal")
        return plain
    runs_dir = os.path.join(data_dir, "runs")
    if not os.path.isdir(runs_dir):
        raise FileNotFoundError(f"{runs_dir}: no such directory (is data_dir right?)")
    matches = {}
    for instance in os.listdir(runs_dir):
        folder = os.path.join(runs_dir, instance)
        if not os.path.isdir(folder):
            continue
        for name in os.listdir(folder):
            if name.endswith(".jsonl") or name.endswith(".jsonl.zst"):
                run_id = name.split(".")[0]
                if run_id.startswith(run.lower()):
                    matches[run_id] = os.path.join(folder, run_id + ".jsonl")
    if not matches:
        raise KeyError(f"no run with an ID starting {run!r} in {data_dir}")
    if len(matches) > 1:
        raise KeyError(f"{run!r} matches {len(matches)} runs; give more characters")
    return next(iter(matches.values()))


def read_journal(plain_path):
    """(the file read, its bytes up to the last complete line, the bytes of an incomplete last
    line): the plain form if it exists, else the compressed one, decompressed."""
    for path in (plain_path, plain_path + ".zst"):
        try:
            with open(path, "rb") as f:
                data = f.read()
        except FileNotFoundError:
            continue
        if data[:4] == ZSTD_MAGIC:
            decompressor = zstandard.ZstdDecompressor().decompressobj()
            try:
                data = decompressor.decompress(data)
            except zstandard.ZstdError as error:
                raise JournalError(f"{path}: damaged compressed journal: {error}") from None
            if not decompressor.eof:
                raise JournalError(f"{path}: the compressed journal is truncated (its zstd frame is incomplete)")
        # A line counts only once its newline is written.
        complete = data.rfind(b"\n") + 1
        return path, data[:complete], len(data) - complete
    raise FileNotFoundError(f"{plain_path}: no such journal (plain or .zst)")


def journal_bytes(plain_path):
    """The journal's bytes up to its last complete line (decompressed when it is closed)."""
    return read_journal(plain_path)[1]


def journal_lines(run, data_dir="data"):
    """The journal's complete lines, as bytes."""
    return journal_bytes(resolve_run(run, data_dir)).splitlines()


def follow(run, data_dir="data", poll_interval=0.05):
    """Yields the events of a run (dicts) as they are written, until its terminal event,
    continuing into the compressed journal when the run is closed."""
    plain = resolve_run(run, data_dir)
    seen = 0
    offset = 0
    pending = b""
    while True:
        if os.path.exists(plain):
            with open(plain, "rb") as f:
                f.seek(offset)
                chunk = f.read()
            offset += len(chunk)
            pending += chunk
            *complete, pending = pending.split(b"\n")
            lines = complete
        else:
            lines = journal_bytes(plain).splitlines()
        for line in lines:
            if not line:
                continue
            event = json.loads(line)
            if event["seq"] <= seen:
                continue
            seen = event["seq"]
            yield event
            if event["type"] in TERMINAL:
                return
        if not os.path.exists(plain):
            return
        time.sleep(poll_interval)
