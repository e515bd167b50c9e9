"""Figures of the two learning-rate experiments."""

import numpy as np

from lib.plots import PALETTE, new_figure


def _finite(values):
    return np.array([np.nan if v is None else v for v in values], dtype=np.float64)


def plot_quadratic_iterates(record):
    """Plot |x_k| against k on a log axis, one line per learning rate, ending in a marker."""
    figure, (ax,) = new_figure()
    for index, entry in enumerate(record["results"]["runs"][:12]):
        color = PALETTE[index % len(PALETTE)]
        x = np.abs(_finite(entry["x"]))
        steps = np.arange(len(x))
        # |x_k| = 0 (one-step convergence) cannot sit on a log axis: it is drawn at the floor.
        shown = np.where(x == 0, np.nan, x)
        ax.plot(steps, shown, "o-", color=color, markersize=3, label=f"lr = {entry['lr']:g}")
        if np.any(x == 0):
            first_zero = int(np.argmax(x == 0))
            ax.annotate("x = 0 exactly", (first_zero, np.nanmin(shown[:first_zero + 1])),
                        color=color, fontsize="small")
        if entry["overflow_at_iteration"] is not None:
            last = entry["overflow_at_iteration"] - 1
            ax.plot(last, x[last], "X", color=color, markersize=10)
    ax.set_yscale("log")
    ax.set_xlabel("iteration k")
    ax.set_ylabel("|x_k| (distance to the minimum)")
    ax.set_title("Gradient descent on f(x) = x²")
    ax.legend(fontsize="small")
    return figure


def plot_quadratic_path(record):
    """Plot the first iterates of each rate on the parabola f(x) = x²."""
    figure, (ax,) = new_figure()
    runs = record["results"]["runs"][:12]
    start = abs(record["config"]["start"]) or 1.0
    span = 1.2 * start
    grid = np.linspace(-span, span, 400)
    ax.plot(grid, grid**2, color="grey", linewidth=1, label="f(x) = x²")
    for index, entry in enumerate(runs):
        color = PALETTE[index % len(PALETTE)]
        x = _finite(entry["x"])[:12]
        x = x[np.isfinite(x) & (np.abs(x) <= span)]
        ax.plot(x, x**2, "o-", color=color, markersize=4, alpha=0.8,
                label=f"lr = {entry['lr']:g}")
    ax.set_xlabel("x")
    ax.set_ylabel("f(x)")
    ax.set_title("The first 12 iterates on the curve")
    ax.legend(fontsize="small")
    return figure


def plot_linear_losses(record):
    """Plot the loss per epoch on a log axis; a diverged run ends in an X at its last finite loss."""
    results = record["results"]
    figure, (ax,) = new_figure()
    for index, entry in enumerate(results["runs"][:12]):
        color = PALETTE[index % len(PALETTE)]
        losses = _finite(entry["losses"])
        epochs = np.arange(len(losses))
        ax.plot(epochs, losses, color=color, label=f"lr = {entry['lr']:g}")
        if entry["diverged_at_epoch"] is not None:
            last = entry["diverged_at_epoch"] - 1
            if last >= 0:
                ax.plot(last, losses[last], "X", color=color, markersize=10)
                ax.annotate(f"overflow at epoch {entry['diverged_at_epoch']}",
                            (last, losses[last]), color=color, fontsize="small",
                            textcoords="offset points", xytext=(6, -4))
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel("MSE loss (before the epoch's step)")
    ax.set_title(f"SGD on a linear model: critical lr ≈ {results['critical_lr']:.4g}")
    ax.legend(fontsize="small")
    return figure


def plot_quadratic(record):
    """Return the figures of gradient descent on x²."""
    return [plot_quadratic_iterates(record), plot_quadratic_path(record)]


def plot_linear_model(record):
    """Return the figures of SGD on the linear model."""
    return [plot_linear_losses(record)]
