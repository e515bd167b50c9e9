"""Gradient descent on a function of one variable at many learning rates: a·x², x⁴, double well.

The notebook's case is f(x) = x² (a = 1) without momentum: x_{k+1} = x_k − lr·2x_k =
(1 − 2·lr)·x_k, with the closed form x_k = (1 − 2·lr)^k·x_0. Its critical learning rate is
2/f'' = 1/a, and `lib.lr_functions.classify` names the regimes on either side of 1/(2a) and 1/a.
On x⁴ and the double well the curvature depends on x, so each run is also labelled from its
iterates, with the iteration where it left the basin of its minimum (see `lib.lr_functions`).

All learning rates run at once as one float64 vector, so a sweep of 1000 rates is one pass.
Without momentum on a·x² with a a power of two, the iterates are bitwise equal to a scalar loop.
"""

import dataclasses
import time
from collections import Counter

import numpy as np

from lib import limits, lr_rates
from lib.config import Config
from lib.lr_functions import (FORMULAS, FUNCTIONS, REGIMES, classify, critical_lr, descend,
                              describe_run, second_derivative)
from lib.records import make_record
from lib.validation import ConfigError, check_choice, check_int, check_real

# The summary lists at most this many runs one by one; a longer sweep is summarized by regime.
MAX_LISTED_RUNS = 20


@dataclasses.dataclass(frozen=True)
class QuadraticConfig(Config):
    """Inputs of gradient descent on one variable; the defaults are the course notebook's.

    `learning_rates` is a list or a range (see `lib.lr_rates`); `curvature` is a in a·x²,
    a·x⁴ and a·(x² − 1)²; `momentum` is SGD's μ (0 = plain gradient descent).
    """

    experiment = "lr_quadratic"

    start: float = 5.0
    learning_rates: tuple = (0.1, 0.01, 0.5)
    iterations: int = 25
    function: str = "quadratic"
    curvature: float = 1.0
    momentum: float = 0.0

    def __post_init__(self):
        caps = limits.current()
        self._set("start", check_real("start", self.start, low=-1e6, high=1e6))
        self._set("learning_rates", lr_rates.check_learning_rates(
            "learning_rates", self.learning_rates, max_count=caps.max_learning_rates))
        self._set("iterations", check_int("iterations", self.iterations, low=1,
                                          high=caps.max_iterations))
        self._set("function", check_choice("function", self.function, FUNCTIONS))
        self._set("curvature", check_real("curvature", self.curvature, low=0.0,
                                          low_inclusive=False, high=1e6))
        self._set("momentum", check_real("momentum", self.momentum, low=0.0, high=1.0,
                                         high_inclusive=False))

        count = lr_rates.expand(self.learning_rates).size
        values = count * (self.iterations + 1)
        if values > caps.max_recorded_values:
            raise ConfigError(
                f"learning_rates × (iterations + 1) must be <= {caps.max_recorded_values}, "
                f"got {count} × {self.iterations + 1} = {values}; use fewer rates or iterations"
            )


def run(config, device="cpu"):
    """Run gradient descent at every learning rate and return one result per rate.

    `device` is accepted for a uniform interface: the iterates are NumPy arrays on the CPU.
    """
    learning_rates = lr_rates.expand(config.learning_rates)
    xs = descend(config.function, config.curvature, config.start, learning_rates,
                 config.iterations, config.momentum)

    # The rule of the linear map at the minimum: exact for a·x², local for the others.
    curvature_at_minimum = float(second_derivative(config.function, config.curvature,
                                                   0.0 if config.function != "double_well"
                                                   else 1.0))
    runs = []
    for column, lr in enumerate(learning_rates.tolist()):
        x = xs[:, column]
        labels = describe_run(config.function, config.curvature, lr, config.momentum, x)
        regime = (classify(lr, curvature_at_minimum / 2.0, config.momentum)
                  if curvature_at_minimum > 0 else None)
        runs.append({"lr": lr, "x": x, "final_x": x[-1], "regime": regime, **labels})

    return {
        "runs": runs,
        "critical_lr": critical_lr(config.function, config.curvature, config.momentum),
        "critical_lr_at_start": critical_lr(config.function, config.curvature,
                                            config.momentum, x=config.start),
        "curvature_at_minimum": curvature_at_minimum,
        "curvature_at_start": float(second_derivative(config.function, config.curvature,
                                                      config.start)),
        "regime_counts": dict(Counter(entry["regime"] for entry in runs if entry["regime"])),
        "outcome_counts": dict(Counter(_outcome_kind(entry["outcome"]) for entry in runs)),
    }


def _outcome_kind(outcome):
    return outcome.split(" at ")[0].split(" (")[0]


def run_record(config, device="cpu"):
    """Run the experiment and return its record."""
    start = time.perf_counter()
    results = run(config, device)
    return make_record(config, results, {"compute": time.perf_counter() - start})


