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


# Gradient descent from x₀ = 10 on x², one value per test.
@pytest.mark.parametrize(("lr", "k", "expected"), [
    (0.2, 1, 6.0), (0.2, 2, 3.6), (0.2, 3, 2.16),
    (0.9, 1, -8.0), (0.9, 2, 6.4),
    (1.1, 1, -12.0), (1.1, 2, 14.4), (1.1, 3, -17.28),
])
def test_iterate_from_ten(lr, k, expected):
    results = run(QuadraticConfig(start=10.0, learning_rates=[lr], iterations=10))
    assert results["runs"][0]["x"][k] == pytest.approx(expected, abs=1e-12)


def test_rate_one_flips_sign_forever():
    x = run(QuadraticConfig(start=10.0, learning_rates=[1.0], iterations=1000))["runs"][0]["x"]
    assert (x[1::2] == -10.0).all()
    assert (x[0::2] == 10.0).all()


def test_rate_1_1_tenth_iterate():
    x = run(QuadraticConfig(start=10.0, learning_rates=[1.1], iterations=10))["runs"][0]["x"]
    assert x[10] == pytest.approx(61.917364224, abs=1e-6)


@pytest.mark.parametrize(("lr", "outcome"), [(0.5, "converged"), (0.2, "too slow"),
                                             (0.9, "oscillating"), (1.0, "oscillating"),
                                             (1.1, "diverging")])
def test_outcome_labels_from_ten(lr, outcome):
    results = run(QuadraticConfig(start=10.0, learning_rates=[lr], iterations=25))
    assert results["runs"][0]["outcome"] == outcome


def test_converged_label_after_enough_iterations():
    results = run(QuadraticConfig(start=10.0, learning_rates=[0.2], iterations=100))
    assert results["runs"][0]["outcome"] == "converged"


def test_overflow_stops_run():
    results = run(QuadraticConfig(start=10.0, learning_rates=[500.0, 0.1], iterations=200))
    x = results["runs"][0]["x"]
    overflow_at = results["runs"][0]["overflow_at_iteration"]
    # |x_k| = 10·999^k passes float64's 1.8e308 between k = 102 and 103.
    assert overflow_at == 103
    assert np.isfinite(x[overflow_at - 1])
    assert all(np.isnan(value) for value in x[overflow_at:])
    assert results["runs"][0]["outcome"] == "diverged at iteration 103 (overflow)"
    assert results["runs"][1]["overflow_at_iteration"] is None


def test_overflow_record_is_strict_json():
    from lib.lr_quadratic import run_record
    from lib.records import dumps_strict, loads_strict

    record = run_record(QuadraticConfig(start=10.0, learning_rates=[500.0], iterations=200))
    document = loads_strict(dumps_strict(record))
    assert document["results"]["runs"][0]["x"][103] is None
    assert document["results"]["runs"][0]["final_x"] is None


@pytest.mark.parametrize(("curvature", "lr", "regime"), [
    (2.0, 0.1, "monotone convergence"), (2.0, 0.25, "one-step convergence"),
    (2.0, 0.4, "oscillating convergence"), (2.0, 0.5, "stuck oscillation"),
    (2.0, 0.51, "divergence"), (0.5, 1.0, "one-step convergence"),
    (0.5, 2.0, "stuck oscillation"),
])
def test_regimes_scale_with_curvature(curvature, lr, regime):
    assert classify(lr, curvature) == regime


def test_critical_rate_is_one_over_curvature():
    results = run(QuadraticConfig(curvature=4.0, learning_rates=[0.1]))
    assert results["critical_lr"] == pytest.approx(0.25, rel=1e-15)


# With μ = 0.5 the roots are real (overdamped) while (1.5 − 2·lr)² >= 4·0.5, i.e. lr <= 0.0429.
@pytest.mark.parametrize(("lr", "regime"), [(0.04, "monotone convergence"),
                                            (0.05, "oscillating convergence"),
                                            (0.5, "oscillating convergence"),
                                            (1.5, "stuck oscillation"),
                                            (1.6, "divergence")])
def test_momentum_regimes(lr, regime):
    assert classify(lr, 1.0, momentum=0.5) == regime


@pytest.mark.parametrize("lr", [0.3, 0.75, 1.45, 1.55])
def test_momentum_regime_matches_iterates(lr):
    # With μ = 0.5 on x² the threshold is (1 + μ)/a = 1.5.
    results = run(QuadraticConfig(start=1.0, learning_rates=[lr], iterations=400, momentum=0.5))
    final = results["runs"][0]["final_x"]
    if lr < 1.5:
        assert abs(final) < 1e-3
    else:
        assert abs(final) > 1e3
    assert results["critical_lr"] == pytest.approx(1.5)


