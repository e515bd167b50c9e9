"""Figures of the normalization experiment."""

import numpy as np

from lib.plots import PALETTE, new_figure


def _as_array(values):
    return np.array([[np.nan if v is None else v for v in _flatten_rows(row)] for row in values])


def _flatten_rows(row):
    flat = []
    for item in row:
        flat.extend(item if isinstance(item, list) else [item])
    return flat


def plot_values(record):
    """Plot each feature's values by hand against BatchNorm1d, sample by sample."""
    results = record["results"]
    manual = _per_feature(results["manual"])
    batchnorm = _per_feature(results["batchnorm"])

    figure, (ax,) = new_figure(width=8.0, right=0.74)
    for feature, (by_hand, by_layer) in enumerate(zip(manual, batchnorm)):
        positions = np.arange(len(by_hand))
        color = PALETTE[feature % len(PALETTE)]
        ax.plot(positions, by_hand, "o", color=color, markersize=9, fillstyle="none",
                label=f"feature {feature}: by hand" if feature < 8 else None)
        ax.plot(positions, by_layer, "x", color=color, markersize=7,
                label=f"feature {feature}: BatchNorm1d" if feature < 8 else None)
    ax.axhline(0.0, color="black", linewidth=0.8)
    ax.set_xlabel("sample index (n, or n·L + l for an (N, C, L) input)")
    ax.set_ylabel("normalized value (standard deviations)")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_title("Per feature over the batch: by hand (o) vs BatchNorm1d (x)")
    figure.legend(loc="upper right", fontsize="small")
    return figure


def plot_difference(record):
    """Plot |by hand − BatchNorm1d| per value beside the difference that eps predicts."""
    results = record["results"]
    config = record["config"]
    manual = np.concatenate(_per_feature(results["manual"]))
    batchnorm = np.concatenate(_per_feature(results["batchnorm"]))
    difference = np.abs(manual - batchnorm)

    # The eps-only prediction per value: |y| · (1 − σ / √(σ² + eps)) for the biased σ².
    var = np.repeat(results["batch_var"], [len(f) for f in _per_feature(results["manual"])])
    with np.errstate(divide="ignore", invalid="ignore"):
        predicted = np.abs(manual) * (1 - np.sqrt(var / (var + config["eps"])))

    figure, (ax,) = new_figure()
    positions = np.arange(len(difference))
    ax.bar(positions - 0.2, difference, width=0.4, color=PALETTE[0], label="observed")
    ax.bar(positions + 0.2, predicted, width=0.4, color=PALETTE[1], label="predicted by eps")
    ax.set_xlabel("value index (feature by feature)")
    ax.set_ylabel("|by hand − BatchNorm1d|")
    ax.set_title(f"The difference is eps = {config['eps']:g} added to the variance")
    ax.legend(fontsize="small")
    return figure


def _per_feature(values):
    """Return one flat array per feature from an (N, C) or (N, C, L) nested list."""
    array = np.array(values, dtype=np.float64) if values else np.zeros((0, 0))
    if array.ndim == 2:
        return [array[:, c] for c in range(array.shape[1])]
    return [array[:, c, :].ravel() for c in range(array.shape[1])]


def plot(record):
    """Return the experiment's figures."""
    return [plot_values(record), plot_difference(record)]
