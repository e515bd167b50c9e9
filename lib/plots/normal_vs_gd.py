"""Figures of the normal equation vs gradient descent experiment."""

import numpy as np

from lib.plots import PALETTE, new_figure


def plot_losses(record):
    """Plot GD's loss per iteration (log axes) against the normal equation's MSE."""
    results = record["results"]
    losses = np.array([np.nan if v is None else v for v in results["gd_losses"]])
    iterations = np.arange(1, len(losses) + 1)

    figure, (ax,) = new_figure()
    ax.plot(iterations, losses, color=PALETTE[0], label="gradient descent")
    if results["mse_analytical"] is not None:
        ax.axhline(results["mse_analytical"], color=PALETTE[1], linestyle="--",
                   label=f"normal equation: {results['mse_analytical']:.6g}")
    if results["diverged_at_iteration"] is not None and results["diverged_at_iteration"] > 0:
        last = results["diverged_at_iteration"] - 1
        ax.plot(last + 1, losses[last], "X", color=PALETTE[3], markersize=10, label="overflow")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("iteration (1-based, log scale)")
    ax.set_ylabel("MSE loss")
    ax.set_title("Gradient descent approaches the normal equation's loss")
    ax.legend(fontsize="small")
    return figure


def plot_theta(record):
    """Plot θ per coefficient: true, normal equation and gradient descent side by side."""
    results = record["results"]
    series = [("true", results["theta_true"]), ("normal equation", results["theta_analytical"]),
              ("gradient descent", results["theta_gd"])]
    positions = np.arange(len(results["theta_true"]))

    figure, (ax,) = new_figure()
    width = 0.8 / len(series)
    for index, (label, values) in enumerate(series):
        values = np.array([np.nan if v is None else v for v in values])
        ax.bar(positions + (index - 1) * width, values, width=width,
               color=PALETTE[index], label=label)
    ax.axhline(0.0, color="black", linewidth=0.8)
    ax.set_xticks(positions, [f"θ{i}" for i in positions])
    ax.set_ylabel("coefficient value")
    ax.set_title("θ side by side")
    ax.legend(fontsize="small")
    return figure


def plot(record):
    """Return the experiment's figures."""
    return [plot_losses(record), plot_theta(record)]
