"""The jobs' command line: run files, strict JSON, config files and exit codes."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from lib.records import loads_strict

REPOSITORY = Path(__file__).resolve().parent.parent


def run_jobs(*args):
    return subprocess.run([sys.executable, "-m", "jobs", *args], cwd=REPOSITORY,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def notebook_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("results")
    completed = run_jobs("all", "--preset", "notebook", "--device", "cpu", "--out", str(out))
    assert completed.returncode == 0, completed.stderr
    path = Path(completed.stdout.strip().splitlines()[-1].removeprefix("wrote "))
    return completed, loads_strict(path.read_text())


def records_of(document, experiment):
    return [record for record in document["records"] if record["experiment"] == experiment]


def test_run_file_has_schema_and_environment(notebook_run):
    _, document = notebook_run
    assert document["schema"] == "lab-run/1"
    assert document["job"] == "all"
    assert document["preset"] == "notebook"
    environment = document["environment"]
    for key in ("python", "torch", "numpy", "device", "device_name", "git_commit", "created_at"):
        assert key in environment
    assert environment["device"] == "cpu"


def test_first_line_names_device_and_last_names_file(notebook_run):
    completed, _ = notebook_run
    lines = completed.stdout.strip().splitlines()
    assert lines[0] == "device: cpu"
    assert lines[-1].startswith("wrote ")


def test_run_file_contains_notebook_numbers(notebook_run):
    _, document = notebook_run
    quadratic = records_of(document, "lr_quadratic")[0]["results"]
    assert [entry["final_x"] for entry in quadratic["runs"]] == [
        0.018889465931478583, 3.0173236488944846, 0.0]

    normal = records_of(document, "normal_vs_gd")[0]["results"]
    assert normal["mse_analytical"] == pytest.approx(0.0088506, abs=1e-6)
    assert normal["mse_gd"] == pytest.approx(0.008850560523569584, abs=1e-6)

    normalization = records_of(document, "normalization")[0]["results"]
    assert normalization["max_abs_diff"] < 1.3e-4

    linear = records_of(document, "lr_linear_model")
    assert linear[0]["results"]["runs"][0]["losses"][0] == pytest.approx(145.8912, abs=5e-5)
    assert linear[0]["results"]["runs"][1]["diverged_at_epoch"] is not None
    assert linear[1]["config"]["continue_training"] is True


def test_config_file_runs_one_experiment(tmp_path):
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"lr": 0.001, "iterations": 300}))
    completed = run_jobs("normal_vs_gd", "--config", str(config), "--out", str(tmp_path))
    assert completed.returncode == 0, completed.stderr
    path = Path(completed.stdout.strip().splitlines()[-1].removeprefix("wrote "))
    record = loads_strict(path.read_text())["records"][0]
    assert record["config"]["iterations"] == 300
    assert record["config"]["seed"] == 42
    assert len(record["results"]["gd_losses"]) == 300


@pytest.mark.parametrize(("config", "message"), [
    ({"lr": -1}, "lr must be > 0"),
    ({"learning_rate": 0.1}, "unknown config key 'learning_rate'"),
])
def test_bad_config_exits_with_status_2(tmp_path, config, message):
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config))
    completed = run_jobs("normal_vs_gd", "--config", str(path), "--out", str(tmp_path))
    assert completed.returncode == 2
    assert message in completed.stderr
    assert not list(tmp_path.glob("*.json"))[1:]


def test_cuda_request_without_cuda_fails_clearly(tmp_path):
    import torch

    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    completed = run_jobs("lr_quadratic", "--device", "cuda", "--out", str(tmp_path))
    assert completed.returncode == 2
    assert "torch sees no CUDA device" in completed.stderr


def test_config_file_runs_experiment_that_names_a_group(tmp_path):
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"eps": 0.001}))
    completed = run_jobs("normalization", "--config", str(config), "--out", str(tmp_path))
    assert completed.returncode == 0, completed.stderr
    path = Path(completed.stdout.strip().splitlines()[-1].removeprefix("wrote "))
    records = loads_strict(path.read_text())["records"]
    assert [record["experiment"] for record in records] == ["normalization"]
    assert records[0]["config"]["eps"] == 0.001
