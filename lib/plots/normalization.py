"""Figures of the normalization experiment, drawn from its record.

1. Training mode: the values by hand, by BatchNorm1d and from scratch, and their differences
   beside the eps prediction. Below them, the per-feature statistics of normalizing columns,
   rows or each sample (LayerNorm).
2. Running statistics after each training step, and eval mode against training mode.
"""

import numpy as np
from matplotlib.figure import Figure

from lib.plots import PALETTE

# Wide inputs are drawn in part: the first features and the first values of each feature.
MAX_PLOTTED_FEATURES = 8
MAX_PLOTTED_VALUES = 256


def _new_grid(rows, cols, width, height):
    figure = Figure(figsize=(width, height), layout="constrained")
    axes = figure.subplots(rows, cols, squeeze=False).ravel()
    for ax in axes:
        ax.set_prop_cycle(color=PALETTE)
        ax.grid(True, alpha=0.3)
    return figure, list(axes)


def _array(values):
    """Return a nested list from a record as float64, with None (nan in the run) as nan."""
    return np.array(values, dtype=np.float64)


def _per_feature(values):
    """Return one flat array per plotted feature from an (N, C) or (N, C, L) nested list."""
    array = _array(values)
    if array.ndim == 2:
        array = array[:, :, None]
    features = min(array.shape[1], MAX_PLOTTED_FEATURES)
    return [array[:, c, :].ravel()[:MAX_PLOTTED_VALUES] for c in range(features)]


def _part_note(results):
    shape = _array(results["input"]).shape
    values = shape[0] * (shape[2] if len(shape) == 3 else 1)
    if shape[1] <= MAX_PLOTTED_FEATURES and values <= MAX_PLOTTED_VALUES:
        return ""
    return (f" (first {min(shape[1], MAX_PLOTTED_FEATURES)} features, "
            f"first {min(values, MAX_PLOTTED_VALUES)} values each)")


def plot_training(record):
    """Plot points 1, 2 and 5: values, differences and per-feature statistics."""
    results = record["results"]
    figure, (values_ax, difference_ax, mean_ax, std_ax) = _new_grid(2, 2, 11.0, 7.5)
    if results.get("manual") is None:
        for ax in (values_ax, difference_ax, mean_ax, std_ax):
            ax.text(0.5, 0.5, "training mode is undefined:\none value per feature",
                    ha="center", va="center", transform=ax.transAxes)
            ax.axis("off")
        return figure

    _draw_values(values_ax, results)
    _draw_differences(difference_ax, record)
    _draw_feature_stats(mean_ax, std_ax, results)
    figure.suptitle("Training mode: each feature is normalized over the batch"
                    + _part_note(results))
    return figure


def _draw_values(ax, results):
    series = zip(_per_feature(results["manual"]), _per_feature(results["batchnorm"]),
                 _per_feature(results["from_scratch"]))
    for feature, (by_hand, by_layer, from_scratch) in enumerate(series):
        positions = np.arange(len(by_hand))
        color = PALETTE[feature % len(PALETTE)]
        ax.plot(positions, by_hand, "o", color=color, markersize=9, fillstyle="none",
                label=f"feature {feature}")
        ax.plot(positions, by_layer, "x", color=color, markersize=7)
        ax.plot(positions, from_scratch, "+", color=color, markersize=11)
    ax.axhline(0.0, color="black", linewidth=0.8)
    ax.set_xlabel("sample index (n, or n·L + l for an (N, C, L) input)")
    ax.set_ylabel("output value")
    ax.xaxis.get_major_locator().set_params(integer=True)
    ax.set_title("By hand (o), BatchNorm1d (x), from scratch (+)")
    ax.legend(fontsize="small", ncols=2)


