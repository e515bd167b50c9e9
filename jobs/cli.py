"""Command line of the jobs: `python -m jobs NAME [--preset ...] [--config FILE] ...`."""

import argparse
import datetime
import json
import logging
import sys
import time
from pathlib import Path

import torch

from jobs.presets import GROUPS, PRESETS
from jobs.runfile import make_run_file, write_atomic
from lib import limits
from lib.experiments import EXPERIMENTS, run_experiment
from lib.validation import ConfigError

logger = logging.getLogger("jobs")

NAMES = list(dict.fromkeys([*EXPERIMENTS, *GROUPS]))


def build_parser():
    """Return the argument parser; every option has a default and a help string."""
    parser = argparse.ArgumentParser(
        prog="python -m jobs",
        description="Run the lab's experiments headlessly and write one run file (JSON).",
    )
    parser.add_argument("name", choices=NAMES,
                        help="experiment id, 'learning_rate' (both learning-rate experiments) "
                             "or 'all'")
    parser.add_argument("--preset", choices=sorted(PRESETS), default="notebook",
                        help="set of configs to run (default: notebook, the course's values)")
    parser.add_argument("--config", type=Path, default=None,
                        help="JSON file with one config object for a single experiment id; "
                             "keys it omits keep their defaults (replaces --preset)")
    parser.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto",
                        help="torch device; auto picks CUDA when torch sees a GPU (default: auto)")
    parser.add_argument("--out", type=Path, default=Path("results"),
                        help="folder for the run file (default: results)")
    return parser


def resolve_device(requested):
    """Return the torch device name to use, or raise ConfigError if CUDA is asked for but absent."""
    if requested == "cuda" and not torch.cuda.is_available():
        raise ConfigError("--device cuda was requested but torch sees no CUDA device; "
                          "use --device cpu or auto")
    if requested == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    return requested


def plan(args):
    """Return the (experiment id, config dict) pairs the job runs."""
    # --config names one experiment, even where the same name also runs a group of them.
    if args.config is not None and args.name in EXPERIMENTS:
        experiment_ids = [args.name]
    else:
        experiment_ids = GROUPS.get(args.name, [args.name])
    if args.config is None:
        preset = PRESETS[args.preset]
        return [(eid, config) for eid in experiment_ids for config in preset[eid]]

    if len(experiment_ids) != 1:
        raise ConfigError(f"--config needs a single experiment id, got {args.name!r}")
    try:
        config = json.loads(args.config.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(f"cannot read --config file {args.config}: {error.strerror}") from None
    except json.JSONDecodeError as error:
        raise ConfigError(f"--config file {args.config} is not valid JSON: {error}") from None
    EXPERIMENTS[experiment_ids[0]].config_class.from_dict(config)
    return [(experiment_ids[0], config)]


def main(argv=None):
    """Run a job and print the path of the run file it wrote; return the exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["bench"]:
        from jobs import bench

        return bench.main(argv[1:])

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    args = build_parser().parse_args(argv)
    with limits.use(limits.JOBS):
        return run_job(args)


def run_job(args):
    """Validate every config of the job, run them and write the run file."""
    try:
        device = resolve_device(args.device)
        work = plan(args)
        # Validate every config before running any, so a bad one fails fast.
        for experiment_id, config in work:
            EXPERIMENTS[experiment_id].config_class.from_dict(config)
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2

    preset = "config" if args.config is not None else args.preset
    print(f"device: {device}", flush=True)
    records = []
    for index, (experiment_id, config) in enumerate(work, start=1):
        start = time.perf_counter()
        record = run_experiment(experiment_id, config, device=device)
        records.append(record)
        print(f"{index:4d}/{len(work)} {experiment_id:<16} {time.perf_counter() - start:8.3f} s",
              flush=True)

    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    path = write_atomic(args.out / f"{args.name}-{preset}-{stamp}.json",
                        make_run_file(args.name, preset, device, records))
    print(f"wrote {path}")
    return 0
