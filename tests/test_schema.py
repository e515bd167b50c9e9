"""The lab-run/1 JSON Schema: records of lib, the handlers and the endpoints; run files."""

import copy
import json
import os

import jsonschema
import pytest

from jobs.plan import preset_configs
from jobs.runfile import write_atomic
from lib import limits, schema
from lib.experiments import EXPERIMENTS, run_experiment
from lib.records import dumps_strict
from space.tabs.learning_rate import lr_linear_model, lr_quadratic
from space.tabs.normal_vs_gd import normal_vs_gd
from space.tabs.normalization import normalization

HANDLER_INPUTS = [
    (normalization, {"seed": 42, "batch_size": 4, "num_features": 3, "data": "", "eps": 1e-5,
                     "momentum": 0.1, "ddof": 0}),
    (lr_quadratic, {"start": 5.0, "learning_rates": "0.1, 0.01, 0.5", "iterations": 25}),
    (lr_linear_model, {"seed": 42, "num_samples": 100, "learning_rates": "0.01, 0.1, 0.5",
                       "epochs": 100, "continue_training": False}),
    (normal_vs_gd, {"seed": 42, "num_samples": 100, "true_theta": "1.5, -0.8, 2", "noise": 0.1,
                    "lr": 0.01, "iterations": 10000, "gradient": "sum"}),
]

# The minimum config and result keys each experiment's records must carry.
REQUIRED_KEYS = {
    "normalization": (
        ["seed", "batch_size", "num_features", "data", "eps", "momentum", "ddof"],
        ["input", "manual", "batchnorm", "max_abs_diff", "running_mean", "running_var"],
    ),
    "lr_quadratic": (["start", "learning_rates", "iterations"], ["runs", "critical_lr"]),
    "lr_linear_model": (
        ["seed", "num_samples", "learning_rates", "epochs", "continue_training"],
        ["runs", "critical_lr"],
    ),
    "normal_vs_gd": (
        ["seed", "num_samples", "true_theta", "noise", "lr", "iterations", "gradient"],
        ["theta_analytical", "theta_gd", "mse_analytical", "mse_gd", "gd_losses"],
    ),
}
REQUIRED_CASES = [(experiment, section, key)
                  for experiment, (config_keys, result_keys) in REQUIRED_KEYS.items()
                  for section, keys in (("config", config_keys), ("results", result_keys))
                  for key in keys]
RUN_KEYS = {"lr_quadratic": ["lr", "x", "final_x"],
            "lr_linear_model": ["lr", "losses", "diverged_at_epoch"]}


@pytest.fixture(scope="module")
def records():
    return {experiment: run_experiment(experiment) for experiment in REQUIRED_KEYS}


def minimal_run_file(records):
    timed = []
    for record in records:
        record = copy.deepcopy(record)
        record["timings_s"]["wall"] = record["timings_s"]["compute"]
        timed.append(record)
    environment = {"python": "3.11.7", "torch": "2.13.0", "numpy": "2.4.6", "device": "cpu",
                   "device_name": "test CPU", "cuda": None, "git_commit": None,
                   "git_dirty": None, "created_at": "2026-01-31T12:00:01.000Z"}
    return {"schema": "lab-run/1", "job": "all", "preset": "notebook", "quick": False,
            "command": "python -m jobs all", "started_at": "2026-01-31T12:00:00.000Z",
            "finished_at": "2026-01-31T12:00:01.000Z", "wall_s": 1.0, "seeds": [42],
            "environment": environment, "records": timed}


def test_schema_is_valid_draft_2020_12():
    jsonschema.Draft202012Validator.check_schema(schema.load_schema())


@pytest.mark.parametrize(("handler", "inputs"), HANDLER_INPUTS,
                         ids=[handler.__name__ for handler, _ in HANDLER_INPUTS])
def test_handler_record_is_valid(handler, inputs):
    record = handler(**inputs)[-1]
    schema.validate_record(record)
    dumps_strict(record)


@pytest.mark.parametrize("api_name", ["/normalization", "/lr_quadratic", "/lr_linear_model",
                                      "/normal_vs_gd"])
def test_endpoint_record_is_valid(client, api_name):
    record = client.predict(api_name=api_name)[-1]
    schema.validate_record(record)


def test_diverged_record_is_valid():
    record = run_experiment("lr_linear_model", {"learning_rates": [0.5], "epochs": 200})
    assert record["results"]["runs"][0]["diverged_at_epoch"] is not None
    schema.validate_record(record)


@pytest.mark.parametrize(("experiment", "section", "key"), REQUIRED_CASES)
def test_record_without_required_key_is_invalid(records, experiment, section, key):
    record = copy.deepcopy(records[experiment])
    del record[section][key]
    with pytest.raises(schema.SchemaError, match=f"{section}: '{key}' is a required property"):
        schema.validate_record(record)


