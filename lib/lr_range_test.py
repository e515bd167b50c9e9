"""A learning-rate range test on the linear model, beside the critical rate computed from the data.

One model trains for `num_steps` steps while the rate grows exponentially from `lr_min` to
`lr_max`: lr_i = lr_min·(lr_max/lr_min)^(i/(num_steps − 1)). The loss of each step's batch,
taken before the step, is plotted against lr on a log axis. The test stops at the first loss
that is not finite, or once the smoothed loss exceeds `stop_factor` times its minimum so far.

The smoothed loss is an exponential moving average with bias correction,
s_i = a_i/(1 − βⁱ⁺¹) with a_i = β·a_{i−1} + (1 − β)·loss_i and a_{−1} = 0 (β = `smoothing`).
β defaults to 0.9, a window of about 10 steps: a longer window lags far behind a loss that
falls by orders of magnitude within 100 steps. Two suggestions are read from the smoothed loss,
as fastai's `lr_find` offers them:

1. steepest: the rate where d s / d log(lr) is most negative;
2. minimum/10: a tenth of the rate at the smoothed minimum.

Both ignore non-finite losses: the test ends there. The model, data and optimizers are those of
`lib.lr_linear_problem`, so the suggestions can be held against its 2/λ_max.
"""

import dataclasses
import math
import time

import numpy as np
import torch

from lib import limits
from lib.config import Config
from lib.lr_batched import StackedOptimizer, report_progress
from lib.lr_linear_problem import (DTYPES, build_problem, check_problem_fields, check_work,
                                   critical_rates, hessian_eigenvalues, make_loss_fn,
                                   stacked_parameters)
from lib.records import make_record
from lib.validation import ConfigError, check_int, check_real


@dataclasses.dataclass(frozen=True)
class RangeTestConfig(Config):
    """Inputs of the range test; the problem fields are those of the linear-model experiment."""

    experiment = "lr_range_test"

    seed: int = 42
    num_samples: int = 100
    lr_min: float = 1e-5
    lr_max: float = 10.0
    num_steps: int = 100
    smoothing: float = 0.9
    stop_factor: float = 4.0
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
        self._set("lr_min", check_real("lr_min", self.lr_min, low=0.0, low_inclusive=False,
                                       high=1e3))
        self._set("lr_max", check_real("lr_max", self.lr_max, low=0.0, low_inclusive=False,
                                       high=1e3))
        if self.lr_max <= self.lr_min:
            raise ConfigError(f"lr_max must be > lr_min = {self.lr_min:g}, got {self.lr_max:g}")
        self._set("num_steps", check_int("num_steps", self.num_steps, low=2,
                                         high=caps.max_steps))
        self._set("smoothing", check_real("smoothing", self.smoothing, low=0.0, high=1.0,
                                          high_inclusive=False))
        self._set("stop_factor", check_real("stop_factor", self.stop_factor, low=1.0,
                                            low_inclusive=False, high=1e300))
        batch = self.num_samples if self.batch_size is None else min(self.batch_size,
                                                                     self.num_samples)
        check_work(1, batch, self.num_steps, self.num_steps, 2 if self.bias else 1)


def smooth(losses, smoothing):
    """Return the bias-corrected exponential moving average of `losses` (1-D, all finite)."""
    smoothed = np.empty(len(losses))
    average = 0.0
    for i, loss in enumerate(losses):
        average = smoothing * average + (1.0 - smoothing) * loss
        smoothed[i] = average / (1.0 - smoothing ** (i + 1))
    return smoothed


def usable_length(losses, smoothing, stop_factor):
    """Return how many leading losses the test keeps: up to the first non-finite one, and
    up to and including the first whose smoothed value exceeds stop_factor × the minimum so far.
    """
    values = np.array([math.nan if loss is None else loss for loss in losses], dtype=np.float64)
    finite = np.isfinite(values)
    length = len(values) if finite.all() else int(np.argmin(finite))
    smoothed = smooth(values[:length], smoothing)
    best = math.inf
    for i, value in enumerate(smoothed):
        best = min(best, value)
        if value > stop_factor * best:
            return i + 1
    return length


def suggest(learning_rates, losses, smoothing=0.9, stop_factor=4.0):
    """Return the suggestions of a range test: steepest, minimum and minimum/10 rates.

    `losses` may contain nan or None: the test ends at the first one. A suggestion is None when
    fewer than two usable losses remain.
    """
    length = usable_length(losses, smoothing, stop_factor)
    suggestions = {"steepest_lr": None, "minimum_lr": None, "minimum_over_10_lr": None,
                   "usable_steps": length}
    if length < 2:
        return suggestions

    rates = np.asarray(learning_rates[:length], dtype=np.float64)
    smoothed = smooth(np.asarray(losses[:length], dtype=np.float64), smoothing)
    slope = np.gradient(smoothed, np.log(rates))
    minimum = int(np.argmin(smoothed))
    suggestions.update(steepest_lr=float(rates[int(np.argmin(slope))]),
                       minimum_lr=float(rates[minimum]),
                       minimum_over_10_lr=float(rates[minimum]) / 10.0)
    return suggestions


