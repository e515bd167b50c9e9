"""BatchNorm from scratch: the forward pass, its backward pass and the running statistics.

Written with elementwise torch operations and reductions only (no `torch.nn.functional`), so
every step of `torch.nn.BatchNorm1d` is visible. It runs on any device and dtype; the tests
check it against torch in float64 to 1e-10.

For an input x of shape (N, C) or (N, C, L), each feature c is normalized over the
n = N·L values it has in the batch:

    mean_c  = (1/n) Σ x
    var_c   = (1/n) Σ (x - mean_c)²            biased (ddof=0): what the forward pass divides by
    x_hat   = (x - mean_c) / sqrt(var_c + eps)
    y       = weight_c · x_hat + bias_c        weight is γ, bias is β

The running statistics track the *unbiased* variance, var_c · n / (n - 1).
"""

import torch


def _reduce_dims(x):
    """Return the dimensions a feature is normalized over: N, and L for an (N, C, L) input."""
    if x.dim() not in (2, 3):
        raise ValueError(f"x must be 2-D (N, C) or 3-D (N, C, L), got shape {tuple(x.shape)}")
    return (0,) if x.dim() == 2 else (0, 2)


def _per_feature(values, x):
    """Reshape a (C,) tensor so that it broadcasts against x: (1, C) or (1, C, 1)."""
    return values.view(1, -1) if x.dim() == 2 else values.view(1, -1, 1)


def forward(x, weight=None, bias=None, eps=1e-5):
    """Normalize `x` with its batch statistics (training mode) and return (y, cache).

    `weight` and `bias` are (C,) tensors or None (no affine transform). `cache` contains what the
    backward pass and the running statistics need: x_hat, 1/sqrt(var + eps), the batch mean,
    the biased batch variance and n.
    """
    dims = _reduce_dims(x)
    count = x.numel() // x.shape[1]

    mean = x.mean(dim=dims)                                    # (C,)
    centered = x - _per_feature(mean, x)                       # (N, C) or (N, C, L)
    var = (centered * centered).mean(dim=dims)                 # (C,), biased
    inv_std = 1.0 / torch.sqrt(var + eps)                      # (C,)

    x_hat = centered * _per_feature(inv_std, x)
    y = x_hat
    if weight is not None:
        y = y * _per_feature(weight, x) + _per_feature(bias, x)

    cache = {"x_hat": x_hat, "inv_std": inv_std, "mean": mean, "var": var, "count": count,
             "weight": weight}
    return y, cache


def backward(grad_output, cache):
    """Return (grad_input, grad_weight, grad_bias) for the upstream gradient dL/dy.

    With g = dL/dy and sums over the n values of each feature:

        grad_bias   = Σ g
        grad_weight = Σ g · x_hat
        grad_input  = weight · inv_std / n · (n·g − Σ g − x_hat · Σ g·x_hat)

    The last line is the chain rule through mean and var, which both depend on every x.
    grad_weight and grad_bias are None without an affine transform.
    """
    x_hat, inv_std, count, weight = cache["x_hat"], cache["inv_std"], cache["count"], \
        cache["weight"]
    dims = _reduce_dims(x_hat)

    sum_grad = grad_output.sum(dim=dims)                       # (C,)
    sum_grad_x_hat = (grad_output * x_hat).sum(dim=dims)       # (C,)

    scale = inv_std if weight is None else weight * inv_std
    grad_input = _per_feature(scale / count, x_hat) * (
        count * grad_output
        - _per_feature(sum_grad, x_hat)
        - x_hat * _per_feature(sum_grad_x_hat, x_hat)
    )

    if weight is None:
        return grad_input, None, None
    return grad_input, sum_grad_x_hat, sum_grad


def momentum_factor(momentum, num_batches_tracked):
    """Return the weight of the new batch in the running average after this many batches.

    1. momentum is a number m: the exponential moving average gives the new batch weight m.
    2. momentum is None: the cumulative average gives batch t the weight 1/t, so after t
       batches each of them counts equally.
    """
    if momentum is None:
        return 1.0 / num_batches_tracked
    return momentum


def update_running_stats(running_mean, running_var, num_batches_tracked, cache, momentum):
    """Return (running_mean, running_var, num_batches_tracked) after one training batch.

        factor       = momentum_factor(momentum, num_batches_tracked + 1)
        running_mean = (1 − factor) · running_mean + factor · mean
        running_var  = (1 − factor) · running_var  + factor · var · n / (n − 1)

    The variance stored is the unbiased one, although the forward pass divides by the biased one.
    """
    num_batches_tracked = num_batches_tracked + 1
    factor = momentum_factor(momentum, num_batches_tracked)
    count = cache["count"]
    var_unbiased = cache["var"] * count / (count - 1)

    running_mean = (1 - factor) * running_mean + factor * cache["mean"]
    running_var = (1 - factor) * running_var + factor * var_unbiased
    return running_mean, running_var, num_batches_tracked


def eval_forward(x, running_mean, running_var, weight=None, bias=None, eps=1e-5):
    """Normalize `x` with the running statistics (eval mode): no batch statistics are used."""
    _reduce_dims(x)
    inv_std = 1.0 / torch.sqrt(running_var + eps)
    y = (x - _per_feature(running_mean, x)) * _per_feature(inv_std, x)
    if weight is not None:
        y = y * _per_feature(weight, x) + _per_feature(bias, x)
    return y
