"""Linear regression two ways: the normal equation against gradient descent.

Data as in the course notebook: with `torch.manual_seed(seed)`, X = rand(n, d) and
Y = X·θ_true + noise·randn(n), drawn in float32; θ_0 = randn(d) from the same stream starts GD
(see `lib.normal_equation.data.draw_problem` for correlation, scale and a drawn θ_true). Pasted
`data` replaces the draw. Features may then be standardized and a column of ones prepended
(`fit_intercept`). The result is rounded to `dtype`, and every solver and GD run in that dtype.

1. Normal equation: θ* minimizes ‖Xθ − Y‖². Five solvers compute it (`SOLVERS`: the notebook's
   (XᵀX)⁻¹XᵀY, LU, Cholesky, QR/SVD least squares, pseudo-inverse); each answer is judged
   against κ(X) and the dtype, and a singular or too ill-conditioned XᵀX is reported, never
   hidden behind the inverse's output. "auto" picks Cholesky when XᵀX is well-conditioned for
   the dtype, else least squares. Accuracy is measured against float64 least squares on the
   same dtype-rounded data.
2. Gradient descent: θ ← θ − lr·g on the mean squared error L(θ) = mean((Xθ − Y)²), where g is
   the "mean" gradient (2/n)·Xᵀ(Xθ − Y) or the "sum" gradient 2·Xᵀ(Xθ − Y) that the notebook
   uses. The sum is n times the mean, so "sum" at lr is "mean" at n·lr: the notebook's
   lr 0.01 with 100 samples is lr 1.0 on the usual gradient. lr "auto" is 1/λ_max of the
   Hessian. GD iterates on XᵀX and XᵀY (`gd_on_gram`, the same steps as on X since
   Xᵀ(Xθ − Y) = XᵀX·θ − XᵀY) or on X; see `lib.normal_equation.descent` for how.
"""

import dataclasses
import math
import time

import numpy as np
import torch

from lib import limits
from lib.config import Config
from lib.normal_equation import data as problem_data
from lib.normal_equation.conditioning import DTYPES, analyze, assess
from lib.normal_equation.descent import (auto_lr, contraction_rate, descend_on_data,
                                         descend_on_gram, measured_rate, predicted_iterations,
                                         step_size)
from lib.normal_equation.solvers import (SOLVERS, auto_method, factored_lstsq,
                                         gram_and_moment, solve)
from lib.normal_equation.summary import summarize  # noqa: F401  (part of this module's API)
from lib.records import make_record
from lib.validation import (ConfigError, check_bool, check_choice, check_int, check_real,
                            check_real_list)

# Iterations at which the distance trace is kept: at most this many, log-spaced.
TRACE_POINTS = 400


