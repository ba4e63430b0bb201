"""DataFrames of runs: events, logs, results (JSON values expanded into columns) and summaries."""

import json
import os
from dataclasses import dataclass

import pandas as pd

from .journal import TERMINAL, journal_bytes, resolve_run

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


def _parse(lines):
    return json.loads(b"[" + b",".join(lines) + b"]") if lines else []


def _results_frame(records):
    if not records:
        return pd.DataFrame(columns=["seq", "ts", "key", "value"])
    frame = pd.DataFrame.from_records(records, columns=["seq", "ts", "key", "value"])
    values = [r["value"] for r in records]
    if all(isinstance(v, dict) for v in values):
        expanded = pd.json_normalize(values)
        expanded.columns = [f"value.{c}" for c in expanded.columns]
        frame = pd.concat([frame.drop(columns=["value"]), expanded], axis=1)
    frame["ts"] = pd.to_datetime(frame["ts"], utc=True)
    return frame


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
    """One run's journal as DataFrames."""

    path: str
    data: bytes

    @property
    def events(self):
        """Every event, one row each (fields absent from an event are NaN)."""
        frame = pd.DataFrame.from_records(_parse(self.data.splitlines()))
        frame["ts"] = pd.to_datetime(frame["ts"], utc=True)
        return frame

    @property
    def logs(self):
        """seq, ts, level, message, metadata."""
        records = _parse(_lines_of_type(self.data, "log"))
        frame = pd.DataFrame.from_records(records, columns=["seq", "ts", "level", "message", "metadata"])
        frame["ts"] = pd.to_datetime(frame["ts"], utc=True)
        return frame

    @property
    def results(self):
        """seq, ts, key, and each field of an object value as a `value.<field>` column (or `value`)."""
        return _results_frame(_parse(_lines_of_type(self.data, "result")))

    @property
    def summary(self):
        """One row: the run's status, times, duration, progress, log counts, result count, error."""
        lifecycle = [line for kind in ("run_created", "run_started", *sorted(TERMINAL))
                     for line in _lines_of_type(self.data, kind)]
        progress = _lines_of_type(self.data, "progress")[-1:]
        events = sorted(_parse(lifecycle + progress), key=lambda event: event["seq"])
        summary = _summary(events)
        for level in LEVELS:
            summary[f"logs_{level}"] = self.data.count(b'","type":"log","level":"' + level.encode() + b'"')
        summary["result_count"] = len(_lines_of_type(self.data, "result"))
        last = self.data[self.data.rfind(b"\n", 0, len(self.data) - 1) + 1:]
        summary["last_seq"] = json.loads(last)["seq"] if last.strip() else 0
        return pd.DataFrame([summary])


def load_run(run, data_dir="data"):
    """Loads one run, given by ID (or unique prefix) in `data_dir`, or by journal path."""
    plain = resolve_run(run, data_dir)
    return Run(path=plain, data=journal_bytes(plain))


def load_runs(data_dir="data", instance=None, experiment=None, status=None):
    """Every run of the data directory (optionally of one instance, experiment or status):
    returns (runs, results): one row per run, and every result with its `run` column."""
    runs_dir = os.path.join(data_dir, "runs")
    summaries, results = [], []
    for folder in sorted(os.listdir(runs_dir)) if os.path.isdir(runs_dir) else []:
        if instance and not folder.startswith(instance):
            continue
        for name in sorted(os.listdir(os.path.join(runs_dir, folder))):
            if not (name.endswith(".jsonl") or name.endswith(".jsonl.zst")):
                continue
            if name.endswith(".jsonl") and os.path.exists(os.path.join(runs_dir, folder, name + ".zst")):
                continue
            run = Run(path=os.path.join(runs_dir, folder, name.split(".")[0] + ".jsonl"),
                      data=journal_bytes(os.path.join(runs_dir, folder, name.split(".")[0] + ".jsonl")))
            summary = run.summary.iloc[0].to_dict()
            if (experiment and summary["experiment"] != experiment) or (status and summary["status"] != status):
                continue
            summaries.append(summary)
            frame = run.results
            frame.insert(0, "run", summary["run"])
            results.append(frame)
    runs = pd.DataFrame(summaries)
    return runs, (pd.concat(results, ignore_index=True) if results else pd.DataFrame())
