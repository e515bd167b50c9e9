"""Normalization: per-feature standardization by hand (NumPy) against `torch.nn.BatchNorm1d`.

Both normalize each feature (channel) over the batch, for an input of shape (N, C) or (N, C, L):

    y = (x - mean) / sqrt(var + eps)

with mean and var taken over N (and L) for each of the C features. BatchNorm1d uses the biased
variance (ddof=0) and adds `eps` to it; the by-hand version uses `ddof` and no eps. So the two
differ by about |y| * eps / (2 * var), not because one of them normalizes rows.

In training mode BatchNorm1d also updates its running statistics,

    running_mean <- (1 - momentum) * running_mean + momentum * batch_mean
    running_var  <- (1 - momentum) * running_var  + momentum * batch_var_unbiased

starting from 0 and 1, or a cumulative average over the batches seen when momentum is None.
Note that `running_var` tracks the unbiased variance (ddof=1) although the forward pass divides
by the biased one.
"""

import dataclasses
import time

import numpy as np
import torch

from lib import limits
from lib.config import Config
from lib.records import make_record
from lib.validation import ConfigError, check_choice, check_int, check_real, check_text


@dataclasses.dataclass(frozen=True)
class NormalizationConfig(Config):
    """Inputs of the normalization experiment; the defaults are the course notebook's."""

    experiment = "normalization"

    seed: int = 42
    batch_size: int = 4
    num_features: int = 3
    data: object = None
    eps: float = 1e-5
    momentum: object = 0.1
    ddof: int = 0

    def __post_init__(self):
        self._set("seed", check_int("seed", self.seed, low=0, high=2**32 - 1))
        # torch 2.13's batch_norm raises for eps = 0 in training mode.
        self._set("eps", check_real("eps", self.eps, low=0.0, low_inclusive=False, high=1.0))
        if self.momentum is not None:
            self._set(
                "momentum",
                check_real("momentum", self.momentum, low=0.0, high=1.0, low_inclusive=False),
            )
        self._set("ddof", check_choice("ddof", self.ddof, (0, 1)))

        if self.data is None:
            caps = limits.current()
            self._set("batch_size", check_int("batch_size", self.batch_size, low=1,
                                              high=caps.max_samples))
            self._set("num_features", check_int("num_features", self.num_features, low=1,
                                                high=caps.max_features))
            shape = (self.batch_size, self.num_features)
        else:
            array = parse_data(self.data)
            self._set("data", array.tolist())
            self._set("batch_size", array.shape[0])
            self._set("num_features", array.shape[1])
            shape = array.shape

        size = int(np.prod(shape))
        max_elements = limits.current().max_elements
        if size > max_elements:
            fields = "data" if self.data is not None else "batch_size × num_features"
            raise ConfigError(
                f"{fields} must have at most {max_elements} values, got {size} (shape {shape})"
            )
        values_per_feature = size // shape[1]
        if values_per_feature < 2:
            raise ConfigError(
                "batch_size must be >= 2 for an (N, C) input in training mode, got 1: "
                "one value per feature has no variance. Use more samples or an (N, C, L) input."
            )


def parse_data(data):
    """Return `data` (a nested list N×C or N×C×L, or text rows of numbers) as a float64 array.

    Text is read one row per line, numbers separated by commas or whitespace, or as a JSON
    nested list when it starts with "[". Ragged or non-numeric data raises `ConfigError` naming
    the row and column.
    """
    if isinstance(data, str):
        data = _parse_text_rows(check_text("data", data))
    if not isinstance(data, (list, tuple)) or not data:
        raise ConfigError("data must be a non-empty list of rows (N×C) or of N×C×L values")
    max_elements = limits.current().max_elements
    if len(data) > max_elements:
        raise ConfigError(f"data must have at most {max_elements} values, got {len(data)} rows")

    rows = []
    width = None
    for row_index, row in enumerate(data):
        if not isinstance(row, (list, tuple)):
            raise ConfigError(f"data row {row_index} must be a list of numbers, got {row!r}")
        if width is None:
            width = len(row)
        if len(row) != width or width == 0:
            raise ConfigError(
                f"data is ragged: row {row_index} has {len(row)} values, row 0 has {width}"
            )
        rows.append([_check_cell(cell, row_index, column) for column, cell in enumerate(row)])

    try:
        array = np.array(rows, dtype=np.float64)
    except ValueError:
        raise ConfigError("data is ragged: every channel must have the same length L") from None
    if array.ndim not in (2, 3):
        raise ConfigError(f"data must be 2-D (N×C) or 3-D (N×C×L), got {array.ndim}-D")
    return array


def _check_cell(cell, row_index, column):
    if isinstance(cell, (list, tuple)):
        for position, value in enumerate(cell):
            check_real(f"data row {row_index} column {column} position {position}", value)
        return list(cell)
    return check_real(f"data row {row_index} column {column}", cell)


