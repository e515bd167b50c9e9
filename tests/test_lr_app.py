"""The learning-rate tab's new endpoints and inputs, over HTTP and as functions."""

import pytest

from lib.experiments import run_experiment
from space.tabs.learning_rate import lr_batchnorm, lr_linear_model, lr_range_test, optional_number

SMALL_BATCHNORM = {"seed": 0, "num_samples": 128, "num_features": 4, "feature_scale": 100.0,
                   "hidden_units": 8, "learning_rates": "0.001:1:3:log", "epochs": 3,
                   "batch_size": 64, "optimizer": "sgd", "momentum": 0.0}


def without_timings(record):
    return {key: value for key, value in record.items() if key != "timings_s"}


def test_range_test_endpoint_equals_lib_record(client):
    record = client.predict(api_name="/lr_range_test")[-1]
    assert without_timings(record) == without_timings(run_experiment("lr_range_test"))


def test_batchnorm_endpoint_equals_lib_record(client):
    record = client.predict(**SMALL_BATCHNORM, api_name="/lr_batchnorm")[-1]
    expected = run_experiment("lr_batchnorm", {**SMALL_BATCHNORM,
                                               "learning_rates": "0.001:1:3:log"})
    assert without_timings(record) == without_timings(expected)


def test_linear_endpoint_takes_new_keys(client):
    record = client.predict(learning_rates="1e-4, 1.5e-4", epochs=15, dtype="float64",
                            data="1, 2\n2, 4\n3, 6\n4, 8\n5, 10\n100, 200\n200, 400",
                            bias=False, initial_weight="0", api_name="/lr_linear_model")[-1]
    runs = record["results"]["runs"]
    assert runs[0]["weight"] == pytest.approx(2.0000064, abs=1e-7)
    assert runs[1]["label"] == "diverging"


def test_quadratic_endpoint_takes_new_keys(client):
    record = client.predict(start=1.5, learning_rates="0.05, 0.22", iterations=20,
                            function="double_well", api_name="/lr_quadratic")[-1]
    assert record["results"]["runs"][1]["left_basin_at_iteration"] == 1


def test_handler_reads_empty_text_as_default():
    outputs = lr_linear_model(42, 100, "0.01", 10, False, batch_size="", initial_weight="",
                              initial_bias="")
    record = outputs[-1]
    assert record["config"]["batch_size"] is None
    assert record["config"]["initial_weight"] is None
    assert record["results"]["runs"][0]["losses"][0] == pytest.approx(145.8912, abs=5e-5)


@pytest.mark.parametrize(("text", "expected"), [("", None), ("  ", None), (None, None),
                                                ("0", 0.0), ("16", 16.0), ("abc", "abc"),
                                                (3, 3)])
def test_optional_number(text, expected):
    assert optional_number(text) == expected


def test_bad_batch_size_text_reports_lib_message():
    import gradio as gr

    with pytest.raises(gr.Error, match="batch_size must be an integer, got 'abc'"):
        lr_range_test(42, 100, 1e-5, 10.0, 100, 0.9, 4.0, False, "abc", "sgd", 0.0, "mean")


def test_batchnorm_handler_returns_figure_summary_record():
    from matplotlib.figure import Figure

    figure, summary, record = lr_batchnorm(**SMALL_BATCHNORM)
    assert isinstance(figure, Figure)
    assert "with BatchNorm" in summary
    assert record["experiment"] == "lr_batchnorm"