@dataclasses.dataclass(frozen=True)
class NormalVsGdConfig(Config):
    """Inputs of the normal equation vs GD experiment; the defaults are the course notebook's.

    `num_features` None takes d from `true_theta`; `true_theta` None draws θ_true = randn(d).
    `data` (rows of numbers, the last column y) replaces the drawn data, and then `seed` only
    seeds θ_0. `scale` has 1 or d entries. `lr` is a number or "auto". `tolerance` is on
    ‖θ_k − θ_∞‖/‖θ_∞‖. `gd_init` "random" is the notebook's θ_0 = randn, "zeros" starts at 0.
    """

    experiment = "normal_vs_gd"

    seed: int = 42
    num_samples: int = 100
    true_theta: tuple = (1.5, -0.8, 2.0)
    noise: float = 0.1
    lr: object = 0.01
    iterations: int = 10_000
    gradient: str = "sum"
    num_features: object = None
    fit_intercept: bool = False
    data: object = None
    correlation: float = 0.0
    scale: object = None
    standardize: bool = False
    dtype: str = "float64"
    solver: str = "auto"
    tolerance: float = 1e-6
    gd_init: str = "random"
    gd_on_gram: bool = True

    def __post_init__(self):
        caps = limits.current()
        self._set("seed", check_int("seed", self.seed, low=0, high=2**63 - 1))
        self._set("num_samples", check_int("num_samples", self.num_samples, low=1,
                                           high=caps.max_samples))
        if self.true_theta is not None:
            self._set("true_theta", check_real_list("true_theta", self.true_theta,
                                                    max_length=caps.max_features, low=-1e6,
                                                    high=1e6))
        self._set("noise", check_real("noise", self.noise, low=0.0, high=1e6))
        if self.lr != "auto":
            self._set("lr", check_real("lr", self.lr, low=0.0, low_inclusive=False, high=1e6))
        self._set("iterations", check_int("iterations", self.iterations, low=1,
                                          high=caps.max_iterations))
        self._set("gradient", check_choice("gradient", self.gradient, ("sum", "mean")))
        self._set("fit_intercept", check_bool("fit_intercept", self.fit_intercept))
        self._set("correlation", check_real("correlation", self.correlation, low=0.0,
                                            high=0.9999))
        self._set("standardize", check_bool("standardize", self.standardize))
        self._set("dtype", check_choice("dtype", self.dtype, tuple(DTYPES)))
        self._set("solver", check_choice("solver", self.solver, ("auto",) + SOLVERS))
        self._set("tolerance", check_real("tolerance", self.tolerance, low=0.0,
                                          low_inclusive=False, high=1.0, high_inclusive=False))
        self._set("gd_init", check_choice("gd_init", self.gd_init, ("random", "zeros")))
        self._set("gd_on_gram", check_bool("gd_on_gram", self.gd_on_gram))

        num_samples, num_features = self._check_shape(caps)
        if self.scale is not None:
            scale = check_real_list("scale", self.scale, max_length=caps.max_features,
                                    low=1e-6, high=1e6)
            if len(scale) not in (1, num_features):
                raise ConfigError(f"scale must have 1 or num_features = {num_features} "
                                  f"entries, got {len(scale)}")
            self._set("scale", scale)
        self._check_work(caps, num_samples, num_features + int(self.fit_intercept))

    def _check_shape(self, caps):
        """Validate `data` or `num_features`; return (n, d) of the data the run will use."""
        if self.data is not None:
            x, y = problem_data.parse_rows(self.data, max_samples=caps.max_samples,
                                           max_features=caps.max_features,
                                           max_elements=caps.max_elements)
            self._set("data", np.column_stack([x, y]).tolist())
            return x.shape

        if self.num_features is None:
            if self.true_theta is None:
                raise ConfigError("num_features must be given when true_theta is empty "
                                  "(θ_true is then drawn), got None")
            self._set("num_features", len(self.true_theta))
        self._set("num_features", check_int("num_features", self.num_features, low=1,
                                            high=caps.max_features))
        if self.true_theta is not None and len(self.true_theta) != self.num_features:
            raise ConfigError(f"true_theta must have num_features = {self.num_features} "
                              f"entries, got {len(self.true_theta)}; leave it empty to draw it")
        if self.num_samples * self.num_features > caps.max_elements:
            raise ConfigError(f"num_samples × num_features must be <= {caps.max_elements}, "
                              f"got {self.num_samples * self.num_features}")
        return self.num_samples, self.num_features

    def _check_work(self, caps, n, p):
        flops = estimate_flops(n, p, self.iterations, self.gd_on_gram)
        if flops > caps.max_flops:
            raise ConfigError(
                f"this run needs about {flops:.2g} floating-point operations, and the "
                f"{caps.name} limit is {caps.max_flops:.2g}; lower iterations, num_samples or "
                f"num_features{'' if self.gd_on_gram else ', or set gd_on_gram'}")


# Python's cost of one GD step, in flops of the same wall time (about 5 µs at 1 GFLOP/s).
STEP_OVERHEAD_FLOPS = 5e3


def estimate_flops(n, p, iterations, gd_on_gram):
    """Return the approximate flops of one run: five solvers, the κ analysis and GD.

    Solvers and analysis: about 10·n·p² (XᵀX, two QRs, an SVD of X) plus 20·p³. GD: n·p² to
    form XᵀX, then 2·p² per step on XᵀX, or 4·n·p per step on X, plus `STEP_OVERHEAD_FLOPS`.
    NOTE: on a shared 2-core machine, runs near the app's 1e9 took 1 to 2 s of CPU, plots
    included; this is an estimate of work, not a bound on time.
    """
    solvers = 10.0 * n * p * p + 20.0 * p ** 3
    overhead = STEP_OVERHEAD_FLOPS * iterations
    if gd_on_gram:
        return solvers + n * p * p + 2.0 * iterations * p * p + overhead
    return solvers + 4.0 * iterations * n * p + overhead


