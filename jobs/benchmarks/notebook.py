"""The notebook's experiments at the notebook's settings: the lab's run against the notebook's way.

The baselines are written here the way the course notebook computes each experiment: a Python
loop per column and an `nn.BatchNorm1d` module; a scalar loop per learning rate; one
`nn.Linear` + `MSELoss` + `optim.SGD` loop per rate. The lab's side is the experiment's `run`,
which also computes what the notebook does not (from-scratch BatchNorm, eval mode, regimes,
labels, the critical rate), so the ratio compares whole runs, not equal work.
(The normal-equation experiment is in jobs/benchmarks/normal_equation.py.)
"""

import numpy as np
import torch

from jobs.benchmarks import interleaved_times
from lib import lr_linear_model, lr_quadratic, normalization


def notebook_normalization():
    """Standardize column by column with NumPy, then run BatchNorm1d, as the notebook does."""
    data = np.random.RandomState(42).rand(4, 3)
    manual = np.zeros_like(data)
    for column in range(data.shape[1]):
        manual[:, column] = (data[:, column] - data[:, column].mean()) / data[:, column].std()
    layer = torch.nn.BatchNorm1d(num_features=3)
    return manual, layer(torch.tensor(data, dtype=torch.float32))


def notebook_quadratic():
    """Run the scalar gradient-descent loop of the notebook once per learning rate."""
    finals = []
    for lr in (0.1, 0.01, 0.5):
        x = 5.0
        for _ in range(25):
            x = x - lr * (2 * x)
        finals.append(x)
    return finals


def notebook_linear_model():
    """Train nn.Linear with MSELoss and optim.SGD for 100 epochs per rate, from the same start."""
    torch.manual_seed(42)
    x = torch.rand(100, 1) * 10
    y = 2 * x + 1 + torch.randn(100, 1)
    model = torch.nn.Linear(1, 1)
    start = {key: value.clone() for key, value in model.state_dict().items()}
    losses = []
    for lr in (0.01, 0.1, 0.5):
        model.load_state_dict(start)
        optimizer = torch.optim.SGD(model.parameters(), lr=lr)
        for _ in range(100):
            optimizer.zero_grad()
            loss = torch.nn.functional.mse_loss(model(x), y)
            loss.backward()
            optimizer.step()
            losses.append(loss.item())
    return losses


def _case(name, lab, baseline, repeats, check):
    times, baseline_times = interleaved_times(lab, baseline, repeats)
    return {
        "name": name,
        "size": {"settings": "the course notebook's", "threads": torch.get_num_threads()},
        "baseline": "the notebook's way, written in jobs/benchmarks/notebook.py",
        "times_s": times,
        "baseline_times_s": baseline_times,
        "target": ">= 8x faster, same numbers",
        "target_speedup": 8,
        "check": check,
    }


def benchmarks(quick=False):
    """Return the three notebook cases: normalization, x² descent and the linear model."""
    repeats = 3 if quick else 30

    config = normalization.NormalizationConfig()
    manual, batchnorm = notebook_normalization()
    lab = normalization.run(config)
    normalization_check = {
        "max_abs_diff_manual": float(np.max(np.abs(np.asarray(lab["manual"]) - manual))),
        "max_abs_diff_batchnorm": float(np.max(np.abs(
            np.asarray(lab["batchnorm"]) - batchnorm.detach().double().numpy()))),
    }

    quadratic_config = lr_quadratic.QuadraticConfig()
    quadratic_lab = [run["final_x"] for run in lr_quadratic.run(quadratic_config)["runs"]]
    quadratic_check = {"finals_equal": [float(v) for v in quadratic_lab] == notebook_quadratic()}

    linear_config = lr_linear_model.LinearModelConfig()
    linear_lab = np.concatenate([np.asarray(run["losses"], dtype=np.float64)
                                 for run in lr_linear_model.run(linear_config)["runs"]])
    linear_base = np.array(notebook_linear_model())
    finite = np.isfinite(linear_lab) & np.isfinite(linear_base)
    linear_check = {"max_rel_loss_diff_finite": float(np.max(
        np.abs(linear_lab[finite] - linear_base[finite]) / np.abs(linear_base[finite])))}

    return [
        _case("notebook: normalization", lambda: normalization.run(config),
              notebook_normalization, repeats, normalization_check),
        _case("notebook: gradient descent on x²", lambda: lr_quadratic.run(quadratic_config),
              notebook_quadratic, repeats, quadratic_check),
        _case("notebook: linear model at three rates",
              lambda: lr_linear_model.run(linear_config), notebook_linear_model, repeats,
              linear_check),
    ]
