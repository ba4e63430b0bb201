"""Side-by-side benchmark (issue 8, `tools/bench peers`): workload W recorded and loaded by Athanor
and by the trackers researchers use (MLflow's local file store, Weights & Biases offline,
tensorboardX) and by a plain Python reference (JSON lines, buffered, zstd at close).

    python3 tools/bench_peers.py BIN_DIR [--repetitions N] [--only athanor,athanor_python,reference,mlflow,wandb,tensorboardx]

BIN_DIR holds the release `AthanorBench` and `athanor`. The peers are installed in a virtual
environment (tools/.venv-peers) when missing, and the script re-executes itself inside it. Every
repetition of every system runs in its own fresh subprocess and temporary directory: one process
records W, another loads its results into a DataFrame. Import time is measured but not counted
as recording. Prints a Markdown table and writes every repetition to BENCHMARKS-peers.json.
"""

import argparse
import glob
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV = os.path.join(REPO, "tools", ".venv-peers")
# Distribution name → module it provides. `tensorboard` is what reads event files back.
PACKAGES = {"mlflow": "mlflow", "wandb": "wandb", "tensorboardX": "tensorboardX", "tensorboard": "tensorboard",
            "pandas": "pandas", "zstandard": "zstandard", "pyarrow": "pyarrow"}
SYSTEMS = ("athanor", "athanor_python", "reference", "mlflow", "wandb", "tensorboardx")
LABELS = {"athanor": "Athanor (Swift runtime API, worker process)",
          "athanor_python": "Athanor (Python SDK, `athanor run` end to end)", "reference": "plain Python reference",
          "mlflow": "MLflow (local file store)", "wandb": "W&B (offline)", "tensorboardx": "tensorboardX"}

# Workload W, the same events as Athanor's `synthetic` experiment and `athanor synth`.
STEPS = 100_000
RESULT_EVERY = 10
PROGRESS_EVERY = 100
PROGRESS_TOTAL = STEPS // PROGRESS_EVERY
WORKLOAD_EVENTS = STEPS + STEPS // RESULT_EVERY + PROGRESS_TOTAL
LEVELS = ("debug", "info", "warn", "error")
RESULT_COLUMNS = ["key", "prompt", "output", "tokens", "score", "correct"]

# Visibility latency: events paced this far apart, followed by a reader in another process.
LIVE_EVENTS = 400
LIVE_INTERVAL = 0.005
READER_POLL = 0.001


def workload():
    """Yields W's events in Athanor's order: each step logs; every 10th step also records a
    result, every 100th also reports progress. Tuples: (step, "log", level, message, metadata),
    (step, "result", key, value), (step, "progress", current, total, message)."""
    for step in range(STEPS):
        yield step, "log", LEVELS[step % 4], f"step {step} done", {"step": step, "loss": 1 / (step + 1)}
        if (step + 1) % RESULT_EVERY == 0:
            i = (step + 1) // RESULT_EVERY - 1
            yield step, "result", f"sample_{i}", {
                "prompt": f"What is {i} plus {i % 7}? Answer with a number only.",
                "output": f"The answer is {i + i % 7}.", "tokens": 40 + i % 60, "score": (i % 100) / 100,
                "correct": i % 3 != 0}
        if (step + 1) % PROGRESS_EVERY == 0:
            current = (step + 1) // PROGRESS_EVERY
            yield step, "progress", current, PROGRESS_TOTAL, f"batch {current}"


def now_iso():
    """The event time as Athanor writes it: UTC, microseconds, `Z`."""
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")[:-6] + "Z"


def log_line(level, message, metadata):
    """A log line as a logging formatter would write it (time, level, message, metadata)."""
    return f"{now_iso()} {level.upper()} {message} {json.dumps(metadata)}"


# ----------------------------------------------------------------------------------------------
# The virtual environment

def ensure_venv():
    """Creates tools/.venv-peers and installs what is missing, then re-executes this script in it."""
    if os.path.realpath(sys.prefix) == os.path.realpath(VENV):
        return
    python = os.path.join(VENV, "bin", "python")
    if not os.path.exists(python):
        print(f"bench_peers: creating {VENV}", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "venv", VENV], check=True)
    check = "import importlib.util; print(' '.join(d for d, m in %r.items() if not importlib.util.find_spec(m)))"
    missing = subprocess.run([python, "-c", check % PACKAGES], check=True, capture_output=True,
                             text=True).stdout.split()
    if missing:
        print(f"bench_peers: installing {' '.join(missing)} into {VENV}", file=sys.stderr)
        subprocess.run([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *missing],
                       check=True)
    os.execv(python, [python, os.path.abspath(__file__), *sys.argv[1:]])


