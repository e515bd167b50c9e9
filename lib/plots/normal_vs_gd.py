"""Figures of the normal equation vs gradient descent experiments, drawn from records."""

import numpy as np

from lib.plots import PALETTE, new_figure

SOLVER_COLORS = {"inverse": PALETTE[3], "solve": PALETTE[1], "cholesky": PALETTE[4],
                 "lstsq": PALETTE[2], "pinv": PALETTE[5], "gd": PALETTE[0]}


def _array(values):
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def plot_losses(record):
    """Plot GD's loss and its distance to θ_∞ per iteration, with the predicted rate."""
    results = record["results"]
    gd = results["gd"]
    losses = _array(results["gd_losses"])
    iterations = np.arange(1, len(losses) + 1)

    figure, (loss_ax, distance_ax) = new_figure(ncols=2, width=11.0, height=4.0)
    loss_ax.plot(iterations, losses, color=PALETTE[0], label="gradient descent")
    if results["mse_analytical"] is not None:
        loss_ax.axhline(results["mse_analytical"], color=PALETTE[1], linestyle="--",
                        label=f"normal equation: {results['mse_analytical']:.6g}")
    if results["diverged_at_iteration"] is not None and results["diverged_at_iteration"] > 0:
        last = results["diverged_at_iteration"] - 1
        loss_ax.plot(last + 1, losses[last], "X", color=PALETTE[3], markersize=10,
                     label="overflow")
    loss_ax.set_xscale("log")
    loss_ax.set_yscale("log")
    loss_ax.set_xlabel("iteration (1-based, log scale)")
    loss_ax.set_ylabel("MSE loss (log scale)")
    loss_ax.set_title("Loss approaches the normal equation's")
    loss_ax.legend(fontsize="small")

    trace = np.array(gd["trace_iteration"])
    distances = _array(gd["trace_distance"])
    distance_ax.plot(trace, distances, color=PALETTE[0], label="measured ‖θ_k − θ_∞‖")
    if distances.size and np.isfinite(distances[0]) and gd["rate_predicted"] is not None:
        bound = distances[0] * gd["rate_predicted"] ** trace.astype(float)
        with np.errstate(under="ignore"):
            distance_ax.plot(trace, np.where(bound > 0, bound, np.nan), color=PALETTE[1],
                             linestyle="--",
                             label=f"predicted ρ^k‖e₀‖, ρ = {_rate_text(gd['rate_predicted'])}")
    target = gd["tolerance"] * np.linalg.norm(_array(gd["theta_limit"]))
    distance_ax.axhline(target, color=PALETTE[7], linewidth=0.8, linestyle=":",
                        label=f"tolerance {gd['tolerance']:g}·‖θ_∞‖")
    if gd["iterations_to_tolerance"] is not None:
        distance_ax.axvline(gd["iterations_to_tolerance"], color=PALETTE[2], linewidth=0.8,
                            label=f"reached at {gd['iterations_to_tolerance']}")
    distance_ax.set_yscale("log")
    right = _distance_xlim(trace, distances, gd)
    distance_ax.set_xlim(0, right)
    visible = distances[(trace <= right) & (distances > 0)]
    if visible.size and np.all(np.isfinite(visible)):
        distance_ax.set_ylim(visible.min() / 10, visible.max() * 10)
    distance_ax.set_xlabel("iteration")
    distance_ax.set_ylabel("‖θ_k − θ_∞‖ (log scale)")
    distance_ax.set_title("Error shrinks by ρ per step until rounding")
    distance_ax.legend(fontsize="small")
    return figure


def _rate_text(rate):
    return f"1 − {1 - rate:.2g}" if 0.999 < rate < 1 else f"{rate:.4g}"


def _distance_xlim(trace, distances, gd):
    """Show the descent down to the rounding floor, with some margin, not 10 000 flat steps."""
    if trace.size == 0:
        return 1
    floor_hit = np.flatnonzero(~(distances > gd["distance_floor"]))
    end = trace[floor_hit[0]] if floor_hit.size else trace[-1]
    return max(int(end * 1.3), 10) if floor_hit.size else int(trace[-1])


