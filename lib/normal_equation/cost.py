"""Cost as the problem grows: each solver and GD to tolerance, timed against n and d.

Data: X = sqrt(1 − ρ)·Z + sqrt(ρ)·c with Z (n, d) and c (n, 1) standard normal (`correlation`
ρ dials up κ), y = X·θ_true + 0.1·ε, drawn on the device in the run's dtype.

Cost model in flops (a multiply-add counts 2): forming XᵀX n·d² (symmetric half), Cholesky d³/3,
LU 2d³/3, inverse 2d³, Householder QR 2n·d² − 2d³/3, SVD of the small R about 11·d³, pinv's SVD
of X about 4n·d² + 8d³; one GD step 4n·d (Xθ, then rX), so GD to tolerance costs
4n·d·k with k ≈ κ(H)·ln(1/τ) iterations. Each method's achieved GFLOP/s at the largest size
turns flops into the model's seconds. GD's step is 1/λ̂ with λ̂ from 30 power iterations on X,
counted in GD's time; it stops when ‖θ_k − θ*‖ ≤ τ‖θ*‖ (θ* from float64 least squares, outside
the timing), checked every 8 steps.
"""

import contextlib
import dataclasses
import math
import time

import numpy as np
import torch

from lib import limits
from lib.config import Config
from lib.normal_equation.conditioning import DTYPES
from lib.normal_equation.descent import CHUNK_BYTES, descend_on_data
from lib.normal_equation.solvers import SOLVERS, gram_and_moment, lstsq_min_norm, solve
from lib.records import make_record
from lib.validation import ConfigError, check_choice, check_int, check_real, parse_number_list

POWER_ITERATIONS = 30
GD_CHECK_EVERY = 8


@dataclasses.dataclass(frozen=True)
class CostConfig(Config):
    """Sizes to time: n over `sample_sizes` at d = `num_features`, d over `feature_counts` at
    n = `num_samples`. Each time is the median of `repeats` runs after one warm-up.

    On a CPU device, sizes above `cpu_max_samples` or `cpu_max_features` (None: no limit) are
    skipped and listed in the results, so one preset serves CPU and GPU machines.
    `threads` sets torch's CPU threads for the sweep (0 keeps torch's default). The default 1
    keeps small-size timings about thread start-up rather than arithmetic, and stops one app
    user's sweep from competing for every core with another's.
    """

    experiment = "normal_vs_gd_cost"

    seed: int = 0
    num_samples: int = 1000
    num_features: int = 20
    sample_sizes: tuple = (500, 1000, 2000, 4000)
    feature_counts: tuple = (4, 8, 16, 32, 64)
    correlation: float = 0.0
    dtype: str = "float64"
    solvers: tuple = SOLVERS
    tolerance: float = 1e-6
    max_iterations: int = 100
    repeats: int = 2
    threads: int = 1
    cpu_max_samples: object = None
    cpu_max_features: object = None

    def __post_init__(self):
        caps = limits.current()
        self._set("seed", check_int("seed", self.seed, low=0, high=2**63 - 1))
        self._set("num_samples", check_int("num_samples", self.num_samples, low=2,
                                           high=caps.max_samples))
        self._set("num_features", check_int("num_features", self.num_features, low=1,
                                            high=caps.max_features))
        self._set("sample_sizes", _check_sizes("sample_sizes", self.sample_sizes,
                                               caps.max_samples))
        self._set("feature_counts", _check_sizes("feature_counts", self.feature_counts,
                                                 caps.max_features))
        self._set("correlation", check_real("correlation", self.correlation, low=0.0,
                                            high=0.9999))
        self._set("dtype", check_choice("dtype", self.dtype, tuple(DTYPES)))
        solvers = tuple(self.solvers.replace(",", " ").split() if isinstance(self.solvers, str)
                        else self.solvers)
        if not 1 <= len(solvers) <= len(SOLVERS):
            raise ConfigError(f"solvers must name between 1 and {len(SOLVERS)} of "
                              f"{', '.join(SOLVERS)}, got {len(solvers)}")
        for index, name in enumerate(solvers):
            check_choice(f"solvers[{index}]", name, SOLVERS)
        self._set("solvers", solvers)
        self._set("tolerance", check_real("tolerance", self.tolerance, low=0.0,
                                          low_inclusive=False, high=1.0, high_inclusive=False))
        self._set("max_iterations", check_int("max_iterations", self.max_iterations, low=1,
                                              high=caps.max_iterations))
        self._set("repeats", check_int("repeats", self.repeats, low=1, high=20))
        self._set("threads", check_int("threads", self.threads, low=0, high=256))
        for name in ("cpu_max_samples", "cpu_max_features"):
            if getattr(self, name) is not None:
                self._set(name, check_int(name, getattr(self, name), low=1))

        largest = max(max(self.sample_sizes) * self.num_features,
                      self.num_samples * max(self.feature_counts))
        if largest > caps.max_elements:
            raise ConfigError(f"the largest X must have at most {caps.max_elements} values, "
                              f"got {largest}")
        flops = self.estimate_flops()
        if flops > caps.max_flops:
            raise ConfigError(
                f"these sizes need about {flops:.2g} floating-point operations, and the "
                f"{caps.name} limit is {caps.max_flops:.2g}; use fewer or smaller sizes, "
                "fewer repeats or a lower max_iterations")

    def sizes(self, device="cuda"):
        """Return the (sweep, n, d) points to run on `device`: n sweep first, then d sweep."""
        points = ([("n", n, self.num_features) for n in self.sample_sizes]
                  + [("d", self.num_samples, d) for d in self.feature_counts])
        if str(device).startswith("cuda"):
            return points
        return [point for point in points if _fits_cpu(self, point[1], point[2])]

    def estimate_flops(self):
        """Return the flops of the whole sweep with GD running all `max_iterations`."""
        total = 0.0
        for _, n, d in self.sizes():
            solvers = sum(model_flops(name, n, d) for name in self.solvers)
            descent = (self.max_iterations + POWER_ITERATIONS) * 4.0 * n * d
            total += (self.repeats + 1) * (solvers + descent)
        return total


