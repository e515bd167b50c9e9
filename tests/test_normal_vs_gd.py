"""Normal equation vs GD against the notebook's printed numbers and float64 least squares."""

import numpy as np
import pytest
import torch

from lib.normal_vs_gd import NormalVsGdConfig, make_problem, run


@pytest.fixture(scope="module")
def notebook():
    return run(NormalVsGdConfig())


def test_theta_matches_notebook(notebook):
    np.testing.assert_allclose(notebook["theta_analytical"], [1.4982, -0.8054, 2.0325],
                               atol=5e-5)


def test_theta_matches_lstsq(notebook):
    x, y, _ = make_problem(42, 100, (1.5, -0.8, 2.0), 0.1)
    expected = torch.linalg.lstsq(x.double(), y.double().unsqueeze(1)).solution.squeeze(1)
    np.testing.assert_allclose(notebook["theta_analytical"], expected.numpy(), rtol=1e-12)


def test_mse_matches_notebook(notebook):
    assert notebook["mse_analytical"] == pytest.approx(0.0088506, abs=1e-6)
    assert notebook["mse_gd"] == pytest.approx(0.008850560523569584, abs=1e-6)


def test_gd_first_loss_matches_notebook(notebook):
    assert notebook["gd_losses"][0] == pytest.approx(2.2463, abs=5e-5)


def test_gd_reaches_normal_equation(notebook):
    np.testing.assert_allclose(notebook["theta_gd"], notebook["theta_analytical"], atol=1e-4)


def test_gd_starts_from_next_draw_in_stream(notebook):
    torch.manual_seed(42)
    torch.rand(100, 3)
    torch.randn(100)
    np.testing.assert_array_equal(notebook["theta_0"], torch.randn(3).double().numpy())


def test_sum_gradient_equals_mean_gradient_at_n_times_lr():
    summed = run(NormalVsGdConfig(gradient="sum", lr=0.01, iterations=50))
    mean = run(NormalVsGdConfig(gradient="mean", lr=1.0, iterations=50))
    np.testing.assert_allclose(summed["gd_losses"], mean["gd_losses"], rtol=1e-14)
    assert summed["lr_mean_equivalent"] == pytest.approx(1.0)


def test_divergence_is_recorded():
    results = run(NormalVsGdConfig(lr=1.0, iterations=2000))
    assert results["diverged_at_iteration"] is not None
