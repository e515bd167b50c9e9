"""Train K copies of one model at K learning rates in one batched computation.

Every parameter is stacked along a leading model dimension: a weight of shape (F,) becomes
(K, F). One forward pass computes the K models' losses, shape (K,), and one backward pass of
their sum gives every model its own gradient, because no operation mixes models: the
derivative of Σ_j L_j with respect to model k's parameters is the derivative of L_k alone.
`StackedOptimizer` then applies torch.optim.SGD's or torch.optim.Adam's update to each model
with that model's learning rate. A sweep of K rates is thus one loop over the steps, not K loops.

A model whose loss stops being finite is frozen at its last parameters: it takes no more steps,
its later losses are nan, and the epoch is recorded. When all models are frozen, training stops.
"""

import contextlib
import contextvars
import time

import torch

OPTIMIZERS = ("sgd", "adam")
GRADIENTS = ("mean", "sum")
ADAM_BETAS = (0.9, 0.999)
ADAM_EPS = 1e-8

_progress_callback = contextvars.ContextVar("progress_callback", default=None)


@contextlib.contextmanager
def reporting_progress(callback):
    """Call `callback(fraction, text)` from the training loops run inside the block.

    lib stays free of any user interface: the app passes a function that updates its progress
    bar, the jobs pass nothing.
    """
    token = _progress_callback.set(callback)
    try:
        yield
    finally:
        _progress_callback.reset(token)


def report_progress(fraction, text):
    """Pass `fraction` (0 to 1) and `text` to the callback of `reporting_progress`, if any."""
    callback = _progress_callback.get()
    if callback is not None:
        callback(fraction, text)


class StackedOptimizer:
    """SGD (with optional momentum) or Adam over stacked parameters, one learning rate per model.

    Parameters have shape (K, ...) and `lr` shape (K,). The updates are torch's, applied to
    each model's slice:

    - "sgd": b ← μ·b + g (b = g on the first step), p ← p − lr·b; with μ = 0, p ← p − lr·g.
      No dampening, Nesterov or weight decay.
    - "adam": m ← β₁·m + (1 − β₁)·g, v ← β₂·v + (1 − β₂)·g², and with t steps taken
      p ← p − lr/(1 − β₁ᵗ) · m / (√v/√(1 − β₂ᵗ) + eps), with β = (0.9, 0.999), eps = 1e-8
      (torch's defaults, no AMSGrad).

    `step(grads, active)` updates only the models where `active` (K,) is True.
    """

    def __init__(self, params, lr, optimizer="sgd", momentum=0.0):
        self.params = list(params)
        self.lr = lr
        self.optimizer = optimizer
        self.momentum = momentum
        self.steps = 0
        self.state = [{} for _ in self.params]

    @torch.no_grad()
    def step(self, grads, active):
        """Apply one update to every active model."""
        self.steps += 1
        for param, grad, state in zip(self.params, grads, self.state):
            shape = (-1,) + (1,) * (param.dim() - 1)
            lr = self.lr.view(shape)
            if self.optimizer == "adam":
                update = self._adam_direction(grad, state) / _bias_correction(self.steps)
            elif self.momentum:
                if "momentum_buffer" not in state:
                    state["momentum_buffer"] = grad.clone()
                else:
                    state["momentum_buffer"] = self.momentum * state["momentum_buffer"] + grad
                update = state["momentum_buffer"]
            else:
                update = grad
            param.copy_(torch.where(active.view(shape), param - lr * update, param))

    def _adam_direction(self, grad, state):
        beta1, beta2 = ADAM_BETAS
        if "exp_avg" not in state:
            state["exp_avg"] = torch.zeros_like(grad)
            state["exp_avg_sq"] = torch.zeros_like(grad)
        state["exp_avg"] = beta1 * state["exp_avg"] + (1 - beta1) * grad
        state["exp_avg_sq"] = beta2 * state["exp_avg_sq"] + (1 - beta2) * grad * grad
        bias_correction2 = 1 - beta2**self.steps
        denominator = state["exp_avg_sq"].sqrt() / bias_correction2**0.5 + ADAM_EPS
        return state["exp_avg"] / denominator


