"""The one-feature regression problem shared by the linear-model sweep and the range test.

Data: the course notebook's (with `torch.manual_seed(seed)`, x = 10·rand(n, 1) and
y = 2x + 1 + randn(n, 1), then `nn.Linear(1, 1)` initialized from the same stream), or the
config's own [x, y] pairs. Model: ŷ = w·x + b, or ŷ = w·x when `bias` is false.
Loss: the mean squared error L = mean((ŷ − y)²). The "mean" gradient is MSELoss's, ∇L; the
"sum" gradient is that of Σ(ŷ − y)² = n·L, as some course code writes it.

The loss is quadratic in θ = (w, b), so its Hessian is constant: H = (2/n)·AᵀA for "mean" and
2·AᵀA for "sum", with A = [x, 1] (n, 2), or A = x (n, 1) without bias. Gradient descent is
stable exactly when lr < 2/λ_max(H), and SGD with momentum μ when lr < 2(1 + μ)/λ_max(H).
"""

import dataclasses

import torch

from lib import limits
from lib.lr_batched import GRADIENTS, OPTIMIZERS
from lib.validation import (ConfigError, check_bool, check_choice, check_int, check_real,
                            parse_number_list)

DTYPES = {"float32": torch.float32, "float64": torch.float64}


def check_problem_fields(config):
    """Validate and normalize the problem fields that a config class declares.

    The fields: seed, num_samples, standardize, batch_size, optimizer, momentum, gradient,
    dtype, data, bias, initial_weight, initial_bias. `data`, when given, sets num_samples.
    """
    caps = limits.current()
    config._set("seed", check_int("seed", config.seed, low=0, high=2**63 - 1))
    config._set("standardize", check_bool("standardize", config.standardize))
    config._set("optimizer", check_choice("optimizer", config.optimizer, OPTIMIZERS))
    config._set("momentum", check_real("momentum", config.momentum, low=0.0, high=1.0,
                                       high_inclusive=False))
    if config.optimizer == "adam" and config.momentum != 0:
        raise ConfigError(
            "momentum must be 0 with optimizer 'adam', whose moment rates are fixed at "
            f"betas=(0.9, 0.999), got {config.momentum:g}"
        )
    config._set("gradient", check_choice("gradient", config.gradient, GRADIENTS))
    config._set("dtype", check_choice("dtype", config.dtype, tuple(DTYPES)))
    config._set("bias", check_bool("bias", config.bias))
    for name in ("initial_weight", "initial_bias"):
        if getattr(config, name) is not None:
            config._set(name, check_real(name, getattr(config, name), low=-1e6, high=1e6))

    if config.data is None:
        config._set("num_samples", check_int("num_samples", config.num_samples, low=2,
                                             high=caps.max_samples))
    else:
        pairs = parse_pairs(config.data, caps.max_samples)
        config._set("data", pairs)
        config._set("num_samples", len(pairs))
    if config.batch_size is not None:
        config._set("batch_size", check_int("batch_size", config.batch_size, low=1,
                                            high=caps.max_samples))


def parse_pairs(data, max_samples):
    """Return `data` as a list of [x, y] pairs of floats.

    `data` is a list of pairs, or text with one "x, y" pair per line, or a JSON nested list.
    """
    if isinstance(data, str):
        text = data.strip()
        if text.startswith("["):
            data = parse_number_list("data", text)
        else:
            data = [parse_number_list(f"data line {index}", line)
                    for index, line in enumerate(line for line in text.splitlines()
                                                 if line.strip())]
    if not isinstance(data, (list, tuple)) or not 2 <= len(data) <= max_samples:
        count = len(data) if isinstance(data, (list, tuple)) else data
        raise ConfigError(f"data must be a list of between 2 and {max_samples} [x, y] pairs, "
                          f"got {count!r}")

    pairs = []
    for index, pair in enumerate(data):
        if not isinstance(pair, (list, tuple)) or len(pair) != 2:
            raise ConfigError(f"data row {index} must be an [x, y] pair, got {pair!r}")
        pairs.append([check_real(f"data row {index} x", pair[0], low=-1e6, high=1e6),
                      check_real(f"data row {index} y", pair[1], low=-1e6, high=1e6)])
    return pairs


def make_problem(seed, num_samples):
    """Return x, y (shape (n,)) and the initial weight and bias, all float32.

    The draws follow the notebook's order on a private generator seeded like
    `torch.manual_seed(seed)`, so the numbers match without touching torch's global RNG.
    `nn.Linear(1, 1)` draws its weight and bias from U(−1, 1) because fan_in is 1.
    """
    generator = torch.Generator().manual_seed(seed)
    x = torch.rand(num_samples, 1, generator=generator) * 10
    y = 2 * x + 1 + torch.randn(num_samples, 1, generator=generator)
    weight = torch.empty(1).uniform_(-1.0, 1.0, generator=generator)
    bias = torch.empty(1).uniform_(-1.0, 1.0, generator=generator)
    return x.squeeze(1), y.squeeze(1), weight, bias


