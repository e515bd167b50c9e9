"""Solvers, gradient descent and config of normal_vs_gd against float64 references."""

import numpy as np
import pytest
import torch

from lib import limits
from lib.normal_equation.descent import (descend_on_data, descend_on_gram, measured_rate,
                                         step_size)
from lib.normal_equation.solvers import SOLVERS, closed_form, solve
from lib.normal_vs_gd import NormalVsGdConfig, make_problem, run, run_record, summarize
from lib.validation import ConfigError


def random_problem(n=200, p=6, seed=0):
    generator = np.random.default_rng(seed)
    x = generator.standard_normal((n, p))
    y = x @ generator.standard_normal(p) + 0.1 * generator.standard_normal(n)
    return x, y


def notebook_arrays():
    x, y, theta_0 = make_problem(42, 100, (1.5, -0.8, 2.0), 0.1)
    return x.double().numpy(), y.double().numpy(), theta_0.double().numpy()


def stepped_reference(x, y, theta_0, step, iterations):
    """Plain GD on X, one NumPy step at a time: the yardstick for the faster paths."""
    thetas = [theta_0]
    for _ in range(iterations):
        thetas.append(thetas[-1] - step * (x.T @ (x @ thetas[-1] - y)))
    return np.array(thetas)


@pytest.mark.parametrize("solver", SOLVERS)
def test_solver_matches_numpy_lstsq(solver):
    x, y = random_problem()
    expected = np.linalg.lstsq(x, y, rcond=None)[0]
    theta = solve(solver, torch.from_numpy(x), torch.from_numpy(y)).numpy()
    np.testing.assert_allclose(theta, expected, rtol=1e-10)


def test_closed_form_uses_cholesky_when_well_conditioned():
    x, y = random_problem()
    theta, method, _ = closed_form(torch.from_numpy(x), torch.from_numpy(y))
    assert method == "cholesky"
    np.testing.assert_allclose(theta.numpy(), np.linalg.lstsq(x, y, rcond=None)[0], rtol=1e-10)


def test_closed_form_ill_conditioned_uses_lstsq():
    x, y = random_problem()
    x[:, 1] = x[:, 0] + 1e-6 * x[:, 1]  # κ(XᵀX) ≈ 1e13, beyond 1/√ε64
    theta, method, _ = closed_form(torch.from_numpy(x), torch.from_numpy(y))
    assert method == "lstsq"
    np.testing.assert_allclose(theta.numpy(), np.linalg.lstsq(x, y, rcond=None)[0], rtol=1e-6)


def test_gd_on_data_matches_plain_steps():
    x, y, theta_0 = notebook_arrays()
    expected = stepped_reference(x, y, theta_0, 0.02, 500)
    losses, distances, theta, steps = descend_on_data(x, y, theta_0, 0.02, 500, expected[-1],
                                                      empty=np.empty)
    assert steps == 500
    np.testing.assert_allclose(theta, expected[-1], rtol=1e-12)
    direct = np.mean((expected @ x.T - y) ** 2, axis=1)
    np.testing.assert_allclose(losses, direct, rtol=1e-12)


def test_blocked_gd_on_gram_matches_plain_steps():
    x, y, theta_0 = notebook_arrays()
    limit = np.linalg.lstsq(x, y, rcond=None)[0]
    loss_limit = np.mean((x @ limit - y) ** 2)
    expected = stepped_reference(x, y, theta_0, 0.02, 10_000)
    losses, distances, theta, thetas = descend_on_gram(
        x.T @ x, y @ x, theta_0, 0.02, 10_000, limit, loss_limit, x.T @ x @ limit - y @ x, 100)
    assert thetas is not None
    scale = np.max(np.abs(expected))
    assert np.max(np.abs(thetas - expected)) <= 1e-12 * scale


def test_gram_losses_match_direct_losses():
    x, y, theta_0 = notebook_arrays()
    limit = np.linalg.lstsq(x, y, rcond=None)[0]
    loss_limit = np.mean((x @ limit - y) ** 2)
    losses, _, _, thetas = descend_on_gram(x.T @ x, y @ x, theta_0, 0.02, 2000, limit,
                                           loss_limit, x.T @ x @ limit - y @ x, 100)
    direct = np.mean((thetas @ x.T - y) ** 2, axis=1)
    np.testing.assert_allclose(losses, direct, rtol=1e-11)


def test_float32_gd_on_gram_steps_in_float32():
    x, y, theta_0 = notebook_arrays()
    limit = np.linalg.lstsq(x, y, rcond=None)[0]
    x32, y32 = x.astype(np.float32), y.astype(np.float32)
    _, _, theta, thetas = descend_on_gram(x32.T @ x32, y32 @ x32, theta_0.astype(np.float32),
                                          0.02, 300, limit, 0.0, np.zeros(3), 100)
    assert thetas is None
    assert theta.dtype == np.float32
    np.testing.assert_allclose(theta, limit, atol=1e-5)


def test_gd_on_x_and_on_gram_agree():
    on_gram = run(NormalVsGdConfig(iterations=2000))
    on_x = run(NormalVsGdConfig(iterations=2000, gd_on_gram=False))
    np.testing.assert_allclose(on_x["theta_gd"], on_gram["theta_gd"], rtol=1e-12)
    np.testing.assert_allclose(on_x["gd_losses"], on_gram["gd_losses"], rtol=1e-10)


