"""Linear regression two ways: the normal equation against gradient descent.

Data as in the course notebook: with `torch.manual_seed(seed)`, X = rand(n, d) and
Y = X·θ_true + noise·randn(n), drawn in float32; θ_0 = randn(d) from the same stream starts GD.
Both methods then run in float64 on that float32 data.

1. Normal equation: θ* solves XᵀX·θ = XᵀY. It is solved directly (`torch.linalg.solve`), never
   by forming (XᵀX)⁻¹ as the notebook does, which loses accuracy for no gain.
2. Gradient descent: θ ← θ − lr·g on the mean squared error L(θ) = mean((Xθ − Y)²), where g is
   the "mean" gradient (2/n)·Xᵀ(Xθ − Y) or the "sum" gradient 2·Xᵀ(Xθ − Y) that the notebook
   uses. The sum is n times the mean, so "sum" at lr is "mean" at n·lr: the notebook's
   lr 0.01 with 100 samples is lr 1.0 on the usual gradient.

GD iterates on the Gram matrix XᵀX (d×d) and XᵀY, which gives the same steps as iterating on
X because Xᵀ(Xθ − Y) = XᵀX·θ − XᵀY; each loss is evaluated on X afterwards.
"""

import dataclasses
import time

import numpy as np
import torch

from lib import limits
from lib.config import Config
from lib.records import make_record
from lib.validation import ConfigError, check_budget, check_choice, check_int, check_real, check_real_list


@dataclasses.dataclass(frozen=True)
class NormalVsGdConfig(Config):
    """Inputs of the normal equation vs GD experiment; the defaults are the course notebook's."""

    experiment = "normal_vs_gd"

    seed: int = 42
    num_samples: int = 100
    true_theta: tuple = (1.5, -0.8, 2.0)
    noise: float = 0.1
    lr: float = 0.01
    iterations: int = 10_000
    gradient: str = "sum"

    def __post_init__(self):
        caps = limits.current()
        self._set("seed", check_int("seed", self.seed, low=0, high=2**63 - 1))
        self._set("num_samples", check_int("num_samples", self.num_samples, low=1,
                                           high=caps.max_samples))
        self._set("true_theta", check_real_list("true_theta", self.true_theta,
                                                max_length=caps.max_features, low=-1e6, high=1e6))
        self._set("noise", check_real("noise", self.noise, low=0.0, high=1e6))
        self._set("lr", check_real("lr", self.lr, low=0.0, low_inclusive=False, high=1e6))
        self._set("iterations", check_int("iterations", self.iterations, low=1,
                                          high=caps.max_iterations))
        self._set("gradient", check_choice("gradient", self.gradient, ("sum", "mean")))

        if self.num_samples < len(self.true_theta):
            raise ConfigError(
                f"num_samples must be >= len(true_theta) = {len(self.true_theta)} for XᵀX to "
                f"be invertible, got {self.num_samples}"
            )
        # The loss of every iterate is evaluated on every sample: an (iterations, num_samples)
        # array, one multiply-add per feature and one more per entry.
        work = self.iterations * self.num_samples * (len(self.true_theta) + 1)
        check_budget("iterations × num_samples × (len(true_theta) + 1)", work, caps.max_work,
                     "use fewer iterations or num_samples")


def make_problem(seed, num_samples, true_theta, noise):
    """Return X (n, d), Y (n,) and θ_0 (d,) drawn in float32 in the notebook's order."""
    generator = torch.Generator().manual_seed(seed)
    theta = torch.tensor(true_theta, dtype=torch.float32)
    x = torch.rand(num_samples, theta.numel(), generator=generator)
    y = x @ theta + torch.randn(num_samples, generator=generator) * noise
    theta_0 = torch.randn(theta.numel(), generator=generator)
    return x, y, theta_0


def gradient_descent(gram, xty, theta_0, lr, iterations):
    """Return θ_0 … θ_K, shape (K + 1, d), for θ ← θ − lr·2·(XᵀX·θ − XᵀY) (the sum gradient).

    For the mean gradient pass lr/n. Iterates that overflow stay inf or nan.
    """
    thetas = np.empty((iterations + 1, theta_0.size))
    thetas[0] = theta_0
    step = 2.0 * lr
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(iterations):
            thetas[k + 1] = thetas[k] - step * (gram @ thetas[k] - xty)
    return thetas


def mse(x, y, thetas):
    """Return the mean squared error of each row of `thetas` (K, d) on X (n, d), Y (n,)."""
    with np.errstate(over="ignore", invalid="ignore"):
        residuals = thetas @ x.T - y[None, :]  # (K, n)
        return np.mean(residuals * residuals, axis=1)


def run(config, device="cpu"):
    """Fit θ by the normal equation and by GD; return both with their errors."""
    x32, y32, theta_0 = make_problem(config.seed, config.num_samples, config.true_theta,
                                     config.noise)
    x = x32.double().numpy()
    y = y32.double().numpy()
    n = config.num_samples

    gram = x.T @ x
    xty = x.T @ y
    theta_analytical = torch.linalg.solve(torch.from_numpy(gram), torch.from_numpy(xty)).numpy()

    lr_sum = config.lr if config.gradient == "sum" else config.lr / n
    thetas = gradient_descent(gram, xty, theta_0.double().numpy(), lr_sum, config.iterations)
    losses = mse(x, y, thetas)
    finite = np.isfinite(losses)
    diverged_at = None if finite.all() else int(np.argmin(finite))

    return {
        "theta_true": np.array(config.true_theta),
        "theta_analytical": theta_analytical,
        "theta_gd": thetas[-1],
        "theta_0": thetas[0],
        "mse_analytical": mse(x, y, theta_analytical[None, :])[0],
        "mse_gd": losses[-1],
        "gd_losses": losses[:-1],
        "diverged_at_iteration": diverged_at,
        "max_abs_theta_diff": np.max(np.abs(thetas[-1] - theta_analytical)),
        "lr_mean_equivalent": lr_sum * n,
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
    lines = [
        "| | θ | MSE |",
        "|---|---|---:|",
        f"| true | {_fmt_theta(results['theta_true'])} | |",
        f"| normal equation | {_fmt_theta(results['theta_analytical'])} | "
        f"{_fmt(results['mse_analytical'])} |",
        f"| gradient descent | {_fmt_theta(results['theta_gd'])} | {_fmt(results['mse_gd'])} |",
        "",
    ]
    if config["gradient"] == "sum":
        lines.append(
            f"The gradient is the **sum** over samples, 2·Xᵀ(Xθ − Y), as in the notebook: lr "
            f"{config['lr']:g} on it equals lr **{results['lr_mean_equivalent']:g}** on the "
            "usual mean gradient (2/n)·Xᵀ(Xθ − Y). It is not plain GD on the MSE at lr "
            f"{config['lr']:g}."
        )
    if results["diverged_at_iteration"] is not None:
        lines.append(f"GD diverged: its loss overflowed at iteration "
                     f"{results['diverged_at_iteration']}.")
    else:
        lines.append(f"After {config['iterations']} iterations GD's θ is within "
                     f"{_fmt(results['max_abs_theta_diff'])} of the normal equation's.")
    return "\n".join(lines)


def _fmt(value):
    return "overflow" if value is None else f"{value:.7g}"


def _fmt_theta(values):
    return "[" + ", ".join("overflow" if v is None else f"{v:.4f}" for v in values) + "]"
