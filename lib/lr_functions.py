"""Gradient descent on a function of one variable, for many learning rates at once.

The functions, each scaled by the curvature parameter a > 0:

    quadratic    f(x) = a·x²          f'(x) = 2a·x          f''(x) = 2a
    quartic      f(x) = a·x⁴          f'(x) = 4a·x³         f''(x) = 12a·x²
    double_well  f(x) = a·(x² − 1)²   f'(x) = 4a·x·(x² − 1)  f''(x) = a·(12x² − 4)

The update is torch.optim.SGD's: v ← μ·v + f'(x), x ← x − lr·v, with v₀ = 0, so momentum
μ = 0 is plain gradient descent x ← x − lr·f'(x).

Near a minimum x* gradient descent behaves like the linear map x − x* ← (1 − lr·f''(x*))·(x − x*),
so it is stable for lr < 2(1 + μ)/f''(x*), the critical learning rate. On the quadratic f'' is
the same everywhere and that rule is exact. On x⁴ and the double well the curvature changes
with x, so the local curvature decides: a rate that is stable near the minimum can still throw
an iterate out of the basin from far away.
"""

import math

import numpy as np

FUNCTIONS = ("quadratic", "quartic", "double_well")
FORMULAS = {"quadratic": "a·x²", "quartic": "a·x⁴", "double_well": "a·(x² − 1)²"}

REGIMES = ("monotone convergence", "one-step convergence", "oscillating convergence",
           "stuck oscillation", "divergence")

# A run has converged when its distance to the minimum fell below this fraction of the start's.
CONVERGED_FRACTION = 1e-6


def value(function, curvature, x):
    """Return f(x)."""
    if function == "quadratic":
        return curvature * x * x
    if function == "quartic":
        return curvature * x**4
    return curvature * (x * x - 1.0) ** 2


def derivative(function, curvature, x):
    """Return f'(x)."""
    if function == "quadratic":
        return (2.0 * curvature) * x
    if function == "quartic":
        return (4.0 * curvature) * x**3
    return (4.0 * curvature) * x * (x * x - 1.0)


def second_derivative(function, curvature, x):
    """Return f''(x)."""
    if function == "quadratic":
        return 2.0 * curvature + 0.0 * x
    if function == "quartic":
        return 12.0 * curvature * x * x
    return curvature * (12.0 * x * x - 4.0)


def nearest_minimum(function, x):
    """Return the minimum whose basin (for gradient flow) contains x: 0, or ±1 for the double well.

    x = 0 on the double well is the local maximum between the wells; +1 is returned for it.
    """
    if function != "double_well":
        return 0.0
    return -1.0 if x < 0 else 1.0


def critical_lr(function, curvature, momentum=0.0, x=None):
    """Return 2(1 + μ)/f'' at x (default: at the minimum), or None where f'' <= 0.

    None means no rate is too large for the linearized map: f'' = 0 at the minimum of x⁴, and
    f'' < 0 near the top of the double well's hump.
    """
    point = nearest_minimum(function, 0.5) if x is None else x
    curvature_there = float(second_derivative(function, curvature, point))
    if curvature_there <= 0:
        return None
    return 2.0 * (1.0 + momentum) / curvature_there


def descend(function, curvature, start, learning_rates, iterations, momentum=0.0):
    """Return the iterates x_0 … x_K, shape (K + 1, number of rates), all rates in one pass.

    Every rate is one element of a float64 vector. For the quadratic without momentum the step
    is computed as (2a·lr)·x, which equals the scalar lr·(2a·x) bitwise when a is a power of two
    (such as the notebook's a = 1) because scaling by 2 is exact. Once an iterate is inf or nan
    the rest of its column is nan: the run stops there.
    """
    lr = np.asarray(learning_rates, dtype=np.float64)
    xs = np.empty((iterations + 1, lr.size))
    xs[0] = start
    rows = list(xs)

    with np.errstate(over="ignore", invalid="ignore"):
        if function == "quadratic" and momentum == 0:
            step_factor = (2.0 * curvature) * lr
            step = np.empty(lr.size)
            for k in range(iterations):
                np.multiply(rows[k], step_factor, out=step)
                np.subtract(rows[k], step, out=rows[k + 1])
        else:
            velocity = np.zeros(lr.size)
            for k in range(iterations):
                gradient = derivative(function, curvature, rows[k])
                velocity = momentum * velocity + gradient if momentum else gradient
                rows[k + 1][:] = rows[k] - lr * velocity

    finite = np.isfinite(xs)
    if not finite.all():
        columns = np.flatnonzero(~finite.all(axis=0))
        first_bad = np.argmin(finite[:, columns], axis=0)
        stopped = np.arange(iterations + 1)[:, None] >= first_bad[None, :]
        xs[:, columns] = np.where(stopped, np.nan, xs[:, columns])
    return xs


