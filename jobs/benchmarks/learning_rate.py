"""Benchmarks of the learning-rate sweeps: batched or vectorized against one loop per rate.

1. Linear model: K learning rates trained as one stacked model (`lib.lr_linear_model.train`)
   against K sequential torch training loops (nn.Linear, MSELoss, optim.SGD), in float64.
2. Descent on x²: all rates as one NumPy vector (`lib.lr_functions.descend`) against the
   notebook's per-rate Python loop x ← x − lr·f'(x).

Both sides run in the same call, after a warm-up; times are per repeat.
"""

import statistics

import numpy as np
import torch

from jobs.benchmarks import repeat_times
from lib.lr_functions import descend
from lib.lr_linear_model import LinearModelConfig, train
from lib.lr_linear_problem import build_problem, make_problem


def sequential_linear(rates, epochs):
    """Train one nn.Linear per rate with torch.optim.SGD; return the losses (epochs, K)."""
    x, y, weight, bias = make_problem(42, 100)
    x, y = x.double()[:, None], y.double()[:, None]
    criterion = torch.nn.MSELoss()
    columns = []
    for lr in rates:
        model = torch.nn.Linear(1, 1).double()
        with torch.no_grad():
            model.weight.fill_(float(weight))
            model.bias.fill_(float(bias))
        optimizer = torch.optim.SGD(model.parameters(), lr=lr)
        losses = []
        for _ in range(epochs):
            optimizer.zero_grad()
            loss = criterion(model(x), y)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
        columns.append(losses)
    return np.array(columns).T


def batched_linear(rates, epochs):
    """Train every rate at once with the lib's stacked model; return the losses (epochs, K)."""
    config = LinearModelConfig(learning_rates=list(rates), epochs=epochs, dtype="float64")
    problem = build_problem(config)
    losses, _, _, _ = train(problem, config, np.asarray(rates), "cpu")
    return losses.numpy()


def benchmark_linear(quick):
    count, epochs, repeats = (8, 20, 1) if quick else (64, 100, 5)
    # Rates below the critical 0.0278, so every loss stays finite and can be compared.
    rates = np.geomspace(1e-4, 0.025, count).tolist()
    error = float(np.max(np.abs(batched_linear(rates, epochs) - sequential_linear(rates, epochs))))
    return {
        "name": "linear model: batched sweep against sequential torch loops",
        "size": {"learning_rates": count, "epochs": epochs, "samples": 100, "dtype": "float64",
                 "torch_threads": torch.get_num_threads()},
        "baseline": "one torch loop per rate: nn.Linear + MSELoss + optim.SGD",
        "times_s": repeat_times(lambda: batched_linear(rates, epochs), repeats),
        "baseline_times_s": repeat_times(lambda: sequential_linear(rates, epochs), repeats),
        "target": ">= 20x faster, losses equal to 1e-6",
        "target_speedup": 20,
        "check": {"max_abs_loss_difference": error, "tolerance": 1e-6},
    }


def per_rate_loop(rates, start, iterations):
    """Run the notebook's scalar loop once per rate; return the iterates (iterations + 1, K)."""
    def derivative(x):
        return 2 * x

    columns = []
    for lr in rates:
        x = start
        iterates = [x]
        for _ in range(iterations):
            x = x - lr * derivative(x)
            iterates.append(x)
        columns.append(iterates)
    return np.array(columns).T


def benchmark_quadratic(quick):
    count, iterations, repeats = (100, 25, 3) if quick else (1000, 25, 20)
    rates = np.linspace(0.001, 1.2, count)
    rate_list = rates.tolist()
    difference = np.abs(descend("quadratic", 1.0, 10.0, rates, iterations)
                        - per_rate_loop(rate_list, 10.0, iterations))
    return {
        "name": "x² descent: vectorized rates against a per-rate Python loop",
        "size": {"learning_rates": count, "iterations": iterations},
        "baseline": "the notebook's loop x ← x − lr·f'(x), once per rate, keeping the iterates",
        "times_s": repeat_times(lambda: descend("quadratic", 1.0, 10.0, rates, iterations),
                                repeats),
        "baseline_times_s": repeat_times(lambda: per_rate_loop(rate_list, 10.0, iterations),
                                         repeats),
        "target": ">= 50x faster, iterates bitwise equal",
        "target_speedup": 50,
        "check": {"max_abs_difference": float(np.nanmax(difference)), "tolerance": 0.0},
    }


def benchmarks(quick=False):
    """Return both benchmarks' records; `quick` runs tiny sizes to check that they run."""
    return [benchmark_linear(quick), benchmark_quadratic(quick)]


def speedup(result):
    """Return the median baseline time over the median time."""
    return statistics.median(result["baseline_times_s"]) / statistics.median(result["times_s"])
