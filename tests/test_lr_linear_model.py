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


# Unscaled features: x = 1 … 5, 100, 200, y = 2x, one weight from 0, no bias.
UNSCALED = {"data": [[x, 2.0 * x] for x in (1, 2, 3, 4, 5, 100, 200)], "bias": False,
            "initial_weight": 0.0, "dtype": "float64"}


def unscaled_run(lr, epochs, gradient="mean"):
    return run(LinearModelConfig(learning_rates=[lr], epochs=epochs, gradient=gradient,
                                 **UNSCALED))


def test_unscaled_mean_hessian():
    assert unscaled_run(1e-4, 15)["hessian_eigenvalues"] == [pytest.approx(14301.43, abs=5e-3)]


def test_unscaled_mean_critical_rate():
    assert unscaled_run(1e-4, 15)["critical_lr"] == pytest.approx(1.3985e-4, rel=1e-4)


def test_unscaled_mean_lr_1e_4_converges():
    entry = unscaled_run(1e-4, 15)["runs"][0]
    assert entry["weight"] == pytest.approx(2.0000064, abs=1e-7)
    assert entry["label"] == "converged"


def test_unscaled_mean_lr_1_5e_4_diverges():
    entry = unscaled_run(1.5e-4, 15)["runs"][0]
    assert entry["weight"] == pytest.approx(17.29, abs=5e-3)
    assert entry["label"] == "diverging"


def test_unscaled_sum_critical_rate():
    assert unscaled_run(1.5e-5, 15, "sum")["critical_lr"] == pytest.approx(1.9978e-5, rel=1e-4)


def test_unscaled_sum_lr_1_5e_5_converges():
    entry = unscaled_run(1.5e-5, 15, "sum")["runs"][0]
    assert entry["weight"] == pytest.approx(2.0000641, abs=1e-7)
    assert entry["label"] == "converged"


def test_unscaled_sum_lr_0_01_diverges():
    entry = unscaled_run(0.01, 10, "sum")["runs"][0]
    # Each step multiplies the error w − 2 by 1 − 0.01·2·Σx² = −1000.1.
    assert abs(entry["weight"]) == pytest.approx(2.0e30, rel=2e-3)
    assert entry["label"] == "diverged"
    assert entry["outcome"].startswith("diverged at epoch")


def test_sum_gradient_divides_critical_rate_by_n():
    mean = run(LinearModelConfig(learning_rates=[0.001], gradient="mean"))
    total = run(LinearModelConfig(learning_rates=[0.001], gradient="sum"))
    assert total["critical_lr"] == pytest.approx(mean["critical_lr"] / 100, rel=1e-12)


def test_standardize_raises_critical_rate_to_one():
    raw = run(LinearModelConfig(learning_rates=[0.01]))
    scaled = run(LinearModelConfig(learning_rates=[0.01], standardize=True))
    assert raw["critical_lr"] == pytest.approx(0.0278, abs=5e-5)
    assert scaled["critical_lr"] == pytest.approx(1.0, abs=1e-6)
    assert scaled["condition_number"] == pytest.approx(1.0, abs=1e-6)


def test_standardized_weights_map_back_to_raw_units():
    results = run(LinearModelConfig(learning_rates=[0.5], standardize=True, dtype="float64"))
    x, y, _, _ = make_problem(42, 100)
    design = torch.stack([x.double(), torch.ones(100, dtype=torch.float64)], dim=1)
    solution = torch.linalg.lstsq(design, y.double()[:, None]).solution[:, 0]
    entry = results["runs"][0]
    assert entry["raw_weight"] == pytest.approx(float(solution[0]), rel=1e-9)
    assert entry["raw_bias"] == pytest.approx(float(solution[1]), rel=1e-9)


def test_momentum_critical_rate():
    results = run(LinearModelConfig(learning_rates=[0.01], momentum=0.9))
    assert results["critical_lr"] == pytest.approx(1.9 * results["critical_lr_gd"])


def test_adam_has_no_critical_rate():
    assert run(LinearModelConfig(learning_rates=[0.01], optimizer="adam"))["critical_lr"] is None


def sequential_torch(lr, epochs, optimizer="sgd", momentum=0.0, gradient="mean",
                     standardize=False, batch_size=None):
    """Train one nn.Linear with torch.optim in float64, the reference for the batched sweep."""
    x, y, weight, bias = make_problem(42, 100)
    x, y = x.double()[:, None], y.double()[:, None]
    if standardize:
        x = (x - x.mean()) / x.std(correction=0)
    model = torch.nn.Linear(1, 1).double()
    with torch.no_grad():
        model.weight.fill_(float(weight))
        model.bias.fill_(float(bias))
    if optimizer == "adam":
        reference_optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    else:
        reference_optimizer = torch.optim.SGD(model.parameters(), lr=lr, momentum=momentum)
    criterion = torch.nn.MSELoss(reduction=gradient)
    generator = torch.Generator().manual_seed(42)
    losses = []
    for _ in range(epochs):
        with torch.no_grad():
            losses.append(torch.nn.functional.mse_loss(model(x), y).item())
        batches = ([torch.arange(100)] if batch_size is None
                   else torch.randperm(100, generator=generator).split(batch_size))
        for batch in batches:
            reference_optimizer.zero_grad()
            criterion(model(x[batch]), y[batch]).backward()
            reference_optimizer.step()
    return losses, model.weight.item(), model.bias.item()


