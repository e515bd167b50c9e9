"""Normalization: per-feature standardization by hand (NumPy) against `torch.nn.BatchNorm1d`.

Both normalize each feature (channel) over the batch, for an input of shape (N, C) or (N, C, L):

    y = weight · (x - mean) / sqrt(var + eps) + bias

with mean and var taken over N (and L) for each of the C features. BatchNorm1d uses the biased
variance (ddof=0) and adds `eps` to it; the by-hand version uses `ddof` and no eps. So the two
differ by about |y| * eps / (2 * var), not because one of them normalizes rows.

In training mode BatchNorm1d also updates its running statistics,

    running_mean <- (1 - momentum) * running_mean + momentum * batch_mean
    running_var  <- (1 - momentum) * running_var  + momentum * batch_var_unbiased

starting from 0 and 1, or a cumulative average over the batches seen when momentum is None.
Note that `running_var` tracks the unbiased variance (ddof=1) although the forward pass divides
by the biased one. In eval mode the layer normalizes with the running statistics instead.

The run also checks the from-scratch BatchNorm of `lib.batchnorm` against torch in float64.
"""

import dataclasses
import time

import numpy as np
import torch

from lib import batchnorm as scratch
from lib import limits
from lib.config import Config
from lib.normalization_data import DISTRIBUTIONS, generate_data, parse_data
from lib.normalization_summary import summarize
from lib.records import make_record
from lib.validation import (ConfigError, check_bool, check_choice, check_int, check_real,
                            check_real_list)

__all__ = ["NormalizationConfig", "generate_data", "parse_data", "run", "run_record",
           "standardize", "summarize", "torch_eps"]

# torch 2.13's batch_norm raises "batch_norm eps must be positive during training" for eps=0.
# For eps=0 the layer gets the smallest normal float64 instead. Added to any nonzero float32
# variance it changes nothing, in float32 or float64 arithmetic, so the layer computes
# (x - mean) / sqrt(var) as with eps=0, and a constant feature gives 0/0 = nan as by hand.
SMALLEST_TORCH_EPS = float(np.finfo(np.float64).tiny)

# The from-scratch BatchNorm must match torch in float64 to this absolute error.
FROM_SCRATCH_TOLERANCE = 1e-10


@dataclasses.dataclass(frozen=True)
class NormalizationConfig(Config):
    """Inputs of the normalization experiment; the defaults are the course notebook's.

    `weight` (γ) and `bias` (β) are one number for every feature or a list of C numbers.
    `train_steps` is the number of training-mode forward passes on the batch before the layer
    is switched to eval mode; 0 leaves a fresh layer (running_mean 0, running_var 1).
    """

    experiment = "normalization"

    seed: int = 42
    batch_size: int = 4
    num_features: int = 3
    data: object = None
    eps: float = 1e-5
    momentum: object = 0.1
    ddof: int = 0
    length: object = None
    distribution: str = "uniform"
    affine: bool = True
    weight: object = 1.0
    bias: object = 0.0
    train_steps: int = 1

    def __post_init__(self):
        caps = limits.current()
        self._set("seed", check_int("seed", self.seed, low=0, high=2**32 - 1))
        self._set("eps", check_real("eps", self.eps))
        if not 0.0 <= self.eps <= 1.0:
            raise ConfigError(f"eps must be > 0 (or exactly 0 for no eps) and <= 1, "
                              f"got {self.eps:g}")
        if self.momentum is not None:
            self._set(
                "momentum",
                check_real("momentum", self.momentum, low=0.0, high=1.0, low_inclusive=False),
            )
        self._set("ddof", check_choice("ddof", self.ddof, (0, 1)))
        self._set("distribution", check_choice("distribution", self.distribution, DISTRIBUTIONS))
        self._set("affine", check_bool("affine", self.affine))
        self._set("train_steps", check_int("train_steps", self.train_steps, low=0,
                                           high=caps.max_iterations))

        if self.data is None:
            self._set("batch_size", check_int("batch_size", self.batch_size, low=1,
                                              high=caps.max_samples))
            self._set("num_features", check_int("num_features", self.num_features, low=1,
                                                high=caps.max_features))
            if self.length is not None:
                self._set("length", check_int("length", self.length, low=1,
                                              high=caps.max_samples))
            shape = (self.batch_size, self.num_features)
            if self.length is not None:
                shape += (self.length,)
        else:
            array = parse_data(self.data)
            self._set("data", array.tolist())
            self._set("batch_size", array.shape[0])
            self._set("num_features", array.shape[1])
            self._set("length", array.shape[2] if array.ndim == 3 else None)
            shape = array.shape

        self._check_size(shape, caps)
        self._set("weight", self._check_affine_value("weight", self.weight, 1.0))
        self._set("bias", self._check_affine_value("bias", self.bias, 0.0))

    def _check_size(self, shape, caps):
        size = int(np.prod(shape))
        if size > caps.max_batch_values:
            raise ConfigError(
                f"data must have at most {caps.max_batch_values} values, got {size} (shape {shape})"
            )
        history = (self.train_steps + 1) * shape[1]
        if history > caps.max_batch_values:
            raise ConfigError(
                f"(train_steps + 1) · num_features must be at most {caps.max_batch_values} (the "
                f"running statistics are recorded after every step), got {history}"
            )
        values_per_feature = size // shape[1]
        if values_per_feature < 2 and self.train_steps > 0:
            raise ConfigError(
                f"batch_size must be >= 2 for an input of shape {tuple(shape)} in training mode, "
                f"got {shape[0]}: one value per feature has no variance, so BatchNorm1d cannot "
                "normalize it (torch raises 'Expected more than 1 value per channel when "
                "training'). Use more samples, an (N, C, L) input with L >= 2, or train_steps = 0 "
                "to run the fresh layer in eval mode only."
            )

    def _check_affine_value(self, name, value, identity):
        """Return one float, or a tuple of C floats; reject a non-identity value without affine."""
        if isinstance(value, (list, tuple, str)):
            values = check_real_list(name, value, max_length=self.num_features)
            if len(values) not in (1, self.num_features):
                raise ConfigError(f"{name} must be one number or {self.num_features} numbers "
                                  f"(one per feature), got {len(values)}")
            value = values[0] if len(values) == 1 else values
        else:
            value = check_real(name, value)
        if not self.affine and value != identity:
            raise ConfigError(f"{name} must be {identity:g} when affine is false (the layer has "
                              f"no {name}), got {value}")
        return value


