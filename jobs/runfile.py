"""Run files: one JSON document per job run, with the environment that produced it."""

import datetime
import os
import platform
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import torch

from lib.records import dumps_strict

SCHEMA = "lab-run/1"
REPOSITORY = Path(__file__).resolve().parent.parent


def git_commit():
    """Return the repository's HEAD commit, or None outside a git checkout."""
    try:
        result = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPOSITORY, text=True,
                                capture_output=True, timeout=10, check=True)
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout.strip() or None


def environment(device):
    """Describe where the run happened: versions, device and commit."""
    device_name = platform.processor() or platform.machine()
    if device == "cuda":
        device_name = torch.cuda.get_device_name(0)
    return {
        "python": platform.python_version(),
        "torch": torch.__version__,
        "numpy": np.__version__,
        "device": device,
        "device_name": device_name,
        "git_commit": git_commit(),
        "created_at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    }


def make_run_file(job, preset, device, records):
    """Return a run file document."""
    return {"schema": SCHEMA, "job": job, "preset": preset, "environment": environment(device),
            "records": records}


def write_atomic(path, document):
    """Write `document` as strict JSON to `path` so that the file only ever appears complete.

    The text goes to a temporary file in the same folder, which is then renamed over `path`.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    text = dumps_strict(document, indent=1)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
            file.write("\n")
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except OSError as error:
        # A full disk (ENOSPC) or a file size limit (EFBIG) ends here. The temporary file is
        # removed, so the message can promise that nothing was left behind.
        Path(temporary).unlink(missing_ok=True)
        raise OSError(error.errno, f"could not write the run file {path}: {error.strerror}. "
                      f"No file was written; free space in {path.parent} or choose another "
                      "--out folder") from error
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path
