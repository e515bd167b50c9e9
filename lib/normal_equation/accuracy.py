"""Accuracy of every solver, and GD's iteration count, against the condition number.

Problem with a chosen κ(X): X = U·diag(σ)·Vᵀ with U (n, d) and V (d, d) orthonormal (QR of
standard normal matrices) and σ geometric from 1 down to 1/κ; θ_true is a unit vector and
y = X·θ_true exactly (zero residual), all in float64. Each dtype rounds X and y, then solves;
the error is ‖θ − θ_true‖/‖θ_true‖. Expected: about κ·ε for lstsq and pinv, κ²·ε for the
normal-equation solvers, where ε includes the rounding of X itself.

GD runs in float64 on XᵀX from zero with s = 1/σ_max² (lr "auto"), so ρ = 1 − 1/κ(H) with
κ(H) = κ(X)², and counts the steps to ‖θ_k − θ*‖ ≤ τ‖θ*‖ against κ(H)·ln(1/τ).
"""

import dataclasses
import math
import time

import numpy as np
import torch

from lib import limits
from lib.config import Config
from lib.normal_equation.conditioning import DTYPES
from lib.normal_equation.descent import descend_on_gram, predicted_iterations
from lib.normal_equation.solvers import SOLVERS, solve
from lib.records import make_record
from lib.validation import ConfigError, check_choice, check_int, check_real, parse_number_list


@dataclasses.dataclass(frozen=True)
class AccuracyConfig(Config):
    """κ(X) values for the solvers (`condition_numbers`) and for GD (`gd_condition_numbers`)."""

    experiment = "normal_vs_gd_accuracy"

    seed: int = 0
    num_samples: int = 200
    num_features: int = 10
    condition_numbers: tuple = (1.0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e10, 1e12)
    dtypes: tuple = ("float32", "float64")
    gd_condition_numbers: tuple = (1.0, 2.0, 5.0, 10.0, 20.0, 50.0)
    tolerance: float = 1e-6
    max_iterations: int = 100_000

    def __post_init__(self):
        caps = limits.current()
        self._set("seed", check_int("seed", self.seed, low=0, high=2**63 - 1))
        self._set("num_features", check_int("num_features", self.num_features, low=1,
                                            high=caps.max_features))
        self._set("num_samples", check_int("num_samples", self.num_samples,
                                           low=self.num_features, high=caps.max_samples))
        if self.num_samples * self.num_features > caps.max_elements:
            raise ConfigError(f"num_samples × num_features must be <= {caps.max_elements}, "
                              f"got {self.num_samples * self.num_features}")
        self._set("condition_numbers", _check_conditions("condition_numbers",
                                                         self.condition_numbers, 1e16))
        self._set("gd_condition_numbers", _check_conditions("gd_condition_numbers",
                                                            self.gd_condition_numbers, 1e4))
        dtypes = tuple(self.dtypes)
        for index, name in enumerate(dtypes):
            check_choice(f"dtypes[{index}]", name, tuple(DTYPES))
        self._set("dtypes", dtypes)
        self._set("tolerance", check_real("tolerance", self.tolerance, low=0.0,
                                          low_inclusive=False, high=1.0, high_inclusive=False))
        self._set("max_iterations", check_int("max_iterations", self.max_iterations, low=1,
                                              high=caps.max_iterations))


def _check_conditions(name, value, high):
    items = parse_number_list(name, value)
    if not 1 <= len(items) <= 24:
        raise ConfigError(f"{name} must have between 1 and 24 entries, got {len(items)}")
    return tuple(check_real(f"{name}[{i}]", item, low=1.0, high=high)
                 for i, item in enumerate(items))


def make_conditioned(seed, n, d, condition):
    """Return X (n, d) with κ(X) = `condition`, y = X·θ_true (n,) and θ_true (d,), float64."""
    generator = np.random.default_rng(seed)
    u, _ = np.linalg.qr(generator.standard_normal((n, d)))  # (n, d) orthonormal columns
    v, _ = np.linalg.qr(generator.standard_normal((d, d)))
    sigma = np.geomspace(1.0, 1.0 / condition, d)
    x = (u * sigma) @ v.T
    theta = generator.standard_normal(d)
    theta /= np.linalg.norm(theta)
    return x, x @ theta, theta


