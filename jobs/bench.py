"""`python -m jobs bench`: run every benchmark and write one run file of benchmark records.

Each record contains the median, min and max of the repeated timings, the baseline's, their ratio
(baseline median / median: above 1 means faster than the baseline), the problem size, the device
and the thread count. Targets are ratios against a baseline timed in the same run, because
absolute times drift on shared machines.
"""

import argparse
import importlib
import logging
import pkgutil
import time
from pathlib import Path

import torch

import jobs.benchmarks
from jobs.benchmarks import median
from jobs.provenance import command_line, environment, utc_now
from jobs.runfile import SCHEMA, write_atomic

logger = logging.getLogger("jobs.bench")


def build_parser():
    """Return the argument parser of `python -m jobs bench`."""
    parser = argparse.ArgumentParser(prog="python -m jobs bench",
                                     description="Time the lab against its baselines.")
    parser.add_argument("--quick", action="store_true",
                        help="one or two repeats at reduced sizes, to check that every "
                             "benchmark runs (for CI); the ratios are not meaningful")
    parser.add_argument("--only", action="append", default=None, metavar="MODULE",
                        help="run only this module of jobs/benchmarks (repeatable), e.g. app")
    parser.add_argument("--out", type=Path, default=Path("results"),
                        help="folder for the run file (default: results)")
    return parser


def summarize_case(case):
    """Turn a case from a benchmark module into the results of a benchmark record."""
    times, baseline_times = case["times_s"], case["baseline_times_s"]
    result = {
        "name": case["name"],
        "size": case["size"],
        "baseline": case["baseline"],
        "median_s": median(times),
        "min_s": min(times),
        "max_s": max(times),
        "baseline_median_s": median(baseline_times),
        "baseline_min_s": min(baseline_times),
        "baseline_max_s": max(baseline_times),
        "ratio": median(baseline_times) / median(times),
        "repeats": len(times),
        "target": case["target"],
        "check": case.get("check", {}),
        "device": case.get("device", "cpu"),
        "threads": torch.get_num_threads(),
    }
    # Targets are either a speed-up (baseline / lab) or a cost relative to the baseline.
    if "target_speedup" in case:
        result["met"] = result["ratio"] >= case["target_speedup"]
    elif "target_ratio" in case:
        result["met"] = median(times) / median(baseline_times) <= case["target_ratio"]
    elif "target_seconds" in case:
        result["met"] = median(times) <= case["target_seconds"]
    else:
        result["met"] = None
    return result


def module_names():
    """Return the benchmark modules under jobs/benchmarks, in name order."""
    return sorted(info.name for info in pkgutil.iter_modules(jobs.benchmarks.__path__))


def main(argv=None):
    """Run the benchmarks, print one line per case and write the run file; return 0."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    argv = list(argv or [])
    args = build_parser().parse_args(argv)
    started_at, started = utc_now(), time.perf_counter()
    device = "cuda" if torch.cuda.is_available() else "cpu"
    print(f"device: {device}, threads: {torch.get_num_threads()}", flush=True)

    records = []
    for name in args.only or module_names():
        module = importlib.import_module(f"jobs.benchmarks.{name}")
        start = time.perf_counter()
        for case in module.benchmarks(quick=args.quick):
            result = summarize_case(case)
            timed = sum(case["times_s"]) + sum(case["baseline_times_s"])
            records.append({"experiment": "benchmark",
                            "config": {"module": name, "name": case["name"],
                                       "quick": args.quick},
                            "results": result,
                            "timings_s": {"timed": timed, "wall": timed}})
            print(f"{result['name']:<48} {result['median_s'] * 1e3:10.2f} ms  "
                  f"baseline {result['baseline_median_s'] * 1e3:10.2f} ms  "
                  f"ratio {result['ratio']:7.2f}  met {result['met']}", flush=True)
        logger.info("module %s done in %.1f s", name, time.perf_counter() - start)

    preset = "quick" if args.quick else "full"
    document = {
        "schema": SCHEMA,
        "job": "bench",
        "preset": preset,
        "quick": args.quick,
        "command": command_line(["bench", *argv]),
        "started_at": started_at,
        "finished_at": utc_now(),
        "wall_s": time.perf_counter() - started,
        "seeds": [],
        "environment": environment(device),
        "records": records,
    }
    path = write_atomic(args.out / f"bench-{preset}-{device}.json", document)
    print(f"wrote {path}")
    return 0
