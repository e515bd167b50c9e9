"""The normalization cases a student gets stuck on, each with the value it must give."""

import numpy as np
import pytest
import torch

from lib.normalization import NormalizationConfig, run, run_record, running_stats_history
from lib.validation import ConfigError

GRID_INPUT = (1 + np.arange(4)[:, None, None] + 4 * np.arange(3)[None, :, None]
              + np.arange(4)[None, None, :]).tolist()
MOMENTUM_ONE_ROWS = [[2, 15, 2, 1], [2, 17, 2, 1], [-4, -2, -2, -1]]


@pytest.fixture(scope="module")
def grid():
    return run(NormalizationConfig(data=GRID_INPUT))


def test_grid_input_channel_zero_of_sample_zero(grid):
    np.testing.assert_allclose(grid["batchnorm"][0][0], [-1.8974, -1.2649, -0.6325, 0.0],
                               atol=5e-5)


def test_grid_input_running_var_is_unbiased(grid):
    assert grid["running_var"][0] == pytest.approx(0.9 + 0.1 * 8 / 3, rel=1e-6)
    assert grid["running_var"][0] == pytest.approx(1.1667, abs=5e-5)
    assert grid["running_var"][0] != pytest.approx(1.15, abs=1e-3)


def test_momentum_one_running_var_is_ddof_one():
    results = run(NormalizationConfig(data=MOMENTUM_ONE_ROWS, momentum=1))
    np.testing.assert_allclose(results["running_var"], [12, 109, 16 / 3, 4 / 3], rtol=1e-6)


def test_momentum_one_np_var_is_ddof_zero():
    results = run(NormalizationConfig(data=MOMENTUM_ONE_ROWS, momentum=1))
    np.testing.assert_allclose(results["batch_var"], [8, 218 / 3, 32 / 9, 8 / 9], rtol=1e-12)
    np.testing.assert_allclose(np.var(np.array(MOMENTUM_ONE_ROWS), axis=0),
                               [8, 72.667, 3.556, 0.889], atol=5e-4)


def batches_with_means(means):
    return [torch.tensor([[mean - 1.0], [mean + 1.0]]) for mean in means]


def test_momentum_none_is_cumulative_average():
    layer = torch.nn.BatchNorm1d(1, momentum=None)
    history = running_stats_history(layer, batches_with_means([2.0, 4.0, 6.0]))
    assert history["running_mean"][-1][0] == pytest.approx(4.0, abs=1e-6)
    assert history["num_batches_tracked"] == [0, 1, 2, 3]
    assert history["momentum_factors"] == pytest.approx([1.0, 1 / 2, 1 / 3])


def test_momentum_tenth_from_zero_with_mean_five():
    layer = torch.nn.BatchNorm1d(1, momentum=0.1)
    history = running_stats_history(layer, batches_with_means([5.0]))
    assert history["running_mean"][-1][0] == pytest.approx(0.5, abs=1e-6)


def test_batch_size_one_two_dimensional_is_explained():
    with pytest.raises(ConfigError) as raised:
        NormalizationConfig(batch_size=1)
    message = str(raised.value)
    assert "batch_size must be >= 2" in message
    assert "one value per feature has no variance" in message
    assert "(N, C, L) input" in message
    assert "eval mode" in message


def test_batch_size_one_with_length_five_works():
    results = run(NormalizationConfig(batch_size=1, num_features=3, length=5))
    assert np.asarray(results["batchnorm"]).shape == (1, 3, 5)
    layer = torch.nn.BatchNorm1d(3).train()
    expected = layer(torch.tensor(results["input"], dtype=torch.float32)).detach().numpy()
    np.testing.assert_allclose(results["batchnorm"], expected, atol=1e-6)


def test_fresh_layer_eval_mode_divides_by_sqrt_one_plus_eps():
    results = run(NormalizationConfig(data=[[3.0]], train_steps=0))
    assert results["eval_output"][0][0] == pytest.approx(2.999985, abs=5e-7)
    assert results["eval_output"][0][0] == pytest.approx(3.0 / np.sqrt(1 + 1e-5), rel=1e-6)
    assert results.get("manual") is None


def test_constant_column_by_hand_is_nan():
    record = run_record(NormalizationConfig(data=[[1.0, 2.0], [1.0, 3.0], [1.0, 5.0]]))
    assert record["results"]["manual"][0][0] is None
    assert record["results"]["constant_features"] == [0]


def test_constant_column_batchnorm_is_zero():
    record = run_record(NormalizationConfig(data=[[1.0, 2.0], [1.0, 3.0], [1.0, 5.0]]))
    assert [row[0] for row in record["results"]["batchnorm"]] == [0.0, 0.0, 0.0]


def test_constant_column_summary_says_why():
    from lib.normalization import summarize

    record = run_record(NormalizationConfig(data=[[1.0, 2.0], [1.0, 3.0], [1.0, 5.0]]))
    summary = summarize(record)
    assert "Feature(s) [0] are constant" in summary
    assert "eps keeps the divisor above 0" in summary


def test_weight_two_bias_three_on_one_three():
    results = run(NormalizationConfig(data=[[1.0], [3.0]], weight=2, bias=3))
    np.testing.assert_allclose(np.ravel(results["batchnorm"]), [1.00001, 4.99999], atol=5e-6)
    np.testing.assert_allclose(np.ravel(results["manual"]), [1.0, 5.0], atol=1e-12)


def test_eps_zero_agrees_to_float32_rounding():
    results = run(NormalizationConfig(eps=0.0))
    assert results["eps_predicted_diff"] == 0.0
    assert results["max_abs_diff"] < 4 * np.finfo(np.float32).eps
    assert results["torch_eps"] == np.finfo(np.float64).tiny


def test_eps_zero_constant_column_is_nan_in_both():
    record = run_record(NormalizationConfig(data=[[1.0, 2.0], [1.0, 3.0]], eps=0.0))
    assert record["results"]["manual"][0][0] is None
    assert record["results"]["batchnorm"][0][0] is None
