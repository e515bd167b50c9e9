"""SGD on a one-feature linear model y ≈ w·x + b at many learning rates, all trained at once.

The problem (data, model, loss, Hessian) is described in `lib.lr_linear_problem`. By default
every learning rate starts from the same initial weights, so the curves compare, and all rates
train together as one batched computation (`lib.lr_batched`). The notebook instead trained one
model through all rates in turn: `continue_training=True` does that, one rate after another.

The critical rate 2/λ_max of the loss Hessian is computed from the data. On the notebook's raw
x in [0, 10] it is about 0.028; standardizing x makes the Hessian 2·I, so it rises to 1. Each
run is labelled from its loss curve by `lib.lr_labels`.
"""

import dataclasses
import time
from collections import Counter

import numpy as np
import torch

from lib import limits, lr_rates
from lib.config import Config
from lib.lr_batched import StackedOptimizer, fit
from lib.lr_labels import label_run, label_text
from lib.lr_linear_problem import (batches_per_epoch, build_problem, check_problem_fields,
                                   check_work, critical_rates, hessian_eigenvalues,
                                   make_loss_fn, make_problem, minimum_loss, stacked_parameters)
from lib.records import make_record
from lib.validation import check_bool, check_int

__all__ = ["LinearModelConfig", "make_problem", "run", "run_record", "summarize"]

# The summary lists at most this many runs one by one; a longer sweep is summarized by label.
MAX_LISTED_RUNS = 20


@dataclasses.dataclass(frozen=True)
class LinearModelConfig(Config):
    """Inputs of SGD on the linear model; the defaults are the course notebook's.

    `learning_rates`: a list or a range (see `lib.lr_rates`). `batch_size`: None for full
    batch. `optimizer`: "sgd" (with `momentum` μ >= 0) or "adam". `gradient`: "mean" (MSELoss)
    or "sum". `data`: None for the notebook's data, or [x, y] pairs. `initial_weight` and
    `initial_bias`: None for nn.Linear's initial values.
    """

    experiment = "lr_linear_model"

    seed: int = 42
    num_samples: int = 100
    learning_rates: tuple = (0.01, 0.1, 0.5)
    epochs: int = 100
    continue_training: bool = False
    standardize: bool = False
    batch_size: int = None
    optimizer: str = "sgd"
    momentum: float = 0.0
    gradient: str = "mean"
    dtype: str = "float32"
    data: object = None
    bias: bool = True
    initial_weight: float = None
    initial_bias: float = None

    def __post_init__(self):
        caps = limits.current()
        check_problem_fields(self)
        self._set("learning_rates", lr_rates.check_learning_rates(
            "learning_rates", self.learning_rates, max_count=caps.max_learning_rates))
        self._set("epochs", check_int("epochs", self.epochs, low=1, high=caps.max_iterations))
        self._set("continue_training", check_bool("continue_training", self.continue_training))

        count = lr_rates.expand(self.learning_rates).size
        steps = self.epochs * batches_per_epoch(self.num_samples, self.batch_size)
        check_work(count, self.num_samples, self.epochs,
                   steps * (count if self.continue_training else 1), 2 if self.bias else 1)


def train(problem, config, learning_rates, device):
    """Train the models and return (losses (epochs, K), diverged_at (K,), zigzag (K,), params).

    Every rate trains in one batched run, or, with continue_training, one model goes through
    the rates in turn and keeps its parameters and optimizer state from one rate to the next.
    """
    dtype = problem.x.dtype
    generator = torch.Generator().manual_seed(config.seed)
    options = {"epochs": config.epochs, "batch_size": config.batch_size,
               "gradient": config.gradient, "generator": generator}

    if not config.continue_training:
        params = stacked_parameters(problem, learning_rates.size)
        optimizer = StackedOptimizer(params, torch.tensor(learning_rates, dtype=dtype,
                                                          device=device),
                                     config.optimizer, config.momentum)
        loss_fn = make_loss_fn(params)
        outcome = fit(loss_fn, optimizer, problem.x, problem.y,
                      evaluate=lambda: loss_fn(problem.x, problem.y), **options)
        return outcome["losses"], outcome["diverged_at_epoch"], outcome["zigzag"], params

    params = stacked_parameters(problem, 1)
    optimizer = StackedOptimizer(params, None, config.optimizer, config.momentum)
    loss_fn = make_loss_fn(params)
    columns, diverged, zigzag, finals = [], [], [], []
    for lr in learning_rates.tolist():
        optimizer.lr = torch.tensor([lr], dtype=dtype, device=device)
        outcome = fit(loss_fn, optimizer, problem.x, problem.y,
                      evaluate=lambda: loss_fn(problem.x, problem.y), **options)
        columns.append(outcome["losses"])
        diverged.append(outcome["diverged_at_epoch"])
        zigzag.append(outcome["zigzag"])
        finals.append([param.detach().clone() for param in params])
    final_params = [torch.cat([final[i] for final in finals]) for i in range(len(params))]
    return (torch.cat(columns, dim=1), torch.cat(diverged), torch.cat(zigzag), final_params)


