"""Crash safety: a job killed with SIGKILL leaves no partial run file and --resume finishes it."""

import json
import signal
import subprocess
import sys
import time

import pytest

from jobs.runfile import write_atomic
from jobs_helpers import REPOSITORY, jobs_environment, read, run_jobs, written_path
from lib.experiments import run_experiment

# Eight configs of 0.3 s to 1 s each (on a loaded 2-core machine), so the kill lands part-way.
SLOW_CONFIGS = [{"seed": seed, "iterations": 40_000} for seed in range(8)]


def wait_for_parts(parts, count, process, timeout=240):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if len(list(parts.glob("*.json"))) >= count:
            return
        assert process.poll() is None, "the job finished before it could be killed"
        time.sleep(0.05)
    pytest.fail(f"fewer than {count} parts in {parts} after {timeout} s")


@pytest.fixture(scope="module")
def killed_job(tmp_path_factory):
    """Start a job of SLOW_CONFIGS, SIGKILL it after two records; return (config, out, parts)."""
    folder = tmp_path_factory.mktemp("killed")
    config = folder / "configs.json"
    config.write_text(json.dumps(SLOW_CONFIGS))
    out = folder / "results"
    process = subprocess.Popen(
        [sys.executable, "-m", "jobs", "normal_vs_gd", "--config", str(config), "--device",
         "cpu", "--out", str(out)],
        cwd=REPOSITORY, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env=jobs_environment())
    parts = None
    deadline = time.monotonic() + 240
    while parts is None and time.monotonic() < deadline:
        parts = next(out.glob("*.parts"), None) if out.exists() else None
        time.sleep(0.05)
    assert parts is not None, "the job wrote no parts folder"
    wait_for_parts(parts, 2, process)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=60)
    return config, out, parts


def test_killed_job_leaves_no_run_file(killed_job):
    _, out, parts = killed_job
    assert [path.name for path in out.iterdir()] == [parts.name]


def test_killed_job_keeps_finished_records(killed_job):
    _, _, parts = killed_job
    names = sorted(path.name for path in parts.glob("*.json"))
    assert len(names) >= 2
    assert len(names) < len(SLOW_CONFIGS)
    assert names == [f"{index:05d}.json" for index in range(len(names))]


def test_rerun_without_resume_refuses(killed_job):
    config, out, parts = killed_job
    completed = run_jobs("normal_vs_gd", "--config", config, "--device", "cpu", "--out", out)
    assert completed.returncode == 2
    assert "--resume" in completed.stderr
    assert parts.exists()


@pytest.fixture(scope="module")
def resumed_job(killed_job):
    config, out, parts = killed_job
    kept = len(list(parts.glob("*.json")))
    completed = run_jobs("normal_vs_gd", "--config", config, "--device", "cpu", "--out", out,
                         "--resume")
    assert completed.returncode == 0, completed.stderr
    return completed, kept, read(written_path(completed)), parts


def test_resume_skips_written_configs(resumed_job):
    completed, kept, _, _ = resumed_job
    assert f"resume: {kept} of {len(SLOW_CONFIGS)} records already written" in completed.stdout
    record_lines = [line for line in completed.stdout.splitlines() if "/8 normal_vs_gd" in line]
    assert len(record_lines) == len(SLOW_CONFIGS) - kept


def test_resume_finishes_the_job(resumed_job):
    _, kept, document, parts = resumed_job
    assert [record["config"]["seed"] for record in document["records"]] == list(range(8))
    assert document["resumed_records"] == kept
    assert not parts.exists()


def test_resumed_results_equal_uninterrupted(resumed_job):
    _, _, document, _ = resumed_job
    for record, config in zip(document["records"], SLOW_CONFIGS):
        assert record["results"] == run_experiment("normal_vs_gd", config)["results"]


def test_resume_of_complete_job_runs_nothing(resumed_job):
    completed, _, _, _ = resumed_job
    path = written_path(completed)
    before = path.stat().st_mtime_ns
    config = next(path.parent.parent.glob("configs.json"))
    again = run_jobs("normal_vs_gd", "--config", config, "--device", "cpu", "--out",
                     path.parent, "--resume")
    assert again.returncode == 0, again.stderr
    assert "nothing left to run" in again.stdout
    assert path.stat().st_mtime_ns == before


def test_resume_rejects_parts_of_other_config(tmp_path):
    # A part left by a run whose arguments differed: same file name, other config.
    other = run_experiment("lr_quadratic", {"iterations": 3})
    other["timings_s"]["wall"] = other["timings_s"]["compute"]
    write_atomic(tmp_path / "lr_quadratic-notebook-cpu.parts" / "00000.json", other,
                 "run_record")
    completed = run_jobs("lr_quadratic", "--device", "cpu", "--out", tmp_path, "--resume")
    assert completed.returncode == 2
    assert "another config" in completed.stderr
    assert not (tmp_path / "lr_quadratic-notebook-cpu.json").exists()


def test_resume_reruns_corrupt_part(tmp_path):
    parts = tmp_path / "lr_quadratic-notebook-cpu.parts"
    parts.mkdir()
    (parts / "00000.json").write_text('{"experiment": "lr_quadratic"')
    (parts / ".00000.json.abc.tmp").write_text("{")
    completed = run_jobs("lr_quadratic", "--device", "cpu", "--out", tmp_path, "--resume")
    assert completed.returncode == 0, completed.stderr
    assert "discarding unreadable part" in completed.stderr
    assert read(written_path(completed))["resumed_records"] == 0
    assert not parts.exists()