def make_problem(seed, num_samples, true_theta, noise):
    """Return the notebook's X (n, d), Y (n,) and θ_0 (d,) as float32 tensors."""
    x, y, theta_0, _ = problem_data.draw_problem(seed, num_samples, len(true_theta), true_theta,
                                                 noise)
    return torch.from_numpy(x), torch.from_numpy(y), torch.from_numpy(theta_0)


def build_problem(config):
    """Return the run's data: X and y rounded to the dtype (held in float64), θ_0, θ_true, notes.

    X has shape (n, p) with p = d, or d + 1 with the intercept column first.
    """
    notes = []
    if config.data is None:
        x, y, theta_0, theta_true = problem_data.draw_problem(
            config.seed, config.num_samples, config.num_features, config.true_theta,
            config.noise, config.correlation, config.scale,
            num_parameters=config.num_features + int(config.fit_intercept))
        x, y = x.astype(np.float64), y.astype(np.float64)
        if config.fit_intercept:
            theta_true = np.concatenate([[0.0], theta_true])  # drawn data has no intercept
    else:
        table = np.array(config.data, dtype=np.float64)
        x, y = table[:, :-1], table[:, -1]
        if config.scale is not None:
            x = x * np.array(config.scale)
        theta_0 = problem_data.random_theta_0(config.seed, x.shape[1] + int(config.fit_intercept))
        theta_true = None
        notes.append("Pasted data: num_samples, num_features, true_theta, noise and "
                     "correlation are not used; seed only draws θ_0.")

    constant = []
    if config.standardize:
        x, _, _, is_constant = problem_data.standardize(x)
        constant = np.flatnonzero(is_constant).tolist()
        if constant:
            notes.append(f"Feature column(s) {constant} are constant: standardizing turns "
                         "them into zeros, which makes XᵀX singular.")
    x = problem_data.design_matrix(x, config.fit_intercept)

    numpy_dtype = np.dtype(config.dtype)
    x = x.astype(numpy_dtype).astype(np.float64)
    y = y.astype(numpy_dtype).astype(np.float64)
    if config.gd_init == "zeros":
        theta_0 = np.zeros(x.shape[1])
    theta_0 = theta_0.astype(numpy_dtype).astype(np.float64)
    return {"x": x, "y": y, "theta_0": theta_0, "theta_true": theta_true,
            "constant_columns": constant, "notes": notes}


def parameter_names(num_parameters, fit_intercept):
    """Return "θ1" … "θd" labels, with "intercept" first when it is fitted."""
    if fit_intercept:
        return ["intercept"] + [f"θ{i}" for i in range(1, num_parameters)]
    return [f"θ{i}" for i in range(num_parameters)]


def mse(x, y, theta):
    """Return mean((Xθ − y)²) in float64, or inf when θ has overflowed."""
    with np.errstate(over="ignore", invalid="ignore"):
        residual = x @ theta - y
        value = float(np.mean(residual * residual))
    return value if math.isfinite(value) else math.inf


def run_solvers(x, y, dtype_name, analysis, reference, device="cpu"):
    """Solve with every solver in the dtype; return {name: outcome} judged against `analysis`.

    Each outcome contains θ (None when refused or failed), what the library returned
    (`returned_theta`), its MSE, its relative error against float64 least squares, the
    normal-equation residual ‖XᵀXθ − Xᵀy‖ (all in float64), its seconds and `assess`'s
    verdict. The "inverse" outcome also stores the largest entry of the returned (XᵀX)⁻¹.
    """
    dtype = DTYPES[dtype_name]
    x_t = torch.from_numpy(x).to(device=device, dtype=dtype)
    y_t = torch.from_numpy(y).to(device=device, dtype=dtype)
    gram_t, moment_t = gram_and_moment(x_t, y_t)
    gram64, moment64 = x.T @ x, y @ x
    reference_norm = max(float(np.linalg.norm(reference)), 1e-300)

    outcomes = {}
    for name in SOLVERS:
        verdict = assess(name, analysis, dtype_name)
        start = time.perf_counter()
        try:
            with np.errstate(all="ignore"):
                returned = solve(name, x_t, y_t, gram_t, moment_t).double().cpu().numpy()
            failure = None
        except torch.linalg.LinAlgError as error:
            returned, failure = None, str(error).split("\n")[0]
        elapsed = time.perf_counter() - start

        outcome = {"status": verdict["status"], "digits": verdict["digits"],
                   "reason": verdict["reason"], "returned_theta": returned,
                   "library_error": failure, "seconds": elapsed}
        if name == "inverse" and failure is None:
            outcome["inverse_max_abs"] = float(torch.linalg.inv(gram_t).abs().max())
        if failure is not None and verdict["status"] != "refused":
            outcome["status"] = "failed"
            outcome["reason"] = f"{failure} ({verdict['reason']})"
        usable = returned is not None and np.all(np.isfinite(returned))
        if usable:
            outcome["mse"] = mse(x, y, returned)
            outcome["error_vs_reference"] = float(np.linalg.norm(returned - reference)
                                                  / reference_norm)
            outcome["residual_normal_equations"] = float(np.linalg.norm(gram64 @ returned
                                                                        - moment64))
        outcome["theta"] = returned if usable and outcome["status"] != "refused" else None
        outcomes[name] = outcome
    return outcomes


