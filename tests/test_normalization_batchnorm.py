"""The from-scratch BatchNorm of lib.batchnorm against torch.nn.BatchNorm1d in float64."""

import numpy as np
import pytest
import torch

from lib import batchnorm as scratch
from lib.normalization import NormalizationConfig, check_from_scratch, generate_data

TOLERANCE = 1e-10
SHAPES = [(4, 3), (16, 5, 7), (2, 1)]


def torch_reference(x, weight, bias, grad_output, eps):
    layer = torch.nn.BatchNorm1d(x.shape[1], eps=eps, affine=weight is not None,
                                 dtype=torch.float64)
    if weight is not None:
        with torch.no_grad():
            layer.weight.copy_(weight)
            layer.bias.copy_(bias)
    x = x.clone().requires_grad_(True)
    y = layer(x)
    (y * grad_output).sum().backward()
    grads = (x.grad, None, None) if weight is None else (x.grad, layer.weight.grad,
                                                         layer.bias.grad)
    return y.detach(), grads, layer


@pytest.fixture(params=SHAPES, ids=lambda shape: "x".join(map(str, shape)))
def case(request):
    generator = torch.Generator().manual_seed(0)
    shape = request.param
    x = torch.randn(shape, generator=generator, dtype=torch.float64) * 3 + 1
    weight = torch.randn(shape[1], generator=generator, dtype=torch.float64)
    bias = torch.randn(shape[1], generator=generator, dtype=torch.float64)
    grad_output = torch.randn(shape, generator=generator, dtype=torch.float64)
    return x, weight, bias, grad_output


def test_forward_matches_torch(case):
    x, weight, bias, grad_output = case
    expected, _, _ = torch_reference(x, weight, bias, grad_output, 1e-5)
    y, _ = scratch.forward(x, weight, bias, eps=1e-5)
    torch.testing.assert_close(y, expected, atol=TOLERANCE, rtol=0)


def test_grad_input_matches_torch(case):
    x, weight, bias, grad_output = case
    _, (grad_x, _, _), _ = torch_reference(x, weight, bias, grad_output, 1e-5)
    _, cache = scratch.forward(x, weight, bias, eps=1e-5)
    grad_input, _, _ = scratch.backward(grad_output, cache)
    torch.testing.assert_close(grad_input, grad_x, atol=TOLERANCE, rtol=0)


def test_grad_weight_matches_torch(case):
    x, weight, bias, grad_output = case
    _, (_, grad_weight, _), _ = torch_reference(x, weight, bias, grad_output, 1e-5)
    _, cache = scratch.forward(x, weight, bias, eps=1e-5)
    _, actual, _ = scratch.backward(grad_output, cache)
    torch.testing.assert_close(actual, grad_weight, atol=TOLERANCE, rtol=0)


def test_grad_bias_matches_torch(case):
    x, weight, bias, grad_output = case
    _, (_, _, grad_bias), _ = torch_reference(x, weight, bias, grad_output, 1e-5)
    _, cache = scratch.forward(x, weight, bias, eps=1e-5)
    _, _, actual = scratch.backward(grad_output, cache)
    torch.testing.assert_close(actual, grad_bias, atol=TOLERANCE, rtol=0)


def test_no_affine_grad_input_matches_torch(case):
    x, _, _, grad_output = case
    expected, (grad_x, _, _), _ = torch_reference(x, None, None, grad_output, 1e-3)
    y, cache = scratch.forward(x, eps=1e-3)
    grad_input, grad_weight, grad_bias = scratch.backward(grad_output, cache)
    torch.testing.assert_close(y, expected, atol=TOLERANCE, rtol=0)
    torch.testing.assert_close(grad_input, grad_x, atol=TOLERANCE, rtol=0)
    assert grad_weight is None and grad_bias is None


@pytest.mark.parametrize("momentum", [0.1, 1.0, None])
def test_running_stats_match_torch(momentum):
    generator = torch.Generator().manual_seed(1)
    layer = torch.nn.BatchNorm1d(3, momentum=momentum, dtype=torch.float64)
    running_mean, running_var, tracked = torch.zeros(3, dtype=torch.float64), \
        torch.ones(3, dtype=torch.float64), 0
    for _ in range(4):
        x = torch.randn(5, 3, 2, generator=generator, dtype=torch.float64) + 2
        layer(x)
        _, cache = scratch.forward(x, eps=1e-5)
        running_mean, running_var, tracked = scratch.update_running_stats(
            running_mean, running_var, tracked, cache, momentum)
    torch.testing.assert_close(running_mean, layer.running_mean, atol=TOLERANCE, rtol=0)
    torch.testing.assert_close(running_var, layer.running_var, atol=TOLERANCE, rtol=0)
    assert tracked == int(layer.num_batches_tracked)


def test_eval_forward_matches_torch(case):
    x, weight, bias, grad_output = case
    if x.numel() // x.shape[1] < 2:
        pytest.skip("training mode needs two values per feature")
    _, _, layer = torch_reference(x, weight, bias, grad_output, 1e-5)
    layer.eval()
    with torch.no_grad():
        expected = layer(x)
    actual = scratch.eval_forward(x, layer.running_mean, layer.running_var, weight, bias,
                                  eps=1e-5)
    torch.testing.assert_close(actual, expected, atol=TOLERANCE, rtol=0)


@pytest.mark.parametrize("config", [
    {}, {"data": (1 + np.arange(4)[:, None, None] + 4 * np.arange(3)[None, :, None]
                  + np.arange(4)[None, None, :]).tolist()},
    {"affine": False}, {"weight": "2, -1, 0.5", "bias": "0, 3, -2"},
    {"distribution": "shifted", "batch_size": 32, "num_features": 6},
])
def test_experiment_check_passes(config):
    config = NormalizationConfig(**config)
    check = check_from_scratch(generate_data(config), config)
    assert check["passed"]
    assert check["output"] <= TOLERANCE
    assert check["grad_input"] <= TOLERANCE