@pytest.mark.parametrize("options", [
    {"optimizer": "sgd"},
    {"optimizer": "sgd", "momentum": 0.9},
    {"optimizer": "adam"},
    {"optimizer": "sgd", "gradient": "sum"},
    {"optimizer": "sgd", "standardize": True},
    {"optimizer": "sgd", "momentum": 0.5, "batch_size": 16},
    {"optimizer": "adam", "batch_size": 10},
])
def test_batched_sweep_matches_sequential_torch(options):
    rates = [0.0005, 0.003, 0.01, 0.02]
    if options.get("gradient") == "sum":
        rates = [rate / 100 for rate in rates]
    config = LinearModelConfig(learning_rates=rates, epochs=60, dtype="float64", **options)
    results = run(config)
    for entry, lr in zip(results["runs"], rates):
        losses, weight, bias = sequential_torch(lr, 60, **options)
        np.testing.assert_allclose(entry["losses"], losses, rtol=1e-6, atol=1e-9)
        assert entry["weight"] == pytest.approx(weight, rel=1e-6, abs=1e-9)
        assert entry["bias"] == pytest.approx(bias, rel=1e-6, abs=1e-9)


def test_diverged_run_stops_and_others_continue():
    results = run(LinearModelConfig(learning_rates=[0.01, 0.5], epochs=200))
    slow, fast = results["runs"]
    first_bad = fast["diverged_at_epoch"]
    assert first_bad is not None
    assert not np.isfinite(fast["losses"][first_bad:]).any()
    assert np.isfinite(slow["losses"]).all()
    assert fast["label"] == "diverged"


@pytest.mark.parametrize(("lr", "label"), [(0.001, "too slow"), (0.0275, "oscillating"),
                                           (0.0279, "diverging")])
def test_labels_near_critical_rate(lr, label):
    results = run(LinearModelConfig(learning_rates=[lr], dtype="float64", epochs=100))
    assert results["runs"][0]["label"] == label


def test_converged_label_on_standardized_data():
    results = run(LinearModelConfig(learning_rates=[0.5], standardize=True, dtype="float64"))
    assert results["runs"][0]["label"] == "converged"


def test_range_of_rates_runs_as_one_sweep():
    results = run(LinearModelConfig(learning_rates="1e-4:2:32:log"))
    assert len(results["runs"]) == 32
    assert results["runs"][0]["lr"] == pytest.approx(1e-4)
    assert results["runs"][-1]["lr"] == pytest.approx(2.0)


def test_summary_lists_threshold_and_labels():
    from lib.lr_linear_model import summarize

    record = run_record(LinearModelConfig(learning_rates=[1e-4, 1.5e-4], epochs=15, **UNSCALED))
    text = summarize(record)
    assert "2/λ_max = **0.0001398**" in text
    assert "converged" in text
    assert "diverging" in text


@pytest.mark.parametrize(("config", "message"), [
    ({"optimizer": "rmsprop"}, "optimizer must be one of"),
    ({"optimizer": "adam", "momentum": 0.9}, "momentum must be 0 with optimizer 'adam'"),
    ({"gradient": "median"}, "gradient must be one of"),
    ({"dtype": "float16"}, "dtype must be one of"),
    ({"batch_size": 0}, "batch_size must be >= 1"),
    ({"data": [[1, 2, 3]]}, "data must be a list of between 2 and"),
    ({"data": [[1, 2], [3]]}, r"data row 1 must be an \[x, y\] pair"),
    ({"data": "1, 2\n3, x"}, "data line 1 must contain numbers only"),
    ({"initial_weight": float("nan")}, "initial_weight must be finite"),
    ({"epochs": 5000}, "optimizer steps"),
    ({"learning_rates": "1e-4:1:256:log", "num_samples": 100000}, "learning rates × samples"),
])
def test_new_config_keys_are_validated(config, message):
    from lib.validation import ConfigError

    with pytest.raises(ConfigError, match=message):
        LinearModelConfig.from_dict(config)


def test_data_text_rows_are_read():
    config = LinearModelConfig(data="1, 2\n3, 6\n", bias=False)
    assert config.data == [[1.0, 2.0], [3.0, 6.0]]
    assert config.num_samples == 2
