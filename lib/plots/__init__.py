"""Matplotlib figures drawn from records, shared by the app, the jobs' reports and the tests.

Figures are built with `matplotlib.figure.Figure`, not pyplot, so no global figure registry is
shared between the requests the app serves at once, and nothing needs closing.
"""

import matplotlib

matplotlib.use("Agg")

from matplotlib.figure import Figure  # noqa: E402

# Okabe and Ito's colour-blind-safe palette.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]


def new_figure(ncols=1, width=6.4, height=4.0):
    """Return a figure and its axes (one per column) with the lab's palette."""
    figure = Figure(figsize=(width, height), layout="constrained")
    axes = figure.subplots(1, ncols, squeeze=False)[0]
    for ax in axes:
        ax.set_prop_cycle(color=PALETTE)
        ax.grid(True, alpha=0.3)
    return figure, list(axes)
