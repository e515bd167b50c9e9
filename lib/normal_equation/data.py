"""The data of the normal equation experiments: the notebook's draw, pasted rows, transforms."""

import json

import numpy as np
import torch

from lib.validation import ConfigError, check_real, check_text


def draw_problem(seed, num_samples, num_features, true_theta, noise, correlation=0.0,
                 scale=None, num_parameters=None):
    """Draw X (n, d), y (n,), θ_0 (p,) and θ_true (d,) in float32 in the course notebook's order.

    One `torch.Generator` seeded with `seed` gives, in this order: U = rand(n, d), ε = randn(n),
    θ_0 = randn(p) (p = `num_parameters`, d by default), then θ_true = randn(d) when
    `true_theta` is None, then c = rand(n) when `correlation` ρ > 0. The features are
    x_j = sqrt(1 − ρ)·u_j + sqrt(ρ)·c, so any two columns have correlation ρ, then column j is
    multiplied by scale_j. Finally y = X·θ_true + noise·ε. With ρ = 0 and no scale this is the
    notebook's X = rand(n, d), Y = X·θ_true + randn(n)·noise, θ_0 = randn(d) exactly.
    """
    generator = torch.Generator().manual_seed(seed)
    num_parameters = num_features if num_parameters is None else num_parameters

    x = torch.rand(num_samples, num_features, generator=generator)
    epsilon = torch.randn(num_samples, generator=generator)
    theta_0 = torch.randn(num_parameters, generator=generator)
    if true_theta is None:
        theta = torch.randn(num_features, generator=generator)
    else:
        theta = torch.tensor(true_theta, dtype=torch.float32)
    if correlation > 0:
        common = torch.rand(num_samples, 1, generator=generator)
        x = (1.0 - correlation) ** 0.5 * x + correlation ** 0.5 * common
    if scale is not None:
        x = x * torch.tensor(scale, dtype=torch.float32)

    y = x @ theta + epsilon * noise
    return x.numpy(), y.numpy(), theta_0.numpy(), theta.numpy()


def random_theta_0(seed, num_parameters):
    """Return θ_0 = randn(p) from a generator seeded with `seed` (the start for pasted data)."""
    generator = torch.Generator().manual_seed(seed)
    return torch.randn(num_parameters, generator=generator).numpy()


def parse_rows(data, *, max_samples, max_features, max_elements):
    """Return pasted rows as X (n, d) and y (n,) in float64: the last column of each row is y.

    `data` is a nested list, or text: JSON when it starts with "[", else one row per line with
    numbers separated by commas or whitespace. Ragged, non-numeric and oversized data raise
    `ConfigError`.
    """
    rows = _read_rows(data)
    width = len(rows[0])
    if width < 2:
        raise ConfigError(f"data rows must have at least 2 numbers (features, then y), "
                          f"got {width}")
    for index, row in enumerate(rows):
        if len(row) != width:
            raise ConfigError(f"data is ragged: row {index} has {len(row)} numbers, "
                              f"row 0 has {width}")
    if len(rows) > max_samples:
        raise ConfigError(f"data must have at most {max_samples} rows, got {len(rows)}")
    if width - 1 > max_features:
        raise ConfigError(f"data must have at most {max_features} feature columns, "
                          f"got {width - 1}")
    if len(rows) * width > max_elements:
        raise ConfigError(f"data must have at most {max_elements} numbers, "
                          f"got {len(rows) * width}")

    values = np.array([[check_real(f"data row {i} column {j}", value)
                        for j, value in enumerate(row)] for i, row in enumerate(rows)])
    return values[:, :-1], values[:, -1]


def _read_rows(data):
    if isinstance(data, str):
        text = check_text("data", data).strip()
        if text.startswith("["):
            try:
                data = json.loads(text)
            except json.JSONDecodeError as error:
                raise ConfigError(f"data is not a valid JSON nested list: {error.msg}") from None
        else:
            data = [_split_line(line, index)
                    for index, line in enumerate(line for line in text.splitlines()
                                                 if line.strip())]
    if not isinstance(data, (list, tuple)) or not data:
        raise ConfigError("data must be non-empty rows of numbers, the last column being y")
    for index, row in enumerate(data):
        if not isinstance(row, (list, tuple)):
            raise ConfigError(f"data row {index} must be a list of numbers, got {row!r}")
    return [list(row) for row in data]


def _split_line(line, index):
    values = []
    for column, cell in enumerate(line.replace(",", " ").split()):
        try:
            values.append(float(cell))
        except ValueError:
            raise ConfigError(f"data row {index} column {column} is not a number: "
                              f"{cell!r}") from None
    return values


def standardize(x):
    """Return (x − mean) / std per column with the population std (ddof = 0), and the stats.

    A constant column has std 0: it is centred to zeros and left unscaled (as scikit-learn's
    StandardScaler does), which makes XᵀX singular; the caller reports it.
    Returns (z, mean, std, constant) with z of shape (n, d) and the rest of shape (d,).
    """
    mean = x.mean(axis=0)
    std = x.std(axis=0)
    constant = std == 0
    z = (x - mean) / np.where(constant, 1.0, std)
    return z, mean, std, constant


def design_matrix(x, fit_intercept):
    """Return X with a leading column of ones when `fit_intercept`, so θ[0] is the intercept."""
    if not fit_intercept:
        return x
    return np.hstack([np.ones((x.shape[0], 1), dtype=x.dtype), x])