def _parse_text_rows(text):
    text = text.strip()
    if text.startswith("["):
        import json

        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            raise ConfigError(f"data is not a valid JSON nested list: {error.msg}") from None

    rows = []
    for row_index, line in enumerate(line for line in text.splitlines() if line.strip()):
        cells = line.replace(",", " ").split()
        row = []
        for column, cell in enumerate(cells):
            try:
                row.append(float(cell))
            except ValueError:
                raise ConfigError(
                    f"data row {row_index} column {column} is not a number: {cell!r}"
                ) from None
        rows.append(row)
    return rows


def generate_data(config):
    """Return the input as float64: the config's data, or `rand(N, C)` from NumPy's legacy RNG.

    `RandomState(seed).rand` draws the same numbers as `np.random.seed(seed); np.random.rand`,
    without touching NumPy's global state (the app serves several users at once).
    """
    if config.data is not None:
        return np.array(config.data, dtype=np.float64)
    return np.random.RandomState(config.seed).rand(config.batch_size, config.num_features)


def standardize(x, ddof=0):
    """Standardize each feature of `x` (N, C) or (N, C, L) over N (and L), with no eps."""
    axes = (0,) if x.ndim == 2 else (0, 2)
    mean = x.mean(axis=axes, keepdims=True)
    std = x.std(axis=axes, ddof=ddof, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (x - mean) / std


def run(config, device="cpu"):
    """Run the experiment and return its results as a dict of arrays and numbers."""
    x = generate_data(config)
    axes = (0,) if x.ndim == 2 else (0, 2)

    manual = standardize(x, ddof=config.ddof)

    layer = torch.nn.BatchNorm1d(config.num_features, eps=config.eps, momentum=config.momentum)
    layer = layer.to(device).train()
    with torch.no_grad():
        batchnorm = layer(torch.tensor(x, dtype=torch.float32, device=device))
    batchnorm = batchnorm.cpu().double().numpy()

    # What BatchNorm computes, in float64: the biased variance plus eps.
    mean = x.mean(axis=axes, keepdims=True)
    var_biased = x.var(axis=axes, keepdims=True)
    expected = (x - mean) / np.sqrt(var_biased + config.eps)

    with np.errstate(invalid="ignore"):
        difference = np.abs(manual - batchnorm)
        eps_predicted = np.abs(manual - expected)

    return {
        "input": x,
        "manual": manual,
        "batchnorm": batchnorm,
        "max_abs_diff": _nanmax(difference),
        "eps_predicted_diff": _nanmax(eps_predicted),
        "float32_rounding": float(np.max(np.abs(batchnorm - expected))),
        "batch_mean": mean.ravel(),
        "batch_var": var_biased.ravel(),
        "batch_var_unbiased": x.var(axis=axes, ddof=1).ravel(),
        "constant_features": np.flatnonzero(var_biased.ravel() == 0).tolist(),
        "running_mean": layer.running_mean.cpu(),
        "running_var": layer.running_var.cpu(),
        "num_batches_tracked": int(layer.num_batches_tracked),
    }


def _nanmax(values):
    finite = values[np.isfinite(values)]
    return float(finite.max()) if finite.size else float("nan")


def run_record(config, device="cpu"):
    """Run the experiment and return its record."""
    start = time.perf_counter()
    results = run(config, device)
    return make_record(config, results, {"compute": time.perf_counter() - start})


def summarize(record):
    """Describe the record's key numbers in Markdown: the text alternative to its plots."""
    config = record["config"]
    results = record["results"]
    lines = [
        "**BatchNorm1d normalizes each feature (column) over the batch**, the same axis as the "
        "by-hand code. The notebook's explanation (it normalizes each row, so a transpose is "
        "needed) is wrong: a transpose would give different numbers.",
        "",
        f"- Largest |by hand − BatchNorm1d|: **{_fmt(results['max_abs_diff'])}**",
        f"- Difference that eps = {config['eps']:g} alone predicts: "
        f"**{_fmt(results['eps_predicted_diff'])}** (BatchNorm divides by √(var + eps))",
        f"- BatchNorm1d's float32 rounding against the exact float64 value: "
        f"{_fmt(results['float32_rounding'])}",
    ]
    if config["ddof"] == 1:
        lines.append(
            "- The by-hand std uses ddof = 1 (unbiased), BatchNorm's forward pass ddof = 0, "
            "which adds a factor √(N/(N−1)) to the difference."
        )
    if results["constant_features"]:
        lines.append(
            f"- Feature(s) {results['constant_features']} are constant: by hand divides 0 by 0 "
            "(shown as empty), BatchNorm1d returns 0 because eps keeps the divisor above 0."
        )
    lines += [
        "",
        f"After {results['num_batches_tracked']} training step(s) with momentum "
        f"{config['momentum']}:",
        f"- running_mean = {_fmt_list(results['running_mean'])} "
        f"(batch mean {_fmt_list(results['batch_mean'])})",
        f"- running_var = {_fmt_list(results['running_var'])}: torch stores the **unbiased** "
        f"batch variance {_fmt_list(results['batch_var_unbiased'])} here, not the biased "
        f"{_fmt_list(results['batch_var'])} it divides by.",
    ]
    return "\n".join(lines)


def _fmt(value):
    return "undefined" if value is None else f"{value:.3g}"


def _fmt_list(values):
    return "[" + ", ".join("nan" if v is None else f"{v:.4g}" for v in values) + "]"