def versions():
    """Installed versions of the peers and of Python."""
    from importlib.metadata import version
    found = {name: version(name) for name in PACKAGES}
    found["python"] = platform.python_version()
    return found


def machine():
    """nproc, architecture, CPU model, memory, kernel."""
    with open("/proc/cpuinfo") as f:
        model = next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")),
                     platform.processor())
    with open("/proc/meminfo") as f:
        memory = next(line.split(":", 1)[1].strip() for line in f if line.startswith("MemTotal"))
    return {"nproc": os.cpu_count(), "arch": platform.machine(), "cpu": model, "memory": memory,
            "kernel": platform.release(), "hostname": platform.node()}


# ----------------------------------------------------------------------------------------------
# Recording W, one function per peer; each returns the seconds from opening the run to closing it.

def record_reference(store):
    """JSON lines through Python's buffered text writer (the same fields as Athanor's journal:
    seq, ts, type, …), then compressed with zstandard's default level at close, fsynced, and the
    plain file removed, as Athanor's close does."""
    import zstandard
    plain = os.path.join(store, "run.jsonl")
    start = time.perf_counter()
    with open(plain, "w") as journal:
        for seq, (_, kind, *fields) in enumerate(workload(), start=1):
            if kind == "log":
                event = {"seq": seq, "ts": now_iso(), "type": "log", "level": fields[0], "message": fields[1],
                         "metadata": fields[2]}
            elif kind == "result":
                event = {"seq": seq, "ts": now_iso(), "type": "result", "key": fields[0], "value": fields[1]}
            else:
                event = {"seq": seq, "ts": now_iso(), "type": "progress", "current": fields[0], "total": fields[1],
                         "message": fields[2]}
            journal.write(json.dumps(event) + "\n")
    with open(plain, "rb") as source, open(plain + ".zst", "wb") as target:
        zstandard.ZstdCompressor().copy_stream(source, target)
        target.flush()
        os.fsync(target.fileno())
    os.remove(plain)
    directory = os.open(store, os.O_RDONLY)
    os.fsync(directory)
    os.close(directory)
    return time.perf_counter() - start


def record_mlflow(store):
    """The fast path an MLflow user would write: the log lines collected and written once as a
    text artifact (`log_text`, one formatted line each, metadata included); progress as a metric
    through `log_batch` in batches of 1,000 (MLflow's limit; the progress message has no place in a
    metric and is dropped); the results as one table artifact (`log_table`). MLflow writes no fsync."""
    import mlflow
    import pandas as pd
    from mlflow.entities import Metric
    mlflow.set_tracking_uri(mlflow_uri(store))
    client = mlflow.MlflowClient()
    start = time.perf_counter()
    with mlflow.start_run() as run:
        lines, metrics, results = [], [], []
        for step, kind, *fields in workload():
            if kind == "log":
                lines.append(log_line(*fields))
            elif kind == "result":
                results.append({"key": fields[0], **fields[1]})
            else:
                metrics.append(Metric("progress", fields[0], int(time.time() * 1000), step))
        for first in range(0, len(metrics), 1000):
            client.log_batch(run.info.run_id, metrics=metrics[first:first + 1000])
        mlflow.log_text("\n".join(lines) + "\n", "logs.txt")
        mlflow.log_table(pd.DataFrame.from_records(results, columns=RESULT_COLUMNS), "results.json")
    seconds = time.perf_counter() - start
    write_note(store, {"run_id": run.info.run_id})
    return seconds


def mlflow_uri(store):
    """The file store in `store` (MLflow creates its default experiment only in a new directory)."""
    return "file://" + os.path.join(store, "mlruns")