def _fits_cpu(config, n, d):
    return ((config.cpu_max_samples is None or n <= config.cpu_max_samples)
            and (config.cpu_max_features is None or d <= config.cpu_max_features))


def _check_sizes(name, value, high):
    items = parse_number_list(name, value)
    if not 1 <= len(items) <= 12:
        raise ConfigError(f"{name} must have between 1 and 12 entries, got {len(items)}")
    return tuple(check_int(f"{name}[{i}]", item, low=1, high=high)
                 for i, item in enumerate(items))


def model_flops(method, n, d):
    """Return the flops of `method` ("gd_step" for one GD step) at n samples, d features."""
    gram = n * d * d
    table = {
        "inverse": gram + 2.0 * d ** 3,
        "solve": gram + 2.0 * d ** 3 / 3.0,
        "cholesky": gram + d ** 3 / 3.0,
        "lstsq": 2.0 * n * d * d - 2.0 * d ** 3 / 3.0 + 11.0 * d ** 3,
        "pinv": 4.0 * n * d * d + 8.0 * d ** 3,
        "gd_step": 4.0 * n * d,
    }
    return table[method]


def make_data(seed, n, d, correlation, dtype, device):
    """Return X (n, d), y (n,) and θ_true (d,) drawn on `device` in `dtype`."""
    generator = torch.Generator(device=device).manual_seed(seed)
    options = {"generator": generator, "device": device, "dtype": dtype}
    x = torch.randn(n, d, **options)
    if correlation > 0:
        x = math.sqrt(1.0 - correlation) * x + math.sqrt(correlation) * torch.randn(n, 1,
                                                                                    **options)
    theta = torch.randn(d, **options)
    y = x @ theta + 0.1 * torch.randn(n, **options)
    return x, y, theta


def descend_to_tolerance(x, y, theta_star, tolerance, max_iterations):
    """Run GD on X from zero with step 1/λ̂; return (θ, iterations)."""
    vector = torch.ones(x.shape[1], dtype=x.dtype, device=x.device)
    for _ in range(POWER_ITERATIONS):
        vector = (x @ vector) @ x
        vector = vector / torch.linalg.vector_norm(vector)
    largest = float(torch.linalg.vector_norm((x @ vector) @ x))
    step = 1.0 / largest

    theta_0 = torch.zeros_like(vector)
    _, _, theta, steps = descend_on_data(
        x, y, theta_0, step, max_iterations, theta_star, tolerance=tolerance,
        empty=lambda k: torch.empty(k, dtype=x.dtype, device=x.device),
        check_every=GD_CHECK_EVERY, chunk_bytes=None if x.is_cuda else CHUNK_BYTES)
    return theta, steps


