"""Provenance of a run: where, with what and from which commit it was made."""

import datetime
import platform
import shlex
import subprocess
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent


def utc_now():
    """Return the current UTC time in ISO 8601 with milliseconds, e.g. 2026-01-31T12:00:00.123Z."""
    now = datetime.datetime.now(datetime.timezone.utc)
    return now.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def command_line(argv):
    """Return the shell-quoted command that re-runs this job from the repository root."""
    return shlex.join(["python", "-m", "jobs", *argv])


def _git(*args):
    try:
        completed = subprocess.run(["git", *args], cwd=REPOSITORY, text=True,
                                   capture_output=True, timeout=10, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    return completed.stdout


def git_state():
    """Return (commit, dirty) of the repository, or (None, None) outside a git checkout.

    Dirty means that tracked files differ from the commit, as in `git describe --dirty`;
    untracked files do not count.
    """
    commit = _git("rev-parse", "HEAD")
    if not commit:
        return None, None
    status = _git("status", "--porcelain", "--untracked-files=no")
    return commit.strip(), None if status is None else bool(status.strip())


def cpu_name():
    """Return the CPU model as the OS reports it (Linux: /proc/cpuinfo), else the machine type."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def environment(device):
    """Describe the software and hardware of a run on `device` ("cpu" or "cuda")."""
    import numpy as np
    import torch

    commit, dirty = git_state()
    device_name = torch.cuda.get_device_name(0) if device == "cuda" else cpu_name()
    return {
        "python": platform.python_version(),
        "torch": torch.__version__,
        "numpy": np.__version__,
        "device": device,
        "device_name": device_name,
        "cuda": torch.version.cuda,
        "git_commit": commit,
        "git_dirty": dirty,
        "created_at": utc_now(),
    }


def seeds(records):
    """Return the distinct `seed` config values of `records`, ascending."""
    return sorted({record["config"]["seed"] for record in records
                   if isinstance(record["config"].get("seed"), int)})
