"""The registry of experiments: one entry per experiment id, shared by the app and the jobs."""

import dataclasses
import importlib

from lib import lr_linear_model, lr_quadratic, normal_vs_gd, normalization
from lib import normalization_sweep
from lib import lr_batchnorm, lr_range_test
from lib.normal_equation import accuracy as normal_vs_gd_accuracy
from lib.normal_equation import cost as normal_vs_gd_cost


@dataclasses.dataclass(frozen=True)
class Experiment:
    """How to configure, run, plot and summarize one experiment."""

    id: str
    config_class: type
    run_record: object
    summarize: object
    plot_function: str

    def plot(self, record):
        """Return the record's figures.

        matplotlib is imported only here, so the jobs run on a machine that lacks it.
        """
        module_name, function_name = self.plot_function.split(":")
        return getattr(importlib.import_module(module_name), function_name)(record)


EXPERIMENTS = {
    experiment.id: experiment
    for experiment in [
        Experiment("normalization", normalization.NormalizationConfig, normalization.run_record,
                   normalization.summarize, "lib.plots.normalization:plot"),
        Experiment("lr_quadratic", lr_quadratic.QuadraticConfig, lr_quadratic.run_record,
                   lr_quadratic.summarize, "lib.plots.learning_rate:plot_quadratic"),
        Experiment("lr_linear_model", lr_linear_model.LinearModelConfig,
                   lr_linear_model.run_record, lr_linear_model.summarize,
                   "lib.plots.learning_rate:plot_linear_model"),
        Experiment("normal_vs_gd", normal_vs_gd.NormalVsGdConfig, normal_vs_gd.run_record,
                   normal_vs_gd.summarize, "lib.plots.normal_vs_gd:plot"),
        Experiment("normalization_sweep", normalization_sweep.NormalizationSweepConfig,
                   normalization_sweep.run_record, normalization_sweep.summarize,
                   "lib.plots.normalization:plot_sweep"),
        Experiment("lr_range_test", lr_range_test.RangeTestConfig, lr_range_test.run_record,
                   lr_range_test.summarize, "lib.plots.lr_range_test:plot_range_test"),
        Experiment("lr_batchnorm", lr_batchnorm.BatchNormSweepConfig, lr_batchnorm.run_record,
                   lr_batchnorm.summarize, "lib.plots.lr_batchnorm:plot_batchnorm"),
        Experiment("normal_vs_gd_accuracy", normal_vs_gd_accuracy.AccuracyConfig,
                   normal_vs_gd_accuracy.run_record, normal_vs_gd_accuracy.summarize,
                   "lib.plots.normal_vs_gd:plot_accuracy"),
        Experiment("normal_vs_gd_cost", normal_vs_gd_cost.CostConfig,
                   normal_vs_gd_cost.run_record, normal_vs_gd_cost.summarize,
                   "lib.plots.normal_vs_gd:plot_cost"),
    ]
}


def run_experiment(experiment_id, config=None, device="cpu"):
    """Run `experiment_id` with `config` (a dict of config keys, or a config) and return its record.

    Raises `lib.validation.ConfigError` for an invalid config.
    """
    experiment = EXPERIMENTS[experiment_id]
    if not isinstance(config, experiment.config_class):
        config = experiment.config_class.from_dict(config or {})
    return experiment.run_record(config, device=device)
