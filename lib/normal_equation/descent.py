"""Gradient descent on least squares, on X or on XᵀX, with its predicted and measured rate.

Every variant takes the step θ ← θ − s·(XᵀXθ − Xᵀy), where s folds in the gradient convention
(see `step_size`): the loss is L(θ) = ‖Xθ − y‖²/n, its "mean" gradient is (2/n)·Xᵀ(Xθ − y) and
the course notebook's "sum" gradient is 2·Xᵀ(Xθ − y), n times larger.

Error analysis. With H = s·XᵀX, the error e_k = θ_k − θ_∞ obeys e_{k+1} = (I − H)·e_k, so it
shrinks per step by at most ρ = max |1 − s·λ_i| over the nonzero eigenvalues λ_i of XᵀX. At
s = 1/λ_max (lr "auto") ρ = 1 − 1/κ(H), so reaching a relative tolerance τ takes about
κ(H)·ln(1/τ) steps. Directions in the null space of XᵀX never move, so GD converges to
θ_∞ = θ_min-norm + (θ_0's null-space part): the minimum-norm θ when it starts from zero.

Shapes: X (n, p), y (n,), θ (p,); traces have K + 1 entries, one per iterate θ_0 … θ_K.
"""

import math

import numpy as np

# The blocked evaluation below advances this many steps per matrix product.
BLOCK_STEPS = 64
# Above this many parameters the p³ set-up of the blocked evaluation stops paying off.
MAX_BLOCKED_PARAMETERS = 16
# Row blocks of about this many bytes stay in a CPU's L2 cache between the two reads of a step.
CHUNK_BYTES = 1 << 20
# Stepping loops check for overflow (and, when asked, for the tolerance) this often.
CHECK_EVERY = 64


def step_size(lr, gradient, num_samples):
    """Return s with θ ← θ − s·(XᵀXθ − Xᵀy): 2·lr for the "sum" gradient, 2·lr/n for "mean"."""
    if gradient == "sum":
        return 2.0 * lr
    return 2.0 * lr / num_samples


def auto_lr(largest_eigenvalue, gradient, num_samples):
    """Return lr = 1/λ_max(∇²) for the chosen gradient: the step s = 1/λ_max(XᵀX).

    The Hessian of the objective whose gradient is used is 2·XᵀX ("sum") or (2/n)·XᵀX
    ("mean"). 1/λ_max is the classic safe step: the loss decreases monotonically and ρ is
    1 − 1/κ. Steps up to 2/λ_max still converge; beyond that GD diverges.
    """
    hessian_max = 2.0 * largest_eigenvalue
    if gradient == "mean":
        hessian_max /= num_samples
    return 1.0 / hessian_max


def contraction_rate(step, eigenvalues, rank):
    """Return ρ = max |1 − s·λ| over the `rank` largest eigenvalues of XᵀX (descending)."""
    active = np.asarray(eigenvalues[:rank], dtype=np.float64)
    if active.size == 0:
        return 0.0
    return float(np.max(np.abs(1.0 - step * active)))


def predicted_iterations(rate, initial_distance, target_distance):
    """Return the steps after which ρ^k·‖e_0‖ ≤ target, or None when ρ ≥ 1."""
    if initial_distance <= target_distance:
        return 0
    if rate >= 1.0:
        return None
    if rate <= 0.0:
        return 1
    return math.ceil(math.log(target_distance / initial_distance) / math.log(rate))


def measured_rate(distances, floor):
    """Return the per-step rate (‖e_b‖/‖e_a‖)^(1/(b − a)) over the second half of the descent.

    The descent ends at the first distance at or below `floor` (rounding noise) or at the last
    iterate; a = b // 2. Returns None when fewer than two usable steps or a non-finite value.
    """
    distances = np.asarray(distances, dtype=np.float64)
    below = np.flatnonzero(~(distances > floor))
    end = int(below[0]) if below.size else distances.size - 1
    start = end // 2
    if end - start < 1 or not np.all(np.isfinite(distances[start:end + 1])):
        return None
    if distances[start] <= 0:
        return None
    return float((distances[end] / distances[start]) ** (1.0 / (end - start)))