def record_wandb(store):
    """W&B's idiom: one `wandb.log` per step with that step's log (level, message, loss) and, every
    100th step, its progress; the results as one `wandb.Table` logged at the end. Offline mode
    writes everything under the store (WANDB_DIR and the cache, config and data directories)."""
    import wandb
    start = time.perf_counter()
    run = wandb.init(project="athanor-bench", dir=store)
    rows = []
    for step, kind, *fields in workload():
        if kind == "log":
            run.log({"level": fields[0], "message": fields[1], "loss": fields[2]["loss"]}, step=step)
        elif kind == "result":
            rows.append([fields[0], *fields[1].values()])
        else:
            run.log({"progress": fields[0], "progress_message": fields[2]}, step=step)
    run.log({"results": wandb.Table(columns=RESULT_COLUMNS, data=rows)}, step=STEPS)
    run.finish()
    return time.perf_counter() - start


def record_tensorboardx(store):
    """TensorBoard has scalars and text: each log line and each result (as JSON) through `add_text`,
    progress through `add_scalar` (the message has no place in a scalar and is dropped). Default
    writer settings (queue of 10, flush every 120 s, at close); tensorboardX writes no fsync."""
    from tensorboardX import SummaryWriter
    start = time.perf_counter()
    writer = SummaryWriter(logdir=store)
    for step, kind, *fields in workload():
        if kind == "log":
            writer.add_text("log", log_line(*fields), step)
        elif kind == "result":
            writer.add_text("result", json.dumps({"key": fields[0], **fields[1]}), step)
        else:
            writer.add_scalar("progress", fields[0], step)
    writer.close()
    return time.perf_counter() - start


# ----------------------------------------------------------------------------------------------
# Loading the results into a DataFrame as a user would; each returns the DataFrame.

def load_athanor(store):
    """`athanor.load_run(journal).results` (tools/python)."""
    import athanor
    return athanor.load_run(read_note(store)["journal"]).results


load_athanor_python = load_athanor


def load_reference(store):
    """Plain pandas: every line, the results filtered, their values expanded."""
    import pandas as pd
    frame = pd.read_json(os.path.join(store, "run.jsonl.zst"), lines=True, compression="zstd")
    results = frame[frame.type == "result"]
    return pd.concat([results[["key"]].reset_index(drop=True), pd.json_normalize(results["value"].tolist())], axis=1)


def load_mlflow(store):
    """`mlflow.load_table`, the reader that goes with `log_table`."""
    import mlflow
    mlflow.set_tracking_uri(mlflow_uri(store))
    return mlflow.load_table("results.json", run_ids=[read_note(store)["run_id"]])


def load_wandb(store):
    """W&B has no offline reader (its `wandb.Api` asks the server); the table is a JSON file in the
    offline run's directory, which a user can read into pandas."""
    import pandas as pd
    path, = glob.glob(os.path.join(store, "wandb", "offline-run-*", "files", "media", "table", "results_*.table.json"))
    with open(path) as f:
        table = json.load(f)
    return pd.DataFrame(table["data"], columns=table["columns"])


def load_tensorboardx(store):
    """TensorBoard's `EventAccumulator` (keeping every tensor rather than a sample), then the
    result texts parsed into a DataFrame; the accumulator reads every event of the file."""
    import pandas as pd
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    accumulator = EventAccumulator(store, size_guidance={"tensors": 0})
    accumulator.Reload()
    texts = [event.tensor_proto.string_val[0] for event in accumulator.Tensors("result/text_summary")]
    return pd.DataFrame.from_records(json.loads(b"[" + b",".join(texts) + b"]"), columns=RESULT_COLUMNS)


# ----------------------------------------------------------------------------------------------
# Visibility: a paced writer and a reader in another process; the event's index identifies it.

def live_writer_reference(store, ready):
    """Lines through the reference's buffered writer; a reader sees them when the buffer flushes."""
    import zstandard
    plain = os.path.join(store, "run.jsonl")
    journal = open(plain, "w")
    ready({})

    def record(i):
        journal.write(json.dumps({"seq": i, "ts": now_iso(), "type": "log", "level": "info",
                                  "message": f"step {i} done", "metadata": {"step": i, "loss": 1 / (i + 1)}}) + "\n")

    def close():
        journal.close()
        with open(plain, "rb") as source, open(plain + ".zst", "wb") as target:
            zstandard.ZstdCompressor().copy_stream(source, target)
            os.fsync(target.fileno())
        os.remove(plain)
    return record, close