def plot_theta(record):
    """Plot θ per coefficient from every usable method, and each method's error (log)."""
    results = record["results"]
    names = results["parameter_names"]
    series = []
    if results["theta_true"] is not None and not record["config"]["standardize"]:
        series.append(("true", results["theta_true"], PALETTE[7]))
    for name, outcome in results["solvers"].items():
        if outcome["theta"] is not None:
            series.append((name, outcome["theta"], SOLVER_COLORS[name]))
    series.append(("gd", results["theta_gd"], SOLVER_COLORS["gd"]))

    figure, (theta_ax, error_ax) = new_figure(ncols=2, width=11.0, height=4.0)
    shown = min(len(names), 12)
    positions = np.arange(shown)
    width = 0.8 / len(series)
    for index, (label, values, color) in enumerate(series):
        theta_ax.bar(positions + (index - (len(series) - 1) / 2) * width,
                     _array(values)[:shown], width=width, color=color, label=label)
    theta_ax.axhline(0.0, color="black", linewidth=0.8)
    theta_ax.set_xticks(positions, names[:shown])
    theta_ax.set_ylabel("coefficient value")
    title = "θ side by side" + (f" (first {shown} of {len(names)})" if shown < len(names) else "")
    theta_ax.set_title(title)
    theta_ax.legend(fontsize="small", ncols=2)

    _plot_errors(error_ax, results)
    return figure


def _plot_errors(ax, results):
    labels, errors, colors, hatches = [], [], [], []
    for name, outcome in results["solvers"].items():
        labels.append(name)
        error = outcome.get("error_vs_reference")
        errors.append(np.nan if error is None else max(error, 1e-17))
        colors.append(SOLVER_COLORS[name])
        hatches.append("" if outcome["status"] in ("trusted", "low accuracy") else "//")
    labels.append("gd")
    errors.append(_relative_error(results["theta_gd"], results["reference"]["theta"]))
    colors.append(SOLVER_COLORS["gd"])
    hatches.append("")

    positions = np.arange(len(labels))
    bars = ax.bar(positions, errors, color=colors)
    for bar, hatch in zip(bars, hatches):
        bar.set_hatch(hatch)
    for position, (label, error) in enumerate(zip(labels, errors)):
        if error <= 1e-17:
            ax.annotate("0", (position, 1e-17), ha="center", va="bottom", fontsize="small")
        elif not np.isfinite(error):
            ax.annotate(results["solvers"][label]["status"] if label in results["solvers"]
                        else "overflow", (position, 1e-16), ha="center", va="bottom",
                        rotation=90, fontsize="small")
    analysis = results["conditioning"]
    for value, text, style in ((analysis["cond_x_range"], "κ(X)·ε", ":"),
                               (analysis["cond_gram"], "κ(XᵀX)·ε", "--")):
        expected = value * analysis["eps"] if value is not None else None
        if expected is not None and 1e-17 < expected < 1e3:
            ax.axhline(expected, color=PALETTE[7], linestyle=style, linewidth=0.8,
                       label=f"expected {text} = {expected:.1e}")
    ax.set_yscale("log")
    ax.set_ylim(1e-17, None)
    ax.set_xticks(positions, labels)
    ax.set_ylabel("‖θ − θ_lstsq,float64‖ / ‖θ_lstsq,float64‖ (log)")
    ax.set_title("Error of each method (hatched: not an answer)")
    if ax.get_legend_handles_labels()[0]:
        ax.legend(fontsize="small")


def _relative_error(theta, reference):
    theta, reference = _array(theta), _array(reference)
    error = np.hypot.reduce(theta - reference) / max(np.hypot.reduce(reference), 1e-300)
    return max(error, 1e-17) if np.isfinite(error) else np.nan


def plot(record):
    """Return the experiment's figures: GD's progress, then θ and errors per method."""
    with np.errstate(over="ignore", invalid="ignore", under="ignore"):
        return [plot_losses(record), plot_theta(record)]