def summarize(record):
    """Describe the record's key numbers in Markdown: the text alternative to its plots."""
    results = record["results"]
    config = record["config"]
    lines = [_threshold_sentence(config, results), ""]
    lines += _iterates_paragraph(config, results)
    lines += [""] + _sweep_paragraph(config, results)
    return "\n".join(lines)


def _threshold_sentence(config, results):
    function = config["function"]
    momentum = config["momentum"]
    formula = FORMULAS[function]
    formula = (formula.replace("a·", "", 1) if config["curvature"] == 1
               else formula.replace("a", format(config["curvature"], "g"), 1))
    setup = (f"f(x) = {formula}, "
             f"x₀ = {config['start']:g}, {config['iterations']} iterations"
             + (f", momentum μ = {momentum:g}" if momentum else "") + ".")
    rule = "2(1 + μ)/f''" if momentum else "2/f''"
    critical = results["critical_lr"]
    if function == "quadratic":
        return (f"{setup} The curvature f'' = {results['curvature_at_minimum']:g} is the same "
                f"everywhere, so the critical learning rate {rule} = **{critical:.6g}** is "
                "exact: below it gradient descent converges, at it x oscillates forever, "
                "above it diverges.")

    at_start = results["critical_lr_at_start"]
    start_text = (f"at x₀ f'' = {results['curvature_at_start']:.4g}, which gives a local "
                  f"critical rate {rule} = {at_start:.4g}" if at_start is not None else
                  f"at x₀ f'' = {results['curvature_at_start']:.4g} ≤ 0, so no local rate "
                  "bounds the first step")
    if critical is None:
        minimum_text = ("at the minimum x* = 0 the curvature is 0, so every rate is stable "
                        "there and the approach slows down as x shrinks")
    else:
        minimum_text = (f"at the minima x* = ±1 f'' = {results['curvature_at_minimum']:g}, "
                        f"so rates below {critical:.4g} are stable there")
    return (f"{setup} **The local curvature decides**: {minimum_text}; {start_text}. "
            "A rate stable near the minimum can still throw a far iterate out of its basin.")


def _iterates_paragraph(config, results):
    runs = results["runs"]
    lines = [
        "**Iterates** (the |x_k − x*| and the curve plots):",
        "",
        "| lr | x₁ | x₂ | x₃ | final x | regime of the linear map at x* | what the run did |",
        "|---:|---:|---:|---:|---:|---|---|",
    ]
    for entry in _listed(runs):
        x = entry["x"]
        first = [_fmt(x[k]) if k < len(x) else "" for k in (1, 2, 3)]
        did = entry["outcome"]
        left_at = entry["left_basin_at_iteration"]
        if left_at == 0:
            did += "; started outside the basin"
        elif left_at is not None:
            did += f"; left the basin at iteration {left_at}"
        lines.append(f"| {entry['lr']:g} | {' | '.join(first)} | {_fmt(entry['final_x'])} | "
                     f"{entry['regime'] or '—'} | {did} |")
    if len(runs) > MAX_LISTED_RUNS:
        lines.append(f"| … | | | | | | {len(runs) - MAX_LISTED_RUNS} more runs in the record |")
    return lines


def _sweep_paragraph(config, results):
    runs = results["runs"]
    lines = ["**Final distance to the minimum against lr** (the sweep plot):", ""]
    for regime in REGIMES:
        rates = [entry["lr"] for entry in runs if entry["regime"] == regime]
        if rates:
            lines.append(f"- {regime}: {len(rates)} rate(s), lr from {min(rates):.4g} to "
                         f"{max(rates):.4g}")
    overflowed = [entry for entry in runs if entry["overflow_at_iteration"] is not None]
    if overflowed:
        first = min(overflowed, key=lambda entry: entry["lr"])
        lines.append(f"- {len(overflowed)} run(s) overflowed to inf/nan and stopped there "
                     f"(marked ×); the smallest such rate, {first['lr']:.4g}, stopped at "
                     f"iteration {first['overflow_at_iteration']}.")
    left = [entry for entry in runs if entry["left_basin_at_iteration"] is not None]
    if left:
        lines.append(f"- {len(left)} run(s) left the basin of their starting minimum; the "
                     f"smallest such rate is {min(entry['lr'] for entry in left):.4g}.")
    counts = ", ".join(f"{count} {kind}" for kind, count in results["outcome_counts"].items())
    lines.append(f"- Outcomes after {config['iterations']} iterations: {counts}.")
    return lines


def _listed(runs):
    """Return at most MAX_LISTED_RUNS runs, spread evenly over the sweep."""
    if len(runs) <= MAX_LISTED_RUNS:
        return runs
    indices = np.linspace(0, len(runs) - 1, MAX_LISTED_RUNS).round().astype(int)
    return [runs[i] for i in sorted(set(indices.tolist()))]


def _fmt(value):
    return "overflow" if value is None else f"{value:.6g}"
