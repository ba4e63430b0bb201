"""Workload W through the Python SDK, for `tools/bench peers` (the row "Athanor (Python SDK)")
and `tools/bench python-start`: the same events as Athanor's Swift `synthetic` experiment and
tools/bench_peers.py's workload(): 100,000 logs (levels cycling, a small metadata object),
10,000 results of about 200 bytes, 1,000 progress updates. With `steps: 0`, nothing but the
start and the end (a run's fixed cost)."""

import athanor
from athanor import Field

LEVELS = ("debug", "info", "warn", "error")


@athanor.experiment(
    name="workload_w",
    description="Workload W recorded through the Python SDK (benchmarks).",
    config=[Field.integer("steps", default=100_000, min=0)],
)
def run(ctx):
    steps = ctx.config["steps"]
    total = steps // 100
    log, result, progress = ctx.log, ctx.result, ctx.progress
    for step in range(steps):
        log(LEVELS[step % 4], f"step {step} done", step=step, loss=1 / (step + 1))
        if (step + 1) % 10 == 0:
            i = (step + 1) // 10 - 1
            result(f"sample_{i}", {
                "prompt": f"What is {i} plus {i % 7}? Answer with a number only.",
                "output": f"The answer is {i + i % 7}.", "tokens": 40 + i % 60, "score": (i % 100) / 100,
                "correct": i % 3 != 0})
        if (step + 1) % 100 == 0:
            current = (step + 1) // 100
            progress(current, total, f"batch {current}")
