"""Conditioning of a least-squares problem, and which solver answers to trust because of it.

Rule of thumb used throughout, from the standard perturbation bounds: a backward-stable solver
returns θ with relative error of about κ·ε, where ε is the dtype's machine epsilon (1.19e-7 for
float32, 2.22e-16 for float64) and κ is κ(XᵀX) = κ(X)² for the normal equations and κ(X) for
QR/SVD on X (when the residual is small). So about −log10(κ·ε) decimal digits of θ survive.
These are estimates, not bounds, and the record also holds the measured error of every solver
against float64 least squares.
"""

import math

import numpy as np
import torch

from lib.normal_equation.solvers import NORMAL_EQUATION_SOLVERS

# Expected digits at or above which a result is called trusted, and below which untrusted.
TRUSTED_DIGITS = 3.0
UNTRUSTED_DIGITS = 1.0

DTYPES = {"float32": torch.float32, "float64": torch.float64}


def machine_epsilon(dtype_name):
    """Return ε of "float32" or "float64"."""
    return torch.finfo(DTYPES[dtype_name]).eps


def analyze(x64, dtype_name, sigma=None):
    """Return the conditioning of X (n, p), given in float64, for solving in `dtype_name`.

    Singular values `sigma` (descending; computed when None) come from the SVD of R in X = QR,
    which is as accurate as an SVD of X.
    The rank counts σ_i > max(n, p)·ε·σ_max with the working dtype's ε, the cut-off of
    numpy.linalg.matrix_rank, so it is the rank that the dtype can resolve.
    `cond_x` is σ_max/σ_min over all p singular values (huge or inf when rank < p) and
    `cond_x_range` over the r nonzero ones, which governs lstsq, pinv and GD in that case.
    `cond_gram_formed` is np.linalg.cond of the formed float64 XᵀX, what a user checking
    XᵀX would see: rounding caps it near 1/ε64 ≈ 4.5e15 even when XᵀX is exactly singular.
    """
    n, p = x64.shape
    eps = machine_epsilon(dtype_name)
    sigma = singular_values(x64) if sigma is None else np.asarray(sigma, dtype=np.float64)

    cutoff = max(n, p) * eps * sigma[0] if sigma.size else 0.0
    rank = int(np.sum(sigma > cutoff))
    padded = np.concatenate([sigma, np.zeros(p - sigma.size)])
    cond_x = _ratio(padded[0], padded[-1])
    cond_x_range = _ratio(padded[0], padded[rank - 1]) if rank else math.inf
    return {
        "num_samples": n,
        "num_parameters": p,
        "singular_values": padded,
        "rank": rank,
        "cond_x": cond_x,
        "cond_x_range": cond_x_range,
        "cond_gram": cond_x * cond_x,
        "cond_gram_formed": float(np.linalg.cond(x64.T @ x64)),
        "eps": eps,
        "digits_available": -math.log10(eps),
        "digits_normal_equations": expected_digits(cond_x * cond_x, eps),
        "digits_lstsq": expected_digits(cond_x_range, eps),
        "dtype_limit_gram": 1.0 / eps,
    }


def singular_values(x64):
    """Return the singular values of X (n, p), in descending order, via QR when n ≥ p."""
    x = torch.from_numpy(np.ascontiguousarray(x64))
    if x.shape[0] >= x.shape[1]:
        x = torch.linalg.qr(x, mode="r").R
    return torch.linalg.svdvals(x).numpy()


def expected_digits(condition, eps):
    """Return −log10(κ·ε), the decimal digits a solve keeps, floored at 0; 0 for κ = inf."""
    if not math.isfinite(condition):
        return 0.0
    return max(0.0, -math.log10(condition * eps))


def assess(solver, analysis, dtype_name):
    """Return {"status", "digits", "reason"}: how far `solver`'s θ can be trusted, and why.

    Status is one of:
    - "refused": XᵀX is singular (rank < p), so (XᵀX)⁻¹ does not exist and a normal-equation
      solver's output is rounding noise, whatever the library returns;
    - "untrusted": fewer than 1 expected digit (κ·ε ≥ 0.1);
    - "low accuracy": 1 to 3 expected digits;
    - "trusted": 3 digits or more.
    """
    rank = analysis["rank"]
    n = analysis["num_samples"]
    p = analysis["num_parameters"]
    eps = analysis["eps"]

    if solver in NORMAL_EQUATION_SOLVERS:
        if rank < p:
            return {"status": "refused", "digits": 0.0,
                    "reason": _singular_reason(rank, n, p)}
        condition, name = analysis["cond_gram"], "κ(XᵀX)"
    else:
        condition, name = analysis["cond_x_range"], "κ(X)"

    digits = expected_digits(condition, eps)
    limit = f"{dtype_name} carries about {-math.log10(eps):.1f} digits"
    if digits < UNTRUSTED_DIGITS:
        status = "untrusted"
        reason = (f"{name} = {condition:.2g} is beyond what {dtype_name} can carry "
                  f"(1/ε ≈ {1 / eps:.2g}): no digit of θ is reliable")
    elif digits < TRUSTED_DIGITS:
        status = "low accuracy"
        reason = f"{name} = {condition:.2g}: about {digits:.1f} digits of θ survive ({limit})"
    else:
        status = "trusted"
        reason = f"{name} = {condition:.2g}: about {digits:.1f} digits of θ survive ({limit})"
    if solver not in NORMAL_EQUATION_SOLVERS and rank < p:
        reason += f"; X has rank {rank} of {p}, so this is the minimum-norm θ"
    return {"status": status, "digits": digits, "reason": reason}


def _singular_reason(rank, n, p):
    if n < p:
        return (f"XᵀX ({p}×{p}) has rank at most n = {n} < p = {p}: there are more unknowns "
                f"than samples, so XᵀX is singular and infinitely many θ fit the data exactly")
    return (f"XᵀX has rank {rank} of {p}: it is singular, so (XᵀX)⁻¹ does not exist and "
            "infinitely many θ reach the same minimum loss")


def gram_rank(gram, dtype_name="float64"):
    """Return the rank of a given XᵀX (p, p): eigenvalues above p·ε·λ_max count."""
    eigenvalues = np.linalg.eigvalsh(np.asarray(gram, dtype=np.float64))
    cutoff = gram.shape[0] * machine_epsilon(dtype_name) * np.max(np.abs(eigenvalues))
    return int(np.sum(eigenvalues > cutoff))


def _ratio(largest, smallest):
    if smallest <= 0:
        return math.inf
    return float(largest / smallest)
