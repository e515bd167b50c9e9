"""Benchmarks of the normal equation vs GD experiment, each side timed in the same call.

1. The closed form (`lib.normal_equation.solvers.closed_form`: XᵀX, a κ estimate, Cholesky)
   against numpy.linalg.lstsq on the same float64 data; target at least 5× faster with
   relative error at most 1e-8.
2. One GD step on X (`descend_on_data`, float32) against one `X.sum()`; target at most 2.2
   reads of X per step.
3. The notebook's experiment computed the notebook's way (torch.inverse, then 10 000 GD steps
   of separate torch calls on X in float32) against the lab's `normal_vs_gd.run` at the same
   settings; target at least 8× faster with the same θ and MSE to 1e-4.

Each time is the median of several repeats after a warm-up.
"""


import numpy as np
import torch

from jobs.benchmarks import repeat_times
from lib.normal_equation.cost import torch_threads
from lib.normal_equation.descent import descend_on_data
from lib.normal_equation.solvers import closed_form
from lib.normal_vs_gd import NormalVsGdConfig, run


def closed_form_against_lstsq(quick=False):
    """Time the lab's closed form and numpy.linalg.lstsq on one float64 problem."""
    n, d = (20_000, 50) if quick else (100_000, 100)
    repeats = 2 if quick else 5
    generator = np.random.default_rng(0)
    x = generator.standard_normal((n, d))
    y = x @ generator.standard_normal(d) + 0.1 * generator.standard_normal(n)
    x_t, y_t = torch.from_numpy(x), torch.from_numpy(y)

    times, baseline_times = [], []
    for _ in range(repeats):  # interleaved, so both sides see the same machine load
        times += repeat_times(lambda: closed_form(x_t, y_t), 1)
        baseline_times += repeat_times(lambda: np.linalg.lstsq(x, y, rcond=None), 1)

    theta, method, condition = closed_form(x_t, y_t)
    expected = np.linalg.lstsq(x, y, rcond=None)[0]
    error = float(np.linalg.norm(theta.numpy() - expected) / np.linalg.norm(expected))
    return {
        "name": "normal_equation.closed_form",
        "size": {"n": n, "d": d, "dtype": "float64", "threads": torch.get_num_threads()},
        "baseline": "numpy.linalg.lstsq on the same data",
        "times_s": times,
        "baseline_times_s": baseline_times,
        "target": ">= 5x faster than the baseline, relative error <= 1e-8",
        "target_speedup": 5,
        "check": {"speedup": float(np.median(baseline_times) / np.median(times)),
                  "relative_error": error, "method": method, "kappa_gram": condition},
    }


def gd_step_against_sum(quick=False):
    """Time one GD step on X (float32) and one X.sum() on the same X."""
    n, d = (20_000, 100) if quick else (200_000, 100)
    steps = 10
    repeats = 3 if quick else 7
    generator = np.random.default_rng(0)
    x = generator.standard_normal((n, d), dtype=np.float32)
    y = generator.standard_normal(n).astype(np.float32)
    theta_0 = np.zeros(d, dtype=np.float32)
    step = np.float32(1.0 / (n + d))

    def descend():
        return descend_on_data(x, y, theta_0, step, steps, theta_0, empty=np.empty)

    times, baseline_times = [], []
    for _ in range(repeats):
        # `steps` iterations make steps + 1 passes (the last one for θ_K's loss).
        times += [t / (steps + 1) for t in repeat_times(descend, 1)]
        baseline_times += repeat_times(x.sum, 1)
    reads = float(np.median(times) / np.median(baseline_times))
    return {
        "name": "normal_equation.gd_step",
        "size": {"n": n, "d": d, "dtype": "float32", "bytes": x.nbytes},
        "baseline": "one X.sum() on the same X (one read of X)",
        "times_s": times,
        "baseline_times_s": baseline_times,
        "target": "<= 2.2 reads of X per GD step",
        "target_ratio": 2.2,
        "check": {"reads_of_x": reads,
                  "gbytes_per_s": x.nbytes / float(np.median(times)) / 1e9},
    }


def notebook_way(iterations=10_000):
    """Return (θ analytic, θ GD, MSEs) computed as the course notebook does, in float32."""
    generator = torch.Generator().manual_seed(42)
    x = torch.rand(100, 3, generator=generator)
    true_theta = torch.tensor([1.5, -0.8, 2.0])
    y = torch.matmul(x, true_theta) + torch.randn(100, generator=generator) * 0.1

    xtx = torch.matmul(x.T, x)
    xty = torch.matmul(x.T, y)
    analytic = torch.matmul(torch.inverse(xtx), xty)

    theta = torch.randn(3, generator=generator)
    losses = []
    for _ in range(iterations):
        prediction = torch.matmul(x, theta)
        losses.append(torch.mean(torch.square(prediction - y)))
        gradient = 2 * torch.matmul(x.T, prediction - y)
        theta = theta - 0.01 * gradient

    mse_analytic = torch.mean(torch.square(torch.matmul(x, analytic) - y))
    mse_gd = torch.mean(torch.square(torch.matmul(x, theta) - y))
    return analytic, theta, torch.stack(losses), mse_analytic, mse_gd


def notebook_experiment(quick=False):
    """Time the notebook's way and the lab's run at the notebook's settings."""
    repeats = 2 if quick else 5
    config = NormalVsGdConfig()
    # NOTE: both sides run with one torch thread: on a 3-column problem, a second thread only
    # adds start-up cost, which on a shared 2-core machine can exceed the work itself.
    with torch_threads(1):
        times, baseline_times = [], []
        for _ in range(repeats):
            times += repeat_times(lambda: run(config), 1)
            baseline_times += repeat_times(notebook_way, 1)
        lab = run(config)
        analytic, theta_gd, losses, mse_analytic, mse_gd = notebook_way()

    check = {
        "speedup": float(np.median(baseline_times) / np.median(times)),
        "max_abs_theta_analytical_diff": float(np.max(np.abs(
            lab["theta_analytical"] - analytic.double().numpy()))),
        "max_abs_theta_gd_diff": float(np.max(np.abs(lab["theta_gd"]
                                                     - theta_gd.double().numpy()))),
        "mse_analytical_diff": abs(lab["mse_analytical"] - float(mse_analytic)),
        "mse_gd_diff": abs(float(lab["mse_gd"]) - float(mse_gd)),
        "max_abs_loss_diff": float(np.max(np.abs(lab["gd_losses"]
                                                 - losses.double().numpy()))),
    }
    return {
        "name": "normal_equation.notebook_experiment",
        "size": {"n": 100, "d": 3, "iterations": config.iterations, "threads": 1},
        "baseline": "the notebook's code: torch.inverse, then per-iteration torch calls on X",
        "times_s": times,
        "baseline_times_s": baseline_times,
        "target": ">= 8x faster, same θ and MSE to 1e-4",
        "target_speedup": 8,
        "check": check,
    }


def benchmarks(quick=False):
    """Run the three benchmarks; `quick` uses smaller sizes and fewer repeats."""
    return [closed_form_against_lstsq(quick), gd_step_against_sum(quick),
            notebook_experiment(quick)]
