"""The learning-rate figures stay readable when runs overflow, and mark what happened."""

import math

import pytest

from lib.experiments import EXPERIMENTS, run_experiment
from lib.plots.learning_rate import HEADROOM


def figures_of(experiment_id, config):
    record = run_experiment(experiment_id, config)
    return record, EXPERIMENTS[experiment_id].plot(record)


def marker_count(ax, marker):
    return sum(1 for line in ax.lines if line.get_marker() == marker)


def test_overflowing_quadratic_keeps_axis_bounded():
    record, (iterates, sweep) = figures_of("lr_quadratic", {
        "start": 10.0, "learning_rates": [0.2, 1.1, 500.0], "iterations": 200})
    ax = iterates.axes[0]
    low, high = ax.get_ylim()
    assert math.isfinite(high)
    assert high <= HEADROOM * 10.0 * 1.01
    assert marker_count(ax, "X") == 1
    assert marker_count(sweep.axes[1], "x") == 1


def test_sweep_plot_draws_critical_rate_line():
    record, (_, sweep) = figures_of("lr_quadratic", {"start": 10.0,
                                                     "learning_rates": "0.01:1.2:100"})
    vertical = [line for line in sweep.axes[1].lines
                if len(set(line.get_xdata())) == 1 and line.get_linestyle() == "--"]
    assert vertical[0].get_xdata()[0] == pytest.approx(record["results"]["critical_lr"])


def test_linear_plot_marks_divergence_and_threshold():
    record, (figure,) = figures_of("lr_linear_model", {})
    loss_ax, sweep_ax = figure.axes[:2]
    assert math.isfinite(loss_ax.get_ylim()[1])
    assert marker_count(loss_ax, "X") == 2
    dashed = [line for line in sweep_ax.lines if line.get_linestyle() == "--"]
    assert dashed[0].get_xdata()[0] == pytest.approx(record["results"]["critical_lr_gd"])


def test_range_test_plot_draws_suggestions_and_critical_rate():
    record, (figure,) = figures_of("lr_range_test", {"lr_min": 1e-3, "lr_max": 1e3,
                                                      "num_steps": 200, "stop_factor": 1e300})
    labels = [text.get_text() for text in figure.axes[0].get_legend().get_texts()]
    assert any(label.startswith("steepest = ") for label in labels)
    assert any(label.startswith("minimum/10 = ") for label in labels)
    assert any(label.startswith("computed 2/λ_max = 0.0278") for label in labels)
    assert any(label.startswith("loss not finite") for label in labels)


def test_batchnorm_plot_has_both_variants():
    _, (figure,) = figures_of("lr_batchnorm", {"num_samples": 128, "hidden_units": 8,
                                              "epochs": 3, "learning_rates": [0.001, 30.0]})
    labels = [text.get_text() for text in figure.axes[0].get_legend().get_texts()]
    assert "without BatchNorm" in labels
    assert "with BatchNorm" in labels
    assert "without BatchNorm: diverged" in labels
