"""Learning rate and BatchNorm: the same small MLP trained with and without BatchNorm at many rates.

Task (fixed by `seed`): z ~ N(0, I) with `num_features` features, inputs x = z·s with feature
scales s spaced evenly in log from 1 to `feature_scale`, and targets
y = tanh(z·A)·c + 0.1·ε from a random teacher (A (F, 4) with N(0, 1/F) entries, c and ε
standard normal). The student sees the unscaled x, as raw data would arrive.

Model: Linear(F, H) → [BatchNorm1d(H)] → ReLU → Linear(H, H) → [BatchNorm1d(H)] → ReLU →
Linear(H, 1), with H = `hidden_units`, trained on the mean squared error with mini-batches.
Both variants start from the same Linear weights (torch's default init: U(−1/√fan_in,
1/√fan_in) for weight and bias); BatchNorm starts at weight 1, bias 0 and normalizes with the
batch's biased variance and eps = 1e-5, as BatchNorm1d does in training mode.

All K rates of a variant train at once (`lib.lr_batched`): weights are stacked to (K, in, out)
and each layer is one batched matrix product. The loss recorded per epoch is the mean of that
epoch's mini-batch losses.
"""

import dataclasses
import math
import time
from collections import Counter

import numpy as np
import torch

from lib import limits, lr_rates
from lib.config import Config
from lib.lr_batched import OPTIMIZERS, StackedOptimizer, fit
from lib.lr_labels import label_run, label_text
from lib.lr_linear_problem import DTYPES
from lib.records import make_record
from lib.validation import ConfigError, check_choice, check_int, check_real

BATCHNORM_EPS = 1e-5
TEACHER_WIDTH = 4
NOISE = 0.1


