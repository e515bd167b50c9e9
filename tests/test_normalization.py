"""Normalization against the course notebook's printed numbers and torch's BatchNorm1d."""

import numpy as np
import pytest
import torch

from lib.normalization import NormalizationConfig, run, run_record
from lib.validation import ConfigError

NOTEBOOK_MANUAL = [[-0.2426183, 1.09277335, 0.39604745],
                   [0.65914784, -0.82706681, -1.5497212],
                   [-1.51591764, 0.88854453, -0.04607125],
                   [1.0993881, -1.15425107, 1.199745]]
NOTEBOOK_BATCHNORM = [[-0.2426, 1.0927, 0.3960],
                      [0.6591, -0.8270, -1.5496],
                      [-1.5158, 0.8885, -0.0461],
                      [1.0993, -1.1542, 1.1997]]


@pytest.fixture(scope="module")
def notebook():
    return run(NormalizationConfig())


def test_input_matches_numpy_seed(notebook):
    np.random.seed(42)
    expected = np.random.rand(4, 3)
    np.testing.assert_array_equal(notebook["input"], expected)


def test_manual_matches_notebook(notebook):
    np.testing.assert_allclose(notebook["manual"], NOTEBOOK_MANUAL, atol=5e-9)


def test_batchnorm_matches_notebook_to_four_decimals(notebook):
    rounded = np.round(notebook["batchnorm"], 4)
    np.testing.assert_allclose(rounded, NOTEBOOK_BATCHNORM, atol=1e-12)


def test_batchnorm_matches_torch_reference(notebook):
    layer = torch.nn.BatchNorm1d(3).train()
    expected = layer(torch.tensor(notebook["input"], dtype=torch.float32)).detach().numpy()
    np.testing.assert_array_equal(np.asarray(notebook["batchnorm"], dtype=np.float32), expected)


def test_difference_is_explained_by_eps(notebook):
    assert notebook["max_abs_diff"] == pytest.approx(1.226e-4, rel=1e-3)
    assert notebook["max_abs_diff"] < 1.3e-4
    assert abs(notebook["max_abs_diff"] - notebook["eps_predicted_diff"]) < 1e-6


def test_running_statistics_use_unbiased_variance(notebook):
    x = notebook["input"]
    np.testing.assert_allclose(notebook["running_mean"], 0.1 * x.mean(axis=0), rtol=1e-6)
    np.testing.assert_allclose(notebook["running_var"], 0.9 + 0.1 * x.var(axis=0, ddof=1),
                               rtol=1e-6)
    assert notebook["num_batches_tracked"] == 1


def test_three_dimensional_input_normalizes_over_n_and_l():
    data = (1 + np.arange(4)[:, None, None] + 4 * np.arange(3)[None, :, None]
            + np.arange(4)[None, None, :]).tolist()
    results = run(NormalizationConfig(data=data))
    np.testing.assert_allclose(results["batchnorm"][0][0], [-1.8974, -1.2649, -0.6325, 0.0],
                               atol=1e-4)
    assert results["running_var"][0].item() == pytest.approx(0.9 + 0.1 * 8 / 3, rel=1e-6)


def test_constant_feature_gives_nan_by_hand_and_zero_in_batchnorm():
    record = run_record(NormalizationConfig(data=[[1.0, 2.0], [1.0, 3.0]]))
    assert record["results"]["manual"][0][0] is None
    assert record["results"]["batchnorm"][0][0] == 0.0
    assert record["results"]["constant_features"] == [0]


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"eps": -1.0}, "eps must be > 0"),
        ({"momentum": 0.0}, "momentum must be > 0"),
        ({"ddof": 2}, "ddof must be one of 0, 1, got 2"),
        ({"batch_size": 1}, "batch_size must be >= 2"),
        ({"data": [[1, 2], [3]]}, "row 1 has 1 values, row 0 has 2"),
        ({"data": "1 2\n3 x"}, "data row 1 column 1 is not a number: 'x'"),
        ({"seed": "42"}, "seed must be an integer, got '42'"),
        ({"unknown": 1}, "unknown config key 'unknown'"),
    ],
)
def test_invalid_config_is_rejected(config, message):
    with pytest.raises(ConfigError, match=message):
        NormalizationConfig.from_dict(config)
