"""Matplotlib figures drawn from records, shared by the app, the jobs' reports and the tests.

Figures are built with `matplotlib.figure.Figure`, not pyplot, so no global figure registry is
shared between the requests the app serves at once, and nothing needs closing.
"""

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure  # noqa: E402

# Okabe and Ito's colour-blind-safe palette.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]


def new_figure(ncols=1, width=6.4, height=4.0, right=0.98):
    """Return a figure and its axes (one per column) with the lab's palette.

    The margins are fixed rather than computed by a layout engine: matplotlib's constrained
    layout doubled the time to draw a small figure here, and drawing dominates an app request.
    Pass a smaller `right` (a fraction of the width) to leave room for a legend outside.
    """
    figure = Figure(figsize=(width, height))
    figure.subplots_adjust(left=0.13, right=right, bottom=0.13, top=0.91, wspace=0.3)
    axes = figure.subplots(1, ncols, squeeze=False)[0]
    for ax in axes:
        # Scientific notation for small or large linear ticks keeps them inside the margin.
        ax.ticklabel_format(axis="y", style="sci", scilimits=(-3, 4))
        ax.set_prop_cycle(color=PALETTE)
        ax.grid(True, alpha=0.3)
    return figure, list(axes)
