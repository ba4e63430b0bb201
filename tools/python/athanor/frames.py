"""DataFrames of runs: events, logs, results (JSON values expanded into columns) and summaries."""

import json
import os
import re
import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .journal import TERMINAL, JournalError, JournalWarning, read_journal, resolve_run

LEVELS = ("debug", "info", "warn", "error")


def _lines_of_type(data, type_name):
    """The lines of one event type, found before any JSON is parsed: every line starts
    `{"seq":N,"ts":"…","type":"…"`, so `","type":"<name>"` followed by `,` or `}` can only be
    that line's own type (a string value inside a line escapes its quotes)."""
    needle = b'","type":"' + type_name.encode() + b'"'
    lines, position = [], 0
    while True:
        found = data.find(needle, position)
        if found < 0:
            return lines
        start = data.rfind(b"\n", 0, found) + 1
        end = data.find(b"\n", found)
        if data[found + len(needle):found + len(needle) + 1] in (b",", b"}"):
            lines.append(data[start:end])
        position = end + 1


def _parse(lines, run=None):
    """The events of `lines`; an invalid line is skipped, with a warning naming it (by its
    line number in `run`'s journal) and noted in `run.problems`."""
    if not lines:
        return []
    try:
        return json.loads(b"[" + b",".join(lines) + b"]")
    except ValueError:
        pass
    records = []
    for line in lines:
        try:
            records.append(json.loads(line))
        except ValueError as error:
            where = run.file if run is not None else "journal"
            if run is not None and line in run.data:
                where += ":" + str(run.data.count(b"\n", 0, run.data.find(line)) + 1)
            if run is not None:
                run._note(f"{where}: invalid event line: {error}")
            else:
                warnings.warn(JournalWarning(f"{where}: invalid event line, skipped: {error}"), stacklevel=3)
    return records


_SEQ = re.compile(rb'^\{"seq":(\d+),"ts":"', re.MULTILINE)


def _check(path, data):
    """What is wrong with the journal's lines (each naming the file and line): invalid lines,
    `seq` gaps and repeats, no events at all. Cheap for a sound journal: a few scans in C,
    then, only when one finds something, a line-by-line look."""
    line_count = data.count(b"\n")
    if line_count == 0:
        return [f"{path}: holds no events (an empty file, or not a run journal)"]
    # A line damaged in some other way is found when it is parsed (`_parse`).
    if _sound(data, line_count):
        return []
    problems, last, expected = [], None, 1
    for number, line in enumerate(data.splitlines(), 1):
        after = f"last good seq {last}" if last is not None else "no valid event before it"
        try:
            json.loads(line)
        except ValueError as error:
            problems.append(f"{path}:{number}: invalid event line: {error} ({after})")
            expected += 1  # the invalid line may have held the next seq
            continue
        match = _SEQ.match(line)
        if not match:
            problems.append(f"{path}:{number}: invalid event line: it does not start with seq and ts ({after})")
            continue
        seq = int(match.group(1))
        if last is not None and seq <= last:
            problems.append(f"{path}:{number}: seq {seq} does not follow {last} ({after})")
            continue
        if seq > expected:
            problems.append(f"{path}:{number}: seq gap: expected {expected}, found {seq} ({after})")
        last, expected = seq, seq + 1
    return problems


def _sound(data, line_count):
    """Whether no raw control byte is anywhere but the newlines (JSON escapes them) and line i
    starts `{"seq":i,` for every i: a few vectorized passes, about 10 ms for the 111,000 lines
    of workload W (the regular expression and int() it replaces took 40 ms)."""
    buffer = np.frombuffer(data, dtype=np.uint8)
    if np.count_nonzero(buffer < 32) != line_count or data[-1:] != b"\n":
        return False
    ends = np.flatnonzero(buffer == 10)
    starts = np.concatenate(([0], ends[:-1] + 1))
    if np.any(ends - starts < len(_PREFIX) + 8):
        return False
    if any(np.any(buffer[starts + offset] != byte) for offset, byte in enumerate(_PREFIX)):
        return False
    expected = np.arange(1, line_count + 1, dtype=np.int64)
    digits = np.floor(np.log10(expected)).astype(np.int64) + 1
    value = np.zeros(line_count, dtype=np.int64)
    for position in range(int(digits[-1])):
        present = digits > position
        digit = buffer[starts[present] + len(_PREFIX) + position] - np.uint8(48)
        if np.any(digit > 9):
            return False
        value[present] = value[present] * 10 + digit
    return bool(np.array_equal(value, expected) and np.all(buffer[starts + len(_PREFIX) + digits] == ord(",")))


_PREFIX = b'{"seq":'