def closed_form(start, lr, curvature, momentum, iterations):
    """Return x_0 … x_K of gradient descent on a·x² from the closed form, in float64.

    Without momentum x_k = (1 − 2a·lr)^k·x_0. With momentum the pair (x_k, x_{k−1}) evolves by
    the matrix M = [[1 + μ − 2a·lr, −μ], [1, 0]] from (x_0, x_0), so x_k is the first entry of
    M^k·(x_0, x_0). Values beyond float64's range are inf.
    """
    k = np.arange(iterations + 1)
    factor = 1.0 - 2.0 * curvature * lr
    with np.errstate(over="ignore", invalid="ignore"):
        if momentum == 0:
            return factor**k * start
        matrix = np.array([[factor + momentum, -momentum], [1.0, 0.0]])
        state = np.array([start, start], dtype=np.float64)
        return np.array([(np.linalg.matrix_power(matrix, int(step)) @ state)[0] for step in k])


def classify(lr, curvature=1.0, momentum=0.0):
    """Name the regime of gradient descent on a·x² at `lr`, from the linear map's roots.

    With h = 2a·lr the error follows e_{k+1} = (1 − h)·e_k without momentum:

    1. h < 1: monotone convergence.
    2. h = 1: one-step convergence (lr = 1/(2a)).
    3. 1 < h < 2: oscillating convergence.
    4. h = 2: stuck oscillation (lr = 1/a = 2/f''), x flips sign forever.
    5. h > 2: divergence.

    With momentum μ the roots r of r² − (1 + μ − h)·r + μ decide: both real and positive is
    monotone, complex or negative is oscillating, a root of modulus 1 is a stuck oscillation
    (at h = 2(1 + μ)), and a root outside the unit circle diverges. Boundaries are matched to
    a relative 1e-12, so a rate typed as 0.5 counts as exactly 1/(2a).
    """
    h = 2.0 * curvature * lr
    if momentum == 0:
        if math.isclose(h, 1.0, rel_tol=1e-12):
            return REGIMES[1]
        if math.isclose(h, 2.0, rel_tol=1e-12):
            return REGIMES[3]
        if h < 1.0:
            return REGIMES[0]
        return REGIMES[2] if h < 2.0 else REGIMES[4]

    trace = 1.0 + momentum - h
    if math.isclose(h, 2.0 * (1.0 + momentum), rel_tol=1e-12):
        return REGIMES[3]
    discriminant = trace * trace - 4.0 * momentum
    if discriminant < 0:
        return REGIMES[2]
    radius = (abs(trace) + math.sqrt(discriminant)) / 2.0
    if radius > 1.0:
        return REGIMES[4]
    return REGIMES[0] if trace > 0 else REGIMES[2]


def basin_exit(function, curvature, lr, momentum, x):
    """Return the first iteration at which the run left its starting basin, or None.

    Quartic: gradient descent pulls x toward 0 only while |x| < R = 1/√(2a·lr), because there
    |1 − 4a·lr·x²| < 1; beyond R every step lengthens |x|. Double well: the basin of the
    starting minimum is the half-line on its side of the hump at 0, so leaving it means x
    changed sign. The quadratic's basin is the whole line.
    """
    if function == "quadratic":
        return None
    if function == "quartic":
        # NOTE: R is exact for plain gradient descent; with momentum it is an approximation.
        radius = 1.0 / math.sqrt(2.0 * curvature * lr)
        outside = np.abs(x) > radius
    else:
        outside = np.sign(x) != np.sign(x[0])
    outside = outside & np.isfinite(x)
    return int(np.argmax(outside)) if outside.any() else None


def describe_run(function, curvature, lr, momentum, x):
    """Label what one run did, from its iterates `x` (shape (K + 1,), nan after an overflow).

    1. diverged: an iterate overflowed (inf or nan) at iteration k.
    2. stuck at a stationary point: x_0 is a maximum (f' = 0 there), so x never moves.
    3. diverging: the final distance to the nearest minimum is larger than the first.
    4. converged: that distance fell below 1e-6 of the first (or is 0).
    5. oscillating: the last two iterates lie on opposite sides of the minimum.
    6. too slow: still approaching the minimum when the iterations ran out.
    """
    finite = np.isfinite(x)
    overflow_at = None if finite.all() else int(np.argmin(finite))
    left_basin_at = basin_exit(function, curvature, lr, momentum, x)
    result = {"overflow_at_iteration": overflow_at, "left_basin_at_iteration": left_basin_at}

    if overflow_at is not None:
        return {**result, "outcome": f"diverged at iteration {overflow_at} (overflow)",
                "minimum": None, "distance": None}

    minimum = nearest_minimum(function, x[-1])
    first = abs(x[0] - nearest_minimum(function, x[0]))
    last = abs(x[-1] - minimum)
    result.update(minimum=minimum, distance=last)
    if derivative(function, curvature, x[0]) == 0 and first > 0:
        return {**result, "outcome": "stuck at a stationary point (f' = 0 at x₀)"}
    if last > first:
        return {**result, "outcome": "diverging"}
    if last <= CONVERGED_FRACTION * first:
        return {**result, "outcome": "converged"}
    if len(x) > 2 and (x[-1] - minimum) * (x[-2] - minimum) < 0:
        return {**result, "outcome": "oscillating"}
    return {**result, "outcome": "too slow"}
