"""The app's handlers called as functions, and its four endpoints called over HTTP."""

import gradio as gr
import pytest
from matplotlib.figure import Figure

from lib.experiments import run_experiment
from space.tabs.learning_rate import lr_linear_model, lr_quadratic
from space.tabs.normal_vs_gd import normal_vs_gd
from space.tabs.normalization import normalization

NORMALIZATION_DEFAULTS = {"seed": 42, "batch_size": 4, "num_features": 3, "data": "",
                          "eps": 1e-5, "momentum": 0.1, "ddof": 0}
QUADRATIC_DEFAULTS = {"start": 5.0, "learning_rates": "0.1, 0.01, 0.5", "iterations": 25}
LINEAR_DEFAULTS = {"seed": 42, "num_samples": 100, "learning_rates": "0.01, 0.1, 0.5",
                   "epochs": 100, "continue_training": False}
NORMAL_DEFAULTS = {"seed": 42, "num_samples": 100, "true_theta": "1.5, -0.8, 2",
                   "noise": 0.1, "lr": 0.01, "iterations": 10000, "gradient": "sum"}

HANDLERS = [
    (normalization, NORMALIZATION_DEFAULTS, "normalization", 2),
    (lr_quadratic, QUADRATIC_DEFAULTS, "lr_quadratic", 2),
    (lr_linear_model, LINEAR_DEFAULTS, "lr_linear_model", 1),
    (normal_vs_gd, NORMAL_DEFAULTS, "normal_vs_gd", 2),
]


def without_timings(record):
    return {key: value for key, value in record.items() if key != "timings_s"}


@pytest.mark.parametrize(("handler", "inputs", "experiment_id", "num_figures"), HANDLERS)
def test_handler_returns_figures_summary_and_record(handler, inputs, experiment_id, num_figures):
    outputs = handler(**inputs)
    assert len(outputs) == num_figures + 2
    assert all(isinstance(figure, Figure) for figure in outputs[:num_figures])
    assert isinstance(outputs[num_figures], str) and outputs[num_figures]
    assert without_timings(outputs[-1]) == without_timings(run_experiment(experiment_id))


@pytest.mark.parametrize(
    ("handler", "defaults", "changes", "message"),
    [
        (normal_vs_gd, NORMAL_DEFAULTS, {"lr": -0.1}, "lr must be > 0"),
        (normal_vs_gd, NORMAL_DEFAULTS, {"lr": float("nan")}, "lr must be finite"),
        (normal_vs_gd, NORMAL_DEFAULTS, {"lr": float("inf")}, "lr must be finite"),
        (normal_vs_gd, NORMAL_DEFAULTS, {"iterations": 0}, "iterations must be >= 1"),
        (normal_vs_gd, NORMAL_DEFAULTS, {"lr": "fast"}, "lr must be a number, got 'fast'"),
        (normal_vs_gd, NORMAL_DEFAULTS, {"gradient": "median"}, "gradient must be one of"),
        (lr_quadratic, QUADRATIC_DEFAULTS, {"learning_rates": "0.1, -1"},
         r"learning_rates\[1\] must be > 0"),
        (lr_quadratic, QUADRATIC_DEFAULTS, {"iterations": 0}, "iterations must be >= 1"),
        (lr_linear_model, LINEAR_DEFAULTS, {"epochs": None}, "epochs must be an integer"),
        (lr_linear_model, LINEAR_DEFAULTS, {"learning_rates": "0.1, inf"},
         r"learning_rates\[1\] must be finite"),
        (normalization, NORMALIZATION_DEFAULTS, {"eps": -1}, "eps must be > 0"),
        (normalization, NORMALIZATION_DEFAULTS, {"data": "1 2\n3"}, "data is ragged"),
    ],
)
def test_bad_input_raises_gr_error(handler, defaults, changes, message):
    with pytest.raises(gr.Error, match=message):
        handler(**{**defaults, **changes})


@pytest.mark.parametrize(("api_name", "experiment_id"), [
    ("/normalization", "normalization"),
    ("/lr_quadratic", "lr_quadratic"),
    ("/lr_linear_model", "lr_linear_model"),
    ("/normal_vs_gd", "normal_vs_gd"),
])
def test_endpoint_defaults_equal_lib_record(client, api_name, experiment_id):
    outputs = client.predict(api_name=api_name)
    record = outputs[-1]
    assert without_timings(record) == without_timings(run_experiment(experiment_id))


def test_endpoint_takes_config_keys_as_keywords(client):
    outputs = client.predict(lr=0.01, iterations=500, api_name="/normal_vs_gd")
    record = outputs[-1]
    assert record["config"]["iterations"] == 500
    expected = run_experiment("normal_vs_gd", {"iterations": 500})
    assert without_timings(record) == without_timings(expected)


def test_endpoint_reports_lib_message(client):
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match="lr must be > 0"):
        client.predict(lr=-1.0, api_name="/normal_vs_gd")