def _results_frame(records):
    if not records:
        return pd.DataFrame(columns=["seq", "ts", "key", "value"])
    frame = pd.DataFrame.from_records(records, columns=["seq", "ts", "key", "value"])
    values = [r["value"] for r in records]
    if all(isinstance(v, dict) for v in values):
        # Flat objects (the common case) need no json_normalize, which costs a Python call per
        # record: about 35 ms of the 10,000 results of workload W.
        flat = not any(isinstance(field, dict) for v in values for field in v.values())
        expanded = pd.DataFrame.from_records(values) if flat else pd.json_normalize(values)
        expanded.columns = [f"value.{c}" for c in expanded.columns]
        frame = pd.concat([frame.drop(columns=["value"]), expanded], axis=1)
    frame["ts"] = pd.to_datetime(frame["ts"], utc=True)
    return frame


def _metrics_frame(records):
    rows = []
    for record in records:
        if "values" in record:
            rows.extend((record["step"], record["ts"], key, value) for key, value in record["values"].items())
        else:
            rows.append((record["step"], record["ts"], record["key"], record["value"]))
    frame = pd.DataFrame.from_records(rows, columns=["step", "ts", "key", "value"])
    frame["ts"] = pd.to_datetime(frame["ts"], utc=True)
    frame["value"] = frame["value"].astype(float)
    return frame


class LoadedRuns(tuple):
    """What `load_runs` returns: the pair (runs, results), as `runs, results = load_runs()`
    unpacks it, with `.runs`, `.results` and `.metrics` (every metric point, with its `run`)."""

    def __new__(cls, runs, results, metrics):
        loaded = super().__new__(cls, (runs, results))
        loaded.metrics = metrics
        return loaded

    @property
    def runs(self):
        return self[0]

    @property
    def results(self):
        return self[1]


def _summary(events):
    """The same projection as `athanor runs`: one dict per run."""
    summary = {"run": None, "instance": None, "instance_name": None, "experiment": None, "status": "pending",
               "created_at": None, "started_at": None, "finished_at": None, "duration": None,
               "progress_current": None, "progress_total": None, "result_count": 0, "error": None, "last_seq": 0}
    for level in LEVELS:
        summary[f"logs_{level}"] = 0
    for event in events:
        kind = event["type"]
        summary["last_seq"] = event["seq"]
        if kind == "run_created":
            summary.update(run=event["run"], instance=event["instance"], instance_name=event["instance_name"],
                           experiment=event["experiment"], created_at=event["ts"])
        elif kind == "run_started":
            summary.update(status="running", started_at=event["ts"])
        elif kind == "log":
            summary[f"logs_{event['level']}"] += 1
        elif kind == "progress":
            summary.update(progress_current=event["current"], progress_total=event["total"])
        elif kind == "result":
            summary["result_count"] += 1
        elif kind in TERMINAL:
            summary.update(status=kind[4:], finished_at=event["ts"],
                           error=event.get("error") or event.get("reason"))
    start = summary["started_at"] or summary["created_at"]
    if start and summary["finished_at"]:
        summary["duration"] = (pd.Timestamp(summary["finished_at"]) - pd.Timestamp(start)).total_seconds()
    return summary


