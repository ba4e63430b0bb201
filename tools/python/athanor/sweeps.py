"""Sweeps as DataFrames: one row per trial, with its parameters, status and metric summary."""

import json
import os
import warnings

import pandas as pd

from .frames import Run, _lines_of_type, _parse
from .journal import JournalError, JournalWarning


def resolve_sweep(sweep, data_dir="data"):
    """The path of the journal of a sweep given by ID or unique ID prefix."""
    folder = os.path.join(data_dir, "sweeps")
    if not os.path.isdir(folder):
        raise FileNotFoundError(f"{folder}: no such directory (no sweep yet, or is data_dir right?)")
    matches = sorted(name[:-len(".jsonl")] for name in os.listdir(folder)
                     if name.endswith(".jsonl") and name.startswith(str(sweep).lower()))
    if not matches:
        raise KeyError(f"no sweep with an ID starting {sweep!r} in {data_dir}")
    if len(matches) > 1:
        raise KeyError(f"{sweep!r} matches {len(matches)} sweeps; give more characters")
    return os.path.join(folder, matches[0] + ".jsonl")


def load_sweep(sweep, data_dir="data"):
    """One row per trial of the sweep `sweep` (ID or unique prefix) that has started, in the
    order the sweep started them: `trial` (its key), `repeat`, one column per parameter (named
    by its path, `optimizer.lr`), `status` and `run` (its latest run), `runs` (how many runs it
    had: more than one after a retry or an interrupted drive), `error`, `duration`, and for
    every metric of the runs `<metric>_last`, `<metric>_min` and `<metric>_max`. With the
    sweep's metric, `best` marks the best completed trial. Trials not started yet have no row
    (`athanor sweep show ID` lists every trial; a sweep none of whose trials has started gives
    an empty frame with these columns). The sweep's definition (its `sweep_created` event:
    space, config, method, seed, metric, goal…) is in `.attrs["sweep"]`.

    The package reads the files directly: the sweep's journal `data/sweeps/<id>.jsonl`, and the
    journals of its instance's runs (`data/runs/<instance>/`) whose `run_created` names the
    sweep. A status is the run journal's (`completed`, `failed`, `cancelled`, `running`), so a
    run whose worker died unrecorded reads `running` until the next `athanor` command on the
    data directory (`athanor recover`, `sweep show`, `sweep resume`…) closes it as failed
    (`interrupted: …`). Raises KeyError for an unknown or ambiguous ID prefix,
    FileNotFoundError when `data_dir` has no sweeps."""
    path = resolve_sweep(sweep, data_dir)
    with open(path, "rb") as file:
        events = _parse([line for line in file.read().splitlines() if line.strip()])
    created = next((event for event in events if event.get("type") == "sweep_created"), None)
    if created is None:
        raise JournalError(f"{path}: no sweep_created: not a sweep journal")
    trials = {}
    for event in events:
        if event.get("type") == "sweep_trial_started" and event["trial"] not in trials:
            trials[event["trial"]] = {"trial": event["trial"], "repeat": event["repeat"], **event["params"]}
    runs_by_trial = {}
    folder = os.path.join(data_dir, "runs", created["instance"])
    for name in sorted(os.listdir(folder)) if os.path.isdir(folder) else []:
        if not (name.endswith(".jsonl") or name.endswith(".jsonl.zst")):
            continue
        if name.endswith(".jsonl") and os.path.exists(os.path.join(folder, name + ".zst")):
            continue
        try:
            run = Run.read(os.path.join(folder, name.split(".")[0] + ".jsonl"))
        except JournalError as error:
            warnings.warn(JournalWarning(str(error)), stacklevel=2)
            continue
        origin = _parse(_lines_of_type(run.data, "run_created")[:1], run)
        if not origin or origin[0].get("sweep") != created["sweep"]:
            continue
        runs_by_trial.setdefault(origin[0]["trial"], []).append(run)
    rows = []
    for key, row in trials.items():
        attempts = sorted(runs_by_trial.get(key, []), key=lambda run: run.summary.iloc[0]["created_at"] or "")
        row = dict(row, status="waiting", run=None, runs=len(attempts), error=None, duration=None)
        if attempts:
            summary = attempts[-1].summary.iloc[0]
            row.update(status=summary["status"], run=summary["run"], error=summary["error"],
                       duration=summary["duration"])
            metrics = attempts[-1].metrics
            for metric, points in metrics.groupby("key", sort=False):
                row[f"{metric}_last"] = points["value"].iloc[-1]
                row[f"{metric}_min"] = points["value"].min()
                row[f"{metric}_max"] = points["value"].max()
        rows.append(row)
    columns = ["trial", "repeat", *created.get("space", {}), "status", "run", "runs", "error", "duration"]
    frame = pd.DataFrame(rows) if rows else pd.DataFrame(columns=columns)
    metric = created.get("metric")
    if metric and f"{metric}_last" in frame:
        done = frame[(frame["status"] == "completed") & frame[f"{metric}_last"].notna()]
        frame["best"] = False
        if not done.empty:
            best = done[f"{metric}_last"].idxmax() if created.get("goal") == "max" else done[f"{metric}_last"].idxmin()
            frame.loc[best, "best"] = True
    frame.attrs["sweep"] = json.loads(json.dumps(created))
    return frame
