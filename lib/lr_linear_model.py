"""SGD on a one-feature linear model y ≈ w·x + b at several learning rates.

Data as in the course notebook: with `torch.manual_seed(seed)`, x = 10·rand(n, 1) and
y = 2x + 1 + randn(n, 1), then `nn.Linear(1, 1)` initialized from the same random stream.
The loss is the mean squared error L(w, b) = mean((w·x + b − y)²), minimized by full-batch
gradient descent, one step per epoch.

Its Hessian is constant, H = (2/n)·[[Σx², Σx], [Σx, n]], so gradient descent is stable exactly
when lr < 2/λ_max(H), the critical learning rate.

By default every learning rate starts from the same initial weights, so the curves compare. The
notebook instead trained one model through all rates in turn: `continue_training=True` does that.
"""

import dataclasses
import time

import numpy as np
import torch

from lib import limits
from lib.config import Config
from lib.records import make_record
from lib.validation import check_bool, check_budget, check_int, check_real_list


@dataclasses.dataclass(frozen=True)
class LinearModelConfig(Config):
    """Inputs of SGD on the linear model; the defaults are the course notebook's."""

    experiment = "lr_linear_model"

    seed: int = 42
    num_samples: int = 100
    learning_rates: tuple = (0.01, 0.1, 0.5)
    epochs: int = 100
    continue_training: bool = False

    def __post_init__(self):
        caps = limits.current()
        self._set("seed", check_int("seed", self.seed, low=0, high=2**63 - 1))
        self._set("num_samples", check_int("num_samples", self.num_samples, low=2,
                                           high=caps.max_samples))
        self._set(
            "learning_rates",
            check_real_list("learning_rates", self.learning_rates,
                            max_length=caps.max_learning_rates, low=0.0, low_inclusive=False, high=1e3),
        )
        self._set("epochs", check_int("epochs", self.epochs, low=1, high=caps.max_iterations))
        self._set("continue_training", check_bool("continue_training", self.continue_training))

        rates = len(self.learning_rates)
        check_budget("epochs × len(learning_rates)", self.epochs * rates,
                     caps.max_series_values, "use fewer epochs or learning_rates")
        # Work in element operations: one per (rate, sample) pair per epoch, plus a fixed
        # per-epoch cost worth about 1000 of them (64 µs against 60 ns, measured on CPU).
        # continue_training runs the epochs once per rate, one rate at a time.
        if self.continue_training:
            work = self.epochs * rates * (self.num_samples + 1000)
        else:
            work = self.epochs * (rates * self.num_samples + 1000)
        check_budget("the work epochs × (len(learning_rates) × num_samples + 1000)", work,
                     caps.max_work, "use fewer epochs, learning_rates or num_samples")


def make_problem(seed, num_samples):
    """Return x, y (shape (n,)) and the initial weight and bias, all float32.

    The draws follow the notebook's order on a private generator seeded like
    `torch.manual_seed(seed)`, so the numbers match without touching torch's global RNG.
    `nn.Linear(1, 1)` draws its weight and bias from U(−1, 1) because fan_in is 1.
    """
    generator = torch.Generator().manual_seed(seed)
    x = torch.rand(num_samples, 1, generator=generator) * 10
    y = 2 * x + 1 + torch.randn(num_samples, 1, generator=generator)
    weight = torch.empty(1).uniform_(-1.0, 1.0, generator=generator)
    bias = torch.empty(1).uniform_(-1.0, 1.0, generator=generator)
    return x.squeeze(1), y.squeeze(1), weight, bias


def critical_lr(x):
    """Return 2/λ_max of the MSE Hessian for the model w·x + b, in float64."""
    x = torch.as_tensor(x, dtype=torch.float64)
    n = x.numel()
    hessian = (2.0 / n) * torch.tensor([[float((x * x).sum()), float(x.sum())],
                                         [float(x.sum()), float(n)]], dtype=torch.float64)
    return 2.0 / float(torch.linalg.eigvalsh(hessian).max())


