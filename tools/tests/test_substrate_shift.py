"""substrate_shift, in Swift and in Python (experiments/substrate_shift_py.py, through the
`openai` package), against a small local server that speaks the OpenAI chat completions API with
log probabilities: the two record the same results and metrics."""

import json
import math
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

import support
from support import ATHANOR, REPO

QUESTION_MARK = "Answer with exactly one word"


class FakeChat(BaseHTTPRequestHandler):
    """Replies are tagged with the model that wrote them; `model-sharp` then answers the final
    question truthfully from the tags, `model-dull` always answers "Yes"."""

    calls = []
    status = 200

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        FakeChat.calls.append({"path": self.path, "auth": self.headers.get("Authorization"), "body": body})
        if FakeChat.status != 200:
            self.send_response(FakeChat.status)
            self.end_headers()
            self.wfile.write(b'{"error":{"message":"overloaded"}}')
            return
        model = body["model"]
        last = body["messages"][-1]["content"]
        logprobs = None
        if QUESTION_MARK in last:
            writers = {m["content"].split("]")[0][1:] for m in body["messages"] if m["role"] == "assistant"}
            same = writers == {model}
            answer = "Yes" if (same or model == "model-dull") else "No"
            other = "No" if answer == "Yes" else "Yes"
            logprobs = {"content": [{"token": answer, "logprob": -0.1,
                                     "top_logprobs": [{"token": answer, "logprob": -0.1},
                                                      {"token": other, "logprob": -2.4}]}]}
            content = answer
        else:
            content = f"[{model}] a reply about tide pools"
        reply = {"choices": [{"message": {"role": "assistant", "content": content}, "logprobs": logprobs}],
                 "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}}
        data = json.dumps(reply).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@pytest.fixture(params=["substrate_shift", "substrate_shift_py"])
def experiment(request):
    """The Swift experiment and its Python twin, each test run against both."""
    return request.param


@pytest.fixture
def chat_server():
    FakeChat.calls = []
    FakeChat.status = 200
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeChat)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()


def athanor(data, *args, env=None, check=True):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("OPENAI_")}
    environment["PYTHONPATH"] = str(REPO / "tools" / "python") + os.pathsep + os.environ.get("PYTHONPATH", "")
    environment.update(env or {})
    return support.run([ATHANOR, *map(str, args), "--data", str(data), "--experiments", REPO / "experiments"],
                       capture_output=True, text=True, env=environment, check=check, timeout=120)


def create(data, experiment, runs_per_pair=2):
    config = {"runs_per_pair": runs_per_pair, "parallelism": 2,
              "model_pairs": [{"model_a": "model-sharp", "model_b": "model-dull"}]}
    return athanor(data, "create", experiment, "--name", "shift", "--config", json.dumps(config)).stdout.strip()


def results(data, run):
    lines = athanor(data, "results", run, "--json").stdout.splitlines()
    return {r["key"]: r["value"] for r in map(json.loads, lines)}


def test_trials_record_answers_correctness_confidence_and_usage(tmp_path, chat_server, experiment):
    instance = create(tmp_path, experiment)
    out = athanor(tmp_path, "run", instance, "--json",
                  env={"OPENAI_API_KEY": "test-key", "OPENAI_BASE_URL": chat_server})
    summary = json.loads(out.stdout)
    assert summary["status"] == "completed"
    found = results(tmp_path, summary["run"])
    trials = {k: v for k, v in found.items() if k.startswith("pair_")}
    assert sorted(trials) == ["pair_1_run_1_a", "pair_1_run_1_b", "pair_1_run_2_a", "pair_1_run_2_b"]
    for key, trial in trials.items():
        assert trial["model_a"] == "model-sharp" and trial["model_b"] == "model-dull"
        assert trial["shifted"] == key.startswith("pair_1_run_1")
        assert trial["usage"] == {"prompt_tokens": 50, "completion_tokens": 25, "total_tokens": 75}
        assert trial["confidence"] == pytest.approx(math.exp(-0.1) / (math.exp(-0.1) + math.exp(-2.4)))
        if trial["evaluator"] == "model-sharp":
            assert trial["correct"], trial
            assert trial["answer"] == ("no" if trial["shifted"] else "yes")
        else:
            assert trial["answer"] == "yes"
            assert trial["correct"] == (not trial["shifted"])
    assert found["summary"] == {"trials": 4, "correct": 3, "accuracy": 0.75}
    assert len(FakeChat.calls) == 4 * 5
    assert all(c["auth"] == "Bearer test-key" and c["path"] == "/v1/chat/completions" for c in FakeChat.calls)
    verdicts = [c["body"] for c in FakeChat.calls if QUESTION_MARK in c["body"]["messages"][-1]["content"]]
    assert len(verdicts) == 4 and all(v["logprobs"] is True for v in verdicts)
    metrics = summary["metrics"]
    assert list(metrics) == ["accuracy", "tokens"]
    assert metrics["accuracy"]["count"] == 4 and metrics["accuracy"]["last"]["value"] == 0.75
    assert metrics["tokens"]["last"] == {"step": 4, "value": 75.0}


def test_without_an_api_key_the_run_fails_fast(tmp_path, experiment):
    instance = create(tmp_path, experiment, runs_per_pair=1)
    out = athanor(tmp_path, "run", instance, "--json", check=False)
    assert out.returncode == 1
    assert "OPENAI_API_KEY is not set" in json.loads(out.stdout)["error"]


def test_an_api_error_fails_the_run_with_the_status(tmp_path, chat_server, experiment):
    FakeChat.status = 500
    instance = create(tmp_path, experiment, runs_per_pair=1)
    out = athanor(tmp_path, "run", instance, "--json", check=False,
                  env={"OPENAI_API_KEY": "k", "OPENAI_BASE_URL": chat_server})
    assert out.returncode == 1
    assert "HTTP 500" in json.loads(out.stdout)["error"]
