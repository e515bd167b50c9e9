"""Figure of the learning-rate range test: loss against lr with the suggestions and 2/λ_max."""

import numpy as np

from lib.plots import PALETTE, new_figure
from lib.plots.learning_rate import as_array


def plot_range_test(record):
    """Plot the raw and smoothed loss against lr (log axis) with three vertical lines."""
    results = record["results"]
    figure, (ax,) = new_figure(width=8.0)
    rates = np.asarray(results["learning_rates"], dtype=np.float64)
    losses = as_array(results["losses"])
    finite = np.isfinite(losses)
    smoothed = as_array(results["smoothed"])

    # The axis ends a little above the first loss, so the final blow-up does not squash it.
    top = 4.0 * np.nanmax(losses[: max(1, min(5, finite.sum()))]) if finite.any() else 1.0
    shown = np.where(finite & (losses <= top), losses, np.nan)
    ax.plot(rates, shown, ".", color=PALETTE[5], alpha=0.6, label="loss of each step")
    ax.plot(rates[: smoothed.size], np.minimum(smoothed, top), "-", color=PALETTE[0],
            label="smoothed (moving average)")
    beyond = finite & (losses > top)
    if beyond.any():
        ax.plot(rates[beyond], np.full(beyond.sum(), top), "^", color=PALETTE[5],
                clip_on=False, label="above the axis")
    if not finite.all():
        stop = int(np.argmin(finite))
        ax.plot(rates[stop], top, "X", color=PALETTE[3], markersize=10, clip_on=False,
                label=f"loss not finite at lr {rates[stop]:.3g}: test ended")

    lines = [
        ("steepest_lr", "steepest", PALETTE[2], "-."),
        ("minimum_over_10_lr", "minimum/10", PALETTE[1], ":"),
        ("critical_lr_gd", "computed 2/λ_max", "black", "--"),
    ]
    for key, name, color, style in lines:
        if results.get(key) is not None:
            ax.axvline(results[key], color=color, linestyle=style, linewidth=1.5,
                       label=f"{name} = {results[key]:.3g}")

    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_ylim(top=top * 1.2)
    ax.set_xlabel("learning rate lr (rising every step)")
    ax.set_ylabel("MSE loss of the step's batch")
    ax.set_title("Learning-rate range test", fontsize="medium")
    ax.legend(fontsize="x-small")
    return [figure]
