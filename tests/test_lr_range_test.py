"""The learning-rate range test: its suggestions, its stop rules and its record."""

import math

import numpy as np
import pytest

from lib.lr_range_test import RangeTestConfig, run, run_record, smooth, suggest, summarize
from lib.records import dumps_strict, loads_strict
from lib.validation import ConfigError

LOSSES = [0.90, 0.89, 0.87, 0.86, 0.85, 0.84]
RATES = [1e-4, 1e-3, 1e-2, 1e-1, 1.0, 10.0, 100.0]


def test_nan_gives_same_suggestion():
    without = suggest(RATES[:6], LOSSES)
    with_nan = suggest(RATES, LOSSES + [math.nan])
    assert with_nan == without


def test_none_gives_same_suggestion():
    assert suggest(RATES, LOSSES + [None]) == suggest(RATES[:6], LOSSES)


def test_suggestion_uses_finite_losses_only():
    assert suggest(RATES, LOSSES + [math.nan])["usable_steps"] == 6


def test_smoothing_matches_bias_corrected_average():
    beta = 0.9
    expected = []
    average = 0.0
    for i, loss in enumerate(LOSSES):
        average = beta * average + (1 - beta) * loss
        expected.append(average / (1 - beta ** (i + 1)))
    np.testing.assert_allclose(smooth(np.array(LOSSES), beta), expected, rtol=1e-15)
    assert smooth(np.array(LOSSES), beta)[0] == pytest.approx(0.90)


def test_steepest_and_minimum_suggestions():
    rates = np.geomspace(1e-4, 1.0, 9)
    # The loss falls fastest between 1e-3 and 1e-2 and is lowest at 0.1.
    losses = [1.0, 0.99, 0.95, 0.5, 0.3, 0.25, 0.2, 0.6, 3.0]
    result = suggest(rates, losses, smoothing=0.0, stop_factor=100.0)
    assert result["steepest_lr"] == pytest.approx(rates[3])
    assert result["minimum_lr"] == pytest.approx(rates[6])
    assert result["minimum_over_10_lr"] == pytest.approx(rates[6] / 10)


def test_stop_factor_ends_suggestion_window():
    losses = [1.0, 0.5, 0.4, 5.0, 0.1]
    assert suggest(list(range(1, 6)), losses, smoothing=0.0, stop_factor=4.0)["usable_steps"] == 4


def test_too_few_losses_give_no_suggestion():
    result = suggest([1e-3, 1e-2], [math.nan, 1.0])
    assert result["steepest_lr"] is None
    assert result["minimum_over_10_lr"] is None


def test_run_ends_at_non_finite_loss():
    results = run(RangeTestConfig(lr_min=1e-3, lr_max=1e3, num_steps=200, stop_factor=1e300,
                                  smoothing=0.0))
    losses = results["losses"]
    assert not math.isfinite(losses[-1])
    assert all(math.isfinite(value) for value in losses[:-1])
    assert results["stop_reason"] == f"loss not finite at step {len(losses) - 1}"
    assert results["minimum_lr"] is not None


def test_rates_grow_exponentially():
    results = run(RangeTestConfig(num_steps=50, stop_factor=1e300))
    rates = results["learning_rates"]
    ratios = rates[1:] / rates[:-1]
    np.testing.assert_allclose(ratios, (10.0 / 1e-5) ** (1 / 49), rtol=1e-12)


def test_critical_rate_raw_and_standardized():
    raw = run(RangeTestConfig())
    scaled = run(RangeTestConfig(standardize=True))
    assert raw["critical_lr_gd"] == pytest.approx(0.0278, abs=5e-5)
    assert scaled["critical_lr_gd"] == pytest.approx(1.0, abs=1e-6)


def test_suggestion_blows_up_after_critical_rate():
    # The rate rises every step, so the smoothed minimum lies past 2/λ_max, not before it.
    results = run(RangeTestConfig())
    assert results["minimum_lr"] > results["critical_lr_gd"]
    assert results["minimum_over_10_lr"] < results["critical_lr_gd"]


def test_record_is_strict_json_and_summarized():
    record = run_record(RangeTestConfig(lr_min=1e-3, lr_max=1e3, num_steps=200,
                                        stop_factor=1e300))
    document = loads_strict(dumps_strict(record))
    assert document["results"]["losses"][-1] is None
    text = summarize(document)
    assert "Computed critical rate 2/λ_max = **0.02781**" in text
    assert "loss not finite at step" in text


@pytest.mark.parametrize(("config", "message"), [
    ({"lr_max": 1e-6}, "lr_max must be > lr_min"),
    ({"num_steps": 1}, "num_steps must be >= 2"),
    ({"smoothing": 1.0}, "smoothing must be >= 0 and < 1"),
    ({"stop_factor": 1.0}, "stop_factor must be > 1"),
    ({"optimizer": "adam", "momentum": 0.5}, "momentum must be 0 with optimizer 'adam'"),
])
def test_invalid_config_is_rejected(config, message):
    with pytest.raises(ConfigError, match=message):
        RangeTestConfig.from_dict(config)
