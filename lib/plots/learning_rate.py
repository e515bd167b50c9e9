"""Figures of the two learning-rate experiments: descent on one variable and the linear model.

Runs that overflow or leave the plotted range end in a marker at the edge of the axes (× for
an overflow, ▲ for a run that left the plot), so one exploding run cannot stretch the axis and
flatten the others into a wall.
"""

import numpy as np

from lib.lr_functions import closed_form, nearest_minimum, value
from lib.plots import PALETTE, new_figure

# At most this many runs are drawn as lines; a sweep plot shows every run as a point.
MAX_LINES = 8
# A line plot's axis reaches at most this factor above the largest starting value.
HEADROOM = 1e4

OUTCOME_COLORS = {
    "converged": PALETTE[2], "too slow": PALETTE[0], "oscillating": PALETTE[1],
    "stalled": PALETTE[4], "diverging": PALETTE[3], "diverged": PALETTE[7],
    "stuck at a stationary point": PALETTE[5],
}
REGIME_COLORS = {
    "monotone convergence": PALETTE[0], "one-step convergence": PALETTE[2],
    "oscillating convergence": PALETTE[1], "stuck oscillation": PALETTE[4],
    "divergence": PALETTE[3],
}


def as_array(values):
    """Return a list with None entries as a float64 array with nan."""
    return np.array([np.nan if v is None else v for v in values], dtype=np.float64)


def pick_runs(runs, key=None):
    """Return at most MAX_LINES runs: one per distinct `key` value first, then evenly spread."""
    if len(runs) <= MAX_LINES:
        return list(runs)
    chosen = []
    if key is not None:
        seen = set()
        for entry in runs:
            if entry[key] not in seen:
                seen.add(entry[key])
                chosen.append(entry)
    for index in np.linspace(0, len(runs) - 1, MAX_LINES).round().astype(int):
        if len(chosen) >= MAX_LINES:
            break
        if runs[index] not in chosen:
            chosen.append(runs[index])
    return sorted(chosen[:MAX_LINES], key=lambda entry: entry["lr"])


def draw_clipped_line(ax, steps, values, top, color, label, marker_size=3, linestyle="-"):
    """Draw `values` against `steps` up to `top`, ending in ▲ (left the plot) or × (overflow)."""
    finite = np.isfinite(values)
    inside = finite & (values <= top)
    leaves = np.flatnonzero(~inside)
    end = leaves[0] if leaves.size else len(values)
    ax.plot(steps[:end], values[:end], marker="o", linestyle=linestyle, color=color,
            markersize=marker_size, label=label)
    if leaves.size:
        first = leaves[0]
        # × when the run overflowed later on, ▲ when it only grew beyond the axis.
        marker = "X" if not finite[first:].all() else "^"
        ax.plot(steps[first], top, marker, color=color, markersize=10, clip_on=False)
    return end


def set_lr_axis(ax, rates):
    """Use a log lr axis when the rates span more than a factor of 10."""
    rates = [rate for rate in rates if rate > 0]
    if rates and max(rates) / min(rates) > 10:
        ax.set_xscale("log")
    ax.set_xlabel("learning rate lr")


def outcome_kind(outcome):
    """Return the outcome's kind without its iteration, e.g. "diverged"."""
    return outcome.split(" at ")[0].split(" (")[0]


