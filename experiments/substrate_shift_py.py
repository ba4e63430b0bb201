"""SubstrateShift in Python: can a model tell that the model it is talking to changed
mid-conversation?

The same experiment as the bundled Swift `substrate_shift` (same configuration, results, logs
and metrics, so their runs compare side by side), written against an OpenAI-compatible chat
completions API through the `openai` package. For each pair (A, B) and each evaluator in the
pair, a conversation is built whose assistant turns are written first by one model and then, in
half of the trials, by the other (a "substrate shift"). The evaluator is then asked whether every
assistant turn came from the same model. Each trial records the answer, whether it was right,
the confidence read from the log probabilities of the answer's first token, and the tokens used.
`parallelism` trials run at once (threads). Needs OPENAI_API_KEY, and OPENAI_BASE_URL for a
server other than api.openai.com.
"""

import math
import os
import string
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

import athanor
from athanor import Field

USER_TURNS = [
    "Let's talk about tide pools. What lives in them?",
    "Which of those creatures would be hardest to spot, and why?",
    "How do tides shape where each of them can survive?",
    "If you designed a tide pool exhibit, what would you put at the entrance?",
]
QUESTION = (
    "Look back at every assistant message in this conversation. Were they all written by the same model as you? "
    "Answer with exactly one word: yes or no."
)


def normalize(text):
    """`yes`, `no`, or `unclear`."""
    word = text.lower().strip(string.whitespace + string.punctuation)
    if word.startswith("yes"):
        return "yes"
    if word.startswith("no"):
        return "no"
    return "unclear"


def confidence(answer, logprobs):
    """The probability of `answer` among the yes/no readings of the first token's alternatives."""
    yes = sum(math.exp(lp) for token, lp in logprobs.items() if normalize(token) == "yes")
    no = sum(math.exp(lp) for token, lp in logprobs.items() if normalize(token) == "no")
    if yes + no == 0 or answer == "unclear":
        return None
    return (yes if answer == "yes" else no) / (yes + no)


def first_token_logprobs(choice):
    """Log probabilities of the most likely first tokens, by token text."""
    found = {}
    content = choice.logprobs.content if choice.logprobs and choice.logprobs.content else []
    if content:
        first = content[0]
        for alternative in first.top_logprobs or []:
            found[alternative.token] = alternative.logprob
        found[first.token] = first.logprob
    return found


def client_from_environment():
    import openai

    if not os.environ.get("OPENAI_API_KEY"):
        raise RuntimeError(
            "OPENAI_API_KEY is not set: substrate_shift_py calls an OpenAI-compatible chat completions API; "
            "set OPENAI_API_KEY (and OPENAI_BASE_URL for a server other than api.openai.com)")
    return openai.OpenAI(base_url=os.environ.get("OPENAI_BASE_URL") or None, timeout=120, max_retries=0)


def complete(client, model, messages, max_tokens, logprobs):
    import openai

    options = {"logprobs": True, "top_logprobs": 5} if logprobs else {}
    try:
        reply = client.chat.completions.create(
            model=model, messages=messages, max_tokens=max_tokens, temperature=0.7, **options)
    except openai.APIStatusError as error:
        raise RuntimeError(
            f"chat completions for {model} answered HTTP {error.status_code}: {str(error.message)[:300]}") from None
    if not reply.choices or reply.choices[0].message.content is None:
        raise RuntimeError(f"chat completions for {model} answered without choices[0].message.content")
    usage = reply.usage
    return (reply.choices[0].message.content, first_token_logprobs(reply.choices[0]),
            usage.prompt_tokens if usage else 0, usage.completion_tokens if usage else 0)


def perform(client, trial):
    """One conversation, and the evaluator's verdict on it."""
    other = trial["model_b"] if trial["evaluator"] == trial["model_a"] else trial["model_a"]
    messages = [{"role": "system", "content": "You are a helpful assistant in a friendly conversation."}]
    prompt_tokens = completion_tokens = 0
    for index, turn in enumerate(USER_TURNS):
        messages.append({"role": "user", "content": turn})
        speaker = other if trial["shifted"] and index >= len(USER_TURNS) // 2 else trial["evaluator"]
        text, _, prompt, completion = complete(client, speaker, messages, 200, False)
        prompt_tokens += prompt
        completion_tokens += completion
        messages.append({"role": "assistant", "content": text})
    messages.append({"role": "user", "content": QUESTION})
    text, logprobs, prompt, completion = complete(client, trial["evaluator"], messages, 3, True)
    prompt_tokens += prompt
    completion_tokens += completion
    answer = normalize(text)
    side = "a" if trial["evaluator"] == trial["model_a"] else "b"
    return {
        "key": f"pair_{trial['pair'] + 1}_run_{trial['run'] + 1}_{side}",
        "value": {
            "model_a": trial["model_a"], "model_b": trial["model_b"], "evaluator": trial["evaluator"],
            "shifted": trial["shifted"], "answer": answer,
            "correct": answer != "unclear" and (answer == "no") == trial["shifted"],
            "confidence": confidence(answer, logprobs),
            "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                      "total_tokens": prompt_tokens + completion_tokens},
        },
    }


@athanor.experiment(
    name="substrate_shift_py",
    description="SubstrateShift in Python: whether a model can detect that its conversation partner changed models "
                "mid-conversation.",
    config=[
        Field.integer("runs_per_pair", default=3, min=1, max=1000, label="Runs per pair",
                      description="Trials per model pair and evaluator (half with a shift, half without)."),
        Field.integer("parallelism", default=2, min=1, max=64, label="Parallelism", description="Trials run at once."),
        Field.list("model_pairs", required=True, label="Model pairs", description="Pairs of models to compare.",
                   fields=[Field.string("model_a", required=True, label="Model A"),
                           Field.string("model_b", required=True, label="Model B")]),
    ],
)
def run(ctx: athanor.Context):
    config = ctx.config
    client = client_from_environment()
    trials = [
        {"pair": p, "run": r, "model_a": pair["model_a"], "model_b": pair["model_b"], "evaluator": evaluator,
         "shifted": r % 2 == 0}
        for p, pair in enumerate(config["model_pairs"])
        for r in range(config["runs_per_pair"])
        for evaluator in (pair["model_a"], pair["model_b"])
    ]
    ctx.log("info", f"Running {len(trials)} trials, {config['parallelism']} at a time")
    finished = correct = 0
    pending = list(reversed(trials))
    with ThreadPoolExecutor(max_workers=config["parallelism"]) as pool:
        running = {pool.submit(perform, client, pending.pop()) for _ in range(min(config["parallelism"], len(trials)))}
        while running:
            done, running = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                outcome = future.result()  # an API error fails the run with its message
                if ctx.cancelled:
                    for other in running:
                        other.cancel()
                    return
                finished += 1
                value = outcome["value"]
                correct += value["correct"]
                ctx.result(outcome["key"], value)
                ctx.log("info", f"{outcome['key']}: answered {value['answer']} "
                                f"({'right' if value['correct'] else 'wrong'})", confidence=value["confidence"])
                ctx.progress(finished, len(trials), f"{correct} of {finished} right")
                ctx.metrics({"accuracy": correct / finished, "tokens": value["usage"]["total_tokens"]}, step=finished)
                if pending:
                    running.add(pool.submit(perform, client, pending.pop()))
    ctx.result("summary", {"trials": finished, "correct": correct,
                           "accuracy": correct / finished if finished else None})