@dataclasses.dataclass
class Problem:
    """The data as trained on (x standardized when asked), with the initial parameters.

    x, y: (n,) in the config's dtype. weight, bias: scalars (bias is 0 and unused without a
    bias). mean, std: the raw x's mean and standard deviation (ddof 0) when standardized.
    """

    x: torch.Tensor
    y: torch.Tensor
    weight: float
    bias: float
    fit_bias: bool
    mean: float = None
    std: float = None


def build_problem(config, device="cpu"):
    """Return the config's `Problem` on `device`.

    Generated data is drawn in float32 as the notebook does and then cast to the config's
    dtype; the initial weight and bias are nn.Linear's unless the config sets them.
    """
    dtype = DTYPES[config.dtype]
    x, y, weight, bias = make_problem(config.seed, config.num_samples)
    if config.data is not None:
        pairs = torch.tensor(config.data, dtype=torch.float64)
        x, y = pairs[:, 0], pairs[:, 1]
    weight = float(weight) if config.initial_weight is None else config.initial_weight
    bias = float(bias) if config.initial_bias is None else config.initial_bias
    if not config.bias:
        bias = 0.0

    x = x.to(device=device, dtype=dtype)
    y = y.to(device=device, dtype=dtype)
    problem = Problem(x=x, y=y, weight=weight, bias=bias, fit_bias=config.bias)
    if config.standardize:
        problem.mean = float(x.mean())
        problem.std = float(x.std(correction=0))
        if problem.std == 0:
            raise ConfigError("standardize needs x values that differ, got a constant x")
        problem.x = (x - x.mean()) / x.std(correction=0)
    return problem


def design_matrix(problem):
    """Return A = [x, 1] (n, 2), or x as (n, 1) without bias, in float64 on the CPU."""
    x = problem.x.detach().cpu().double()
    if problem.fit_bias:
        return torch.stack([x, torch.ones_like(x)], dim=1)
    return x[:, None]


def hessian_eigenvalues(problem, gradient="mean", batch_size=None):
    """Return the eigenvalues (ascending) of the Hessian of the loss that each step descends.

    "mean": (2/n)·AᵀA, which is also the expected Hessian of a mini-batch's mean loss. "sum":
    2·AᵀA for the full batch, and 2·(b/n)·AᵀA expected for mini-batches of b samples.
    """
    design = design_matrix(problem)
    n = design.shape[0]
    gram = design.T @ design
    if gradient == "mean":
        hessian = (2.0 / n) * gram
    else:
        batch = n if batch_size is None else min(batch_size, n)
        hessian = 2.0 * (batch / n) * gram
    return torch.linalg.eigvalsh(hessian).tolist()


def critical_rates(largest_eigenvalue, optimizer="sgd", momentum=0.0):
    """Return (critical lr of gradient descent, critical lr of the optimizer or None for Adam)."""
    gradient_descent = 2.0 / largest_eigenvalue
    if optimizer == "adam":
        return gradient_descent, None
    return gradient_descent, gradient_descent * (1.0 + momentum)


def minimum_loss(problem):
    """Return the lowest reachable mean squared error (least squares in float64)."""
    design = design_matrix(problem)
    y = problem.y.detach().cpu().double()
    solution = torch.linalg.lstsq(design, y[:, None]).solution
    residual = design @ solution[:, 0] - y
    return float((residual * residual).mean())


def stacked_parameters(problem, count):
    """Return [weight (K,), bias (K,)] or [weight (K,)], every model at the initial values."""
    options = {"dtype": problem.x.dtype, "device": problem.x.device}
    params = [torch.full((count,), problem.weight, **options).requires_grad_()]
    if problem.fit_bias:
        params.append(torch.full((count,), problem.bias, **options).requires_grad_())
    return params


def make_loss_fn(params):
    """Return loss_fn(x, y) -> (K,) mean squared errors of the stacked models in `params`."""
    def loss_fn(x, y):
        prediction = params[0][:, None] * x[None, :]  # (K, n)
        if len(params) == 2:
            prediction = prediction + params[1][:, None]
        error = prediction - y[None, :]
        return (error * error).mean(dim=1)
    return loss_fn


def check_work(count, num_samples, epochs, steps, num_params=2):
    """Raise `ConfigError` if a run of `count` models exceeds the caps in force."""
    caps = limits.current()
    work = count * num_samples * epochs * num_params
    if work > caps.max_training_work:
        raise ConfigError(
            f"learning rates × samples × epochs × parameters must be <= "
            f"{caps.max_training_work}, got {count} × {num_samples} × {epochs} × {num_params} "
            f"= {work}; use fewer rates, samples or epochs"
        )
    if steps > caps.max_steps:
        raise ConfigError(
            f"optimizer steps (epochs × mini-batches per epoch) must be <= {caps.max_steps}, "
            f"got {steps}; use fewer epochs or a larger batch_size"
        )
    if count * epochs > caps.max_recorded_values:
        raise ConfigError(
            f"learning rates × epochs must be <= {caps.max_recorded_values}, got "
            f"{count} × {epochs} = {count * epochs}"
        )


def batches_per_epoch(num_samples, batch_size):
    """Return the number of optimizer steps per epoch."""
    if batch_size is None or batch_size >= num_samples:
        return 1
    return -(-num_samples // batch_size)