def run(config, device="cpu"):
    """Run the range test and return its losses, suggestions and the computed critical rate."""
    problem = build_problem(config, device)
    rates = np.geomspace(config.lr_min, config.lr_max, config.num_steps)
    params = stacked_parameters(problem, 1)
    optimizer = StackedOptimizer(params, None, config.optimizer, config.momentum)
    loss_fn = make_loss_fn(params)
    active = torch.ones(1, dtype=torch.bool, device=problem.x.device)
    generator = torch.Generator().manual_seed(config.seed)
    batches = _batches(problem.x.numel(), config.batch_size, generator)

    losses = []
    stop_reason = "completed"
    best = math.inf
    average = 0.0
    for step, lr in enumerate(rates.tolist()):
        index = next(batches)
        x = problem.x if index is None else problem.x[index.to(problem.x.device)]
        y = problem.y if index is None else problem.y[index.to(problem.x.device)]
        loss = loss_fn(x, y)
        value = float(loss.detach())
        losses.append(value)
        if not math.isfinite(value):
            stop_reason = f"loss not finite at step {step}"
            break
        average = config.smoothing * average + (1.0 - config.smoothing) * value
        smoothed = average / (1.0 - config.smoothing ** (step + 1))
        best = min(best, smoothed)
        if smoothed > config.stop_factor * best:
            stop_reason = (f"smoothed loss above {config.stop_factor:g}× its minimum at "
                           f"step {step}")
            break

        optimizer.lr = torch.tensor([lr], dtype=DTYPES[config.dtype], device=problem.x.device)
        weight = float(x.numel()) if config.gradient == "sum" else 1.0
        grads = torch.autograd.grad(loss.sum() * weight, params)
        optimizer.step(grads, active)
        if step % 20 == 0:
            report_progress(step / config.num_steps, f"range test: step {step}")

    eigenvalues = hessian_eigenvalues(problem, config.gradient, config.batch_size)
    critical_gd, critical = critical_rates(eigenvalues[-1], config.optimizer, config.momentum)
    kept = rates[:len(losses)]
    return {
        "learning_rates": kept,
        "losses": np.array(losses),
        "smoothed": smooth(np.array([v for v in losses if math.isfinite(v)]), config.smoothing),
        "stop_reason": stop_reason,
        **suggest(kept, losses, config.smoothing, config.stop_factor),
        "critical_lr": critical,
        "critical_lr_gd": critical_gd,
        "hessian_eigenvalues": eigenvalues,
    }


def _batches(num_samples, batch_size, generator):
    """Yield None (the full batch) forever, or the index tensors of shuffled mini-batches."""
    while True:
        if batch_size is None or batch_size >= num_samples:
            yield None
            continue
        yield from torch.randperm(num_samples, generator=generator).split(batch_size)


def run_record(config, device="cpu"):
    """Run the experiment and return its record."""
    start = time.perf_counter()
    results = run(config, device)
    return make_record(config, results, {"compute": time.perf_counter() - start})


def summarize(record):
    """Describe the record's key numbers in Markdown: the text alternative to its plot."""
    config = record["config"]
    results = record["results"]
    steps = len(results["losses"])
    lines = [
        f"Range test on the linear model ({'standardized' if config['standardize'] else 'raw'}"
        f" x, {config['optimizer']}, {config['gradient']} gradient): lr grew from "
        f"{config['lr_min']:g} to {config['lr_max']:g} over {config['num_steps']} steps; "
        f"it ran {steps} step(s) and stopped: {results['stop_reason']}.",
        "",
        "**Loss against lr** (the plot, log lr axis):",
        "",
        f"- Steepest descent of the smoothed loss (β = {config['smoothing']:g}): "
        f"lr = **{_fmt(results['steepest_lr'])}**",
        f"- Minimum of the smoothed loss at lr = {_fmt(results['minimum_lr'])}; a tenth of it: "
        f"**{_fmt(results['minimum_over_10_lr'])}**",
        f"- Computed critical rate 2/λ_max = **{_fmt(results['critical_lr_gd'])}**"
        + (f" (with momentum: {_fmt(results['critical_lr'])})"
           if config["momentum"] and results["critical_lr"] else ""),
    ]
    if config["optimizer"] == "adam":
        lines.append("- 2/λ_max does not bound Adam; it is drawn for comparison only.")
    finite = [value for value in results["losses"] if value is not None]
    if finite:
        lowest = min(finite)
        at = results["learning_rates"][results["losses"].index(lowest)]
        lines.append(f"- Lowest raw loss {lowest:.4g} at lr {at:.4g}; "
                     f"{results['usable_steps']} step(s) feed the suggestions.")
    critical = results["critical_lr_gd"]
    if results["minimum_lr"] is not None and critical:
        lag = 1.0 / (1.0 - config["smoothing"]) if config["smoothing"] < 1 else math.inf
        lines.append(f"- The smoothed minimum lies at {results['minimum_lr'] / critical:.3g}× "
                     "the critical rate. Two effects push it above 2/λ_max: the rate rises "
                     "every step, so a loss just past the threshold grows for several steps "
                     "before it is large, and the moving average lags the raw loss by about "
                     f"1/(1 − β) = {lag:.3g} steps.")
    return "\n".join(lines)


def _fmt(value):
    return "none (too few finite losses)" if value is None else f"{value:.4g}"