@contextlib.contextmanager
def torch_threads(count):
    """Run the block with `count` torch CPU threads (0: leave them as they are).

    NOTE: torch's thread count is process-wide, so a concurrent request in the same process
    runs with this count until the block ends.
    """
    previous = torch.get_num_threads()
    if count:
        torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def time_call(function, repeats, device):
    """Return (median seconds over `repeats` after one warm-up, last result)."""
    result = function()
    times = []
    for _ in range(repeats):
        _synchronize(device)
        start = time.perf_counter()
        result = function()
        _synchronize(device)
        times.append(time.perf_counter() - start)
    return float(np.median(times)), result


def _synchronize(device):
    if str(device).startswith("cuda"):
        torch.cuda.synchronize()


def measure_point(config, n, d, device, progress=None):
    """Time every solver and GD at one size; return their seconds, flops and errors."""
    dtype = DTYPES[config.dtype]
    x, y, _ = make_data(config.seed, n, d, config.correlation, dtype, device)
    theta_star = lstsq_min_norm(x.double(), y.double()).to(dtype)
    star_norm = float(torch.linalg.vector_norm(theta_star.double()))
    itemsize = x.element_size()

    methods = {}
    for name in config.solvers:
        seconds, theta = time_call(lambda: _solve_or_none(name, x, y), config.repeats, device)
        flops = model_flops(name, n, d)
        methods[name] = {"time_s": seconds, "flops": flops, "gflops": flops / seconds / 1e9,
                         "error": _relative_error(theta, theta_star, star_norm)}
        if progress is not None:
            progress(name)

    seconds, (theta, steps) = time_call(
        lambda: descend_to_tolerance(x, y, theta_star, config.tolerance, config.max_iterations),
        config.repeats, device)
    flops = (steps + POWER_ITERATIONS) * model_flops("gd_step", n, d)
    reads = (steps + POWER_ITERATIONS) * 2 * n * d * itemsize
    methods["gd"] = {"time_s": seconds, "flops": flops, "gflops": flops / seconds / 1e9,
                     "gbytes_per_s": reads / seconds / 1e9, "iterations": steps,
                     "reached_tolerance": steps < config.max_iterations,
                     "error": _relative_error(theta, theta_star, star_norm)}
    gram, _ = gram_and_moment(x.double(), y.double())
    eigenvalues = torch.linalg.eigvalsh(gram)
    return {"n": n, "d": d, "kappa_hessian": float(eigenvalues[-1] / eigenvalues[0]),
            "methods": methods}


def _solve_or_none(name, x, y):
    try:
        return solve(name, x, y)
    except torch.linalg.LinAlgError:
        return None


def _relative_error(theta, theta_star, star_norm):
    if theta is None:
        return None
    return float(torch.linalg.vector_norm((theta - theta_star).double())) / max(star_norm,
                                                                                1e-300)


def fit_model(points, methods):
    """Return each method's achieved GFLOP/s at its largest point: the model's speed."""
    rates = {}
    for name in methods:
        timed = [point for point in points if point["methods"][name]["time_s"] > 0]
        largest = max(timed, key=lambda point: point["methods"][name]["flops"])
        rates[name] = largest["methods"][name]["gflops"]
    return rates


def crossover(points, rates, normal_method):
    """Return the d where GD to tolerance and `normal_method` cost the same, by the model.

    Solves n·d²·(1 + d/(3n))/r_NE = k(d)·4n·d/r_GD with k(d) the GD iterations measured at the
    largest d, held fixed: d ≈ 4·k·r_NE/r_GD. Returns (d, measured d or None): the measured
    one is the last place where the d sweep's timings swap order, interpolated in log d, since
    small sizes are noisy.
    """
    largest = points[-1]
    steps = largest["methods"]["gd"]["iterations"] + POWER_ITERATIONS
    predicted = 4.0 * steps * rates[normal_method] / rates["gd"]

    measured = None
    for before, after in zip(points, points[1:]):
        gap_before = _log_gap(before, normal_method)
        gap_after = _log_gap(after, normal_method)
        if gap_before is not None and gap_after is not None and gap_before * gap_after < 0:
            weight = gap_before / (gap_before - gap_after)
            measured = math.exp(math.log(before["d"]) + weight * (math.log(after["d"])
                                                                  - math.log(before["d"])))
    return predicted, measured