def _draw_differences(ax, record):
    """Draw |by hand − BatchNorm1d| per value beside what eps predicts, on a log scale."""
    results = record["results"]
    config = record["config"]
    manual = np.concatenate(_per_feature(results["manual"]))
    batchnorm = np.concatenate(_per_feature(results["batchnorm"]))
    from_scratch = np.concatenate(_per_feature(results["from_scratch"]))
    lengths = [len(values) for values in _per_feature(results["manual"])]

    # The eps-only prediction per value, |y − β| · (1 − σ / √(σ² + eps)) for the biased σ²,
    # is what remains after the same γ and β are applied to both.
    var = np.repeat(_array(results["batch_var"])[:len(lengths)], lengths)
    bias = np.repeat(np.broadcast_to(_array(config["bias"]), (len(results["batch_var"]),))
                     [:len(lengths)], lengths) if config["affine"] else 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        predicted = np.abs(manual - bias) * (1 - np.sqrt(var / (var + config["eps"])))
        observed = np.abs(manual - batchnorm)
        rounding = np.abs(from_scratch - batchnorm)

    positions = np.arange(len(observed))
    ax.plot(positions, observed, "o", color=PALETTE[0], fillstyle="none",
            label="|by hand − BatchNorm1d|")
    ax.plot(positions, predicted, "x", color=PALETTE[1], label="predicted by eps")
    ax.plot(positions, rounding, ".", color=PALETTE[2],
            label="|from scratch − BatchNorm1d| (float32 rounding)")
    ax.set_yscale("log")
    ax.set_xlabel("value index (feature by feature)")
    ax.set_ylabel("absolute difference (zeros not shown)")
    ax.set_title(f"Differences: eps = {config['eps']:g} added to the variance")
    ax.legend(fontsize="small")


def _draw_feature_stats(mean_ax, std_ax, results):
    features = min(len(results["batch_mean"]), MAX_PLOTTED_FEATURES)
    positions = np.arange(features)
    methods = [("BatchNorm1d (columns)", "batchnorm"), ("each row (notebook's claim)", "row"),
               ("LayerNorm (each sample)", "layer_norm")]
    width = 0.8 / len(methods)
    for index, (label, key) in enumerate(methods):
        offset = (index - 1) * width
        mean_ax.bar(positions + offset, _array(results[f"{key}_feature_mean"])[:features],
                    width=width, color=PALETTE[index], label=label)
        std_ax.bar(positions + offset, _array(results[f"{key}_feature_std"])[:features],
                   width=width, color=PALETTE[index], label=label)
    std_ax.axhline(1.0, color="black", linewidth=0.8, linestyle="--")
    mean_ax.axhline(0.0, color="black", linewidth=0.8)
    for ax, statistic in ((mean_ax, "mean"), (std_ax, "std")):
        ax.set_xticks(positions)
        ax.set_xlabel("feature c")
        ax.set_ylabel(f"{statistic} of feature c after normalizing")
        ax.set_title(f"Which axis: per-feature {statistic} (BatchNorm1d: "
                     f"{'0' if statistic == 'mean' else '1'})")
    std_ax.legend(fontsize="small")


def plot_running_and_eval(record):
    """Plot points 3 and 4: running statistics per step and eval against training output."""
    results = record["results"]
    figure, (mean_ax, var_ax, eval_ax) = _new_grid(1, 3, 14.0, 4.2)
    features = min(len(results["batch_mean"]), MAX_PLOTTED_FEATURES)
    steps = np.arange(len(results["running_mean_history"]))
    running_mean = _array(results["running_mean_history"])
    running_var = _array(results["running_var_history"])

    for feature in range(features):
        color = PALETTE[feature % len(PALETTE)]
        mean_ax.plot(steps, running_mean[:, feature], "o-", color=color,
                     label=f"feature {feature}")
        mean_ax.axhline(results["batch_mean"][feature], color=color, linestyle="--",
                        linewidth=1)
        var_ax.plot(steps, running_var[:, feature], "o-", color=color)
        if results["batch_var_unbiased"] is not None:
            var_ax.axhline(results["batch_var_unbiased"][feature], color=color, linestyle="--",
                           linewidth=1)
            var_ax.axhline(results["batch_var"][feature], color=color, linestyle=":",
                           linewidth=1)
    mean_ax.set_title("running_mean (dashed: batch mean)")
    var_ax.set_title("running_var (dashed: unbiased, dotted: biased)")
    for ax in (mean_ax, var_ax):
        ax.set_xlabel("training step (num_batches_tracked)")
        ax.xaxis.get_major_locator().set_params(integer=True)
    mean_ax.legend(fontsize="small")

    _draw_eval(eval_ax, results)
    momentum = record["config"]["momentum"]
    figure.suptitle("Running statistics and eval mode, momentum "
                    + ("None (cumulative average)" if momentum is None else f"{momentum:g}"))
    return figure


