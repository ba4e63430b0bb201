"""The bundled Python experiments in experiments/, run through the built binary: they are
discovered from the repository's ./experiments (what tools/run serves), and train_numpy trains
for real: its loss falls, its accuracy beats chance, and cancelling it stops it between epochs.
(substrate_shift_py is tested beside the Swift substrate_shift in test_substrate_shift.py.)"""

import json
import os

import support
from support import ATHANOR, REPO

TIMEOUT = 120


def athanor(data, *args, check=True):
    """`athanor ARGS --data DATA` from the repository root, where ./experiments is found by default."""
    environment = {k: v for k, v in os.environ.items() if k not in ("ATHANOR_EXPERIMENTS", "ATHANOR_DATA")}
    environment["PYTHONPATH"] = str(REPO / "tools" / "python") + os.pathsep + os.environ.get("PYTHONPATH", "")
    return support.run([ATHANOR, *map(str, args), "--data", str(data)], capture_output=True, text=True, cwd=REPO,
                       env=environment, check=check, timeout=TIMEOUT)


def test_the_bundled_python_experiments_are_discovered_from_the_repository(tmp_path):
    listing = json.loads(athanor(tmp_path, "experiments", "--json").stdout)
    found = {e["name"]: e for e in listing["experiments"]}
    assert listing["broken"] == []
    for name in ("train_numpy", "substrate_shift_py"):
        assert found[name]["language"] == "python"
        assert found[name]["file"] == str(REPO / "experiments" / f"{name}.py")
    assert [f["name"] for f in found["substrate_shift_py"]["fields"]] == [
        f["name"] for f in found["substrate_shift"]["fields"]]  # the same configuration as the Swift one


def test_train_numpy_learns(tmp_path):
    instance = athanor(tmp_path, "create", "train_numpy", "--name", "moons", "--set", "epochs=30").stdout.strip()
    summary = json.loads(athanor(tmp_path, "run", instance, "--json").stdout)
    assert summary["status"] == "completed", summary
    metrics = summary["metrics"]
    assert list(metrics) == ["loss", "val_loss", "val_accuracy"]
    journal = json.loads(athanor(tmp_path, "show", summary["run"], "--json").stdout)["journal"]
    cat = support.run([ATHANOR, "cat", journal], capture_output=True, text=True, check=True, timeout=TIMEOUT)
    points = [json.loads(line) for line in cat.stdout.splitlines()]
    losses = [p["value"] for p in points if p["type"] == "metric" and p.get("key") == "loss"]
    assert len(losses) == metrics["loss"]["count"] == 30 * 25  # 800 training points in batches of 32
    first, last = sum(losses[:25]) / 25, sum(losses[-25:]) / 25
    assert last < first / 2, (first, last)  # the first epoch against the last
    assert metrics["val_accuracy"]["last"]["value"] > 0.8  # two balanced classes: chance is 0.5
    final = {r["key"]: r["value"] for r in map(json.loads, athanor(tmp_path, "results", summary["run"], "--json")
                                               .stdout.splitlines())}["final"]
    assert final["parameters"] == 2 * 16 + 16 + 16 * 2 + 2 and final["steps"] == 750
    assert summary["progress"]["current"] == 30


def test_a_cancelled_training_stops_between_epochs(tmp_path):
    instance = athanor(tmp_path, "create", "train_numpy", "--name", "long", "--set", "epochs=100000").stdout.strip()
    run = athanor(tmp_path, "run", instance, "--detach").stdout.strip()
    support.wait_until(lambda: json.loads(athanor(tmp_path, "show", run, "--json").stdout)["progress"], TIMEOUT,
                       "a first epoch")
    athanor(tmp_path, "cancel", run, "--reason", "enough")
    summary = support.wait_until(
        lambda: (s := json.loads(athanor(tmp_path, "show", run, "--json").stdout))["finished_at"] and s, TIMEOUT,
        "the run to end")
    assert (summary["status"], summary["error"], summary["forced"]) == ("cancelled", "enough", False), summary
    logs = [json.loads(line)["message"] for line in athanor(tmp_path, "logs", run, "--json").stdout.splitlines()]
    assert logs[-1].startswith("stopped after"), logs[-3:]