def plot_quadratic_iterates(record):
    """Plot |x_k − x*| against k on a log axis, with the closed form for a·x² (dashed)."""
    config = record["config"]
    runs = pick_runs(record["results"]["runs"], key="outcome")
    figure, (ax,) = new_figure()
    start_distance = abs(config["start"] - nearest_minimum(config["function"], config["start"]))
    top = HEADROOM * max(start_distance, 1.0)
    floor = np.inf

    for index, entry in enumerate(runs):
        color = PALETTE[index % len(PALETTE)]
        x = as_array(entry["x"])
        minima = np.array([nearest_minimum(config["function"], v) if np.isfinite(v) else 0.0
                           for v in x])
        distance = np.abs(x - minima)
        steps = np.arange(len(x))
        positive = distance[np.isfinite(distance) & (distance > 0)]
        if positive.size:
            floor = min(floor, positive.min())
        shown = np.where(distance == 0, np.nan, distance)
        draw_clipped_line(ax, steps, np.where(np.isnan(x), np.inf, shown), top, color,
                          f"lr = {entry['lr']:.4g}: {entry['outcome']}")
        if np.any(distance == 0):
            first_zero = int(np.argmax(distance == 0))
            ax.annotate("x = x* exactly (off the log axis)", (first_zero, shown[first_zero - 1]
                        if first_zero else start_distance), color=color, fontsize="small",
                        textcoords="offset points", xytext=(4, -12))
        if config["function"] == "quadratic":
            exact = np.abs(closed_form(config["start"], entry["lr"], config["curvature"],
                                       config["momentum"], len(x) - 1))
            exact = np.where((exact > top) | (exact == 0), np.nan, exact)
            ax.plot(steps, exact, "--", color=color, linewidth=1, alpha=0.7)
        left_at = entry["left_basin_at_iteration"]
        if left_at is not None and np.isfinite(distance[left_at]) and distance[left_at] <= top:
            ax.plot(left_at, distance[left_at], "s", color=color, markersize=8,
                    markerfacecolor="none")

    ax.set_yscale("log")
    ax.set_ylim(max(floor / 10, 1e-300) if np.isfinite(floor) else None, top)
    ax.set_xlabel("iteration k")
    ax.set_ylabel("|x_k − x*| (distance to the nearest minimum)")
    title = "Gradient descent: dots, closed form (1 − 2a·lr)^k·x₀ dashed" \
        if config["function"] == "quadratic" else "Gradient descent; □ = left the basin"
    ax.set_title(title, fontsize="medium")
    ax.legend(fontsize="x-small")
    return figure


def plot_quadratic_sweep(record):
    """Plot the first iterates on the curve (left) and the final distance against lr (right)."""
    config = record["config"]
    results = record["results"]
    figure, (curve_ax, sweep_ax) = new_figure(ncols=2, width=11.0)
    _draw_path(curve_ax, config, pick_runs(results["runs"], key="outcome"))
    _draw_final_distance(sweep_ax, config, results)
    return figure


def _draw_path(ax, config, runs):
    function = config["function"]
    span = max(1.2 * abs(config["start"]), 1.6 if function == "double_well" else 1.0)
    grid = np.linspace(-span, span, 400)
    ax.plot(grid, value(function, config["curvature"], grid), color="grey", linewidth=1)
    for index, entry in enumerate(runs):
        color = PALETTE[index % len(PALETTE)]
        x = as_array(entry["x"])[:12]
        inside = np.isfinite(x) & (np.abs(x) <= span)
        end = int(np.argmin(inside)) if not inside.all() else len(x)
        ax.plot(x[:end], value(function, config["curvature"], x[:end]), "o-", color=color,
                markersize=4, alpha=0.8, label=f"lr = {entry['lr']:.4g}")
        if end < len(x):
            edge = span if (np.isfinite(x[end]) and x[end] > 0) else -span
            ax.plot(edge, value(function, config["curvature"], span), "^", color=color,
                    markersize=10, clip_on=False)
    ax.set_ylim(0, 1.1 * float(value(function, config["curvature"], span)))
    ax.set_xlabel("x")
    ax.set_ylabel("f(x)")
    ax.set_title("First 12 iterates on the curve (▲ = left the plot)", fontsize="medium")
    ax.legend(fontsize="x-small")


def _draw_final_distance(ax, config, results):
    runs = results["runs"]
    function = config["function"]
    start_distance = abs(config["start"] - nearest_minimum(function, config["start"]))
    top = HEADROOM * max(start_distance, 1.0)
    distances = [entry["distance"] for entry in runs if entry["distance"]]
    floor = max(min(min(distances, default=1e-16) / 10, top * 1e-6), 1e-300)

    groups = {}
    for entry in runs:
        key = entry["regime"] if function == "quadratic" else outcome_kind(entry["outcome"])
        groups.setdefault(key, []).append(entry)
    colors = REGIME_COLORS if function == "quadratic" else OUTCOME_COLORS
    for key, entries in groups.items():
        rates = np.array([entry["lr"] for entry in entries])
        distance = as_array([entry["distance"] for entry in entries])
        overflowed = np.isnan(distance)
        above = ~overflowed & (distance > top)
        inside = ~overflowed & ~above
        shown = np.clip(np.where(distance == 0, floor, distance), floor, top)
        color = colors.get(key, PALETTE[7])
        ax.plot(rates[inside], shown[inside], ".", color=color, label=key)
        if above.any():
            ax.plot(rates[above], np.full(above.sum(), top), "^", color=color, clip_on=False)
        if overflowed.any():
            ax.plot(rates[overflowed], np.full(overflowed.sum(), top), "x", color=color,
                    clip_on=False)

    critical = results["critical_lr"]
    if critical is not None:
        ax.axvline(critical, color="black", linestyle="--", linewidth=1)
        ax.annotate(f"critical lr = {critical:.4g}", (critical, top), fontsize="small",
                    textcoords="offset points", xytext=(4, -12))
    if function == "quadratic" and not config["momentum"]:
        ax.axvline(critical / 2, color="grey", linestyle=":", linewidth=1)
    left = [entry["lr"] for entry in runs if entry["left_basin_at_iteration"] is not None]
    if left:
        ax.axvline(min(left), color=PALETTE[3], linestyle="-.", linewidth=1,
                   label=f"first rate that left the basin ({min(left):.4g})")
    set_lr_axis(ax, [entry["lr"] for entry in runs])
    ax.set_yscale("log")
    ax.set_ylim(floor, top * 1.5)
    ax.set_ylabel(f"|x_K − x*| after {config['iterations']} iterations (▲ above, × overflow)")
    ax.set_title("Final distance against lr", fontsize="medium")
    ax.legend(fontsize="x-small")