@dataclass
class Run:
    """One run's journal as DataFrames. `problems` lists what is wrong with the journal (each
    naming the file and line); the frames hold every event that could be read."""

    path: str
    data: bytes
    problems: list = field(default=None)
    file: str = None
    torn_bytes: int = 0

    def __post_init__(self):
        self.file = self.file or self.path
        if self.problems is None:
            self.problems = _check(self.file, self.data)
            if self.file.endswith(".zst") and self.data.strip() and not any(
                    b'"type":"' + kind.encode() + b'"' in self.data for kind in TERMINAL):
                self.problems.append(f"{self.file}: closed without a terminal event: the run's end is missing")
            if self.torn_bytes and self.file.endswith(".zst"):
                # A live journal's incomplete last line is a write in progress; a closed one's is damage.
                line = self.data.count(b"\n") + 1
                self.problems.append(f"{self.file}:{line}: last line is incomplete "
                                     f"({self.torn_bytes} bytes without a newline)")

    @classmethod
    def read(cls, plain_path):
        """The run whose journal's plain path is `plain_path` (read in its plain or compressed form)."""
        file, data, torn = read_journal(plain_path)
        return cls(path=plain_path, data=data, file=file, torn_bytes=torn)

    def _note(self, problem):
        line = problem.split(": ", 1)[0] + ":"
        if not any(known.startswith(line) for known in self.problems):
            self.problems.append(problem)
            warnings.warn(JournalWarning(problem), stacklevel=4)

    @property
    def events(self):
        """Every event, one row each (fields absent from an event are NaN)."""
        frame = pd.DataFrame.from_records(_parse(self.data.splitlines(), self), columns=None)
        if frame.empty:
            return pd.DataFrame(columns=["seq", "ts", "type"])
        frame["ts"] = pd.to_datetime(frame["ts"], utc=True)
        return frame

    @property
    def logs(self):
        """seq, ts, level, message, metadata."""
        records = _parse(_lines_of_type(self.data, "log"), self)
        frame = pd.DataFrame.from_records(records, columns=["seq", "ts", "level", "message", "metadata"])
        frame["ts"] = pd.to_datetime(frame["ts"], utc=True)
        return frame

    @property
    def results(self):
        """seq, ts, key, and each field of an object value as a `value.<field>` column (or `value`)."""
        return _results_frame(_parse(_lines_of_type(self.data, "result"), self))

    @property
    def metrics(self):
        """step, ts, key, value: one row per point of every metric curve, in the order recorded
        (a line with several `values` gives one row per key)."""
        return _metrics_frame(_parse(_lines_of_type(self.data, "metric"), self))

    @property
    def summary(self):
        """One row: the run's status, times, duration, progress, log counts, result count, error."""
        lifecycle = [line for kind in ("run_created", "run_started", *sorted(TERMINAL))
                     for line in _lines_of_type(self.data, kind)]
        progress = _lines_of_type(self.data, "progress")[-1:]
        events = sorted(_parse(lifecycle + progress, self), key=lambda event: event.get("seq", 0))
        summary = _summary(events)
        if summary["run"] is None:
            summary["run"] = os.path.basename(self.path).split(".")[0]
            summary["instance"] = os.path.basename(os.path.dirname(self.path))
        for level in LEVELS:
            summary[f"logs_{level}"] = self.data.count(b'","type":"log","level":"' + level.encode() + b'"')
        summary["result_count"] = len(_lines_of_type(self.data, "result"))
        seqs = _SEQ.findall(self.data)
        summary["last_seq"] = int(seqs[-1]) if seqs else 0
        summary["problems"] = list(self.problems)
        return pd.DataFrame([summary])


def load_run(run, data_dir="data"):
    """Loads one run, given by ID (or unique prefix) in `data_dir`, or by journal path.

    Every problem in its journal is reported as a `JournalWarning` (and kept in
    `Run.problems`); a compressed journal that cannot be decompressed raises `JournalError`."""
    plain = resolve_run(run, data_dir)
    loaded = Run.read(plain)
    for problem in loaded.problems:
        warnings.warn(JournalWarning(problem), stacklevel=2)
    return loaded


def load_runs(data_dir="data", instance=None, experiment=None, status=None):
    """Every run of the data directory (optionally of one instance, experiment or status):
    returns (runs, results): one row per run, and every result with its `run` column; the
    answer's `.metrics` holds every metric point (step, ts, key, value) with its `run` column.

    A damaged journal gives what could be read, its `problems` column says what is wrong, and
    each problem is reported as a `JournalWarning`; one that cannot be read at all is a row
    with only its `run`, `instance` and `problems`. Files not named like journals are ignored."""
    runs_dir = os.path.join(data_dir, "runs")
    summaries, results, metrics = [], [], []
    for folder in sorted(os.listdir(runs_dir)) if os.path.isdir(runs_dir) else []:
        if (instance and not folder.startswith(instance)) or not os.path.isdir(os.path.join(runs_dir, folder)):
            continue
        for name in sorted(os.listdir(os.path.join(runs_dir, folder))):
            if not (name.endswith(".jsonl") or name.endswith(".jsonl.zst")):
                continue
            if name.endswith(".jsonl") and os.path.exists(os.path.join(runs_dir, folder, name + ".zst")):
                continue
            plain = os.path.join(runs_dir, folder, name.split(".")[0] + ".jsonl")
            try:
                run = Run.read(plain)
            except JournalError as error:
                warnings.warn(JournalWarning(str(error)), stacklevel=2)
                if not (experiment or status):
                    summaries.append({"run": name.split(".")[0], "instance": folder, "problems": [str(error)]})
                continue
            summary = run.summary.iloc[0].to_dict()
            for problem in run.problems:
                warnings.warn(JournalWarning(problem), stacklevel=2)
            if (experiment and summary["experiment"] != experiment) or (status and summary["status"] != status):
                continue
            summaries.append(summary)
            for frames, frame in ((results, run.results), (metrics, run.metrics)):
                frame.insert(0, "run", summary["run"])
                frames.append(frame)
    runs = pd.DataFrame(summaries)
    return LoadedRuns(runs, pd.concat(results, ignore_index=True) if results else pd.DataFrame(),
                      pd.concat(metrics, ignore_index=True) if metrics else
                      pd.DataFrame(columns=["run", "step", "ts", "key", "value"]))
