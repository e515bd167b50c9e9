"""Five ways to solve least squares min ‖Xθ − y‖², and the lab's own pick among them.

Shapes: X is (n_samples, n_parameters) = (n, p), y is (n,), θ is (p,). Every solver works in the
dtype and on the device of its inputs (torch tensors), so float32 results show float32 rounding.

The first three go through the normal equations XᵀX·θ = Xᵀy, whose matrix has condition number
κ(XᵀX) = κ(X)², so they lose about twice the digits that a method working on X itself loses:

- "inverse": θ = (XᵀX)⁻¹·Xᵀy, as the course notebook writes it (`torch.linalg.inv`).
- "solve": LU with partial pivoting on XᵀX (`torch.linalg.solve`), no inverse formed.
- "cholesky": XᵀX = LLᵀ, then two triangular solves; needs XᵀX positive definite.

The last two work on X and return the minimum-norm θ when X has rank r < p:

- "lstsq": X = QR (Householder), then the SVD of the small R (r × p); singular values below
  max(n, p)·ε·σ_max are treated as zero, numpy.linalg.lstsq's default cut-off.
- "pinv": θ = X⁺y with `torch.linalg.pinv` (an SVD of X), the same cut-off.
"""

import math

import torch

SOLVERS = ("inverse", "solve", "cholesky", "lstsq", "pinv")
NORMAL_EQUATION_SOLVERS = ("inverse", "solve", "cholesky")


class NotPositiveDefinite(torch.linalg.LinAlgError):
    """Cholesky found a pivot ≤ 0: XᵀX is singular or rounding made it indefinite."""


def gram_and_moment(x, y):
    """Return XᵀX (p, p) and Xᵀy (p,), each computed with one matrix product in x's dtype."""
    return x.mT @ x, y @ x


def solve(solver, x, y, gram=None, moment=None):
    """Return θ (p,) from `solver` (one of `SOLVERS`); raise torch's LinAlgError as it does.

    `gram` and `moment` (XᵀX and Xᵀy) are computed when not given.
    """
    if solver in NORMAL_EQUATION_SOLVERS and gram is None:
        gram, moment = gram_and_moment(x, y)

    if solver == "inverse":
        return torch.linalg.inv(gram) @ moment
    if solver == "solve":
        return torch.linalg.solve(gram, moment)
    if solver == "cholesky":
        return cholesky_solve(gram, moment)
    if solver == "lstsq":
        return lstsq_min_norm(x, y)
    if solver == "pinv":
        return torch.linalg.pinv(x) @ y
    raise ValueError(f"solver must be one of {', '.join(SOLVERS)}, got {solver!r}")


def cholesky_solve(gram, moment):
    """Return θ with XᵀX = LLᵀ; raise `NotPositiveDefinite` when a pivot is ≤ 0."""
    factor, info = torch.linalg.cholesky_ex(gram)
    if int(info) > 0:
        raise NotPositiveDefinite(f"Cholesky failed: leading minor {int(info)} of XᵀX is not "
                                  "positive, so XᵀX is singular or indefinite after rounding")
    return torch.cholesky_solve(moment.unsqueeze(1), factor).squeeze(1)


def lstsq_min_norm(x, y):
    """Return the minimum-norm least-squares θ via QR of X, then the SVD of R."""
    return factored_lstsq(x, y)[0]


def factored_lstsq(x, y):
    """Return (θ, σ, Vᵀ): minimum-norm θ, X's singular values (k,) and right vectors (k, p).

    X = QR with Q (n, k), R (k, p), k = min(n, p); then R = UΣVᵀ, so X = (QU)ΣVᵀ is an SVD of
    X and θ = Σ_i (u_iᵀQᵀy / σ_i)·v_i over σ_i > max(n, p)·ε·σ_max.
    """
    n, p = x.shape
    q, r = torch.linalg.qr(x)  # (n, k), (k, p)
    u, sigma, vh = torch.linalg.svd(r, full_matrices=False)  # (k, k), (k,), (k, p)

    cutoff = max(n, p) * torch.finfo(x.dtype).eps * sigma[0]
    keep = sigma > cutoff
    coefficients = (u.mT @ (y @ q))[keep] / sigma[keep]
    return vh[keep].mT @ coefficients, sigma, vh


def auto_method(gram_condition, dtype):
    """Return "cholesky" when κ(XᵀX) is within `normal_equation_budget`, else "lstsq"."""
    return "cholesky" if gram_condition <= normal_equation_budget(dtype) else "lstsq"


def normal_equation_budget(dtype):
    """Return the largest κ(XᵀX) for which Cholesky keeps at least half of the dtype's digits.

    The relative error of a normal-equation solve is about κ(XᵀX)·ε, so κ ≤ 1/√ε keeps at
    least half the digits: about 6.7e7 in float64 and 2.9e3 in float32.
    """
    return 1.0 / math.sqrt(torch.finfo(dtype).eps)


def estimate_gram_condition(gram):
    """Return κ(XᵀX) from the eigenvalues of the formed XᵀX, in float64; inf if λ_min ≤ 0.

    Reliable only while κ ≪ 1/ε of gram's dtype: beyond that λ_min is rounding noise, and the
    estimate comes out huge, negative (returned as inf) or merely large, so it errs on the side
    of "ill-conditioned".
    """
    eigenvalues = torch.linalg.eigvalsh(gram.double())
    if eigenvalues[0] <= 0:
        return math.inf
    return float(eigenvalues[-1] / eigenvalues[0])


def closed_form(x, y):
    """Return (θ, method, κ estimate): Cholesky when XᵀX is well-conditioned, else lstsq.

    This is the lab's "auto" solver. It forms XᵀX (n·p² flops) and estimates κ(XᵀX) from its
    eigenvalues (p³). Below `normal_equation_budget` it solves by Cholesky (p³/3), otherwise it
    falls back to QR/SVD on X (about 2·n·p² more), which keeps twice the digits.
    """
    gram, moment = gram_and_moment(x, y)
    condition = estimate_gram_condition(gram)
    if auto_method(condition, x.dtype) == "cholesky":
        try:
            return cholesky_solve(gram, moment), "cholesky", condition
        except NotPositiveDefinite:
            pass
    return lstsq_min_norm(x, y), "lstsq", condition
