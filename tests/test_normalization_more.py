"""Normalization config keys, the sweep, the benchmark and the tab's handler."""

import numpy as np
import pytest

from lib import limits
from lib.experiments import run_experiment
from lib.normalization import NormalizationConfig, run
from lib.normalization_sweep import NormalizationSweepConfig
from lib.validation import ConfigError


@pytest.mark.parametrize(("config", "message"), [
    ({"data": [[[1, 2], [3, 4]], [[1, 2], [3]]]},
     "data is ragged: row 1 column 1 has a list of 1 values, row 0 column 0 has a list of 2"),
    ({"data": [[[1, 2], 3]]}, "row 0 column 1 has a single number"),
    ({"data": [[[1, "a"]]]}, "data row 0 column 0 position 1 must be a number"),
    ({"weight": "1, 2"}, "weight must be one number or 3 numbers"),
    ({"affine": False, "bias": 1.0}, "bias must be 0 when affine is false"),
    ({"distribution": "cauchy"}, "distribution must be one of"),
    ({"train_steps": -1}, "train_steps must be >= 0"),
    ({"length": 0}, "length must be >= 1"),
    ({"eps": 2.0}, r"eps must be > 0 \(or exactly 0 for no eps\) and <= 1, got 2"),
    ({"momentum": 1.5}, "momentum must be > 0 and <= 1"),
])
def test_invalid_new_keys_are_rejected(config, message):
    with pytest.raises(ConfigError, match=message):
        NormalizationConfig.from_dict(config)


def test_per_feature_weight_and_bias():
    results = run(NormalizationConfig(weight="2, 1, 0.5", bias=[1, 0, -1]))
    standardized = (results["input"] - results["input"].mean(0)) / results["input"].std(0)
    np.testing.assert_allclose(results["manual"], standardized * [2, 1, 0.5] + [1, 0, -1],
                               atol=1e-12)


def test_shifted_distribution_has_feature_means():
    results = run(NormalizationConfig(distribution="shifted", batch_size=4000,
                                      num_features=3))
    np.testing.assert_allclose(results["batch_mean"], [0, 10, 100], atol=0.3)


def test_uniform_with_length_has_three_dimensions():
    results = run(NormalizationConfig(batch_size=2, num_features=3, length=4))
    assert results["input"].shape == (2, 3, 4)


def test_running_stats_after_each_step():
    results = run(NormalizationConfig(train_steps=3))
    history = np.array(results["running_mean_history"])
    mean = results["batch_mean"]
    np.testing.assert_allclose(history, [0 * mean, 0.1 * mean, 0.19 * mean, 0.271 * mean],
                               rtol=1e-6)
    assert results["num_batches_tracked_history"] == [0, 1, 2, 3]


def test_eval_scale_explains_eval_output():
    results = run(NormalizationConfig(train_steps=5))
    # With weight 1 and bias 0 the outputs are the normalized values themselves.
    expected = results["batchnorm"] * results["eval_scale"] + results["eval_shift"]
    np.testing.assert_allclose(results["eval_output"], expected, atol=1e-5)


def test_row_normalization_differs_from_batchnorm():
    results = run(NormalizationConfig())
    np.testing.assert_allclose(results["batchnorm_feature_std"], 1.0, atol=1e-3)
    assert results["row_max_abs_diff"] > 0.5
    np.testing.assert_allclose(np.std(results["row_normalized"], axis=1), 1.0, atol=1e-12)


def test_sweep_records_points_and_timings():
    config = {"batch_sizes": [2, 64], "feature_counts": [3, 8], "repeats": 2}
    with limits.use(limits.JOBS):
        record = run_experiment("normalization_sweep", config)
    results = record["results"]
    assert len(results["points"]) == 2 * 2 * 2
    assert results["skipped"] == [{"dtype": "bfloat16", "reason": "runs on CUDA only"}]
    for point in results["points"]:
        assert point["max_abs_diff"] == pytest.approx(point["eps_predicted_diff"],
                                                      abs=1e-5 if point["dtype"] == "float32"
                                                      else 1e-12)
    assert record["timings_s"]["forward_torch_float32"] > 0
    assert record["timings_s"]["forward_by_hand_float64"] > 0
    assert record["timings_s"]["forward_from_scratch_float64"] > 0


def test_sweep_rejects_unknown_dtype():
    with limits.use(limits.JOBS), \
            pytest.raises(ConfigError, match=r"dtypes\[0\] must be one of"):
        NormalizationSweepConfig(dtypes=["float16"])


def test_benchmark_quick_runs():
    from jobs.benchmarks.normalization import benchmarks

    entries = benchmarks(quick=True)
    assert len(entries) == 2
    for entry in entries:
        assert len(entry["times_s"]) == len(entry["baseline_times_s"]) == 3
        assert entry["check"]["torch_max_abs_diff_from_float64_by_hand"] < 1e-3


def test_handler_takes_new_keys():
    from space.tabs.normalization import normalization

    outputs = normalization(seed=42, batch_size=4, num_features=3, data="1\n3", eps=1e-5,
                            momentum=None, ddof=0, length=0, distribution="uniform",
                            affine=True, weight="2", bias="3", train_steps=2)
    record = outputs[-1]
    assert record["config"]["weight"] == 2.0
    assert record["config"]["length"] is None
    assert record["config"]["momentum"] is None
    np.testing.assert_allclose(np.ravel(record["results"]["batchnorm"]), [1.00001, 4.99999],
                               atol=5e-6)


def test_tab_examples_run_or_explain():
    import gradio as gr

    from space.tabs.normalization import EXAMPLES, normalization

    for label, values in EXAMPLES:
        if "an error" in label:
            with pytest.raises(gr.Error, match="one value per feature has no variance"):
                normalization(*values)
        else:
            assert normalization(*values)[-1]["results"]["running_mean"] is not None


def test_endpoint_takes_new_keys(client):
    outputs = client.predict(data="1\n3", weight="2", bias="3", train_steps=0,
                             api_name="/normalization")
    record = outputs[-1]
    expected = run_experiment("normalization", {"data": [[1.0], [3.0]], "weight": 2.0,
                                                "bias": 3.0, "train_steps": 0})
    assert record["results"]["eval_output"] == expected["results"]["eval_output"]