def torch_eps(eps):
    """Return the eps handed to torch: `eps`, or SMALLEST_TORCH_EPS for eps = 0."""
    return eps if eps > 0 else SMALLEST_TORCH_EPS


def standardize(x, ddof=0, axes=None):
    """Standardize each feature of `x` (N, C) or (N, C, L) over N (and L), with no eps.

    `axes` overrides the axes the statistics are taken over, e.g. (-1,) for each row.
    A constant feature gives 0/0 = nan.
    """
    if axes is None:
        axes = _feature_axes(x)
    mean = x.mean(axis=axes, keepdims=True)
    std = x.std(axis=axes, ddof=ddof, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (x - mean) / std


def _feature_axes(x):
    return (0,) if x.ndim == 2 else (0, 2)


def _per_feature_view(values, x):
    """Reshape (C,) values to broadcast against x: (1, C) or (1, C, 1)."""
    return np.reshape(values, (1, -1) if x.ndim == 2 else (1, -1, 1))


def _affine_vectors(config):
    """Return γ and β as (C,) float64 arrays, or (None, None) without an affine transform."""
    if not config.affine:
        return None, None
    weight = np.broadcast_to(np.asarray(config.weight, dtype=np.float64), (config.num_features,))
    bias = np.broadcast_to(np.asarray(config.bias, dtype=np.float64), (config.num_features,))
    return weight.copy(), bias.copy()


def _new_layer(config, dtype):
    layer = torch.nn.BatchNorm1d(config.num_features, eps=torch_eps(config.eps),
                                 momentum=config.momentum, affine=config.affine, dtype=dtype)
    weight, bias = _affine_vectors(config)
    if weight is not None:
        with torch.no_grad():
            layer.weight.copy_(torch.from_numpy(weight))
            layer.bias.copy_(torch.from_numpy(bias))
    return layer


def _nanmax(values):
    finite = values[np.isfinite(values)]
    return float(finite.max()) if finite.size else float("nan")


def _max_abs_error(actual, expected):
    """Return max |actual − expected|, counting nan in both at the same place as equal."""
    actual = np.asarray(actual, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    both_nan = np.isnan(actual) & np.isnan(expected)
    with np.errstate(invalid="ignore"):
        error = np.where(both_nan, 0.0, np.abs(actual - expected))
    error = np.where(np.isnan(error), np.inf, error)
    return float(error.max()) if error.size else 0.0


def run(config, device="cpu"):
    """Run the experiment and return its results as a dict of arrays and numbers.

    The training-mode keys are None when a feature has a single value in the batch (possible
    only with train_steps = 0), because batch statistics are then undefined.
    """
    x = generate_data(config)
    axes = _feature_axes(x)
    count = x.size // x.shape[1]

    mean = x.mean(axis=axes)
    var_biased = x.var(axis=axes)
    results = {
        "input": x,
        "torch_eps": torch_eps(config.eps),
        "batch_mean": mean,
        "batch_var": var_biased,
        "batch_var_unbiased": x.var(axis=axes, ddof=1) if count > 1 else None,
        "constant_features": np.flatnonzero(var_biased == 0).tolist(),
    }
    if count > 1:
        results.update(_training_mode(x, config, device))
        results.update(_which_axis(x, config, results["batchnorm_normalized"]))
        results["from_scratch_check"] = check_from_scratch(x, config)
    results.update(_running_stats_and_eval(x, config, device, results.get("batchnorm")))
    return results


def _training_mode(x, config, device):
    """Compare by hand, BatchNorm1d (float32, training mode) and the from-scratch BatchNorm."""
    axes = _feature_axes(x)
    weight, bias = _affine_vectors(config)
    gamma = 1.0 if weight is None else _per_feature_view(weight, x)
    beta = 0.0 if bias is None else _per_feature_view(bias, x)

    manual = gamma * standardize(x, ddof=config.ddof) + beta

    layer = _new_layer(config, torch.float32).to(device).train()
    x32 = torch.tensor(x, dtype=torch.float32, device=device)
    with torch.no_grad():
        batchnorm = layer(x32).cpu().double().numpy()
        normalized = torch.nn.functional.batch_norm(
            x32, None, None, training=True, eps=torch_eps(config.eps)).cpu().double().numpy()

    # What BatchNorm computes, in float64: the biased variance plus eps.
    mean = x.mean(axis=axes, keepdims=True)
    var_biased = x.var(axis=axes, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = gamma * (x - mean) / np.sqrt(var_biased + config.eps) + beta
    from_scratch = _from_scratch_output(x, config)

    with np.errstate(invalid="ignore"):
        difference = np.abs(manual - batchnorm)
        eps_predicted = np.abs(manual - expected)
    return {
        "manual": manual,
        "batchnorm": batchnorm,
        "batchnorm_normalized": normalized,
        "from_scratch": from_scratch,
        "max_abs_diff": _nanmax(difference),
        "eps_predicted_diff": _nanmax(eps_predicted),
        "float32_rounding": _nanmax(np.abs(batchnorm - expected)),
        "from_scratch_max_abs_diff": _max_abs_error(from_scratch, batchnorm),
    }


def _from_scratch_output(x, config):
    weight, bias = _affine_vectors(config)
    with np.errstate(divide="ignore", invalid="ignore"):
        y, _ = scratch.forward(torch.from_numpy(x),
                               None if weight is None else torch.from_numpy(weight),
                               None if bias is None else torch.from_numpy(bias), eps=config.eps)
    return y.numpy()


def _which_axis(x, config, batchnorm_normalized):
    """Per-feature statistics of BatchNorm's output beside normalizing rows or LayerNorm.

    Row-wise is the course notebook's claim: statistics over the last axis (each row of an
    (N, C) input, each channel's L values of an (N, C, L) input), with `ddof` and no eps.
    LayerNorm normalizes each sample over all its C (·L) values with the biased variance + eps.
    Statistics are taken before γ and β, so BatchNorm's are mean 0 and std 1 per feature.
    """
    axes = _feature_axes(x)
    row_normalized = standardize(x, ddof=config.ddof, axes=(-1,))
    layer_norm = torch.nn.functional.layer_norm(torch.from_numpy(x), x.shape[1:],
                                                eps=config.eps).numpy()

    def feature_stats(values):
        with np.errstate(invalid="ignore"):
            return values.mean(axis=axes), values.std(axis=axes)

    results = {"row_normalized": row_normalized, "layer_norm": layer_norm}
    for name, values in (("batchnorm", batchnorm_normalized), ("row", row_normalized),
                         ("layer_norm", layer_norm)):
        results[f"{name}_feature_mean"], results[f"{name}_feature_std"] = feature_stats(values)
    with np.errstate(invalid="ignore"):
        results["row_max_abs_diff"] = _nanmax(np.abs(row_normalized - batchnorm_normalized))
        results["layer_norm_max_abs_diff"] = _nanmax(np.abs(layer_norm - batchnorm_normalized))
    return results


def check_from_scratch(x, config):
    """Compare `lib.batchnorm` with BatchNorm1d in float64: output and the three gradients.

    Both get the loss Σ y · g for a fixed upstream gradient g drawn from the seed. Returns the
    max absolute error of each quantity (None without an affine transform for the weight and
    bias gradients), the tolerance and whether every error is within it.
    """
    weight, bias = _affine_vectors(config)
    grad_output = torch.from_numpy(np.random.default_rng([config.seed, 1]).standard_normal(
        x.shape))

    layer = _new_layer(config, torch.float64).train()
    x_torch = torch.tensor(x, requires_grad=True)
    (layer(x_torch) * grad_output).sum().backward()
    with torch.no_grad():
        y_torch = layer(x_torch)

    with np.errstate(divide="ignore", invalid="ignore"):
        y, cache = scratch.forward(torch.from_numpy(x),
                                   None if weight is None else torch.from_numpy(weight),
                                   None if bias is None else torch.from_numpy(bias),
                                   eps=config.eps)
        grad_input, grad_weight, grad_bias = scratch.backward(grad_output, cache)

    errors = {"output": _max_abs_error(y, y_torch), "grad_input": _max_abs_error(
        grad_input, x_torch.grad)}
    if config.affine:
        errors["grad_weight"] = _max_abs_error(grad_weight, layer.weight.grad)
        errors["grad_bias"] = _max_abs_error(grad_bias, layer.bias.grad)
    else:
        errors["grad_weight"] = errors["grad_bias"] = None
    checked = [error for error in errors.values() if error is not None]
    return {**errors, "tolerance": FROM_SCRATCH_TOLERANCE,
            "passed": all(error <= FROM_SCRATCH_TOLERANCE for error in checked)}


def running_stats_history(layer, batches):
    """Run `layer` in training mode on each batch; return its running statistics after each.

    Returns a dict with `running_mean` and `running_var` of shape (steps + 1, C) and
    `num_batches_tracked` (steps + 1,), each starting with the state before the first batch.
    `momentum_factors` is the weight each step gave its batch: `momentum`, or 1/t for the
    cumulative average.
    """
    layer.train()
    means = [layer.running_mean.detach().cpu().double().clone()]
    variances = [layer.running_var.detach().cpu().double().clone()]
    tracked = [int(layer.num_batches_tracked)]
    factors = []
    with torch.no_grad():
        for batch in batches:
            layer(batch)
            means.append(layer.running_mean.detach().cpu().double().clone())
            variances.append(layer.running_var.detach().cpu().double().clone())
            tracked.append(int(layer.num_batches_tracked))
            factors.append(scratch.momentum_factor(layer.momentum, tracked[-1]))
    return {"running_mean": torch.stack(means).numpy(), "running_var": torch.stack(variances)
            .numpy(), "num_batches_tracked": tracked, "momentum_factors": factors}


def _running_stats_and_eval(x, config, device, training_output):
    """Train the layer `train_steps` times on the batch, then run it in eval mode on it."""
    layer = _new_layer(config, torch.float32).to(device)
    x32 = torch.tensor(x, dtype=torch.float32, device=device)
    history = running_stats_history(layer, [x32] * config.train_steps)

    layer.eval()
    with torch.no_grad():
        eval_output = layer(x32).cpu().double().numpy()

    running_mean = history["running_mean"][-1]
    running_var = history["running_var"][-1]
    weight, bias = _affine_vectors(config)
    eval_expected = scratch.eval_forward(
        torch.from_numpy(x), torch.from_numpy(running_mean), torch.from_numpy(running_var),
        None if weight is None else torch.from_numpy(weight),
        None if bias is None else torch.from_numpy(bias), eps=config.eps).numpy()

    results = {
        "running_mean": running_mean,
        "running_var": running_var,
        "num_batches_tracked": history["num_batches_tracked"][-1],
        "running_mean_history": history["running_mean"],
        "running_var_history": history["running_var"],
        "num_batches_tracked_history": history["num_batches_tracked"],
        "momentum_factors": history["momentum_factors"],
        "eval_output": eval_output,
        "eval_from_running_stats_max_abs_diff": _max_abs_error(eval_output, eval_expected),
        "eval_max_abs_diff": None,
    }
    if training_output is not None:
        # Per feature, x_hat_eval = scale · x_hat_train + shift, and the outputs are γ·x_hat + β.
        axes = _feature_axes(x)
        var_biased = x.var(axis=axes)
        with np.errstate(divide="ignore", invalid="ignore"):
            results["eval_scale"] = np.sqrt((var_biased + config.eps)
                                            / (running_var + config.eps))
            results["eval_shift"] = ((x.mean(axis=axes) - running_mean)
                                     / np.sqrt(running_var + config.eps))
            results["eval_max_abs_diff"] = _nanmax(np.abs(eval_output - training_output))
    return results


def run_record(config, device="cpu"):
    """Run the experiment and return its record."""
    start = time.perf_counter()
    results = run(config, device)
    return make_record(config, results, {"compute": time.perf_counter() - start})