@dataclasses.dataclass(frozen=True)
class BatchNormSweepConfig(Config):
    """Inputs of the BatchNorm learning-rate sweep."""

    experiment = "lr_batchnorm"

    seed: int = 0
    num_samples: int = 512
    num_features: int = 8
    feature_scale: float = 100.0
    hidden_units: int = 64
    learning_rates: object = dataclasses.field(
        default_factory=lambda: {"low": 1e-3, "high": 10.0, "count": 10, "scale": "log"})
    epochs: int = 20
    batch_size: int = 64
    optimizer: str = "sgd"
    momentum: float = 0.0
    dtype: str = "float32"

    def __post_init__(self):
        caps = limits.current()
        self._set("seed", check_int("seed", self.seed, low=0, high=2**63 - 1))
        self._set("num_samples", check_int("num_samples", self.num_samples, low=2,
                                           high=caps.max_samples))
        self._set("num_features", check_int("num_features", self.num_features, low=1,
                                            high=caps.max_features))
        self._set("feature_scale", check_real("feature_scale", self.feature_scale, low=1.0,
                                              high=1e6))
        self._set("hidden_units", check_int("hidden_units", self.hidden_units, low=1,
                                            high=caps.max_hidden_units))
        self._set("learning_rates", lr_rates.check_learning_rates(
            "learning_rates", self.learning_rates, max_count=caps.max_learning_rates))
        self._set("epochs", check_int("epochs", self.epochs, low=1, high=caps.max_iterations))
        self._set("batch_size", check_int("batch_size", self.batch_size, low=2,
                                          high=self.num_samples))
        if self.num_samples % self.batch_size == 1:
            raise ConfigError(
                f"num_samples % batch_size must not be 1 (BatchNorm needs 2 or more samples in "
                f"every batch), got {self.num_samples} % {self.batch_size} = 1"
            )
        self._set("optimizer", check_choice("optimizer", self.optimizer, OPTIMIZERS))
        self._set("momentum", check_real("momentum", self.momentum, low=0.0, high=1.0,
                                         high_inclusive=False))
        if self.optimizer == "adam" and self.momentum != 0:
            raise ConfigError("momentum must be 0 with optimizer 'adam', whose moment rates are "
                              f"fixed at betas=(0.9, 0.999), got {self.momentum:g}")
        self._set("dtype", check_choice("dtype", self.dtype, tuple(DTYPES)))

        count = lr_rates.expand(self.learning_rates).size
        steps = self.epochs * -(-self.num_samples // self.batch_size)
        work = 2 * count * self.num_samples * self.epochs * parameter_count(
            self.num_features, self.hidden_units)
        if work > caps.max_network_work:
            raise ConfigError(
                f"2 variants × learning rates × samples × epochs × parameters must be <= "
                f"{caps.max_network_work}, got {work}; use fewer rates, samples, epochs or "
                "hidden units"
            )
        if 2 * steps > caps.max_network_steps:
            raise ConfigError(f"2 variants × epochs × mini-batches per epoch must be <= "
                              f"{caps.max_network_steps}, got {2 * steps}; use fewer epochs or "
                              "a larger batch_size")


def parameter_count(num_features, hidden_units):
    """Return the number of Linear parameters of the MLP (BatchNorm adds 4·H more)."""
    return (num_features + 1) * hidden_units + (hidden_units + 1) * hidden_units + hidden_units + 1


def make_task(seed, num_samples, num_features, feature_scale, dtype=torch.float32):
    """Return inputs x (n, F), targets y (n,) and the feature scales s (F,)."""
    generator = torch.Generator().manual_seed(seed)
    z = torch.randn(num_samples, num_features, generator=generator, dtype=torch.float64)
    teacher = torch.randn(num_features, TEACHER_WIDTH, generator=generator,
                          dtype=torch.float64) / math.sqrt(num_features)
    readout = torch.randn(TEACHER_WIDTH, generator=generator, dtype=torch.float64)
    noise = torch.randn(num_samples, generator=generator, dtype=torch.float64)
    scales = torch.logspace(0.0, math.log10(feature_scale), num_features, dtype=torch.float64)
    y = torch.tanh(z @ teacher) @ readout + NOISE * noise
    return (z * scales).to(dtype), y.to(dtype), scales


def initial_layers(seed, num_features, hidden_units, dtype=torch.float32):
    """Return [(weight (in, out), bias (out,))] of the three Linear layers, torch's default init."""
    generator = torch.Generator().manual_seed(seed + 1)
    layers = []
    for fan_in, fan_out in ((num_features, hidden_units), (hidden_units, hidden_units),
                            (hidden_units, 1)):
        bound = 1.0 / math.sqrt(fan_in)
        weight = torch.empty(fan_in, fan_out, dtype=dtype).uniform_(-bound, bound,
                                                                     generator=generator)
        bias = torch.empty(fan_out, dtype=dtype).uniform_(-bound, bound, generator=generator)
        layers.append((weight, bias))
    return layers


def stacked_mlp(layers, count, batchnorm, device="cpu"):
    """Return the MLP's parameters stacked for `count` models, each a leaf tensor.

    Order: W1, b1, [γ1, β1], W2, b2, [γ2, β2], W3, b3, with W (K, in, out), the rest (K, size).
    """
    params = []
    for index, (weight, bias) in enumerate(layers):
        params.append(weight.to(device).expand(count, -1, -1).clone())
        params.append(bias.to(device).expand(count, -1).clone())
        if batchnorm and index < 2:
            size = bias.numel()
            params.append(torch.ones(count, size, dtype=bias.dtype, device=device))
            params.append(torch.zeros(count, size, dtype=bias.dtype, device=device))
    return [param.requires_grad_() for param in params]


def mlp_forward(params, x, batchnorm):
    """Return the K models' predictions (K, B) for inputs x (B, F)."""
    step = 4 if batchnorm else 2
    hidden = x
    for layer in range(2):
        weight, bias = params[layer * step], params[layer * step + 1]
        # (B, F) @ (K, F, H) broadcasts to (K, B, H); then (K, B, H) @ (K, H, H).
        hidden = torch.matmul(hidden, weight) + bias[:, None, :]
        if batchnorm:
            scale, shift = params[layer * step + 2], params[layer * step + 3]
            centered = hidden - hidden.mean(dim=1, keepdim=True)
            var = (centered * centered).mean(dim=1, keepdim=True)  # biased, as BatchNorm1d
            hidden = centered / torch.sqrt(var + BATCHNORM_EPS)
            hidden = hidden * scale[:, None, :] + shift[:, None, :]
        hidden = torch.relu(hidden)
    weight, bias = params[-2], params[-1]
    return (torch.bmm(hidden, weight) + bias[:, None, :]).squeeze(2)  # (K, B)


def train_variant(config, batchnorm, x, y, learning_rates, device, progress_text):
    """Train one variant at every rate.

    Returns losses (epochs, K), diverged (K,), zigzag (K,) and the loss before training, on all
    the data (BatchNorm then normalizes with the statistics of all samples).
    """
    layers = initial_layers(config.seed, config.num_features, config.hidden_units, x.dtype)
    params = stacked_mlp(layers, learning_rates.size, batchnorm, device)
    lr = torch.tensor(learning_rates, dtype=x.dtype, device=device)
    optimizer = StackedOptimizer(params, lr, config.optimizer, config.momentum)

    def loss_fn(inputs, targets):
        error = mlp_forward(params, inputs, batchnorm) - targets[None, :]
        return (error * error).mean(dim=1)

    with torch.no_grad():
        initial_loss = float(loss_fn(x, y)[0])
    generator = torch.Generator().manual_seed(config.seed)
    outcome = fit(loss_fn, optimizer, x, y, epochs=config.epochs, batch_size=config.batch_size,
                  generator=generator, progress_text=progress_text)
    return outcome["losses"], outcome["diverged_at_epoch"], outcome["zigzag"], initial_loss


def run(config, device="cpu"):
    """Train both variants at every rate and return the two sweeps."""
    dtype = DTYPES[config.dtype]
    x, y, scales = make_task(config.seed, config.num_samples, config.num_features,
                             config.feature_scale, dtype)
    x, y = x.to(device), y.to(device)
    learning_rates = lr_rates.expand(config.learning_rates)

    sweeps = {}
    for name, batchnorm in (("plain", False), ("batchnorm", True)):
        losses, diverged, zigzag, initial_loss = train_variant(
            config, batchnorm, x, y, learning_rates, device,
            f"{'with' if batchnorm else 'without'} BatchNorm")
        sweeps[name] = _describe_sweep(losses, diverged, zigzag, learning_rates, initial_loss)

    target_variance = float(y.double().var(correction=0))
    return {
        **sweeps,
        "target_variance": target_variance,
        "feature_scales": scales,
        "parameters_per_model": parameter_count(config.num_features, config.hidden_units),
        "comparison": _compare(sweeps, target_variance),
    }


def _describe_sweep(losses, diverged, zigzag, learning_rates, initial_loss):
    losses = losses.detach().cpu().double().numpy()
    runs = []
    for column, lr in enumerate(learning_rates.tolist()):
        curve = losses[:, column]
        label, epoch = label_run(curve.tolist(), zigzag=bool(zigzag[column]),
                                 initial_loss=initial_loss)
        runs.append({
            "lr": lr,
            "losses": curve,
            "final_loss": curve[-1],
            "diverged_at_epoch": None if int(diverged[column]) < 0 else int(diverged[column]),
            "label": label,
            "label_epoch": epoch,
            "outcome": label_text(label, epoch),
        })
    return {"runs": runs, "initial_loss": initial_loss,
            "label_counts": dict(Counter(entry["label"] for entry in runs))}


def _compare(sweeps, target_variance):
    """Return, per variant, the largest rate that did not diverge and the usable range.

    A rate is usable when its run neither diverged nor ended above half the target variance
    (the loss of predicting the mean is the variance, so usable means R² >= 0.5).
    """
    comparison = {}
    for name, sweep in sweeps.items():
        stable = [entry for entry in sweep["runs"]
                  if entry["label"] not in ("diverged", "diverging")]
        usable = [entry["lr"] for entry in stable
                  if entry["final_loss"] is not None and np.isfinite(entry["final_loss"])
                  and entry["final_loss"] <= 0.5 * target_variance]
        best = min(stable, key=lambda entry: entry["final_loss"], default=None)
        comparison[name] = {
            "largest_stable_lr": max((entry["lr"] for entry in stable), default=None),
            "usable_low": min(usable, default=None),
            "usable_high": max(usable, default=None),
            "usable_count": len(usable),
            "best_lr": best["lr"] if best else None,
            "best_loss": best["final_loss"] if best else None,
        }
    return comparison


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
        f"MLP {config['num_features']} → {config['hidden_units']} → {config['hidden_units']} → 1 "
        f"({results['parameters_per_model']} Linear parameters), {config['epochs']} epochs of "
        f"{config['optimizer']} with mini-batches of {config['batch_size']}, on "
        f"{config['num_samples']} samples whose feature scales run from 1 to "
        f"{config['feature_scale']:g}. The target variance (the loss of predicting the mean) "
        f"is {results['target_variance']:.4g}.",
        "",
        "**Final loss against lr, with and without BatchNorm** (left plot):",
        "",
        "| variant | largest rate that did not diverge | usable range (loss ≤ half the "
        "variance) | best final loss (at lr) |",
        "|---|---:|---|---:|",
    ]
    for name, title in (("plain", "without BatchNorm"), ("batchnorm", "with BatchNorm")):
        item = results["comparison"][name]
        usable = ("none" if item["usable_count"] == 0 else
                  f"{item['usable_low']:.3g} to {item['usable_high']:.3g} "
                  f"({item['usable_count']} rates)")
        best = ("none" if item["best_loss"] is None
                else f"{item['best_loss']:.4g} (lr {item['best_lr']:.3g})")
        lines.append(f"| {title} | {_fmt(item['largest_stable_lr'])} | {usable} | {best} |")

    lines += ["", _shift_sentence(results)]
    lines += ["", "**Loss per epoch** (right plot), labels per rate:", ""]
    for name, title in (("plain", "without BatchNorm"), ("batchnorm", "with BatchNorm")):
        outcomes = "; ".join(f"{entry['lr']:.3g}: {entry['outcome']}"
                             for entry in results[name]["runs"][:24])
        lines.append(f"- {title}: {outcomes}")
    return "\n".join(lines)


def _shift_sentence(results):
    """Say how far BatchNorm moved the largest stable rate, with the grid's resolution."""
    rates = sorted(entry["lr"] for entry in results["plain"]["runs"])
    plain = results["comparison"]["plain"]["largest_stable_lr"]
    normed = results["comparison"]["batchnorm"]["largest_stable_lr"]
    if plain is None or normed is None:
        return "At least one variant diverged at every rate, so no shift can be read off."

    def next_rate(rate):
        return next((other for other in rates if other > rate), None)

    ratio = normed / plain
    low = normed / next_rate(plain) if next_rate(plain) else None
    high = next_rate(normed) / plain if next_rate(normed) else None
    bounds = (f" The grid is coarse: the true factor lies between {low:.3g} and {high:.3g}."
              if low is not None and high is not None else "")
    return (f"BatchNorm moved the largest non-diverging rate from {plain:.3g} to {normed:.3g}, a "
            f"factor of **{ratio:.3g}** on this task and grid of rates.{bounds}")


def _fmt(value):
    return "none" if value is None else f"{value:.3g}"