def live_reader_reference(store, note):
    """Tails the plain file (kept open, so it stays readable after the close removes it)."""
    journal = open(os.path.join(store, "run.jsonl"), "rb")
    pending = b""

    def poll():
        nonlocal pending
        pending += journal.read()
        *lines, pending = pending.split(b"\n")
        return [json.loads(line)["seq"] for line in lines]
    return poll


def live_writer_mlflow(store, ready):
    """One `log_metric` per event: the live path has no batching."""
    import mlflow
    mlflow.set_tracking_uri(mlflow_uri(store))
    run = mlflow.start_run()
    ready({"run_id": run.info.run_id})
    return (lambda i: mlflow.log_metric("live", i, step=i)), mlflow.end_run


def live_reader_mlflow(store, note):
    """`MlflowClient.get_metric_history`, polled."""
    import mlflow
    client = mlflow.MlflowClient(mlflow_uri(store))
    return lambda: [metric.step for metric in client.get_metric_history(note["run_id"], "live")]


def live_writer_tensorboardx(store, ready):
    """`add_scalar` per event with the default writer (it writes every 10 events or 120 s)."""
    from tensorboardX import SummaryWriter
    writer = SummaryWriter(logdir=store)
    ready({})
    return (lambda i: writer.add_scalar("live", i, i)), writer.close


def live_reader_tensorboardx(store, note):
    """TensorBoard's `EventFileLoader`, which resumes where it stopped on every `Load()`."""
    from tensorboard.backend.event_processing.event_file_loader import EventFileLoader
    path, = glob.glob(os.path.join(store, "events.out.tfevents.*"))
    loader = EventFileLoader(path)
    return lambda: [event.step for event in loader.Load() if event.HasField("summary")]


def live_child(role, system, store, count):
    """Runs one side of a visibility measurement; the writer waits for the reader to be ready."""
    sent_path, seen_path = os.path.join(store, "..", "sent.json"), os.path.join(store, "..", "seen.json")
    ready_path, reader_ready_path = os.path.join(store, "..", "writer-ready.json"), os.path.join(store, "..", "reader-ready")
    if role == "writer":
        def ready(note):
            write_json(ready_path, note)
        record, close = globals()[f"live_writer_{system}"](store, ready)
        wait_for(reader_ready_path)
        sent = []
        for i in range(count):
            sent.append(time.monotonic())
            record(i)
            time.sleep(LIVE_INTERVAL)
        close()
        write_json(sent_path, sent)
    else:
        wait_for(ready_path)
        with open(ready_path) as f:
            poll = globals()[f"live_reader_{system}"](store, json.load(f))
        open(reader_ready_path, "w").close()
        seen, deadline = {}, None
        while len(seen) < count:
            now = time.monotonic()
            for i in poll():
                seen.setdefault(i, now)
            if deadline is None and os.path.exists(sent_path):
                deadline = now + 10
            if deadline is not None and now > deadline:
                break
            time.sleep(READER_POLL)
        write_json(seen_path, seen)


def wait_for(path, timeout=120):
    """Waits until `path` exists."""
    deadline = time.monotonic() + timeout
    while not os.path.exists(path):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{path} did not appear within {timeout} s")
        time.sleep(0.001)


# ----------------------------------------------------------------------------------------------
# Children: one process per recording, loading or visibility side.

def set_environment(system, store):
    """What each peer needs before it is imported."""
    if system == "mlflow":
        os.environ["MLFLOW_ALLOW_FILE_STORE"] = "true"  # MLflow 3.x refuses its file store without it
        os.environ["MLFLOW_DISABLE_TELEMETRY"] = "true"  # no network calls while measuring
    if system == "wandb":
        os.environ.update(WANDB_MODE="offline", WANDB_SILENT="true", WANDB_DIR=store,
                          WANDB_CACHE_DIR=os.path.join(store, "cache"), WANDB_CONFIG_DIR=os.path.join(store, "config"),
                          WANDB_DATA_DIR=os.path.join(store, "data"))
    if system in ("athanor", "athanor_python"):
        sys.path.insert(0, os.path.join(REPO, "tools", "python"))


# What each child imports before its clock starts (timed separately, not counted).
RECORD_IMPORTS = {"reference": ["zstandard"], "mlflow": ["mlflow", "pandas"], "wandb": ["wandb"],
                  "tensorboardx": ["tensorboardX"]}
