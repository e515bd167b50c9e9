"""Gradient descent on x² against the notebook's printed finals and the closed form."""

import numpy as np
import pytest

from lib.lr_quadratic import QuadraticConfig, classify, run
from lib.validation import ConfigError


def scalar_loop(start, lr, iterations):
    x = start
    for _ in range(iterations):
        x = x - lr * (2 * x)
    return x


@pytest.fixture(scope="module")
def notebook():
    return run(QuadraticConfig())


@pytest.mark.parametrize(("index", "expected"),
                         [(0, 0.018889465931478583), (1, 3.0173236488944846), (2, 0.0)])
def test_final_x_matches_notebook_exactly(notebook, index, expected):
    assert notebook["runs"][index]["final_x"] == expected


def test_iterates_match_scalar_loop_bitwise(notebook):
    for entry in notebook["runs"]:
        for k in (1, 5, 25):
            assert entry["x"][k] == scalar_loop(5.0, entry["lr"], k)


def test_iterates_match_closed_form(notebook):
    for entry in notebook["runs"]:
        k = np.arange(26)
        np.testing.assert_allclose(entry["x"], (1 - 2 * entry["lr"]) ** k * 5.0,
                                   rtol=1e-12, atol=1e-300)


def test_iterations_argument_is_used():
    results = run(QuadraticConfig(iterations=3, learning_rates=[0.1]))
    assert len(results["runs"][0]["x"]) == 4


def test_critical_learning_rate_is_one(notebook):
    assert notebook["critical_lr"] == 1.0


def test_large_rate_overflow_is_recorded():
    results = run(QuadraticConfig(start=10.0, learning_rates=[1.1, 500.0], iterations=200))
    assert results["runs"][0]["x"][10] == pytest.approx(61.917364224, abs=1e-6)
    assert results["runs"][1]["overflow_at_iteration"] is not None
    assert results["runs"][0]["regime"] == "divergence"


@pytest.mark.parametrize(("lr", "regime"), [(0.2, "monotone convergence"),
                                            (0.5, "one-step convergence"),
                                            (0.9, "oscillating convergence"),
                                            (1.0, "stuck oscillation"),
                                            (1.1, "divergence")])
def test_regimes(lr, regime):
    assert classify(lr) == regime


@pytest.mark.parametrize(("config", "message"), [
    ({"learning_rates": [-0.1]}, r"learning_rates\[0\] must be > 0"),
    ({"learning_rates": "0.1, nan"}, r"learning_rates\[1\] must be finite"),
    ({"iterations": 0}, "iterations must be >= 1"),
    ({"learning_rates": []}, "learning_rates must have between 1 and"),
    ({"start": float("inf")}, "start must be finite"),
])
def test_invalid_config_is_rejected(config, message):
    with pytest.raises(ConfigError, match=message):
        QuadraticConfig.from_dict(config)
