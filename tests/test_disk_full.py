"""A job whose output disk is full fails with a clear message and leaves no partial file.

The records written before the disk filled stay, whole, in the job's parts folder, so
`--resume` finishes the job once there is room.

The disk is filled in two ways. A 64 KiB tmpfs needs root and `mount`, so its test is skipped
without them. A file size limit (RLIMIT_FSIZE) on the job process works anywhere on Linux.
"""

import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from lib import schema
from lib.records import loads_strict

REPOSITORY = Path(__file__).resolve().parent.parent
JOB = [sys.executable, "-m", "jobs", "all", "--preset", "notebook", "--device", "cpu"]


def run_job(out, preexec_fn=None, extra=()):
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run([*JOB, "--out", str(out), *extra], cwd=REPOSITORY, env=env,
                          capture_output=True, text=True, timeout=300, preexec_fn=preexec_fn)


@pytest.fixture()
def tiny_tmpfs(tmp_path):
    mount_point = tmp_path / "tiny"
    mount_point.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs",
                              str(mount_point)], capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    yield mount_point
    subprocess.run(["umount", str(mount_point)], check=True)


def limit_file_size():
    """In the child: cap files at 64 KiB and turn SIGXFSZ into an EFBIG error from write()."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))


def check_failed_cleanly(completed, out, reason):
    """The job exits with status 1 and a one-line message, and leaves only complete files.

    The records finished before the disk filled stay in the parts folder for --resume; each
    must be a whole, valid record. No run file and no temporary file may be left.
    """
    assert completed.returncode == 1, completed.stderr
    assert "Traceback" not in completed.stderr
    last_line = completed.stderr.strip().splitlines()[-1]
    assert last_line.startswith("error: could not write the run file")
    assert reason in last_line
    assert "--resume" in last_line
    assert not completed.stdout.strip().splitlines()[-1].startswith("wrote ")

    files = sorted(path for path in out.rglob("*") if path.is_file())
    assert [path.name for path in files if path.name.startswith(".")] == []
    assert [path for path in files if path.parent == out] == [], "a run file was written"
    for path in files:
        assert path.parent.name.endswith(".parts"), path
        schema.validate(loads_strict(path.read_text(encoding="utf-8")), "run_record")
    return files


def test_full_tmpfs_fails_cleanly(tiny_tmpfs):
    out = tiny_tmpfs / "results"
    completed = run_job(out)
    check_failed_cleanly(completed, out, "No space left on device")


def test_file_size_limit_fails_cleanly(tmp_path):
    out = tmp_path / "results"
    completed = run_job(out, preexec_fn=limit_file_size)
    parts = check_failed_cleanly(completed, out, "File too large")
    assert parts, "the limit should stop the job after some records"

    # With room again, --resume keeps those records and writes the run file.
    resumed = run_job(out, extra=["--resume"])
    assert resumed.returncode == 0, resumed.stderr
    [run_file] = out.iterdir()
    assert run_file.suffix == ".json"
    assert loads_strict(run_file.read_text(encoding="utf-8"))["resumed_records"] == len(parts)


def test_job_writes_file_with_room(tmp_path):
    out = tmp_path / "results"
    completed = run_job(out)
    assert completed.returncode == 0, completed.stderr
    assert [path.suffix for path in out.iterdir()] == [".json"]