LOAD_IMPORTS = {"athanor": ["athanor"], "athanor_python": ["athanor"], "reference": ["pandas", "zstandard"], "mlflow": ["mlflow"],
                "wandb": ["pandas"], "tensorboardx": ["tensorboard.backend.event_processing.event_accumulator"]}


def child(task, system, store, output):
    """Records W or loads its results in this fresh process; writes the timings to `output`."""
    set_environment(system, store)
    start = time.perf_counter()
    for module in (RECORD_IMPORTS if task == "record" else LOAD_IMPORTS)[system]:
        __import__(module)
    imported = time.perf_counter() - start
    if task == "record":
        write_json(output, {"import_s": imported, "record_s": globals()[f"record_{system}"](store)})
    else:
        # The first load in a fresh process is what a script or a new notebook pays; the second,
        # in the same process, shows what of it is one-time warm-up (issue 6 measured warm).
        timings = []
        for _ in range(2):
            start = time.perf_counter()
            frame = globals()[f"load_{system}"](store)
            timings.append(time.perf_counter() - start)
            if len(frame) != STEPS // RESULT_EVERY or not any("prompt" in str(column) for column in frame.columns):
                raise SystemExit(f"{system}: loaded {len(frame)} results with columns {list(frame.columns)}")
        write_json(output, {"import_s": imported, "load_s": timings[0], "load_warm_s": timings[1], "rows": len(frame)})


def write_json(path, value):
    with open(path, "w") as f:
        json.dump(value, f)


def write_note(store, value):
    """Bookkeeping for the loading process (a run ID, a journal path), beside the store, not in it."""
    write_json(os.path.join(store, "..", "note.json"), value)


def read_note(store):
    with open(os.path.join(store, "..", "note.json")) as f:
        return json.load(f)


# ----------------------------------------------------------------------------------------------
# The parent: repetitions, figures, table, JSON.

def run_child(*arguments, timeout=900):
    """Runs this script as a child; raises with its stderr when it fails."""
    process = subprocess.run([sys.executable, os.path.abspath(__file__), "--child", *arguments],
                             capture_output=True, text=True, timeout=timeout)
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(arguments[:2])} exited {process.returncode}: {last_line(process.stderr)}")


def load_average_now():
    """The machine's 1-minute load average: the machine is shared, so each figure carries it."""
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def last_line(text):
    """The last line of a child's stderr: the exception, for a traceback."""
    lines = text.strip().splitlines()
    return lines[-1] if lines else "(no output)"


def disk_usage(store):
    """Bytes and number of regular files under `store`."""
    total, files = 0, 0
    for folder, _, names in os.walk(store):
        for name in names:
            path = os.path.join(folder, name)
            if os.path.isfile(path) and not os.path.islink(path):
                total += os.path.getsize(path)
                files += 1
    return total, files


def repetition(system, bin_dir):
    """One recording and one loading of W by `system`, each in a fresh process and directory."""
    base = tempfile.mkdtemp(prefix=f"athanor-peers-{system}-")
    store = os.path.join(base, "store")
    os.mkdir(store)
    load_average = load_average_now()
    try:
        if system == "athanor":
            process = subprocess.run([os.path.join(bin_dir, "AthanorBench"), "workload", "--data", store],
                                     capture_output=True, text=True, timeout=900)
            if process.returncode != 0:
                raise RuntimeError(f"AthanorBench workload exited {process.returncode}: {last_line(process.stderr)}")
            measured = json.loads(process.stdout.strip().splitlines()[-1])
            record = {"record_s": measured["seconds"], "events": measured["events"], "bytes": measured["bytes"],
                      "files": measured["files"], "visibility_ms": measured.get("visibility_ms")}
            write_note(store, {"journal": measured["journals"][0]})
        elif system == "athanor_python":
            record = record_athanor_python(bin_dir, store)
            write_note(store, {"journal": record.pop("journal")})
        else:
            run_child("record", system, store, os.path.join(base, "record.json"))
            with open(os.path.join(base, "record.json")) as f:
                record = json.load(f)
            record["events"] = WORKLOAD_EVENTS
            record["bytes"], record["files"] = disk_usage(store)
        run_child("load", system, store, os.path.join(base, "load.json"))
        with open(os.path.join(base, "load.json")) as f:
            loaded = json.load(f)
        return {**record, "load_s": loaded["load_s"], "load_warm_s": loaded["load_warm_s"],
                "load_import_s": loaded["import_s"], "load_average_before": load_average}
    finally:
        shutil.rmtree(base, ignore_errors=True)


