"""The Normal equation vs GD tab: new controls, examples and the cost endpoint."""

import gradio as gr
import pytest
from matplotlib.figure import Figure

from lib import limits
from lib.experiments import run_experiment
from lib.normal_equation.cost import CostConfig
from space.tabs.normal_vs_gd import EXAMPLES, normal_vs_gd, normal_vs_gd_cost

EXAMPLE_KEYS = ["seed", "num_samples", "true_theta", "noise", "lr", "iterations", "gradient",
                "num_features", "fit_intercept", "data", "correlation", "scale", "standardize",
                "dtype", "solver", "tolerance", "gd_init", "gd_on_gram"]
SMALL_COST = {"seed": 0, "num_samples": 300, "num_features": 4, "sample_sizes": "100, 200",
              "feature_counts": "2, 4", "correlation": 0.0, "dtype": "float64",
              "tolerance": 1e-6, "max_iterations": 100, "repeats": 1}


def without_timings(record):
    return {key: value for key, value in record.items() if key != "timings_s"}


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda row: f"{row[9][:8]!r}-{row[13]}")
def test_example_runs(example):
    outputs = normal_vs_gd(**dict(zip(EXAMPLE_KEYS, example)))
    assert all(isinstance(figure, Figure) for figure in outputs[:2])
    assert outputs[2]


def test_handler_reads_auto_lr_text():
    outputs = normal_vs_gd(**dict(zip(EXAMPLE_KEYS, EXAMPLES[0])) | {"lr": "auto"})
    assert outputs[-1]["config"]["lr"] == "auto"
    assert outputs[-1]["results"]["gd"]["lr_auto"] is True


def test_handler_reads_numeric_lr_text():
    outputs = normal_vs_gd(**dict(zip(EXAMPLE_KEYS, EXAMPLES[0])) | {"lr": " 0.005 "})
    assert outputs[-1]["config"]["lr"] == 0.005


def test_handler_matches_lib_for_new_keys():
    changes = {"dtype": "float32", "solver": "lstsq", "scale": "1, 2, 3", "iterations": 300}
    outputs = normal_vs_gd(**dict(zip(EXAMPLE_KEYS, EXAMPLES[0])) | changes)
    expected = run_experiment("normal_vs_gd", {"solver": "lstsq", "dtype": "float32",
                                               "scale": [1, 2, 3], "iterations": 300})
    assert without_timings(outputs[-1]) == without_timings(expected)


def test_singular_example_summary_refuses_inverse():
    outputs = normal_vs_gd(**dict(zip(EXAMPLE_KEYS, EXAMPLES[1])))
    assert "Rank deficient" in outputs[2]
    assert outputs[-1]["results"]["solver_used"] == "lstsq"


def test_cost_handler_returns_plot_summary_record():
    outputs = normal_vs_gd_cost(**SMALL_COST, progress=lambda *args, **kwargs: None)
    assert isinstance(outputs[0], Figure)
    assert "Crossover" in outputs[1]
    assert [point["n"] for point in outputs[-1]["results"]["points_n"]] == [100, 200]


def test_cost_handler_rejects_oversized_sweep():
    with pytest.raises(gr.Error, match="sample_sizes\\[0\\] must be"):
        normal_vs_gd_cost(**SMALL_COST | {"sample_sizes": "10000000"},
                          progress=lambda *args, **kwargs: None)


def test_cost_default_fits_app_limit():
    assert CostConfig().estimate_flops() <= limits.APP.max_flops


def test_cost_endpoint_over_http(client):
    outputs = client.predict(**SMALL_COST, api_name="/normal_vs_gd_cost")
    record = outputs[-1]
    assert record["experiment"] == "normal_vs_gd_cost"
    assert set(record["results"]["points_d"][0]["methods"]) == {
        "inverse", "solve", "cholesky", "lstsq", "pinv", "gd"}


def test_endpoint_takes_new_keys(client):
    outputs = client.predict(lr="auto", dtype="float32", iterations=200, api_name="/normal_vs_gd")
    record = outputs[-1]
    assert record["config"]["dtype"] == "float32"
    assert record["results"]["gd"]["lr_auto"] is True
