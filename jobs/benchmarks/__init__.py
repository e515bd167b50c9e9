"""Benchmark cases, one module per area; each has `benchmarks(quick=False) -> list[dict]`.

A case dict holds: name, size (dict), baseline (what it is compared with), times_s and
baseline_times_s (repeated wall times, after a warm-up, measured in the same call), target (text)
and check (dict, e.g. the max error against the baseline). `jobs.bench` collects them.
"""

import statistics
import time


def repeat_times(function, repeats, warmup=1):
    """Return the wall times in seconds of `repeats` calls to `function`, after `warmup` calls."""
    for _ in range(warmup):
        function()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return times


def interleaved_times(function, baseline, repeats, warmup=1):
    """Time `function` and `baseline` alternately, so drift on a shared machine hits both alike."""
    for _ in range(warmup):
        function()
        baseline()
    times, baseline_times = [], []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
        start = time.perf_counter()
        baseline()
        baseline_times.append(time.perf_counter() - start)
    return times, baseline_times


def median(values):
    """Return the median of `values`."""
    return statistics.median(values)