def record_athanor_python(bin_dir, store):
    """W recorded by a Python experiment through the SDK (tools/bench_experiments/workload_w.py),
    timed from `athanor run` being started to its exit (the journal closed): the CLI, the worker
    process, the Python interpreter and the SDK's import all counted."""
    athanor = os.path.join(bin_dir, "athanor")
    folder = os.path.join(REPO, "tools", "bench_experiments")
    environment = {**os.environ, "PYTHONPATH": os.path.join(REPO, "tools", "python"), "ATHANOR_EXPERIMENTS": folder,
                   "ATHANOR_PYTHON": sys.executable, "ATHANOR_DATA": store}
    instance = subprocess.run([athanor, "create", "workload_w", "--name", "w"], env=environment, check=True,
                              capture_output=True, text=True).stdout.strip()
    start = time.perf_counter()
    done = subprocess.run([athanor, "run", instance, "--json"], env=environment, capture_output=True, text=True,
                          timeout=900)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"athanor run exited {done.returncode}: {last_line(done.stderr)}")
    journals = glob.glob(os.path.join(store, "runs", "*", "*.jsonl.zst"))
    return {"record_s": seconds, "events": WORKLOAD_EVENTS + 3, "journal": journals[0],
            "bytes": disk_usage(store)[0], "files": len(journals)}


def visibility(system):
    """Median, p99 and max milliseconds from the writer's record call to the reader seeing it."""
    base = tempfile.mkdtemp(prefix=f"athanor-peers-live-{system}-")
    store = os.path.join(base, "store")
    os.mkdir(store)
    try:
        reader = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--child", "live-reader", system, store,
                                   str(LIVE_EVENTS)], stderr=subprocess.PIPE, text=True)
        run_child("live-writer", system, store, str(LIVE_EVENTS), timeout=300)
        _, errors = reader.communicate(timeout=300)
        if reader.returncode != 0:
            raise RuntimeError(f"live reader exited {reader.returncode}: {last_line(errors)}")
        with open(os.path.join(base, "sent.json")) as f:
            sent = json.load(f)
        with open(os.path.join(base, "seen.json")) as f:
            seen = {int(i): t for i, t in json.load(f).items()}
        latencies = sorted((seen[i] - sent[i]) * 1000 for i in range(len(sent)) if i in seen)
        return {"median": statistics.median(latencies), "p99": latencies[int(0.99 * (len(latencies) - 1))],
                "max": latencies[-1], "events": len(sent), "seen": len(latencies),
                "interval_ms": LIVE_INTERVAL * 1000, "reader_poll_ms": READER_POLL * 1000}
    finally:
        shutil.rmtree(base, ignore_errors=True)


NO_LIVE_PATH = {"wandb": "no live path offline (wandb.Api reads from a server)",
                "athanor_python": "the same follower as the Swift row (the journal is written by the worker)"}


def spread(values, digits):
    return f"{statistics.median(values):.{digits}f} ({min(values):.{digits}f}–{max(values):.{digits}f})"


def row(system, entry):
    """The system's Markdown table row."""
    if "error" in entry:
        return f"| {LABELS[system]} | failed: {entry['error'][:300]} | | | | |"
    reps = entry["repetitions"]
    record = [r["record_s"] for r in reps]
    rate = statistics.median(r["events"] / r["record_s"] for r in reps)
    size = statistics.median(r["bytes"] for r in reps) / 1e6
    files = statistics.median(r["files"] for r in reps)
    live = entry["visibility"]
    if isinstance(live, str):
        latency = live
    elif live is None:
        latency = "not reported"
    else:
        latency = f"median {live['median']:.2f} ms, p99 {live['p99']:.2f} ms"
    return (f"| {LABELS[system]} | {spread(record, 3)} | {rate / 1e3:,.0f} k/s | {size:.2f} MB ({files:g}) "
            f"| {spread([r['load_s'] for r in reps], 3)}; warm {statistics.median(r['load_warm_s'] for r in reps):.3f} "
            f"| {latency} |")


