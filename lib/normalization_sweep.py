"""The normalization sweep: by hand vs BatchNorm1d over batch sizes, feature counts and dtypes.

For every (N, C, dtype) it records how far BatchNorm1d (training mode, in that dtype) is from
the float64 by-hand standardization, beside the difference that eps alone predicts. What eps
does not explain is the dtype's rounding. At the largest size it times one forward pass of by hand (NumPy, CPU),
torch's BatchNorm1d and the from-scratch BatchNorm of `lib.batchnorm`.
"""

import dataclasses
import statistics
import time

import numpy as np
import torch

from lib import batchnorm as scratch
from lib import limits
from lib.config import Config
from lib.normalization import standardize, torch_eps
from lib.records import make_record
from lib.validation import ConfigError, check_choice, check_int, check_real

DTYPES = {"float32": torch.float32, "float64": torch.float64, "bfloat16": torch.bfloat16}
# bfloat16 runs only on CUDA: on CPU it is slow and not how the format is used in practice.
CUDA_ONLY_DTYPES = ("bfloat16",)


def _check_int_list(name, values, low, high):
    if not isinstance(values, (list, tuple)) or not values:
        raise ConfigError(f"{name} must be a non-empty list of integers, got {values!r}")
    return tuple(check_int(f"{name}[{i}]", value, low=low, high=high)
                 for i, value in enumerate(values))


@dataclasses.dataclass(frozen=True)
class NormalizationSweepConfig(Config):
    """Inputs of the sweep: the grid, eps, and the number of timed repeats per forward pass."""

    experiment = "normalization_sweep"

    seed: int = 42
    batch_sizes: tuple = (2, 4, 16, 256, 4096)
    feature_counts: tuple = (3, 64, 1024)
    dtypes: tuple = ("float32", "float64", "bfloat16")
    eps: float = 1e-5
    repeats: int = 10

    def __post_init__(self):
        caps = limits.current()
        self._set("seed", check_int("seed", self.seed, low=0, high=2**32 - 1))
        self._set("batch_sizes", _check_int_list("batch_sizes", self.batch_sizes, 2,
                                                 caps.max_samples))
        self._set("feature_counts", _check_int_list("feature_counts", self.feature_counts, 1,
                                                    caps.max_features))
        if not isinstance(self.dtypes, (list, tuple)) or not self.dtypes:
            raise ConfigError(f"dtypes must be a non-empty list, got {self.dtypes!r}")
        self._set("dtypes", tuple(check_choice(f"dtypes[{i}]", dtype, tuple(DTYPES))
                                  for i, dtype in enumerate(self.dtypes)))
        self._set("eps", check_real("eps", self.eps, low=0.0, high=1.0))
        self._set("repeats", check_int("repeats", self.repeats, low=1, high=1000))

        largest = max(self.batch_sizes) * max(self.feature_counts)
        if largest > caps.max_batch_values:
            raise ConfigError(f"the largest batch must have at most {caps.max_batch_values} values, "
                              f"got {largest}")


def compare(x, dtype, eps, device="cpu"):
    """Return max |by hand − BatchNorm1d| and its eps prediction for x (N, C), float64.

    By hand is float64 with no eps; BatchNorm1d runs in `dtype` on `device`; the prediction is
    max |by hand − exact float64 BatchNorm with eps|, and `rounding` is BatchNorm1d's distance
    from that exact value.
    """
    manual = standardize(x)
    layer = torch.nn.BatchNorm1d(x.shape[1], eps=torch_eps(eps), dtype=dtype, device=device)
    with torch.no_grad():
        batchnorm = layer(torch.tensor(x, dtype=dtype, device=device)).double().cpu().numpy()
    with np.errstate(divide="ignore", invalid="ignore"):
        expected = (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + eps)
        return {
            "max_abs_diff": float(np.nanmax(np.abs(manual - batchnorm))),
            "eps_predicted_diff": float(np.nanmax(np.abs(manual - expected))),
            "rounding": float(np.nanmax(np.abs(batchnorm - expected))),
        }