def descend_on_data(x, y, theta_0, step, iterations, theta_limit, *, empty, tolerance=None,
                    check_every=CHECK_EVERY, chunk_bytes=CHUNK_BYTES):
    """Step on X: r = Xθ − y, θ ← θ − s·(rX). Return (losses, distances, θ_K, steps taken).

    Each step computes r and rX block by block over rows of about `chunk_bytes`, so the second
    read of a block comes from cache and a step reads X from memory about once (None: whole X
    at once, for a GPU). `r @ x` keeps the read row-major; for a row-major X, `x.T @ r` is
    several times slower on a CPU. Works on NumPy arrays and on torch tensors (`empty(k)`
    allocates a trace like x). losses[k] = ‖Xθ_k − y‖²/n and distances[k] = ‖θ_k − θ_∞‖.
    With `tolerance`, stops once distances ≤ tolerance·‖θ_∞‖ (checked every `check_every`
    steps) and the traces end there. Once an iterate overflows the rest of the traces are NaN
    and the loop stops.
    """
    n, p = x.shape
    rows = n if chunk_bytes is None else max(1, chunk_bytes // (p * x.itemsize))
    blocks = [(x[start:start + rows], y[start:start + rows]) for start in range(0, n, rows)]
    losses = empty(iterations + 1)
    distances = empty(iterations + 1)
    target = None if tolerance is None else tolerance * max(_norm(theta_limit), 1e-300)

    theta = theta_0
    k = 0
    while True:
        squared_residual, gradient = _residual_and_gradient(blocks, theta)
        error = theta - theta_limit
        losses[k] = squared_residual
        distances[k] = error @ error
        if k == iterations:
            break
        if k % check_every == 0:
            value = float(distances[k])
            if not math.isfinite(value):
                losses[k:] = math.nan
                distances[k:] = math.nan
                return losses / n, distances ** 0.5, theta, k
            if target is not None and value <= target * target:
                break
        theta = theta - step * gradient
        k += 1

    return losses[:k + 1] / n, distances[:k + 1] ** 0.5, theta, k


def _residual_and_gradient(blocks, theta):
    """Return ‖Xθ − y‖² and (Xθ − y)X, one row block at a time."""
    squared_residual = 0.0
    gradient = 0.0
    for x_block, y_block in blocks:
        residual = x_block @ theta - y_block  # (rows,)
        squared_residual = squared_residual + residual @ residual
        gradient = gradient + residual @ x_block  # (p,)
    return squared_residual, gradient


def descend_on_gram(gram, moment, theta_0, step, iterations, theta_limit, loss_limit,
                    gradient_limit, num_samples):
    """Step on XᵀX: g = XᵀXθ − Xᵀy, θ ← θ − s·g. Return (losses, distances, θ_K, thetas).

    Each step costs p² instead of 2·n·p, after n·p² to form XᵀX once. The loss comes from
    the exact identity L(θ) = L(θ_∞) + (θ − θ_∞)·(g − g_∞)/n with g_∞ = XᵀXθ_∞ − Xᵀy, which
    needs no pass over X and has no cancellation near the minimum.

    In float64 with p ≤ `MAX_BLOCKED_PARAMETERS` and a convergent step (ρ ≤ 1) the iterates
    are evaluated `BLOCK_STEPS` at a time: θ_{k+j} = A^j·θ_k + S_j with A = I − s·XᵀX and
    S_j = A·S_{j−1} + s·Xᵀy, precomputed for j ≤ `BLOCK_STEPS`. In exact arithmetic this is
    the same sequence; in float64 it differs from stepping one at a time by rounding only
    (the tests bound the difference at 1e-12 relative on the notebook's data). Otherwise, and
    in float32, it steps one at a time, so float32 iterates carry float32's own rounding.
    `thetas` is the (K + 1, p) trace when blocked, else None.
    """
    p = theta_0.shape[0]
    a = np.eye(p) - step * gram
    stable = np.max(np.abs(np.linalg.eigvalsh(a))) <= 1.0
    blocked = gram.dtype == np.float64 and p <= MAX_BLOCKED_PARAMETERS and stable

    with np.errstate(over="ignore", invalid="ignore"):
        if blocked:
            thetas = _blocked_iterates(a, step * moment, theta_0, iterations)  # (K + 1, p)
            gradients = thetas @ gram - moment
            errors = thetas - theta_limit
            products = np.sum(errors * (gradients - gradient_limit), axis=1)
            losses = loss_limit + products / num_samples
            distances = np.sqrt(np.sum(errors * errors, axis=1))
            return losses, distances, thetas[-1], thetas
        losses, distances, theta = _stepped_gram(gram, moment, theta_0, step, iterations,
                                                 theta_limit, loss_limit, gradient_limit,
                                                 num_samples)
        return losses, distances, theta, None


def _blocked_iterates(a, offset, theta_0, iterations):
    p = theta_0.shape[0]
    powers = np.empty((BLOCK_STEPS + 1, p, p))  # A^0 … A^B
    sums = np.empty((BLOCK_STEPS + 1, p))  # S_0 … S_B
    powers[0] = np.eye(p)
    sums[0] = 0.0
    for j in range(1, BLOCK_STEPS + 1):
        powers[j] = a @ powers[j - 1]
        sums[j] = a @ sums[j - 1] + offset

    thetas = np.empty((iterations + 1, p))
    thetas[0] = theta_0
    k = 0
    while k < iterations:
        steps = min(BLOCK_STEPS, iterations - k)
        thetas[k + 1:k + steps + 1] = powers[1:steps + 1] @ thetas[k] + sums[1:steps + 1]
        k += steps
    return thetas


def _stepped_gram(gram, moment, theta_0, step, iterations, theta_limit, loss_limit,
                  gradient_limit, num_samples):
    dtype = gram.dtype
    theta_limit = theta_limit.astype(dtype)
    gradient_limit = gradient_limit.astype(dtype)
    products = np.empty(iterations + 1)
    distances = np.empty(iterations + 1)

    theta = theta_0.astype(dtype)
    step = dtype.type(step)
    for k in range(iterations + 1):
        gradient = gram @ theta - moment
        error = theta - theta_limit
        products[k] = error @ (gradient - gradient_limit)
        distances[k] = error @ error
        if k == iterations:
            break
        if k % CHECK_EVERY == 0 and not np.isfinite(distances[k]):
            products[k:] = np.nan
            distances[k:] = np.nan
            break
        theta = theta - step * gradient
    return loss_limit + products / num_samples, np.sqrt(distances), theta


def _norm(vector):
    return float((vector @ vector) ** 0.5)