def _log_gap(point, normal_method):
    normal = point["methods"][normal_method]["time_s"]
    gd = point["methods"]["gd"]["time_s"]
    if normal <= 0 or gd <= 0:
        return None
    return math.log(normal / gd)


def run(config, device="cpu", progress=None):
    """Time the solvers and GD over the n and d sweeps; return points, model and crossover.

    `progress(fraction, description)` is called after each size when given.
    """
    points = {"n": [], "d": []}
    sizes = config.sizes(device)
    if not sizes:
        raise ConfigError(f"cpu_max_samples = {config.cpu_max_samples} and cpu_max_features = "
                          f"{config.cpu_max_features} skip every size on {device}; raise them "
                          "or run on a CUDA device")
    skipped = [[n, d] for sweep, n, d in config.sizes() if (sweep, n, d) not in sizes]
    with torch_threads(config.threads):
        for index, (sweep, n, d) in enumerate(sizes):
            points[sweep].append(measure_point(config, n, d, device))
            if progress is not None:
                progress((index + 1) / len(sizes), f"timed n = {n}, d = {d}")

    methods = list(config.solvers) + ["gd"]
    rates = fit_model(points["n"] + points["d"], methods)
    normal_method = "cholesky" if "cholesky" in config.solvers else config.solvers[0]
    predicted, measured = crossover(points["d"] or points["n"], rates, normal_method)
    return {"device": str(device), "threads": torch.get_num_threads() if not config.threads
            else config.threads, "points_n": points["n"], "points_d": points["d"],
            "model_gflops": rates, "crossover_method": normal_method,
            "crossover_d_model": predicted, "crossover_d_measured": measured,
            "skipped_on_cpu": skipped}


def run_record(config, device="cpu", progress=None):
    """Run the cost sweep and return its record."""
    start = time.perf_counter()
    results = run(config, device, progress)
    return make_record(config, results, {"compute": time.perf_counter() - start})


def summarize(record):
    """Describe the timings, the model's speeds and the crossover in Markdown."""
    results = record["results"]
    config = record["config"]
    rates = results["model_gflops"]
    lines = ["| method | " + " | ".join(f"n = {p['n']}" for p in results["points_n"]) + " |",
             "|---|" + "---:|" * len(results["points_n"])]
    for name in list(config["solvers"]) + ["gd"]:
        cells = [f"{p['methods'][name]['time_s'] * 1e3:.3g} ms" for p in results["points_n"]]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    table = "\n".join(lines)

    gd_points = results["points_n"] + results["points_d"]
    largest = max(gd_points, key=lambda p: p["n"] * p["d"])
    gd = largest["methods"]["gd"]
    text = [
        f"**Time against n** at d = {config['num_features']} ({config['dtype']}, "
        f"{results['device']}, median of {config['repeats']}):",
        table,
        "**Cost model.** Normal equation $O(nd^2 + d^3)$, GD $O(nd)$ per step times the "
        "$\\approx \\kappa(H)\\ln(1/\\tau)$ steps that κ asks for. Achieved speeds at the "
        "largest size: " + ", ".join(f"{name} {rate:.3g} GFLOP/s" for name, rate in
                                     rates.items()) + ".",
        f"GD at n = {largest['n']}, d = {largest['d']}: {gd['iterations']} steps to "
        f"τ = {config['tolerance']:g} (κ(H) = {largest['kappa_hessian']:.3g}), reading X at "
        f"{gd['gbytes_per_s']:.3g} GB/s.",
    ]
    method = results["crossover_method"]
    measured = results["crossover_d_measured"]
    text.append(
        f"**Crossover** ({method} vs GD at n = {config['num_samples']}): the model puts it at "
        f"d ≈ {results['crossover_d_model']:.3g}"
        + (f"; the timings cross at d ≈ {measured:.3g}." if measured is not None else
           "; the measured timings do not cross in this range of d."))
    if results.get("skipped_on_cpu"):
        skipped = ", ".join(f"n = {n}, d = {d}" for n, d in results["skipped_on_cpu"])
        text.append(f"Skipped on the CPU (they run on a CUDA device): {skipped}.")
    return "\n\n".join(text)
