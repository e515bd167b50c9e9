"""The learning_rate job runs all four learning-rate experiments and writes strict JSON."""

import subprocess
import sys
from pathlib import Path

from jobs.presets import GROUPS, SWEEP
from lib import limits
from lib.experiments import EXPERIMENTS
from lib.lr_rates import expand
from lib.records import loads_strict

REPOSITORY = Path(__file__).resolve().parent.parent
LEARNING_RATE_IDS = ["lr_quadratic", "lr_linear_model", "lr_range_test", "lr_batchnorm"]


def test_learning_rate_group_lists_four_experiments():
    assert GROUPS["learning_rate"] == LEARNING_RATE_IDS


def test_notebook_job_writes_notebook_experiments(tmp_path):
    completed = subprocess.run(
        [sys.executable, "-m", "jobs", "learning_rate", "--preset", "notebook", "--device", "cpu",
         "--out", str(tmp_path)],
        cwd=REPOSITORY, capture_output=True, text=True, timeout=600)
    assert completed.returncode == 0, completed.stderr
    path = Path(completed.stdout.strip().splitlines()[-1].removeprefix("wrote "))
    document = loads_strict(path.read_text())
    assert [record["experiment"] for record in document["records"]] == [
        "lr_quadratic", "lr_linear_model", "lr_linear_model"]


def test_sweep_preset_configs_are_valid_under_job_caps():
    with limits.use(limits.JOBS):
        for experiment_id in LEARNING_RATE_IDS:
            for config in SWEEP[experiment_id]:
                EXPERIMENTS[experiment_id].config_class.from_dict(config)


def test_sweep_preset_has_dense_quadratic_grid():
    with limits.use(limits.JOBS):
        counts = [expand(EXPERIMENTS["lr_quadratic"].config_class.from_dict(config)
                         .learning_rates).size for config in SWEEP["lr_quadratic"]]
    assert 1000 in counts


def test_sweep_preset_covers_raw_and_standardized_x():
    flags = {config.get("standardize", False) for config in SWEEP["lr_linear_model"]}
    assert flags == {False, True}