def choose_answer(requested, outcomes, auto_choice, reference):
    """Return (θ, solver used, note): the requested solver unless its answer cannot be trusted.

    The fallback order is lstsq in the run's dtype, then float64 least squares.
    """
    name = auto_choice if requested == "auto" else requested
    if outcomes[name]["status"] in ("trusted", "low accuracy"):
        return outcomes[name]["theta"], name, None
    note = f"{name}'s θ is not shown as the answer ({outcomes[name]['status']})."
    if outcomes["lstsq"]["status"] in ("trusted", "low accuracy"):
        return outcomes["lstsq"]["theta"], "lstsq", note
    return reference, "lstsq (float64)", note


def gd_limit(reference, theta_0, analysis, vh_rank):
    """Return θ_∞: least squares' minimum-norm θ plus θ_0's part in the null space of X."""
    if analysis["rank"] == analysis["num_parameters"]:
        return reference
    null_part = theta_0 - vh_rank.T @ (vh_rank @ theta_0)
    return reference + null_part


def run(config, device="cpu"):
    """Fit θ by every solver and by GD; return θs, errors, conditioning and GD's rate."""
    problem = build_problem(config)
    x, y, theta_0 = problem["x"], problem["y"], problem["theta_0"]
    n, p = x.shape

    reference, sigma, vh = factored_lstsq(torch.from_numpy(x), torch.from_numpy(y))
    reference, vh = reference.numpy(), vh.numpy()
    analysis = analyze(x, config.dtype, sigma.numpy())
    outcomes = run_solvers(x, y, config.dtype, analysis, reference, device)
    auto_choice = auto_method(analysis["cond_gram"], DTYPES[config.dtype])
    if outcomes[auto_choice]["status"] == "failed":
        auto_choice = "lstsq"
    theta_analytical, solver_used, solver_note = choose_answer(config.solver, outcomes,
                                                               auto_choice, reference)

    gd = run_descent(config, x, y, theta_0, analysis, reference, vh[:analysis["rank"]])
    timings = {f"solver_{name}": outcome.pop("seconds") for name, outcome in outcomes.items()}
    timings["gd"] = gd.pop("seconds")
    losses = gd.pop("losses")
    finite = np.isfinite(losses)
    diverged_at = None if finite.all() else int(np.argmin(finite))

    return {
        "theta_true": problem["theta_true"],
        "theta_analytical": theta_analytical,
        "theta_gd": gd["theta"],
        "theta_0": theta_0,
        "mse_analytical": mse(x, y, theta_analytical),
        "mse_gd": losses[-1],
        "gd_losses": losses[:-1],
        "diverged_at_iteration": diverged_at,
        "max_abs_theta_diff": np.max(np.abs(gd["theta"] - theta_analytical)),
        "lr_mean_equivalent": gd["step"] * n / 2.0,
        "parameter_names": parameter_names(p, config.fit_intercept),
        "data_source": "generated" if config.data is None else "pasted",
        "num_samples": n,
        "num_parameters": p,
        "constant_columns": problem["constant_columns"],
        "notes": problem["notes"],
        "conditioning": {key: value for key, value in analysis.items()},
        "reference": {"theta": reference, "mse": mse(x, y, reference)},
        "solvers": outcomes,
        "solver_requested": config.solver,
        "auto_choice": auto_choice,
        "solver_used": solver_used,
        "solver_note": solver_note,
        "gd": gd,
        "timings_s": timings,
    }