@pytest.mark.parametrize(("experiment", "key"), [(experiment, key)
                                                 for experiment, keys in RUN_KEYS.items()
                                                 for key in keys])
def test_run_entry_without_required_key_is_invalid(records, experiment, key):
    record = copy.deepcopy(records[experiment])
    del record["results"]["runs"][0][key]
    with pytest.raises(schema.SchemaError, match=f"results/runs/0: '{key}' is a required"):
        schema.validate_record(record)


def test_record_with_wrong_type_is_invalid(records):
    record = copy.deepcopy(records["normal_vs_gd"])
    record["results"]["gd_losses"][3] = "diverged"
    with pytest.raises(schema.SchemaError, match="results/gd_losses/3: 'diverged' is not"):
        schema.validate_record(record)


def test_record_may_add_keys(records):
    record = copy.deepcopy(records["lr_quadratic"])
    record["config"]["momentum"] = 0.9
    record["results"]["iterations_to_converge"] = [3, None, 1]
    record["provenance_note"] = "extra"
    schema.validate_record(record)


def test_unknown_experiment_needs_generic_shape():
    schema.validate_record({"experiment": "adam_vs_sgd", "config": {"lr": 0.1},
                            "results": {"anything": [1, None]}, "timings_s": {"compute": 0.1}})
    with pytest.raises(schema.SchemaError, match="'results' is a required property"):
        schema.validate_record({"experiment": "adam_vs_sgd", "config": {}, "timings_s": {}})


def test_every_registered_experiment_record_is_valid():
    # Sweep experiments exceed the app's caps, so they run as the quick jobs do.
    with limits.use(limits.JOBS):
        for experiment in EXPERIMENTS:
            config = preset_configs(experiment, "sweep", quick=True)[0]
            schema.validate_record(run_experiment(experiment, config))


def test_run_file_is_valid(records):
    schema.validate_run_file(minimal_run_file(records.values()))


@pytest.mark.parametrize("key", ["schema", "job", "preset", "quick", "command", "started_at",
                                 "finished_at", "wall_s", "seeds", "environment", "records"])
def test_run_file_without_key_is_invalid(records, key):
    document = minimal_run_file(records.values())
    del document[key]
    with pytest.raises(schema.SchemaError):
        schema.validate_run_file(document)


@pytest.mark.parametrize("key", ["python", "torch", "numpy", "device", "device_name", "cuda",
                                 "git_commit", "git_dirty", "created_at"])
def test_environment_without_key_is_invalid(records, key):
    document = minimal_run_file(records.values())
    del document["environment"][key]
    with pytest.raises(schema.SchemaError, match=f"environment: '{key}' is a required"):
        schema.validate_run_file(document)


def test_run_file_record_needs_wall_time(records):
    document = minimal_run_file(records.values())
    del document["records"][1]["timings_s"]["wall"]
    with pytest.raises(schema.SchemaError, match="records/1/timings_s: 'wall' is a required"):
        schema.validate_run_file(document)


@pytest.mark.parametrize("time", ["2026-01-31 12:00:00", "2026-01-31T12:00:00+02:00",
                                  "yesterday"])
def test_run_file_time_must_be_utc_iso_8601(records, time):
    document = minimal_run_file(records.values())
    document["started_at"] = time
    with pytest.raises(schema.SchemaError, match="started_at"):
        schema.validate_run_file(document)


def test_other_schema_version_is_named(records):
    document = minimal_run_file(records.values())
    document["schema"] = "lab-run/2"
    with pytest.raises(schema.SchemaError, match="schema is 'lab-run/2'"):
        schema.validate_run_file(document)


def test_write_refuses_invalid_run_file(tmp_path, records):
    document = minimal_run_file(records.values())
    del document["records"][0]["results"]["manual"]
    with pytest.raises(schema.SchemaError, match="records/0/results: 'manual'"):
        write_atomic(tmp_path / "run.json", document)
    assert not list(tmp_path.iterdir())


def test_write_refuses_nan(tmp_path, records):
    document = minimal_run_file(records.values())
    document["wall_s"] = float("nan")
    with pytest.raises(ValueError, match="Out of range float values are not JSON compliant"):
        write_atomic(tmp_path / "run.json", document)
    assert not list(tmp_path.iterdir())


def test_written_run_file_reads_back(tmp_path, records):
    document = minimal_run_file(records.values())
    path = write_atomic(tmp_path / "run.json", document)
    assert json.loads(path.read_text()) == json.loads(dumps_strict(document))
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask
