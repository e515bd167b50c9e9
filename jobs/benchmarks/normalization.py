"""Benchmark: one BatchNorm forward pass by hand, with torch and from scratch, at N=4096, C=1024.

No target: the times are reported. Run with `python -m jobs.benchmarks.normalization`.
"""

import statistics

import numpy as np
import torch

from lib import batchnorm as scratch
from lib.normalization import standardize
from lib.normalization_sweep import compare, time_forward_passes

FULL_SIZE = (4096, 1024)
QUICK_SIZE = (256, 64)


def benchmarks(quick=False):
    """Time by hand (NumPy) and from scratch against torch's BatchNorm1d, float32 on the CPU.

    Each entry times both sides in the same call: median of `repeats` runs after a warm-up.
    `check` contains the max abs difference of each side from the float64 by-hand result.
    """
    batch_size, num_features = QUICK_SIZE if quick else FULL_SIZE
    repeats = 3 if quick else 20
    x = np.random.RandomState(0).rand(batch_size, num_features)
    eps = 1e-5
    times = time_forward_passes(x, torch.float32, eps, "cpu", repeats)
    size = {"batch_size": batch_size, "num_features": num_features, "dtype": "float32",
            "device": "cpu", "repeats": repeats}
    baseline = "torch.nn.BatchNorm1d forward, training mode"

    with torch.no_grad():
        x32 = torch.tensor(x, dtype=torch.float32)
        from_scratch, _ = scratch.forward(x32, eps=eps)
    reference = standardize(x)
    torch_check = compare(x, torch.float32, eps)
    return [
        {"name": "normalization forward: by hand (NumPy, float32)", "size": size,
         "baseline": baseline, "times_s": times["by_hand"],
         "baseline_times_s": times["torch"], "target": "none (reported)",
         "check": {"max_abs_diff_from_float64_by_hand": float(
             np.max(np.abs(standardize(x.astype(np.float32)) - reference))),
             "torch_max_abs_diff_from_float64_by_hand": torch_check["max_abs_diff"]}},
        {"name": "normalization forward: from scratch (lib.batchnorm, float32)", "size": size,
         "baseline": baseline, "times_s": times["from_scratch"],
         "baseline_times_s": times["torch"], "target": "none (reported)",
         "check": {"max_abs_diff_from_float64_by_hand": float(
             np.max(np.abs(from_scratch.double().numpy() - reference))),
             "torch_max_abs_diff_from_float64_by_hand": torch_check["max_abs_diff"]}},
    ]


if __name__ == "__main__":
    for entry in benchmarks():
        print(f"{entry['name']}: median {statistics.median(entry['times_s']) * 1e3:.2f} ms, "
              f"torch {statistics.median(entry['baseline_times_s']) * 1e3:.2f} ms")