def train(x, y, weight, bias, learning_rates, epochs):
    """Train one model per learning rate at once, from the weights given, by full-batch GD.

    Shapes: x, y (n,); weight, bias (K,) or broadcastable to it; learning_rates (K,).
    Returns the losses (epochs, K), each taken before that epoch's step, and the final weight
    and bias (K,). A model whose loss stops being finite is frozen there and its later losses
    are nan.
    """
    lr = torch.as_tensor(learning_rates, dtype=x.dtype, device=x.device)
    weight = torch.broadcast_to(weight, lr.shape).clone()
    bias = torch.broadcast_to(bias, lr.shape).clone()
    losses = torch.full((epochs, lr.numel()), float("nan"), dtype=x.dtype, device=x.device)
    active = torch.ones_like(lr, dtype=torch.bool)
    n = x.numel()

    for epoch in range(epochs):
        error = weight[:, None] * x[None, :] + bias[:, None] - y[None, :]  # (K, n)
        loss = (error * error).mean(dim=1)
        active &= torch.isfinite(loss)
        losses[epoch] = torch.where(active, loss, float("nan"))

        # Gradients of the mean squared error: (2/n)·Σ error·x and (2/n)·Σ error.
        grad_weight = (2.0 / n) * (error * x[None, :]).sum(dim=1)
        grad_bias = (2.0 / n) * error.sum(dim=1)
        step = torch.where(active, lr, 0.0)
        weight = torch.where(active, weight - step * grad_weight, weight)
        bias = torch.where(active, bias - step * grad_bias, bias)

    return losses, weight, bias


def run(config, device="cpu"):
    """Train at every learning rate and return one result per rate."""
    x, y, weight, bias = make_problem(config.seed, config.num_samples)
    x, y, weight, bias = (t.to(device) for t in (x, y, weight, bias))

    if config.continue_training:
        columns, finals = [], []
        for lr in config.learning_rates:
            losses, weight, bias = train(x, y, weight, bias, [lr], config.epochs)
            columns.append(losses)
            finals.append((weight, bias))
        losses = torch.cat(columns, dim=1)
        final_weight = torch.cat([w for w, _ in finals])
        final_bias = torch.cat([b for _, b in finals])
    else:
        losses, final_weight, final_bias = train(x, y, weight, bias, config.learning_rates,
                                                 config.epochs)

    losses = losses.cpu().double().numpy()
    runs = []
    for column, lr in enumerate(config.learning_rates):
        curve = losses[:, column]
        finite = np.isfinite(curve)
        diverged_at = None if finite.all() else int(np.argmin(finite))
        runs.append({
            "lr": lr,
            "losses": curve,
            "diverged_at_epoch": diverged_at,
            "final_loss": curve[-1],
            "weight": float(final_weight[column]),
            "bias": float(final_bias[column]),
        })

    return {
        "runs": runs,
        "critical_lr": critical_lr(x),
        "initial_weight": float(weight[0]) if not config.continue_training else None,
        "initial_bias": float(bias[0]) if not config.continue_training else None,
    }


def run_record(config, device="cpu"):
    """Run the experiment and return its record."""
    start = time.perf_counter()
    results = run(config, device)
    return make_record(config, results, {"compute": time.perf_counter() - start})


def summarize(record):
    """Describe the record's key numbers in Markdown: the text alternative to its plots."""
    results = record["results"]
    config = record["config"]
    start = ("one model trained through the rates in turn, as the notebook does"
             if config["continue_training"] else "every rate from the same initial weights")
    lines = [
        f"{config['num_samples']} samples, {config['epochs']} epochs, {start}. "
        f"Critical learning rate 2/λ_max of the MSE Hessian for this data: "
        f"**{results['critical_lr']:.4g}**.",
        "",
        "| lr | first loss | final loss | outcome |",
        "|---:|---:|---:|---|",
    ]
    for entry in results["runs"][:20]:
        first = entry["losses"][0]
        final = entry["final_loss"]
        if entry["diverged_at_epoch"] is not None:
            outcome = f"diverged: loss overflowed at epoch {entry['diverged_at_epoch']}"
        elif entry["lr"] >= results["critical_lr"]:
            outcome = "above the critical rate: growing"
        else:
            outcome = "converging"
        lines.append(f"| {entry['lr']:g} | {_fmt(first)} | {_fmt(final)} | {outcome} |")
    return "\n".join(lines)


def _fmt(value):
    return "overflow" if value is None else f"{value:.4f}"
