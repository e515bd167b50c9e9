"""The stacked optimizer against torch.optim, freezing of diverged models, progress reports."""

import pytest
import torch

from lib.lr_batched import StackedOptimizer, fit, reporting_progress


def run_stacked(optimizer, momentum, rates, steps, gradients):
    params = [torch.zeros(len(rates), 3, dtype=torch.float64)]
    stacked = StackedOptimizer(params, torch.tensor(rates, dtype=torch.float64), optimizer,
                               momentum)
    active = torch.ones(len(rates), dtype=torch.bool)
    for step in range(steps):
        stacked.step([gradients[step].expand(len(rates), 3)], active)
    return params[0]


@pytest.mark.parametrize(("optimizer", "momentum"), [("sgd", 0.0), ("sgd", 0.9), ("adam", 0.0)])
def test_stacked_update_matches_torch_optim(optimizer, momentum):
    generator = torch.Generator().manual_seed(0)
    gradients = [torch.randn(3, generator=generator, dtype=torch.float64) for _ in range(20)]
    rates = [0.001, 0.1, 2.0]
    stacked = run_stacked(optimizer, momentum, rates, 20, gradients)
    for row, lr in enumerate(rates):
        param = torch.zeros(3, dtype=torch.float64, requires_grad=True)
        reference = (torch.optim.Adam([param], lr=lr) if optimizer == "adam"
                     else torch.optim.SGD([param], lr=lr, momentum=momentum))
        for gradient in gradients:
            param.grad = gradient.clone()
            reference.step()
        torch.testing.assert_close(stacked[row], param.detach(), rtol=1e-12, atol=1e-14)


def test_inactive_models_do_not_move():
    params = [torch.ones(2, 1, dtype=torch.float64)]
    stacked = StackedOptimizer(params, torch.tensor([0.1, 0.1], dtype=torch.float64))
    stacked.step([torch.full((2, 1), float("nan"), dtype=torch.float64)],
                 torch.tensor([False, False]))
    assert params[0].tolist() == [[1.0], [1.0]]


def quadratic_fit(rates, epochs=50):
    """Fit x ← x − lr·2x for K models at once, as a loss function of stacked parameters."""
    params = [torch.full((len(rates),), 10.0, dtype=torch.float64, requires_grad=True)]
    optimizer = StackedOptimizer(params, torch.tensor(rates, dtype=torch.float64))
    dummy = torch.zeros(4, dtype=torch.float64)
    return fit(lambda x, y: params[0] ** 2, optimizer, dummy, dummy, epochs=epochs), params


def test_fit_freezes_diverged_model_only():
    outcome, params = quadratic_fit([0.1, 300.0], epochs=300)
    diverged = outcome["diverged_at_epoch"].tolist()
    assert diverged[0] == -1
    assert diverged[1] > 0
    assert torch.isfinite(outcome["losses"][:, 0]).all()
    assert torch.isfinite(params[0][1])


def test_fit_reports_zigzag_for_oscillation():
    outcome, _ = quadratic_fit([0.1, 0.9])
    assert outcome["zigzag"].tolist() == [False, True]


def test_fit_stops_when_every_model_diverged():
    outcome, _ = quadratic_fit([300.0], epochs=10_000)
    assert outcome["steps"] < 200


def test_progress_reaches_callback(monkeypatch):
    import lib.lr_batched as batched

    reports = []
    monkeypatch.setattr(batched.time, "monotonic", iter(range(0, 10_000, 1)).__next__)
    with reporting_progress(lambda fraction, text: reports.append((fraction, text))):
        quadratic_fit([0.1], epochs=5)
    assert reports
    assert reports[-1][0] == pytest.approx(1.0)
    assert reports[-1][1] == "training: epoch 5/5"