def test_measured_rate_matches_prediction():
    gd = run(NormalVsGdConfig())["gd"]
    assert gd["rate_measured"] == pytest.approx(gd["rate_predicted"], abs=2e-3)


def test_distance_stays_under_rate_bound():
    gd = run(NormalVsGdConfig(iterations=200))["gd"]
    iterations = np.array(gd["trace_iteration"])
    distances = np.array(gd["trace_distance"])
    bound = distances[0] * gd["rate_predicted"] ** iterations
    above_floor = distances > gd["distance_floor"]
    assert np.all(distances[above_floor] <= bound[above_floor] * (1 + 1e-9))


def test_auto_lr_rate_is_one_minus_inverse_kappa():
    gd = run(NormalVsGdConfig(lr="auto", iterations=500))["gd"]
    assert gd["lr_auto"] is True
    assert gd["rate_predicted"] == pytest.approx(1 - 1 / gd["kappa_hessian"], rel=1e-12)


def test_iterations_to_tolerance_within_prediction():
    gd = run(NormalVsGdConfig(lr="auto", iterations=2000))["gd"]
    assert gd["iterations_to_tolerance"] is not None
    assert gd["iterations_to_tolerance"] <= gd["iterations_predicted"]


def test_measured_rate_of_geometric_sequence():
    distances = 0.5 ** np.arange(60)
    assert measured_rate(distances, floor=1e-300) == pytest.approx(0.5, rel=1e-12)


def test_step_size_conventions():
    assert step_size(0.01, "sum", 100) == 0.02
    assert step_size(1.0, "mean", 100) == 0.02


def test_correlation_raises_condition_number():
    base = run(NormalVsGdConfig(iterations=10))["conditioning"]["cond_x"]
    correlated = run(NormalVsGdConfig(iterations=10, correlation=0.999))["conditioning"]["cond_x"]
    assert correlated > 10 * base


def test_scale_raises_condition_number():
    base = run(NormalVsGdConfig(iterations=10))["conditioning"]["cond_x"]
    scaled = run(NormalVsGdConfig(iterations=10, scale=[1, 1, 1000]))["conditioning"]["cond_x"]
    assert scaled > 100 * base


def test_standardize_removes_scale_effect():
    scaled = run(NormalVsGdConfig(iterations=10, scale=[1, 1, 1000], standardize=True))
    assert scaled["conditioning"]["cond_x"] < 10


def test_intercept_matches_lstsq_with_ones_column():
    results = run(NormalVsGdConfig(fit_intercept=True, iterations=10))
    x, y, _ = notebook_arrays()
    expected = np.linalg.lstsq(np.column_stack([np.ones(100), x]), y, rcond=None)[0]
    assert results["parameter_names"][0] == "intercept"
    np.testing.assert_allclose(results["theta_analytical"], expected, rtol=1e-9, atol=1e-12)


def test_float32_dtype_loses_digits_against_float64():
    results = run(NormalVsGdConfig(dtype="float32"))
    error = results["solvers"]["lstsq"]["error_vs_reference"]
    assert 1e-9 < error < 1e-5


def test_drawn_true_theta_has_num_features_entries():
    results = run(NormalVsGdConfig(true_theta=None, num_features=4, iterations=10))
    assert len(results["theta_true"]) == 4


def test_diverging_run_summarizes_and_plots():
    from lib.plots.normal_vs_gd import plot

    record = run_record(NormalVsGdConfig(num_samples=10_000, iterations=300))
    assert record["results"]["diverged_at_iteration"] is not None
    assert "GD diverged" in summarize(record)
    assert len(plot(record)) == 2


def test_summary_uses_latex():
    text = summarize(run_record(NormalVsGdConfig(iterations=100)))
    assert "$\\kappa(X) =" in text
    assert "$\\kappa(X^\\top X) = \\kappa(X)^2 =" in text


@pytest.mark.parametrize(("changes", "message"), [
    ({"true_theta": [1, 2], "num_features": 3}, "true_theta must have num_features = 3"),
    ({"true_theta": None}, "num_features must be given when true_theta is empty"),
    ({"lr": "fast"}, "lr must be a number, got 'fast'"),
    ({"correlation": 1.0}, "correlation must be >= 0 and <= 0.9999"),
    ({"scale": [1, 2]}, "scale must have 1 or num_features = 3 entries"),
    ({"dtype": "float16"}, "dtype must be one of"),
    ({"solver": "qr"}, "solver must be one of"),
    ({"tolerance": 0}, "tolerance must be > 0"),
    ({"data": "1 2 3\n4 5"}, "data is ragged"),
    ({"data": "1 2 x"}, "data row 0 column 2 is not a number"),
    ({"data": [[1]]}, "data rows must have at least 2 numbers"),
])
def test_bad_config_is_rejected(changes, message):
    with pytest.raises(ConfigError, match=message):
        NormalVsGdConfig(**changes)


def test_work_cap_rejects_oversized_run():
    with pytest.raises(ConfigError, match="floating-point operations"):
        NormalVsGdConfig(num_samples=780, true_theta=None, num_features=256,
                         iterations=100_000)


def test_jobs_limits_allow_larger_run():
    with limits.use(limits.JOBS):
        config = NormalVsGdConfig(num_samples=3900, true_theta=None, num_features=256)
    assert config.num_features == 256
