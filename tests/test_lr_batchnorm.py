"""The BatchNorm sweep: the batched MLP against torch's nn.Sequential trained one rate at a time."""

import numpy as np
import pytest
import torch

from lib.lr_batchnorm import (BatchNormSweepConfig, initial_layers, make_task, parameter_count,
                              run, run_record, summarize)
from lib.records import dumps_strict, loads_strict
from lib.validation import ConfigError

SMALL = {"num_samples": 96, "num_features": 4, "hidden_units": 16, "epochs": 6,
         "batch_size": 32, "dtype": "float64", "learning_rates": [0.003, 0.03, 0.3]}


def torch_mlp(layers, batchnorm):
    """Build the reference nn.Sequential with the lib's initial Linear weights."""
    modules = []
    for index, (weight, bias) in enumerate(layers):
        linear = torch.nn.Linear(weight.shape[0], weight.shape[1]).double()
        with torch.no_grad():
            linear.weight.copy_(weight.T)
            linear.bias.copy_(bias)
        modules.append(linear)
        if index < 2:
            if batchnorm:
                modules.append(torch.nn.BatchNorm1d(weight.shape[1]).double())
            modules.append(torch.nn.ReLU())
    return torch.nn.Sequential(*modules).train()


def sequential_losses(config, lr, batchnorm):
    x, y, _ = make_task(config.seed, config.num_samples, config.num_features,
                        config.feature_scale, torch.float64)
    model = torch_mlp(initial_layers(config.seed, config.num_features, config.hidden_units,
                                     torch.float64), batchnorm)
    optimizer = (torch.optim.Adam(model.parameters(), lr=lr) if config.optimizer == "adam"
                 else torch.optim.SGD(model.parameters(), lr=lr, momentum=config.momentum))
    generator = torch.Generator().manual_seed(config.seed)
    epoch_losses = []
    for _ in range(config.epochs):
        batch_losses = []
        for batch in torch.randperm(config.num_samples, generator=generator).split(
                config.batch_size):
            optimizer.zero_grad()
            loss = torch.nn.functional.mse_loss(model(x[batch]).squeeze(1), y[batch])
            loss.backward()
            optimizer.step()
            batch_losses.append(loss.item())
        epoch_losses.append(float(np.mean(batch_losses)))
    return epoch_losses


@pytest.mark.parametrize("options", [{}, {"momentum": 0.9}, {"optimizer": "adam"}])
@pytest.mark.parametrize("variant", ["plain", "batchnorm"])
def test_batched_mlp_matches_sequential_torch(options, variant):
    config = BatchNormSweepConfig(**{**SMALL, **options})
    results = run(config)
    for entry in results[variant]["runs"]:
        expected = sequential_losses(config, entry["lr"], variant == "batchnorm")
        finite = np.isfinite(expected)
        np.testing.assert_allclose(np.array(entry["losses"])[finite], np.array(expected)[finite],
                                   rtol=1e-6, atol=1e-9)


def test_parameter_count_matches_torch():
    model = torch_mlp(initial_layers(0, 8, 64), batchnorm=False)
    assert parameter_count(8, 64) == sum(p.numel() for p in model.parameters())


def test_feature_scales_span_given_range():
    x, _, scales = make_task(0, 4000, 5, 100.0, torch.float64)
    assert scales[0].item() == pytest.approx(1.0)
    assert scales[-1].item() == pytest.approx(100.0)
    assert x[:, -1].std().item() == pytest.approx(100.0, rel=0.05)


def test_batchnorm_extends_stable_range():
    results = run(BatchNormSweepConfig(
        epochs=5, learning_rates={"low": 1e-3, "high": 1.0, "count": 7, "scale": "log"}))
    plain = results["comparison"]["plain"]["largest_stable_lr"]
    normed = results["comparison"]["batchnorm"]["largest_stable_lr"]
    assert normed > plain


def test_diverged_runs_labelled_in_json():
    record = run_record(BatchNormSweepConfig(**{**SMALL, "dtype": "float32",
                                                "learning_rates": [0.01, 50.0]}))
    document = loads_strict(dumps_strict(record))
    plain = document["results"]["plain"]["runs"]
    assert plain[1]["label"] == "diverged"
    assert plain[1]["final_loss"] is None
    text = summarize(document)
    assert "largest rate that did not diverge" in text
    assert "diverged at epoch" in text


@pytest.mark.parametrize(("config", "message"), [
    ({"batch_size": 1}, "batch_size must be >= 2"),
    ({"num_samples": 65, "batch_size": 64}, "num_samples % batch_size must not be 1"),
    ({"hidden_units": 4096}, "hidden_units must be >= 1 and <= 128"),
    ({"feature_scale": 0.5}, "feature_scale must be >= 1"),
    ({"epochs": 2000}, "2 variants × learning rates × samples"),
])
def test_invalid_config_is_rejected(config, message):
    with pytest.raises(ConfigError, match=message):
        BatchNormSweepConfig.from_dict(config)