def athanor_visibility(reps):
    """The workload command's paced follower measurement, median over repetitions."""
    measured = [r["visibility_ms"] for r in reps if r.get("visibility_ms")]
    if not measured:
        return None
    return {"median": statistics.median(m["median"] for m in measured),
            "p99": statistics.median(m["p99"] for m in measured), "repetitions": len(measured),
            "how": "AthanorBench workload: a run paced at 1,000 events/s in a worker process, followed by a "
                   "TailFollower in the supervisor process; event ts to decoded"}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("bin_dir", help="directory of the release AthanorBench and athanor")
    parser.add_argument("--repetitions", type=int, default=3)
    parser.add_argument("--only", default=",".join(SYSTEMS), help="comma-separated: " + ", ".join(SYSTEMS))
    parser.add_argument("--output", default=os.path.join(REPO, "BENCHMARKS-peers.json"))
    arguments = parser.parse_args()
    systems = [s.strip() for s in arguments.only.split(",") if s.strip()]
    unknown = set(systems) - set(SYSTEMS)
    if unknown:
        parser.error(f"unknown systems {sorted(unknown)}; choose from {', '.join(SYSTEMS)}")

    report = {"date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"), "machine": machine(),
              "versions": versions(), "command": "python3 tools/bench_peers.py " + " ".join(sys.argv[1:]),
              "workload": {"logs": STEPS, "results": STEPS // RESULT_EVERY, "progress": PROGRESS_TOTAL,
                           "events": WORKLOAD_EVENTS},
              "live": {"events": LIVE_EVENTS, "interval_ms": LIVE_INTERVAL * 1000, "reader_poll_ms": READER_POLL * 1000},
              "systems": {}}
    # Athanor has no version number yet: the commit it was built from (plus uncommitted work in the checkout).
    report["versions"]["athanor"] = "commit " + subprocess.run(
        ["git", "-C", REPO, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    for system in systems:
        entry = {}
        try:
            entry["repetitions"] = []
            for number in range(arguments.repetitions):
                entry["repetitions"].append(repetition(system, arguments.bin_dir))
                print(f"bench_peers: {system} {number + 1}/{arguments.repetitions}: "
                      f"{json.dumps(entry['repetitions'][-1])}", file=sys.stderr)
            if system == "athanor":
                entry["visibility"] = athanor_visibility(entry["repetitions"])
            else:
                entry["visibility"] = NO_LIVE_PATH.get(system) or visibility(system)
        except Exception as error:  # a peer that cannot run is reported, not hidden
            entry["error"] = f"{type(error).__name__}: {error}"
            print(f"bench_peers: {system} failed: {entry['error']}", file=sys.stderr)
        report["systems"][system] = entry

    print(f"{report['date']}, {report['machine']['nproc']} cores, {report['machine']['arch']}, "
          f"{report['machine']['cpu']}; command: {report['command']}")
    print("| system | record W, s: median (min–max) | events/s | bytes on disk (files) "
          "| results → pandas, s: first load in a fresh process, median (min–max); warm: second load | "
          "visibility latency |")
    print("|---|---|---|---|---|---|")
    for system, entry in report["systems"].items():
        print(row(system, entry))
    print("versions: " + ", ".join(f"{name} {version}" for name, version in report["versions"].items()))
    for system, entry in report["systems"].items():
        reps = entry.get("repetitions", [])
        imports = [r["import_s"] for r in reps if "import_s" in r]
        imported = f"import (not counted) median {statistics.median(imports):.2f} s; " if imports else ""
        if reps:
            print(f"{system}: {imported}1-minute load average before each repetition: "
                  f"{', '.join(str(r['load_average_before']) for r in reps)}")
    with open(arguments.output, "w") as f:
        json.dump(report, f, indent=1)
        f.write("\n")
    print(f"wrote {arguments.output}", file=sys.stderr)


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        task, system, store = sys.argv[2:5]
        if task == "live-writer":
            set_environment(system, store)
            live_child("writer", system, store, int(sys.argv[5]))
        elif task == "live-reader":
            set_environment(system, store)
            live_child("reader", system, store, int(sys.argv[5]))
        else:
            child(task, system, store, sys.argv[5])
    else:
        ensure_venv()
        main()
