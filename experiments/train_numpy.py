"""A small training loop in numpy, recording a real loss curve: a two-layer perceptron (tanh
hidden layer, softmax output) learns to separate two interleaved half-moons, generated from a
seed, by mini-batch gradient descent. Each mini-batch records its training loss; each epoch
records the held-out accuracy and loss, its progress and a log line. The final accuracy, loss
and parameter count are results. It stops between epochs when the run is cancelled.
"""

import athanor
from athanor import Field


def moons(count, noise, rng):
    """Two interleaved half circles, labelled 0 and 1, with Gaussian noise."""
    import numpy as np

    half = count // 2
    angles = rng.uniform(0, np.pi, count)
    upper = np.stack([np.cos(angles[:half]), np.sin(angles[:half])], axis=1)
    lower = np.stack([1 - np.cos(angles[half:]), 0.5 - np.sin(angles[half:])], axis=1)
    points = np.concatenate([upper, lower]) + rng.normal(0, noise, (count, 2))
    labels = np.concatenate([np.zeros(half, dtype=int), np.ones(count - half, dtype=int)])
    order = rng.permutation(count)
    return points[order], labels[order]


def forward(params, x):
    import numpy as np

    hidden = np.tanh(x @ params["w1"] + params["b1"])
    logits = hidden @ params["w2"] + params["b2"]
    logits -= logits.max(axis=1, keepdims=True)
    probabilities = np.exp(logits)
    probabilities /= probabilities.sum(axis=1, keepdims=True)
    return hidden, probabilities


def loss_and_accuracy(params, x, y):
    import numpy as np

    _, probabilities = forward(params, x)
    loss = -np.log(probabilities[np.arange(len(y)), y] + 1e-12).mean()
    return float(loss), float((probabilities.argmax(axis=1) == y).mean())


@athanor.experiment(
    name="train_numpy",
    description="A two-layer perceptron trained in numpy on two half-moons: a real loss and accuracy curve.",
    config=[
        Field.integer("epochs", default=40, min=1, max=100_000, label="Epochs"),
        Field.float("learning_rate", default=0.5, min=0.0001, max=10, step=0.01, label="Learning rate"),
        Field.integer("batch_size", default=32, min=1, max=10_000, label="Batch size"),
        Field.integer("hidden_units", default=16, min=1, max=4096, label="Hidden units"),
        Field.integer("samples", default=1000, min=20, max=1_000_000, label="Samples",
                      description="Points generated; a fifth are held out for validation."),
        Field.float("noise", default=0.2, min=0, max=2, step=0.05, label="Noise"),
        Field.integer("seed", default=0, min=0, label="Seed"),
    ],
)
def run(ctx: athanor.Context):
    import numpy as np

    config = ctx.config
    rng = np.random.default_rng(config["seed"])
    x, y = moons(config["samples"], config["noise"], rng)
    split = len(x) * 4 // 5
    train_x, train_y, valid_x, valid_y = x[:split], y[:split], x[split:], y[split:]
    hidden = config["hidden_units"]
    params = {
        "w1": rng.normal(0, 1 / np.sqrt(2), (2, hidden)), "b1": np.zeros(hidden),
        "w2": rng.normal(0, 1 / np.sqrt(hidden), (hidden, 2)), "b2": np.zeros(2),
    }
    rate, batch = config["learning_rate"], config["batch_size"]
    step = 0
    ctx.log("info", "training", train=len(train_x), validation=len(valid_x), parameters=sum(p.size for p in params.values()))
    for epoch in range(1, config["epochs"] + 1):
        if ctx.cancelled:
            ctx.log("warn", f"stopped after {epoch - 1} epochs", reason=ctx.cancel_reason)
            return
        order = rng.permutation(len(train_x))
        for start in range(0, len(order), batch):
            index = order[start:start + batch]
            xb, yb = train_x[index], train_y[index]
            hidden_out, probabilities = forward(params, xb)
            loss = -np.log(probabilities[np.arange(len(yb)), yb] + 1e-12).mean()
            grad_logits = probabilities.copy()
            grad_logits[np.arange(len(yb)), yb] -= 1
            grad_logits /= len(yb)
            grad_hidden = (grad_logits @ params["w2"].T) * (1 - hidden_out ** 2)
            params["w2"] -= rate * hidden_out.T @ grad_logits
            params["b2"] -= rate * grad_logits.sum(axis=0)
            params["w1"] -= rate * xb.T @ grad_hidden
            params["b1"] -= rate * grad_hidden.sum(axis=0)
            step += 1
            ctx.metric("loss", float(loss), step=step)
        valid_loss, valid_accuracy = loss_and_accuracy(params, valid_x, valid_y)
        ctx.metrics({"val_loss": valid_loss, "val_accuracy": valid_accuracy}, step=step)
        ctx.progress(epoch, config["epochs"], f"validation accuracy {valid_accuracy:.3f}")
        ctx.log("info", f"epoch {epoch}", val_loss=round(valid_loss, 4), val_accuracy=round(valid_accuracy, 4))
    train_loss, train_accuracy = loss_and_accuracy(params, train_x, train_y)
    ctx.result("final", {"train_loss": train_loss, "train_accuracy": train_accuracy, "val_loss": valid_loss,
                         "val_accuracy": valid_accuracy, "steps": step,
                         "parameters": int(sum(p.size for p in params.values()))})