@pytest.mark.parametrize("function", ["quadratic", "quartic", "double_well"])
@pytest.mark.parametrize("momentum", [0.0, 0.9])
def test_iterates_match_torch_sgd(function, momentum):
    import torch

    from lib.lr_functions import value

    results = run(QuadraticConfig(function=function, start=1.3, learning_rates=[0.02],
                                  iterations=30, curvature=1.5, momentum=momentum))
    x = torch.tensor(1.3, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.SGD([x], lr=0.02, momentum=momentum)
    expected = [1.3]
    for _ in range(30):
        optimizer.zero_grad()
        value(function, 1.5, x).backward()
        optimizer.step()
        expected.append(x.item())
    np.testing.assert_allclose(results["runs"][0]["x"], expected, rtol=1e-12)


def test_iterates_match_closed_form_with_momentum():
    from lib.lr_functions import closed_form

    results = run(QuadraticConfig(start=3.0, learning_rates=[0.3, 1.2], iterations=40,
                                  curvature=1.0, momentum=0.6))
    for entry in results["runs"]:
        np.testing.assert_allclose(entry["x"], closed_form(3.0, entry["lr"], 1.0, 0.6, 40),
                                   rtol=1e-9, atol=1e-12)


def test_dense_sweep_equals_scalar_loop():
    from lib import limits

    with limits.use(limits.JOBS):
        config = QuadraticConfig(start=10.0, iterations=25,
                                 learning_rates={"low": 0.001, "high": 1.2, "count": 1000})
    results = run(config)
    assert len(results["runs"]) == 1000
    for entry in results["runs"][::97]:
        assert entry["final_x"] == scalar_loop(10.0, entry["lr"], 25)
    assert set(results["regime_counts"]) == {"monotone convergence", "oscillating convergence",
                                             "divergence"}


def test_range_text_expands_linearly_and_in_log():
    linear = run(QuadraticConfig(learning_rates="0.1:0.5:5"))
    assert [entry["lr"] for entry in linear["runs"]] == pytest.approx([0.1, 0.2, 0.3, 0.4, 0.5])
    log = run(QuadraticConfig(learning_rates="0.001:1:4:log"))
    assert [entry["lr"] for entry in log["runs"]] == pytest.approx([0.001, 0.01, 0.1, 1.0])


def test_quartic_local_critical_rate_at_start():
    # f = x⁴: f''(x₀) = 12·x₀², so the local critical rate from x₀ = 0.5 is 2/3.
    results = run(QuadraticConfig(function="quartic", start=0.5, learning_rates=[0.1]))
    assert results["critical_lr"] is None
    assert results["critical_lr_at_start"] == pytest.approx(2.0 / 3.0)


def test_quartic_leaves_basin_beyond_escape_radius():
    # From x₀ = 1.5 plain GD escapes when 1.5 > 1/√(2·lr), i.e. lr > 0.2222.
    results = run(QuadraticConfig(function="quartic", start=1.5, learning_rates=[0.2, 0.25],
                                  iterations=30))
    inside, outside = results["runs"]
    assert inside["left_basin_at_iteration"] is None
    assert inside["overflow_at_iteration"] is None
    assert outside["left_basin_at_iteration"] == 0
    assert outside["outcome"].startswith("diverged at iteration")


def test_double_well_marks_where_run_leaves_basin():
    # From x₀ = 1.5 with lr 0.22: x₁ = 1.5 − 0.22·4·1.5·1.25 = −0.15, across the hump.
    results = run(QuadraticConfig(function="double_well", start=1.5, learning_rates=[0.05, 0.22],
                                  iterations=60))
    stays, crosses = results["runs"]
    assert stays["left_basin_at_iteration"] is None
    assert stays["outcome"] == "converged"
    assert crosses["x"][1] == pytest.approx(-0.15)
    assert crosses["left_basin_at_iteration"] == 1
    assert crosses["minimum"] == -1.0


def test_double_well_critical_rate_at_minimum():
    results = run(QuadraticConfig(function="double_well", curvature=2.0, learning_rates=[0.1]))
    # f'' at ±1 is 8a = 16, so 2/f'' = 0.125.
    assert results["critical_lr"] == pytest.approx(0.125)


def test_summary_says_local_curvature_decides():
    from lib.lr_quadratic import run_record, summarize

    record = run_record(QuadraticConfig(function="double_well", start=1.5,
                                        learning_rates=[0.05, 0.22], iterations=20))
    text = summarize(record)
    assert "local curvature decides" in text
    assert "left the basin at iteration 1" in text


def test_summary_groups_dense_sweep_by_regime():
    from lib.lr_quadratic import run_record, summarize

    record = run_record(QuadraticConfig(start=10.0, learning_rates="0.01:1.2:200"))
    text = summarize(record)
    counts = record["results"]["regime_counts"]
    assert f"- divergence: {counts['divergence']} rate(s)" in text
    assert "more runs in the record" in text


@pytest.mark.parametrize(("config", "message"), [
    ({"function": "cubic"}, "function must be one of"),
    ({"curvature": 0}, "curvature must be > 0"),
    ({"momentum": 1.0}, "momentum must be >= 0 and < 1"),
    ({"learning_rates": "0.5:0.1:10"}, r"learning_rates.high must be > learning_rates.low"),
    ({"learning_rates": "0.1:0.5"}, "as a range must read low:high:count"),
    ({"learning_rates": "0.1:0.5:1000"}, r"learning_rates.count must be >= 2 and <= 256, got 1000"),
    ({"learning_rates": {"low": 0.1, "high": 1, "count": 5, "scale": "cubic"}},
     r"learning_rates.scale must be one of"),
    ({"learning_rates": "0.1:1:200", "iterations": 5000}, "learning_rates × \\(iterations"),
])
def test_new_config_keys_are_validated(config, message):
    with pytest.raises(ConfigError, match=message):
        QuadraticConfig.from_dict(config)
