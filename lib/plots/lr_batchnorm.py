"""Figure of the BatchNorm sweep: final loss against lr with and without BatchNorm."""

import numpy as np

from lib.plots import PALETTE, new_figure
from lib.plots.learning_rate import as_array, draw_clipped_line, set_lr_axis

VARIANTS = (("plain", "without BatchNorm", PALETTE[3], "o"),
            ("batchnorm", "with BatchNorm", PALETTE[0], "s"))


def plot_batchnorm(record):
    """Return one figure: final loss against lr (left) and loss per epoch (right)."""
    results = record["results"]
    figure, (sweep_ax, loss_ax) = new_figure(ncols=2, width=11.0)
    top = 100.0 * results["target_variance"]

    for name, title, color, marker in VARIANTS:
        runs = results[name]["runs"]
        rates = np.array([entry["lr"] for entry in runs])
        final = as_array([entry["final_loss"] for entry in runs])
        off = ~np.isfinite(final) | (final > top)
        sweep_ax.plot(np.where(off, np.nan, rates), np.where(off, np.nan, final), marker + "-",
                      color=color, markersize=5, label=title)
        if off.any():
            sweep_ax.plot(rates[off], np.full(off.sum(), top), "x", color=color, markersize=9,
                          clip_on=False, label=f"{title}: diverged")
        stable = results["comparison"][name]["largest_stable_lr"]
        if stable is not None:
            sweep_ax.axvline(stable, color=color, linestyle=":", linewidth=1)
    sweep_ax.axhline(results["target_variance"], color="grey", linestyle="--", linewidth=1,
                     label="variance of y (predicting the mean)")
    set_lr_axis(sweep_ax, [entry["lr"] for entry in results["plain"]["runs"]])
    sweep_ax.set_yscale("log")
    sweep_ax.set_ylim(top=top * 1.5)
    sweep_ax.set_ylabel("last epoch's mean loss (× = diverged)")
    sweep_ax.set_title("Final loss against lr (dotted: largest stable rate)", fontsize="medium")
    sweep_ax.legend(fontsize="x-small")

    for name, title, color, marker in VARIANTS:
        best = results["comparison"][name]["best_lr"]
        runs = results[name]["runs"]
        picks = [entry for entry in runs if entry["lr"] == best][:1]
        diverged = [entry for entry in runs if entry["label"] == "diverged"][:1]
        for entry, style in zip(picks + diverged, ("-", "--")):
            losses = as_array(entry["losses"])
            draw_clipped_line(loss_ax, np.arange(len(losses)),
                              np.where(np.isnan(losses), np.inf, losses), top, color,
                              f"{title}, lr {entry['lr']:.3g}: {entry['outcome']}", 0, style)
    loss_ax.set_yscale("log")
    loss_ax.set_ylim(top=top * 1.5)
    loss_ax.set_xlabel("epoch")
    loss_ax.set_ylabel("mean training loss of the epoch")
    loss_ax.set_title("Best rate and first diverged rate of each variant", fontsize="medium")
    loss_ax.legend(fontsize="x-small")
    return [figure]
