"""Helpers shared by the jobs' tests: run `python -m jobs` in a subprocess and read its output."""

import os
import subprocess
import sys
from pathlib import Path

from lib.records import loads_strict

REPOSITORY = Path(__file__).resolve().parent.parent


def jobs_environment(**extra):
    """Return os.environ without Slurm array variables, plus `extra`."""
    environ = {key: value for key, value in os.environ.items()
               if not key.startswith("SLURM_ARRAY_")}
    environ.update(extra)
    return environ


def run_jobs(*args, env=None, timeout=300):
    """Run `python -m jobs ARGS` from the repository root and return the CompletedProcess."""
    return subprocess.run([sys.executable, "-m", "jobs", *map(str, args)], cwd=REPOSITORY,
                          capture_output=True, text=True, timeout=timeout,
                          env=jobs_environment() if env is None else env)


def written_path(completed):
    """Return the path on the 'wrote PATH' line of a job's output."""
    lines = [line for line in completed.stdout.splitlines() if line.startswith("wrote ")]
    assert lines, completed.stdout + completed.stderr
    return Path(lines[-1].removeprefix("wrote ").split(" (")[0])


def read(path):
    return loads_strict(Path(path).read_text(encoding="utf-8"))