def run_descent(config, x, y, theta_0, analysis, reference, vh_rank):
    """Run GD as configured; return its θ, loss trace, sampled distances and rates."""
    n, p = x.shape
    numpy_dtype = np.dtype(config.dtype)
    eigenvalues = np.asarray(analysis["singular_values"]) ** 2  # of XᵀX, descending
    lr = auto_lr(eigenvalues[0], config.gradient, n) if config.lr == "auto" else config.lr
    step = step_size(lr, config.gradient, n)

    theta_limit = gd_limit(reference, theta_0, analysis, vh_rank)
    loss_limit = mse(x, y, theta_limit)
    gram64, moment64 = x.T @ x, y @ x

    x_d, y_d = x.astype(numpy_dtype), y.astype(numpy_dtype)
    theta_start = theta_0.astype(numpy_dtype)
    start = time.perf_counter()
    with np.errstate(over="ignore", invalid="ignore"):
        if config.gd_on_gram:
            gram, moment = x_d.T @ x_d, y_d @ x_d
            losses, distances, theta, thetas = descend_on_gram(
                gram, moment, theta_start, step, config.iterations, theta_limit, loss_limit,
                gram64 @ theta_limit - moment64, n)
            blocked = thetas is not None
        else:
            losses, distances, theta, _ = descend_on_data(
                x_d, y_d, theta_start, numpy_dtype.type(step), config.iterations,
                theta_limit.astype(numpy_dtype), empty=lambda k: np.empty(k))
            blocked = False
    elapsed = time.perf_counter() - start

    return {
        "theta": theta.astype(np.float64),
        "losses": np.asarray(losses, dtype=np.float64),
        "seconds": elapsed,
        **descent_summary(config, analysis, eigenvalues, lr, step, theta_0, theta_limit,
                          np.asarray(distances, dtype=np.float64), blocked, n, p),
    }


def descent_summary(config, analysis, eigenvalues, lr, step, theta_0, theta_limit, distances,
                    blocked, n, p):
    """Return GD's rates, iteration counts, costs and a log-spaced distance trace."""
    rank = analysis["rank"]
    limit_norm = float(np.linalg.norm(theta_limit))
    target = config.tolerance * max(limit_norm, 1e-300)
    reached = np.flatnonzero(distances <= target)
    floor = 100.0 * analysis["eps"] * max(limit_norm, 1.0)
    rate = contraction_rate(step, eigenvalues, rank)
    kappa_hessian = eigenvalues[0] / eigenvalues[rank - 1] if rank else math.inf
    trace = np.unique(np.concatenate([[0], np.geomspace(1, distances.size - 1,
                                                        TRACE_POINTS).astype(int)]))
    return {
        "lr": lr,
        "lr_auto": config.lr == "auto",
        "step": step,
        "init": config.gd_init,
        "on_gram": config.gd_on_gram,
        "blocked": blocked,
        "theta_limit": theta_limit,
        "kappa_hessian": kappa_hessian,
        "rate_predicted": rate,
        "rate_at_auto_lr": 1.0 - 1.0 / kappa_hessian,
        "rate_measured": measured_rate(distances, floor),
        "critical_lr": 2.0 * lr / (step * eigenvalues[0]) if eigenvalues[0] > 0 else None,
        "tolerance": config.tolerance,
        "iterations_to_tolerance": int(reached[0]) if reached.size else None,
        "iterations_predicted": predicted_iterations(rate, float(distances[0]), target),
        "distance_floor": floor,
        "gram_setup_flops": n * p * p,
        "flops_per_iteration_gram": 2 * p * p,
        "flops_per_iteration_data": 4 * n * p,
        "trace_iteration": trace,
        "trace_distance": distances[trace],
    }


def run_record(config, device="cpu"):
    """Run the experiment and return its record; per-solver and GD times go to timings_s."""
    start = time.perf_counter()
    results = run(config, device)
    timings = {"compute": time.perf_counter() - start, **results.pop("timings_s")}
    return make_record(config, results, timings)