def solver_errors(x, y, theta, dtype_name):
    """Return {solver: relative error of θ, or None when the solver raised}."""
    dtype = DTYPES[dtype_name]
    x_t = torch.from_numpy(x).to(dtype)
    y_t = torch.from_numpy(y).to(dtype)
    errors = {}
    for name in SOLVERS:
        try:
            estimate = solve(name, x_t, y_t).double().numpy()
        except torch.linalg.LinAlgError:
            errors[name] = None
            continue
        error = float(np.linalg.norm(estimate - theta) / np.linalg.norm(theta))
        errors[name] = error if math.isfinite(error) else None
    return errors


def gd_iterations(x, y, theta, tolerance, max_iterations):
    """Return (steps to tolerance or None, predicted steps) for GD on XᵀX from zero."""
    gram, moment = x.T @ x, y @ x
    eigenvalues = np.linalg.eigvalsh(gram)[::-1]
    step = 1.0 / eigenvalues[0]
    _, distances, _, _ = descend_on_gram(gram, moment, np.zeros(x.shape[1]), step,
                                         max_iterations, theta, 0.0, np.zeros(x.shape[1]),
                                         x.shape[0])
    target = tolerance * np.linalg.norm(theta)
    reached = np.flatnonzero(distances <= target)
    rate = 1.0 - eigenvalues[-1] / eigenvalues[0]
    predicted = predicted_iterations(rate, float(distances[0]), target)
    return (int(reached[0]) if reached.size else None), predicted


def run(config, device="cpu"):
    """Measure every solver's error against κ per dtype, and GD's steps against κ(H)."""
    points = []
    for condition in config.condition_numbers:
        x, y, theta = make_conditioned(config.seed, config.num_samples, config.num_features,
                                       condition)
        for dtype_name in config.dtypes:
            points.append({"kappa_x": condition, "dtype": dtype_name,
                           "eps": torch.finfo(DTYPES[dtype_name]).eps,
                           "errors": solver_errors(x, y, theta, dtype_name)})

    descent = []
    for condition in config.gd_condition_numbers:
        x, y, theta = make_conditioned(config.seed, config.num_samples, config.num_features,
                                       condition)
        steps, predicted = gd_iterations(x, y, theta, config.tolerance, config.max_iterations)
        descent.append({"kappa_x": condition, "kappa_hessian": condition ** 2,
                        "iterations": steps, "predicted": predicted})
    return {"points": points, "gd": descent}


def run_record(config, device="cpu"):
    """Run the accuracy sweep and return its record."""
    start = time.perf_counter()
    results = run(config, device)
    return make_record(config, results, {"compute": time.perf_counter() - start})


def summarize(record):
    """Describe, per dtype, the κ at which each solver loses its last digit, and GD's steps."""
    results = record["results"]
    lines = ["| dtype | " + " | ".join(SOLVERS) + " |", "|---|" + "---:|" * len(SOLVERS)]
    for dtype_name in record["config"]["dtypes"]:
        cells = [_last_good_kappa(results["points"], dtype_name, name) for name in SOLVERS]
        lines.append(f"| {dtype_name} | " + " | ".join(cells) + " |")
    gd = ", ".join(f"κ(H) = {point['kappa_hessian']:.3g}: "
                   + (f"{point['iterations']}" if point["iterations"] is not None
                      else f"> {record['config']['max_iterations']}")
                   + f" (predicted ≤ {point['predicted']})" for point in results["gd"])
    bounds = "; ".join(
        f"{name}: lstsq/pinv up to κ ≈ {1e-2 / eps:.2g}, normal equations up to "
        f"κ ≈ {math.sqrt(1e-2 / eps):.2g}"
        for name, eps in ((name, torch.finfo(DTYPES[name]).eps)
                          for name in record["config"]["dtypes"]))
    return ("**Largest κ(X) with a relative error ≤ 1e-2** (two correct digits). The error is "
            "about $\\kappa\\,\\varepsilon$ for lstsq and pinv and $\\kappa^2\\varepsilon$ for the "
            f"normal equations, which predicts {bounds}.\n\n" + "\n".join(lines)
            + f"\n\n**GD steps to τ = {record['config']['tolerance']:g}** at lr auto: {gd}.")


def _last_good_kappa(points, dtype_name, solver):
    good = [point["kappa_x"] for point in points if point["dtype"] == dtype_name
            and point["errors"][solver] is not None and point["errors"][solver] <= 1e-2]
    return f"{max(good):.0e}" if good else "none"
