"""Gradient descent on f(x) = x² at several learning rates.

The update x_{k+1} = x_k − lr · f'(x_k) = (1 − 2·lr) · x_k has the closed form
x_k = (1 − 2·lr)^k · x_0. Its regimes, with f'' = 2:

1. lr < 0.5: monotone convergence.
2. lr = 0.5: one step lands on the minimum.
3. 0.5 < lr < 1: oscillating convergence.
4. lr = 1 = 2/f'' (the critical learning rate): x flips sign forever.
5. lr > 1: divergence.

All learning rates run at once as one float64 vector; each element goes through the same
operations as a scalar loop, so the iterates are bitwise equal to the notebook's.
"""

import dataclasses
import time

import numpy as np

from lib import limits
from lib.config import Config
from lib.records import make_record
from lib.validation import check_budget, check_int, check_real, check_real_list

REGIMES = ("monotone convergence", "one-step convergence", "oscillating convergence",
           "stuck oscillation", "divergence")


@dataclasses.dataclass(frozen=True)
class QuadraticConfig(Config):
    """Inputs of gradient descent on x²; the defaults are the course notebook's."""

    experiment = "lr_quadratic"

    start: float = 5.0
    learning_rates: tuple = (0.1, 0.01, 0.5)
    iterations: int = 25

    def __post_init__(self):
        caps = limits.current()
        self._set("start", check_real("start", self.start, low=-1e6, high=1e6))
        self._set(
            "learning_rates",
            check_real_list("learning_rates", self.learning_rates,
                            max_length=caps.max_learning_rates, low=0.0, low_inclusive=False, high=1e3),
        )
        self._set("iterations", check_int("iterations", self.iterations, low=1,
                                          high=caps.max_iterations))
        check_budget("(iterations + 1) × len(learning_rates)",
                     (self.iterations + 1) * len(self.learning_rates), caps.max_series_values,
                     "use fewer iterations or learning_rates")


def classify(lr, critical_lr=1.0):
    """Name the regime of gradient descent on x² at `lr` (see the module docstring)."""
    if lr < critical_lr / 2:
        return REGIMES[0]
    if lr == critical_lr / 2:
        return REGIMES[1]
    if lr < critical_lr:
        return REGIMES[2]
    if lr == critical_lr:
        return REGIMES[3]
    return REGIMES[4]


def descend(start, learning_rates, iterations):
    """Return the iterates x_0 … x_K, shape (K + 1, number of learning rates), in float64.

    A rate whose iterate overflows keeps the inf or nan; `run` reports where that began.
    """
    lr = np.asarray(learning_rates, dtype=np.float64)
    xs = np.empty((iterations + 1, lr.size))
    xs[0] = start
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(iterations):
            xs[k + 1] = xs[k] - lr * (2.0 * xs[k])
    return xs


def run(config, device="cpu"):
    """Run gradient descent at every learning rate and return one result per rate."""
    xs = descend(config.start, config.learning_rates, config.iterations)

    runs = []
    for column, lr in enumerate(config.learning_rates):
        x = xs[:, column]
        finite = np.isfinite(x)
        overflow_at = None if finite.all() else int(np.argmin(finite))
        runs.append({
            "lr": lr,
            "x": x,
            "final_x": x[-1],
            "regime": classify(lr),
            "overflow_at_iteration": overflow_at,
        })
    return {"runs": runs, "critical_lr": 1.0}


def run_record(config, device="cpu"):
    """Run the experiment and return its record."""
    start = time.perf_counter()
    results = run(config, device)
    return make_record(config, results, {"compute": time.perf_counter() - start})


def summarize(record):
    """Describe the record's key numbers in Markdown: the text alternative to its plots."""
    results = record["results"]
    config = record["config"]
    lines = [
        f"f(x) = x², x₀ = {config['start']:g}, {config['iterations']} iterations. "
        f"The critical learning rate is 2/f'' = **{results['critical_lr']:g}**: below it "
        "gradient descent converges, above it diverges.",
        "",
        "| lr | final x | regime |",
        "|---:|---:|---|",
    ]
    for entry in results["runs"][:20]:
        final = entry["final_x"]
        final_text = "overflow" if final is None else f"{final:.6g}"
        regime = entry["regime"]
        if entry["overflow_at_iteration"] is not None:
            regime += f" (overflow at iteration {entry['overflow_at_iteration']})"
        lines.append(f"| {entry['lr']:g} | {final_text} | {regime} |")
    if len(results["runs"]) > 20:
        lines.append(f"| … | … | {len(results['runs']) - 20} more in the record |")
    return "\n".join(lines)