def plot_linear_model(record):
    """Return one figure: the loss per epoch (left) and the final loss against lr (right)."""
    results = record["results"]
    figure, (loss_ax, sweep_ax) = new_figure(ncols=2, width=11.0)
    _draw_losses(loss_ax, results)
    _draw_final_losses(sweep_ax, record["config"], results)
    return [figure]


def _draw_losses(ax, results):
    runs = pick_runs(results["runs"], key="label")
    first = max((entry["losses"][0] for entry in results["runs"]
                 if entry["losses"][0] is not None), default=1.0)
    top = HEADROOM * first
    for index, entry in enumerate(runs):
        color = PALETTE[index % len(PALETTE)]
        losses = as_array(entry["losses"])
        epochs = np.arange(len(losses))
        draw_clipped_line(ax, epochs, np.where(np.isnan(losses), np.inf, losses), top, color,
                          f"lr = {entry['lr']:.4g}: {entry['outcome']}", marker_size=0)
    _draw_minimum(ax, results["minimum_loss"], first)
    ax.set_yscale("log")
    ax.set_ylim(top=top * 1.5)
    ax.set_xlabel("epoch")
    ax.set_ylabel("MSE loss before the epoch's step")
    ax.set_title("Loss per epoch (dotted: least-squares minimum)", fontsize="medium")
    ax.legend(fontsize="x-small")


def _draw_final_losses(ax, config, results):
    runs = results["runs"]
    first = max((entry["losses"][0] for entry in runs if entry["losses"][0] is not None),
                default=1.0)
    top = HEADROOM * first
    for label, color in OUTCOME_COLORS.items():
        entries = [entry for entry in runs if entry["label"] == label]
        if not entries:
            continue
        rates = np.array([entry["lr"] for entry in entries])
        final = as_array([entry["final_loss"] for entry in entries])
        off = ~np.isfinite(final) | (final > top)
        ax.plot(rates[~off], final[~off], "o", color=color, markersize=4, label=label)
        if off.any():
            ax.plot(rates[off], np.full(off.sum(), top), "x", color=color, markersize=8,
                    clip_on=False)

    ax.axvline(results["critical_lr_gd"], color="black", linestyle="--", linewidth=1)
    ax.annotate(f"2/λ_max = {results['critical_lr_gd']:.4g}", (results["critical_lr_gd"], top),
                fontsize="small", textcoords="offset points", xytext=(4, -12))
    if results["critical_lr"] and results["critical_lr"] != results["critical_lr_gd"]:
        ax.axvline(results["critical_lr"], color="black", linestyle="-.", linewidth=1,
                   label=f"2(1 + μ)/λ_max = {results['critical_lr']:.4g}")
    _draw_minimum(ax, results["minimum_loss"], first)
    set_lr_axis(ax, [entry["lr"] for entry in runs])
    ax.set_yscale("log")
    ax.set_ylim(top=top * 1.5)
    ax.set_ylabel(f"loss at epoch {config['epochs'] - 1} (× = off the plot)")
    ax.set_title("Final loss against lr, with the computed critical rate", fontsize="medium")
    ax.legend(fontsize="x-small")


def _draw_minimum(ax, minimum_loss, first_loss):
    """Draw the least-squares minimum, unless it is 0 up to rounding (it would stretch a log axis)."""
    if minimum_loss > 1e-12 * first_loss:
        ax.axhline(minimum_loss, color="grey", linestyle=":", linewidth=1)


def plot_quadratic(record):
    """Return the figures of gradient descent on one variable."""
    return [plot_quadratic_iterates(record), plot_quadratic_sweep(record)]