def _draw_eval(ax, results):
    training = results.get("batchnorm")
    reference = training if training is not None else results["input"]
    for feature, (x, y) in enumerate(zip(_per_feature(reference),
                                         _per_feature(results["eval_output"]))):
        ax.plot(x, y, "o", color=PALETTE[feature % len(PALETTE)], fillstyle="none")
    limits = ax.get_xlim()
    ax.plot(limits, limits, color="black", linewidth=0.8, label="eval = training")
    ax.set_xlabel("training-mode output" if training is not None else "input x")
    ax.set_ylabel("eval-mode output")
    ax.set_title("Eval mode uses the running statistics")
    ax.legend(fontsize="small")


def plot(record):
    """Return the experiment's figures."""
    return [plot_training(record), plot_running_and_eval(record)]


def plot_sweep(record):
    """Plot the sweep: max |by hand − BatchNorm1d| against N per C and dtype, and the timings."""
    results = record["results"]
    figure, (difference_ax, timing_ax) = _new_grid(1, 2, 12.0, 4.5)
    points = results["points"]
    dtypes = list(dict.fromkeys(point["dtype"] for point in points))
    feature_counts = list(dict.fromkeys(point["num_features"] for point in points))
    markers = ["o", "s", "^"]
    for color_index, num_features in enumerate(feature_counts):
        for dtype_index, dtype in enumerate(dtypes):
            selected = [p for p in points
                        if p["num_features"] == num_features and p["dtype"] == dtype]
            sizes = [p["batch_size"] for p in selected]
            color = PALETTE[color_index % len(PALETTE)]
            marker = markers[dtype_index % len(markers)]
            difference_ax.plot(sizes, [p["max_abs_diff"] for p in selected], marker=marker,
                               color=color, fillstyle="none", label=f"C={num_features}, {dtype}")
            difference_ax.plot(sizes, [p["eps_predicted_diff"] for p in selected], marker="x",
                               linestyle=":", color=color)
    difference_ax.set_xscale("log")
    difference_ax.set_yscale("log")
    difference_ax.set_xlabel("batch size N")
    difference_ax.set_ylabel("max |by hand − BatchNorm1d| (x: eps prediction)")
    difference_ax.set_title(f"eps = {record['config']['eps']:g}")
    difference_ax.legend(fontsize="small", ncols=2)

    names = [("by_hand_s", "by hand (NumPy)"), ("torch_s", "BatchNorm1d"),
             ("from_scratch_s", "from scratch")]
    width = 0.8 / len(names)
    for index, (key, label) in enumerate(names):
        positions = np.arange(len(results["timing"])) + (index - 1) * width
        times = [np.nan if entry[key] is None else entry[key] * 1e3
                 for entry in results["timing"]]
        timing_ax.bar(positions, times, width=width, color=PALETTE[index], label=label)
    timing_ax.set_xticks(np.arange(len(results["timing"])),
                         [f"{e['dtype']}\n({e['batch_size']}, {e['num_features']})"
                          for e in results["timing"]])
    timing_ax.set_ylabel("ms per forward pass (median)")
    timing_ax.set_title("Forward pass at the largest size")
    timing_ax.legend(fontsize="small")
    return [figure]