def run(config, device="cpu"):
    """Train at every learning rate and return one result per rate."""
    problem = build_problem(config, device)
    learning_rates = lr_rates.expand(config.learning_rates)
    losses, diverged_at, zigzag, params = train(problem, config, learning_rates, device)

    eigenvalues = hessian_eigenvalues(problem, config.gradient, config.batch_size)
    critical_gd, critical = critical_rates(eigenvalues[-1], config.optimizer, config.momentum)
    lowest = minimum_loss(problem)

    losses = losses.detach().cpu().double().numpy()
    weights = params[0].detach().cpu().double().numpy()
    biases = (params[1].detach().cpu().double().numpy() if len(params) == 2
              else np.zeros_like(weights))
    runs = []
    for column, lr in enumerate(learning_rates.tolist()):
        curve = losses[:, column]
        label, label_epoch = label_run(curve.tolist(), zigzag=bool(zigzag[column]),
                                       minimum_loss=lowest)
        entry = {
            "lr": lr,
            "losses": curve,
            "diverged_at_epoch": (None if int(diverged_at[column]) < 0
                                  else int(diverged_at[column])),
            "final_loss": curve[-1],
            "weight": weights[column],
            "bias": biases[column] if problem.fit_bias else None,
            "label": label,
            "label_epoch": label_epoch,
            "outcome": label_text(label, label_epoch),
        }
        if problem.std is not None:
            # θ in the units of the raw x: w·(x − m)/s + b = (w/s)·x + (b − w·m/s).
            entry["raw_weight"] = weights[column] / problem.std
            entry["raw_bias"] = (biases[column] - weights[column] * problem.mean / problem.std
                                 if problem.fit_bias else None)
        runs.append(entry)

    initial = not config.continue_training
    return {
        "runs": runs,
        "critical_lr": critical,
        "critical_lr_gd": critical_gd,
        "hessian_eigenvalues": eigenvalues,
        "condition_number": eigenvalues[-1] / eigenvalues[0] if eigenvalues[0] > 0 else None,
        "minimum_loss": lowest,
        "initial_weight": problem.weight if initial else None,
        "initial_bias": (problem.bias if problem.fit_bias else None) if initial else None,
        "x_mean": problem.mean,
        "x_std": problem.std,
        "num_samples": int(problem.x.numel()),
        "steps_per_epoch": batches_per_epoch(int(problem.x.numel()), config.batch_size),
        "label_counts": dict(Counter(entry["label"] for entry in runs)),
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
    lines = [_setup_sentence(config, results), "", _threshold_sentence(config, results), ""]
    lines += _loss_table(config, results)
    lines += ["", *_sweep_lines(results)]
    return "\n".join(lines)


def _setup_sentence(config, results):
    data = ("the notebook's data" if config["data"] is None
            else f"{results['num_samples']} given [x, y] pairs")
    model = "w·x + b" if config["bias"] else "w·x (no bias)"
    start = ("one model trained through the rates in turn, as the notebook does"
             if config["continue_training"] else "every rate from the same initial weights")
    batch = ("full batch" if results["steps_per_epoch"] == 1
             else f"mini-batches of {config['batch_size']} ({results['steps_per_epoch']} steps "
                  "per epoch, shuffled)")
    optimizer = ("Adam" if config["optimizer"] == "adam" else
                 f"SGD with momentum {config['momentum']:g}" if config["momentum"] else "SGD")
    scaled = (f", x standardized (mean {results['x_mean']:.4g}, std {results['x_std']:.4g})"
              if config["standardize"] else ", raw x")
    return (f"{model} on {data}{scaled}; {optimizer}, {batch}, {config['gradient']} gradient, "
            f"{config['epochs']} epochs in {config['dtype']}, {start}.")


def _threshold_sentence(config, results):
    low, high = results["hessian_eigenvalues"][0], results["hessian_eigenvalues"][-1]
    if len(results["hessian_eigenvalues"]) == 1:
        spectrum = f"Hessian of the loss (one weight): λ = {high:.6g}"
    else:
        spectrum = (f"Hessian of the loss: λ_max = {high:.6g}, λ_min = {low:.4g}"
                    + (f" (condition number {results['condition_number']:.4g})"
                       if results["condition_number"] else ""))
    text = (spectrum
            + f". Critical learning rate of gradient descent 2/λ_max = "
              f"**{results['critical_lr_gd']:.4g}** (the vertical line)")
    if config["optimizer"] == "adam":
        text += ("; it does not bound Adam, which divides each step by √v, so its stable range "
                 "is found by the sweep, not by 2/λ_max.")
    elif config["momentum"]:
        text += (f"; with momentum μ = {config['momentum']:g} the threshold is "
                 f"2(1 + μ)/λ_max = **{results['critical_lr']:.4g}**.")
    else:
        text += "."
    if config["gradient"] == "sum":
        text += (f" The sum gradient multiplies the Hessian by the batch size, so this rate is "
                 f"{results['num_samples'] if results['steps_per_epoch'] == 1 else config['batch_size']}"
                 " times smaller than with the mean gradient.")
    if results["steps_per_epoch"] > 1:
        text += (" With mini-batches this is the threshold of the expected batch Hessian; "
                 "single batches can be more curved.")
    return text


def _loss_table(config, results):
    runs = results["runs"]
    has_raw = config["standardize"]
    lines = ["**Loss per epoch** (left plot):", "",
             "| lr | first loss | last finite loss | w | outcome |" + (" w in raw units |" if has_raw
                                                              else ""),
             "|---:|---:|---:|---:|---|" + ("---:|" if has_raw else "")]
    for entry in _listed(runs):
        row = (f"| {entry['lr']:.4g} | {_fmt(entry['losses'][0])} | "
               f"{_fmt(_last_finite(entry['losses']))} | {_fmt(entry['weight'], 8)} | "
               f"{entry['outcome']} |")
        if has_raw:
            row += f" {_fmt(entry['raw_weight'], 6)} |"
        lines.append(row)
    if len(runs) > MAX_LISTED_RUNS:
        lines.append(f"| … | | | | {len(runs) - MAX_LISTED_RUNS} more runs in the record |")
    return lines


def _sweep_lines(results):
    runs = results["runs"]
    lines = [f"**Final loss against lr** (right plot; least-squares minimum "
             f"{results['minimum_loss']:.6g}):", ""]
    for label in ("converged", "too slow", "oscillating", "stalled", "diverging", "diverged"):
        rates = [entry["lr"] for entry in runs if entry["label"] == label]
        if rates:
            lines.append(f"- {label}: {len(rates)} rate(s), lr from {min(rates):.4g} to "
                         f"{max(rates):.4g}")
    finite = [entry for entry in runs if entry["final_loss"] is not None
              and entry["label"] not in ("diverged", "diverging")]
    if finite:
        best = min(finite, key=lambda entry: entry["final_loss"])
        stable = max(entry["lr"] for entry in finite)
        lines.append(f"- Lowest final loss {best['final_loss']:.6g} at lr {best['lr']:.4g}; "
                     f"the largest rate that did not diverge is {stable:.4g}.")
    diverged = [entry for entry in runs if entry["label"] == "diverged"]
    if diverged:
        first = min(diverged, key=lambda entry: entry["lr"])
        lines.append(f"- The smallest diverged rate, {first['lr']:.4g}, diverged at epoch "
                     f"{first['label_epoch']} (× marks in the plots).")
    return lines


def _listed(runs):
    if len(runs) <= MAX_LISTED_RUNS:
        return runs
    indices = np.linspace(0, len(runs) - 1, MAX_LISTED_RUNS).round().astype(int)
    return [runs[i] for i in sorted(set(indices.tolist()))]


def _last_finite(values):
    finite = [value for value in values if value is not None]
    return finite[-1] if finite else None


def _fmt(value, digits=4):
    return "overflow" if value is None else f"{value:.{digits}g}"
