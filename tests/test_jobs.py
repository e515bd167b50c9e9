"""The jobs' `run` command: run files, provenance, strict JSON, configs, devices and output."""

import json
import os
import pty
import re
import subprocess
import sys
import time

import pytest
import torch

from jobs.plan import preset_configs
from jobs_helpers import REPOSITORY, jobs_environment, read, run_jobs, written_path
from lib import schema

ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


@pytest.fixture(scope="module")
def notebook_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("results")
    completed = run_jobs("all", "--preset", "notebook", "--device", "cpu", "--out", out)
    assert completed.returncode == 0, completed.stderr
    return completed, read(written_path(completed))


def records_of(document, experiment):
    return [record for record in document["records"] if record["experiment"] == experiment]


def test_run_file_is_valid(notebook_run):
    _, document = notebook_run
    schema.validate_run_file(document)
    assert document["schema"] == "lab-run/1"
    assert document["job"] == "all"
    assert document["preset"] == "notebook"
    assert document["quick"] is False


def test_run_file_names_software_and_device(notebook_run):
    _, document = notebook_run
    environment = document["environment"]
    assert environment["python"] == ".".join(map(str, sys.version_info[:3]))
    assert environment["torch"] == torch.__version__
    assert environment["device"] == "cpu"
    assert environment["device_name"]
    assert environment["cuda"] == torch.version.cuda


def test_run_file_names_git_commit(notebook_run):
    _, document = notebook_run
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPOSITORY, text=True,
                          capture_output=True, check=True).stdout.strip()
    assert document["environment"]["git_commit"] == head
    assert isinstance(document["environment"]["git_dirty"], bool)


def test_run_file_has_command_times_and_seeds(notebook_run):
    _, document = notebook_run
    assert document["command"].startswith("python -m jobs run all --preset notebook")
    assert ISO_UTC.match(document["started_at"])
    assert ISO_UTC.match(document["finished_at"])
    assert document["started_at"] <= document["finished_at"]
    assert document["wall_s"] > 0
    seeds = {record["config"]["seed"] for record in document["records"]
             if "seed" in record["config"]}
    assert 42 in seeds
    assert document["seeds"] == sorted(seeds)


def test_every_record_has_wall_time(notebook_run):
    _, document = notebook_run
    for record in document["records"]:
        assert record["timings_s"]["wall"] >= record["timings_s"]["compute"]


def test_output_starts_with_device_and_ends_with_file(notebook_run):
    completed, _ = notebook_run
    lines = completed.stdout.strip().splitlines()
    assert lines[0].startswith("device: cpu (requested")
    assert lines[-1].startswith("wrote ")


def test_plain_output_has_line_per_record_and_block(notebook_run):
    completed, document = notebook_run
    lines = completed.stdout.splitlines()
    record_lines = [line for line in lines if re.match(r"^\s+\d+/\d+ \w+\s+\d+\.\d{3} s$", line)]
    block_lines = [line for line in lines if line.startswith("block ")]
    assert len(record_lines) == len(document["records"])
    assert [line.split(":")[0] for line in block_lines] == [
        "block normalization", "block lr_quadratic", "block lr_linear_model",
        "block normal_vs_gd"]
    assert re.match(r"^block lr_linear_model: 2 records in \d+\.\d{3} s$", block_lines[2])


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


def test_diverged_run_file_is_strict_json(notebook_run):
    completed, document = notebook_run
    text = written_path(completed).read_text()
    for token in ("NaN", "Infinity"):
        assert token not in text
    diverged = records_of(document, "lr_linear_model")[0]["results"]["runs"][1]
    assert diverged["losses"][-1] is None


def test_same_job_twice_gives_identical_results(tmp_path):
    config = tmp_path / "configs.json"
    config.write_text(json.dumps([{"iterations": 500}, {"gradient": "mean", "lr": 0.5,
                                                         "iterations": 300, "seed": 3}]))
    documents = []
    for attempt in ("first", "second"):
        completed = run_jobs("normal_vs_gd", "--config", config, "--device", "cpu",
                             "--out", tmp_path / attempt)
        assert completed.returncode == 0, completed.stderr
        documents.append(read(written_path(completed)))
    first, second = ([json.dumps(record["results"]) for record in document["records"]]
                     for document in documents)
    assert first == second


def test_config_file_runs_one_experiment(tmp_path):
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"lr": 0.001, "iterations": 300}))
    completed = run_jobs("normal_vs_gd", "--config", config, "--out", tmp_path)
    assert completed.returncode == 0, completed.stderr
    record = read(written_path(completed))["records"][0]
    assert record["config"]["iterations"] == 300
    assert record["config"]["seed"] == 42
    assert len(record["results"]["gd_losses"]) == 300


def test_config_file_list_runs_each(tmp_path):
    config = tmp_path / "configs.json"
    config.write_text(json.dumps([{"iterations": 3}, {"iterations": 5, "start": -1.0}]))
    completed = run_jobs("lr_quadratic", "--config", config, "--out", tmp_path)
    assert completed.returncode == 0, completed.stderr
    records = read(written_path(completed))["records"]
    assert [record["config"]["iterations"] for record in records] == [3, 5]
    assert records[1]["results"]["runs"][0]["x"][0] == -1.0