def time_forward_passes(x, dtype, eps, device="cpu", repeats=10):
    """Time one forward pass of by hand, BatchNorm1d and from scratch; return seconds per repeat.

    Each is run once to warm up and then `repeats` times; CUDA work is synchronized before each
    clock reading. By hand is NumPy on the CPU in `dtype` (None for bfloat16, which NumPy
    lacks). BatchNorm1d and from scratch run in training mode on `device`.
    """
    layer = torch.nn.BatchNorm1d(x.shape[1], eps=torch_eps(eps), dtype=dtype, device=device)
    x_torch = torch.tensor(x, dtype=dtype, device=device)
    weight, bias = layer.weight.detach(), layer.bias.detach()

    def by_hand():
        standardize(x_numpy)

    def with_torch():
        with torch.no_grad():
            layer(x_torch)

    def from_scratch():
        scratch.forward(x_torch, weight, bias, eps=eps)

    timed = {"torch": with_torch, "from_scratch": from_scratch}
    if dtype != torch.bfloat16:
        x_numpy = x.astype(np.float32 if dtype == torch.float32 else np.float64)
        timed["by_hand"] = by_hand
    times = {"by_hand": None}
    for name, function in timed.items():
        times[name] = _time(function, device, repeats)
    return times


def _time(function, device, repeats):
    synchronize = torch.cuda.synchronize if str(device).startswith("cuda") else (lambda: None)
    function()
    synchronize()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        synchronize()
        times.append(time.perf_counter() - start)
    return times


def run(config, device="cpu"):
    """Run the sweep; return the grid's points, the dtypes skipped and the timings."""
    generator = np.random.RandomState(config.seed)
    points = []
    skipped = []
    timing = []
    largest = (max(config.batch_sizes), max(config.feature_counts))
    for dtype_name in config.dtypes:
        if dtype_name in CUDA_ONLY_DTYPES and not str(device).startswith("cuda"):
            skipped.append({"dtype": dtype_name, "reason": "runs on CUDA only"})
            continue
        dtype = DTYPES[dtype_name]
        for batch_size in config.batch_sizes:
            for num_features in config.feature_counts:
                x = generator.rand(batch_size, num_features)
                points.append({"batch_size": batch_size, "num_features": num_features,
                               "dtype": dtype_name,
                               **compare(x, dtype, config.eps, device)})

        x = generator.rand(*largest)
        times = time_forward_passes(x, dtype, config.eps, device, config.repeats)
        timing.append({"batch_size": largest[0], "num_features": largest[1],
                       "dtype": dtype_name, "repeats": config.repeats,
                       **{f"{name}_s": None if values is None else statistics.median(values)
                          for name, values in times.items()}})
    return {"points": points, "skipped": skipped, "timing": timing}


def run_record(config, device="cpu"):
    """Run the sweep and return its record; timings_s contains the median forward-pass times."""
    start = time.perf_counter()
    results = run(config, device)
    timings = {"compute": time.perf_counter() - start}
    for entry in results["timing"]:
        for name in ("by_hand", "torch", "from_scratch"):
            timings[f"forward_{name}_{entry['dtype']}"] = entry[f"{name}_s"]
    return make_record(config, results, timings)


def summarize(record):
    """Describe the sweep in Markdown: the worst cases per dtype and the forward-pass times."""
    lines = ["Largest over the grid, per dtype. The difference is largest where a feature's "
             "variance is small next to eps (few samples); the rounding is what eps does not "
             "explain.", "",
             "| dtype | max abs diff | eps predicts | at (N, C) | rounding | at (N, C) |",
             "|---|---|---|---|---|---|"]
    points = record["results"]["points"]
    for dtype in dict.fromkeys(point["dtype"] for point in points):
        of_dtype = [point for point in points if point["dtype"] == dtype]
        largest = max(of_dtype, key=lambda point: point["max_abs_diff"])
        worst = max(of_dtype, key=lambda point: point["rounding"])
        lines.append(
            f"| {dtype} | {largest['max_abs_diff']:.3g} | {largest['eps_predicted_diff']:.3g} | "
            f"({largest['batch_size']}, {largest['num_features']}) | {worst['rounding']:.3g} | "
            f"({worst['batch_size']}, {worst['num_features']}) |"
        )
    lines += ["", "| dtype | (N, C) | by hand (NumPy) | BatchNorm1d | from scratch |",
              "|---|---|---|---|---|"]
    for entry in record["results"]["timing"]:
        cells = ["n/a" if entry[f"{name}_s"] is None else f"{entry[f'{name}_s'] * 1e3:.3g} ms"
                 for name in ("by_hand", "torch", "from_scratch")]
        lines.append(f"| {entry['dtype']} | ({entry['batch_size']}, {entry['num_features']}) | "
                     + " | ".join(cells) + " |")
    for entry in record["results"]["skipped"]:
        lines.append(f"\n{entry['dtype']} skipped: {entry['reason']}.")
    return "\n".join(lines)
