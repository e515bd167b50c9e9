"""SGD on the linear model against the notebook's printed losses and torch's own training loop."""

import math

import numpy as np
import pytest
import torch

from lib.lr_linear_model import LinearModelConfig, make_problem, run, run_record

NOTEBOOK_LOSSES = [145.8912, 0.9808, 0.9518, 0.9254, 0.9015, 0.8797, 0.8599, 0.8420, 0.8256]


def torch_reference(lr, epochs, state=None):
    """Train the notebook's way: torch.manual_seed, nn.Linear, MSELoss, optim.SGD."""
    torch.manual_seed(42)
    x = torch.rand(100, 1) * 10
    y = 2 * x + 1 + torch.randn(100, 1)
    model = torch.nn.Linear(1, 1)
    if state is not None:
        model.load_state_dict(state)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    losses = []
    for _ in range(epochs):
        optimizer.zero_grad()
        loss = torch.nn.functional.mse_loss(model(x), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses, model.state_dict()


@pytest.fixture(scope="module")
def notebook():
    return run(LinearModelConfig())


def test_initial_weights_match_nn_linear():
    torch.manual_seed(42)
    torch.rand(100, 1)
    torch.randn(100, 1)
    reference = torch.nn.Linear(1, 1)
    _, _, weight, bias = make_problem(42, 100)
    assert weight.item() == reference.weight.item()
    assert bias.item() == reference.bias.item()


def test_losses_match_notebook(notebook):
    losses = notebook["runs"][0]["losses"]
    for epoch, expected in zip(range(0, 90, 10), NOTEBOOK_LOSSES):
        assert losses[epoch] == pytest.approx(expected, abs=5e-5)


def test_losses_match_torch_training_loop(notebook):
    for entry in notebook["runs"]:
        expected, _ = torch_reference(entry["lr"], 100)
        finite = np.isfinite(expected)
        np.testing.assert_allclose(entry["losses"][: finite.argmin() or None],
                                   np.array(expected)[: finite.argmin() or None], rtol=1e-5)


def test_divergence_is_recorded():
    record = run_record(LinearModelConfig())
    runs = record["results"]["runs"]
    assert runs[0]["diverged_at_epoch"] is None
    assert runs[1]["diverged_at_epoch"] is not None
    assert runs[2]["diverged_at_epoch"] is not None
    first_bad = runs[1]["diverged_at_epoch"]
    assert runs[1]["losses"][first_bad] is None
    assert math.isfinite(runs[1]["losses"][first_bad - 1])


def test_critical_rate_from_hessian(notebook):
    assert notebook["critical_lr"] == pytest.approx(0.0278, abs=5e-5)


def test_continue_training_reproduces_one_model_through_all_rates():
    results = run(LinearModelConfig(continue_training=True, learning_rates=[0.01, 0.02]))
    first, state = torch_reference(0.01, 100)
    torch.manual_seed(0)
    second, _ = torch_reference(0.02, 100, state=state)
    np.testing.assert_allclose(results["runs"][0]["losses"], first, rtol=1e-5)
    np.testing.assert_allclose(results["runs"][1]["losses"], second, rtol=1e-5)