@pytest.mark.parametrize(("config", "message"), [
    ({"lr": -1}, "lr must be > 0"),
    ({"learning_rate": 0.1}, "unknown config key 'learning_rate'"),
    ([{"lr": 0.1}, {"iterations": 0}], "iterations must be >= 1"),
    ([], "must hold a JSON object of config keys or a non-empty list"),
])
def test_bad_config_exits_with_status_2(tmp_path, config, message):
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config))
    completed = run_jobs("normal_vs_gd", "--config", path, "--out", tmp_path / "out")
    assert completed.returncode == 2
    assert message in completed.stderr
    assert not (tmp_path / "out").exists()


def test_cuda_request_without_cuda_fails_at_once(tmp_path):
    if torch.cuda.is_available():
        pytest.skip("this machine has CUDA")
    completed = run_jobs("lr_quadratic", "--device", "cuda", "--out", tmp_path)
    assert completed.returncode == 2
    assert "--device cuda was requested" in completed.stderr
    assert "sees no CUDA device" in completed.stderr
    assert completed.stdout == ""
    assert not list(tmp_path.iterdir())


def test_auto_device_says_what_and_why(tmp_path):
    completed = run_jobs("lr_quadratic", "--out", tmp_path)
    assert completed.returncode == 0, completed.stderr
    first = completed.stdout.splitlines()[0]
    if torch.cuda.is_available():
        assert first.startswith("device: cuda (auto: torch sees")
    else:
        assert first.startswith("device: cpu (auto: ")
        assert "CUDA" in first


def test_quick_runs_at_most_three_configs_per_experiment(tmp_path):
    from jobs.presets import SWEEP

    completed = run_jobs("learning_rate", "--preset", "sweep", "--quick", "--device", "cpu",
                         "--out", tmp_path)
    assert completed.returncode == 0, completed.stderr
    path = written_path(completed)
    document = read(path)
    assert path.name == "learning_rate-sweep-quick-cpu.json"
    assert document["quick"] is True
    for experiment in ("lr_quadratic", "lr_linear_model"):
        assert len(records_of(document, experiment)) == min(3, len(SWEEP[experiment]))


def test_spread_keeps_first_and_last():
    from jobs.plan import spread

    assert spread(list(range(10)), 3) == [0, 5, 9]
    assert spread(list(range(10)), 1) == [0]
    assert spread([1, 2], 3) == [1, 2]


def test_jobs_never_import_gradio(tmp_path):
    # A None entry in sys.modules makes `import gradio` raise ImportError.
    code = ("import sys; sys.modules['gradio'] = None\n"
            "from jobs.cli import main\n"
            f"status = main(['lr_quadratic', '--out', {str(tmp_path)!r}])\n"
            f"status = status or main(['report', {str(tmp_path)!r}])\n"
            "sys.exit(status)\n")
    completed = subprocess.run([sys.executable, "-c", code], cwd=REPOSITORY, text=True,
                               capture_output=True, timeout=300, env=jobs_environment())
    assert completed.returncode == 0, completed.stderr
    assert (tmp_path / "report" / "index.html").exists()


def test_bench_without_module_explains(tmp_path):
    completed = run_jobs("bench")
    if (REPOSITORY / "jobs" / "bench.py").exists():
        pytest.skip("this checkout has jobs/bench.py")
    assert completed.returncode == 2
    assert "jobs/bench.py" in completed.stderr


def test_terminal_shows_progress_bar(tmp_path):
    primary, secondary = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "jobs", "lr_quadratic", "--preset", "sweep", "--device", "cpu",
         "--out", str(tmp_path)],
        cwd=REPOSITORY, stdout=secondary, stderr=secondary, env=jobs_environment())
    os.close(secondary)
    output = b""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            chunk = os.read(primary, 4096)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    process.wait(timeout=60)
    os.close(primary)
    text = output.decode()
    assert process.returncode == 0, text
    assert text.startswith("device: cpu")
    count = len(preset_configs("lr_quadratic", "sweep", quick=False))
    assert re.search(rf"\r\x1b\[K\[#*\.*\] 1/{count} ", text)
    assert re.search(rf"\[#{{30}}\] {count}/{count} ", text)
    assert f"block lr_quadratic: {count} records in" in text


def test_config_file_runs_experiment_that_names_a_group(tmp_path):
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"eps": 0.001}))
    completed = run_jobs("normalization", "--config", str(config), "--out", str(tmp_path))
    assert completed.returncode == 0, completed.stderr
    records = read(written_path(completed))["records"]
    assert [record["experiment"] for record in records] == ["normalization"]
    assert records[0]["config"]["eps"] == 0.001


def test_config_file_may_be_a_saved_record(tmp_path):
    record = {"experiment": "normal_vs_gd", "config": {"lr": 0.001, "iterations": 40},
              "results": {}, "timings_s": {}}
    config = tmp_path / "record.json"
    config.write_text(json.dumps(record))
    completed = run_jobs("normal_vs_gd", "--config", str(config), "--out", str(tmp_path))
    assert completed.returncode == 0, completed.stderr
    assert read(written_path(completed))["records"][0]["config"]["iterations"] == 40


def test_config_file_record_of_other_experiment_is_rejected(tmp_path):
    record = {"experiment": "lr_quadratic", "config": {}, "results": {}, "timings_s": {}}
    config = tmp_path / "record.json"
    config.write_text(json.dumps(record))
    completed = run_jobs("normal_vs_gd", "--config", str(config), "--out", str(tmp_path))
    assert completed.returncode == 2
    assert "contains a record of 'lr_quadratic'" in completed.stderr