def _bias_correction(steps):
    return 1 - ADAM_BETAS[0] ** steps


def fit(loss_fn, optimizer, inputs, targets, *, epochs, batch_size=None, gradient="mean",
        generator=None, evaluate=None, progress_text="training"):
    """Train the optimizer's K models for `epochs` epochs and return what happened.

    `loss_fn(inputs, targets)` returns each model's mean loss over the batch, shape (K,),
    computed from `optimizer.params`. With gradient "sum" each model descends the batch's sum of
    losses (the mean times the batch size) instead of the mean.

    Full batch (`batch_size` None or >= n): one step per epoch, and the epoch's loss is the one
    computed for that step, before it. Mini-batches: the samples are shuffled each epoch by
    `generator` (the same order for every model) and the epoch's loss is `evaluate()` on all the
    data before the epoch's first step, or, without `evaluate`, the mean of its batch losses.

    Returns a dict with "losses" (epochs, K), "diverged_at_epoch" (K,) long with -1 for a model
    that stayed finite, "zigzag" (K,) bool, True where the last two epochs moved the parameters
    in opposite directions, and "steps", the number of optimizer steps taken. With mini-batches
    "zigzag" is all False, because batch noise alone turns the direction from epoch to epoch.
    """
    num_samples = inputs.shape[0]
    num_models = optimizer.lr.numel()
    full_batch = batch_size is None or batch_size >= num_samples
    losses = torch.full((epochs, num_models), float("nan"), dtype=optimizer.lr.dtype,
                        device=optimizer.lr.device)
    diverged_at = torch.full((num_models,), -1, dtype=torch.long, device=optimizer.lr.device)
    active = torch.ones(num_models, dtype=torch.bool, device=optimizer.lr.device)
    snapshots = [_flatten(optimizer.params)]
    last_report = time.monotonic()

    for epoch in range(epochs):
        if full_batch:
            batches = [None]
        else:
            order = torch.randperm(num_samples, generator=generator).to(inputs.device)
            batches = order.split(batch_size)
            if evaluate is not None:
                with torch.no_grad():
                    losses[epoch] = evaluate()

        batch_losses = []
        for batch in batches:
            x = inputs if batch is None else inputs[batch]
            y = targets if batch is None else targets[batch]
            loss = loss_fn(x, y)
            weight = float(x.shape[0]) if gradient == "sum" else 1.0
            grads = torch.autograd.grad((loss * weight).sum(), optimizer.params)
            batch_losses.append(loss.detach())
            _freeze_non_finite(loss.detach(), active, diverged_at, epoch)
            optimizer.step(grads, active)

        if full_batch:
            losses[epoch] = batch_losses[0]
        elif evaluate is None:
            losses[epoch] = torch.stack(batch_losses).mean(dim=0)
        _freeze_non_finite(losses[epoch], active, diverged_at, epoch)
        losses[epoch] = torch.where(active | (diverged_at == epoch), losses[epoch], float("nan"))

        if full_batch:
            snapshots = (snapshots + [_flatten(optimizer.params)])[-3:]
        if not active.any():
            break
        if time.monotonic() - last_report > 0.1:
            report_progress((epoch + 1) / epochs, f"{progress_text}: epoch {epoch + 1}/{epochs}")
            last_report = time.monotonic()

    zigzag = _zigzag(snapshots) if full_batch else torch.zeros(num_models, dtype=torch.bool)
    return {"losses": losses, "diverged_at_epoch": diverged_at, "zigzag": zigzag,
            "steps": optimizer.steps}


def _freeze_non_finite(loss, active, diverged_at, epoch):
    newly = active & ~torch.isfinite(loss)
    diverged_at[newly] = epoch
    active &= ~newly


def _flatten(params):
    return torch.cat([param.detach().reshape(param.shape[0], -1) for param in params], dim=1)


def _zigzag(snapshots):
    if len(snapshots) < 3:
        return torch.zeros(snapshots[0].shape[0], dtype=torch.bool)
    before = snapshots[1] - snapshots[0]
    after = snapshots[2] - snapshots[1]
    return ((before * after).sum(dim=1) < 0).cpu()
