"""Command line of the jobs: `python -m jobs [run|merge|report|bench] ...`.

`python -m jobs NAME ...` without a subcommand is `python -m jobs run NAME ...`. Nothing in
jobs/ imports gradio, so the jobs run on a GPU machine that has only torch and
requirements-jobs.txt (NumPy, matplotlib, jsonschema, markdown-it-py).
"""

import argparse
import importlib
import logging
import sys
from pathlib import Path

from jobs.presets import GROUPS, PRESETS
from lib.experiments import EXPERIMENTS

SUBCOMMANDS = ("run", "merge", "report", "bench")
NAMES = list(dict.fromkeys([*EXPERIMENTS, *GROUPS]))


def add_run_arguments(parser):
    """Add the options of `run`; every option has a default and a help string."""
    parser.add_argument("name", choices=NAMES,
                        help="experiment id, 'learning_rate' (both learning-rate experiments) "
                             "or 'all'")
    parser.add_argument("--preset", choices=sorted(PRESETS), default="notebook",
                        help="set of configs to run (default: notebook, the course's values)")
    parser.add_argument("--config", type=Path, default=None,
                        help="JSON file with one config object, or a list of them, for a single "
                             "experiment id; keys it omits keep their defaults (replaces "
                             "--preset)")
    parser.add_argument("--quick", action="store_true",
                        help="run a reduced set: at most 3 configs per experiment, spread over "
                             "the preset (default: off)")
    parser.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto",
                        help="torch device; auto picks CUDA when torch sees a GPU (default: auto)")
    parser.add_argument("--out", type=Path, default=Path("results"),
                        help="folder for the run file (default: results)")
    parser.add_argument("--shard", default=None, metavar="K/N",
                        help="run only the K-th of N slices of the configs (1 <= K <= N); "
                             "default: from SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT when "
                             "set, else 1/1")
    parser.add_argument("--resume", action="store_true",
                        help="keep the records an interrupted run of the same command wrote and "
                             "run only the rest (default: off)")


def build_parser():
    """Return the parser of every subcommand."""
    parser = argparse.ArgumentParser(
        prog="python -m jobs",
        description="Run the lab's experiments headlessly and write run files (JSON); merge "
                    "the shards of a sweep; render run files into a report. "
                    "`python -m jobs NAME ...` is short for `python -m jobs run NAME ...`.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="run a job and write one run file",
                              description="Run a job and write one run file.")
    add_run_arguments(run)

    merge = commands.add_parser("merge", help="join the shard files of a folder into run files",
                                description="Join every complete set of shard files "
                                            "(NAME.shard-K-of-N.json) in a folder into NAME.json.")
    merge.add_argument("folder", type=Path, help="folder that contains the shard files")

    report = commands.add_parser("report", help="render run files into figures and a page",
                                 description="Render every run file of a folder into PNG "
                                             "figures and one self-contained HTML page.")
    report.add_argument("folder", type=Path, help="folder of run files, or one run file")
    report.add_argument("--out", type=Path, default=None,
                        help="folder for the page and figures (default: FOLDER/report)")

    commands.add_parser("bench", add_help=False, help="time the lab's benchmarks (jobs.bench)")
    return parser


def main(argv=None):
    """Run a subcommand of the jobs and return its exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    if argv and not argv[0].startswith("-") and argv[0] not in SUBCOMMANDS:
        argv = ["run", *argv]
    if argv and argv[0] == "bench":
        return run_bench(argv[1:])

    args = build_parser().parse_args(argv)
    if args.command == "run":
        from jobs.run import run_command

        return run_command(args, argv)
    if args.command == "merge":
        from jobs.merge import merge_command

        return merge_command(args.folder, argv)
    from jobs.report import report_command

    return report_command(args.folder, args.out)


def run_bench(argv):
    """Hand `argv` to jobs.bench.main, or explain that this checkout has no benchmarks."""
    try:
        bench = importlib.import_module("jobs.bench")
    except ModuleNotFoundError as error:
        if error.name != "jobs.bench":
            raise
        print("error: `python -m jobs bench` needs the module jobs/bench.py, which this checkout "
              "does not have", file=sys.stderr)
        return 2
    return bench.main(argv)