def plot_cost(record):
    """Plot time against n and against d per method, with the model and the crossover."""
    results = record["results"]
    config = record["config"]
    rates = results["model_gflops"]
    methods = list(config["solvers"]) + ["gd"]

    figure, (n_ax, d_ax) = new_figure(ncols=2, width=11.0, height=4.2)
    for ax, points, key in ((n_ax, results["points_n"], "n"), (d_ax, results["points_d"], "d")):
        sizes = np.array([point[key] for point in points], dtype=float)
        for name in methods:
            times = np.array([point["methods"][name]["time_s"] for point in points])
            model = np.array([point["methods"][name]["flops"] for point in points]) / (
                rates[name] * 1e9)
            ax.plot(sizes, times, "o-", color=SOLVER_COLORS[name], label=name)
            ax.plot(sizes, model, linestyle=":", color=SOLVER_COLORS[name], linewidth=1)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_ylabel("time (s, log scale)")
    n_ax.set_xlabel(f"n (samples, log scale), d = {config['num_features']}")
    n_ax.set_title("Time against n (dotted: cost model)")
    n_ax.legend(fontsize="small", ncols=2)
    d_ax.set_xlabel(f"d (features, log scale), n = {config['num_samples']}")
    d_ax.set_title(f"Time against d: {results['crossover_method']} vs GD")
    for value, style, text in ((results["crossover_d_model"], "--", "model crossover"),
                               (results["crossover_d_measured"], "-", "measured crossover")):
        if value is not None:
            d_ax.axvline(value, color=PALETTE[7], linestyle=style, linewidth=1,
                         label=f"{text}: d ≈ {value:.3g}")
    d_ax.legend(fontsize="small")
    return [figure]


def plot_accuracy(record):
    """Plot each solver's error against κ(X) per dtype, and GD's steps against κ(H)."""
    results = record["results"]
    figure, (error_ax, steps_ax) = new_figure(ncols=2, width=11.0, height=4.2)
    styles = {"float64": "-", "float32": "--"}
    for dtype_name in record["config"]["dtypes"]:
        points = [point for point in results["points"] if point["dtype"] == dtype_name]
        kappa = np.array([point["kappa_x"] for point in points])
        for name in points[0]["errors"]:
            errors = _array([point["errors"][name] for point in points])
            error_ax.plot(kappa, np.clip(errors, 1e-17, None), marker="o", markersize=3,
                          linestyle=styles[dtype_name], color=SOLVER_COLORS[name],
                          label=f"{name} {dtype_name}")
        eps = points[0]["eps"]
        error_ax.plot(kappa, kappa * eps, color=PALETTE[7], linestyle=styles[dtype_name],
                      linewidth=0.6)
        error_ax.plot(kappa, kappa ** 2 * eps, color=PALETTE[7], linestyle=styles[dtype_name],
                      linewidth=0.6)
    error_ax.set_xscale("log")
    error_ax.set_yscale("log")
    error_ax.set_ylim(1e-17, 1e2)
    error_ax.set_xlabel("κ(X) (log scale)")
    error_ax.set_ylabel("relative error of θ (log scale)")
    error_ax.set_title("Error against κ (grey: κε and κ²ε)")
    error_ax.legend(fontsize="x-small", ncols=2)

    kappa_h = np.array([point["kappa_hessian"] for point in results["gd"]])
    steps = _array([point["iterations"] for point in results["gd"]])
    predicted = _array([point["predicted"] for point in results["gd"]])
    steps_ax.plot(kappa_h, steps, "o-", color=SOLVER_COLORS["gd"], label="measured")
    steps_ax.plot(kappa_h, predicted, ":", color=PALETTE[1], label="bound κ(H)·ln(‖e₀‖/τ‖θ‖)")
    steps_ax.set_xscale("log")
    steps_ax.set_yscale("log")
    steps_ax.set_xlabel("κ(H) = κ(X)² (log scale)")
    steps_ax.set_ylabel("GD steps to tolerance (log scale)")
    steps_ax.set_title("GD needs about κ(H) steps per digit")
    steps_ax.legend(fontsize="small")
    return [figure]
