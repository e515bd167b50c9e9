"""Property tests over each experiment's config space (hypothesis).

Any config either raises `ConfigError` or runs to a record that is strict JSON, repeats its
normalized config and summarizes without error. The strategies are built from the config
dataclasses: each field takes its strategy from FIELDS, so a new field needs one row there.
Values are kept small so the whole file runs in about a minute.
"""

import dataclasses

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lib.experiments import EXPERIMENTS, run_experiment
from lib.records import dumps_strict, loads_strict
from lib.validation import ConfigError

NAN = float("nan")
INF = float("inf")

# Values outside every field's rules, mixed into the strategies so that both outcomes occur.
BAD_NUMBERS = st.sampled_from([NAN, INF, -INF, -1, 0, 10**400, 2**53 + 1, "1", None])


def reals(low, high):
    return st.floats(low, high, allow_nan=False, allow_infinity=False)


def rate_lists(low, high, max_size):
    numbers = st.lists(reals(low, high), min_size=1, max_size=max_size)
    as_text = numbers.map(lambda values: ", ".join(repr(value) for value in values))
    # Lists with bad entries, including the empty list.
    mixed = st.lists(st.one_of(reals(low, high), BAD_NUMBERS), max_size=max_size)
    return st.one_of(numbers, as_text, mixed)


@st.composite
def rate_ranges(draw, low, high, max_count):
    """A learning-rate range as a dict or as "low:high:count:scale" text; low may exceed high."""
    bounds = sorted(draw(st.lists(reals(low, high), min_size=2, max_size=2)))
    if draw(st.booleans()):
        bounds.reverse()
    count = draw(st.integers(1, max_count))
    scale = draw(st.sampled_from(["log", "linear", "cubic"]))
    if draw(st.booleans()):
        return {"low": bounds[0], "high": bounds[1], "count": count, "scale": scale}
    return f"{bounds[0]!r}:{bounds[1]!r}:{count}:{scale}"


def learning_rates(low, high, max_size):
    return st.one_of(rate_lists(low, high, max_size), rate_ranges(low, high, max_size))


def int_lists(low, high, max_size):
    """Lists of integers, as lists or as comma-separated text, with an occasional bad entry."""
    numbers = st.lists(st.integers(low, high), min_size=1, max_size=max_size)
    as_text = numbers.map(lambda values: ", ".join(str(value) for value in values))
    mixed = st.lists(st.one_of(st.integers(low, high), BAD_NUMBERS), max_size=max_size)
    return st.one_of(numbers, as_text, mixed)


def choices(*values):
    """One of `values`: the field's choices, then at least one that is not."""
    return st.sampled_from(values)


def choice_lists(*values, max_size=3):
    """Lists of `values`, including the empty list."""
    return st.lists(choices(*values), max_size=max_size)


def optional(strategy):
    return st.one_of(st.none(), strategy)


@st.composite
def matrices(draw, min_columns=1):
    """An N×C nested list with occasional non-finite or huge entries, or text, maybe ragged."""
    rows = draw(st.integers(1, 8))
    columns = draw(st.integers(min_columns, 4))
    cell = st.one_of(reals(-1e3, 1e3), st.sampled_from([0.0, 1e300, NAN, INF]))
    data = [[draw(cell) for _ in range(columns)] for _ in range(rows)]
    if draw(st.booleans()):
        if draw(st.booleans()):
            data[-1] = data[-1][:-1]
        return "\n".join(" ".join(repr(value) for value in row) for row in data)
    return data


def first_two_columns(data):
    return data if isinstance(data, str) else [row[:2] for row in data]


# The fields of the linear-model problem, shared by lr_linear_model and lr_range_test.
PROBLEM_FIELDS = {
    "seed": st.integers(0, 2**53),
    "num_samples": st.integers(2, 50),
    "standardize": st.booleans(),
    "batch_size": optional(st.integers(1, 60)),
    "optimizer": choices("sgd", "adam", "rmsprop"),
    "momentum": st.one_of(st.just(0.0), reals(0.0, 0.99)),
    "gradient": choices("mean", "sum", "max"),
    "dtype": choices("float32", "float64", "float16"),
    "data": optional(matrices(min_columns=2).map(first_two_columns)),
    "bias": st.booleans(),
    "initial_weight": optional(reals(-10.0, 10.0)),
    "initial_bias": optional(reals(-10.0, 10.0)),
}

# (experiment id, field) -> strategy of values mostly within the field's rules; `configs` mixes
# in BAD_NUMBERS for half of the examples.
FIELDS = {
    ("normalization", "seed"): st.integers(0, 2**32 - 1),
    ("normalization", "batch_size"): st.integers(1, 16),
    ("normalization", "num_features"): st.integers(1, 6),
    ("normalization", "data"): optional(matrices()),
    ("normalization", "eps"): reals(0.0, 1.0),
    ("normalization", "momentum"): optional(reals(0.0, 1.0)),
    ("normalization", "ddof"): st.sampled_from([0, 1, 2, "0"]),
    ("normalization", "length"): optional(st.integers(1, 4)),
    ("normalization", "distribution"): choices("uniform", "normal", "shifted", "cauchy"),
    ("normalization", "affine"): st.booleans(),
    ("normalization", "weight"): st.one_of(reals(-3.0, 3.0), rate_lists(-3.0, 3.0, 4)),
    ("normalization", "bias"): st.one_of(reals(-3.0, 3.0), rate_lists(-3.0, 3.0, 4)),
    ("normalization", "train_steps"): st.integers(0, 5),

    ("normalization_sweep", "seed"): st.integers(0, 2**32 - 1),
    ("normalization_sweep", "batch_sizes"): int_lists(1, 16, 3),
    ("normalization_sweep", "feature_counts"): int_lists(1, 8, 3),
    ("normalization_sweep", "dtypes"): choice_lists("float32", "float64", "bfloat16", "float16"),
    ("normalization_sweep", "eps"): reals(0.0, 1.0),
    ("normalization_sweep", "repeats"): st.integers(1, 2),

    ("lr_quadratic", "start"): reals(-1e6, 1e6),
    ("lr_quadratic", "learning_rates"): learning_rates(1e-4, 3.0, 5),
    ("lr_quadratic", "iterations"): st.integers(1, 200),
    ("lr_quadratic", "function"): choices("quadratic", "quartic", "double_well", "cubic"),
    ("lr_quadratic", "curvature"): reals(1e-3, 10.0),
    ("lr_quadratic", "momentum"): st.one_of(st.just(0.0), reals(0.0, 0.99)),

    **{("lr_linear_model", name): strategy for name, strategy in PROBLEM_FIELDS.items()},
    ("lr_linear_model", "learning_rates"): learning_rates(1e-4, 1.0, 4),
    ("lr_linear_model", "epochs"): st.integers(1, 100),
    ("lr_linear_model", "continue_training"): st.booleans(),

    **{("lr_range_test", name): strategy for name, strategy in PROBLEM_FIELDS.items()},
    ("lr_range_test", "lr_min"): reals(1e-6, 1.0),
    ("lr_range_test", "lr_max"): reals(1e-3, 100.0),
    ("lr_range_test", "num_steps"): st.integers(2, 60),
    ("lr_range_test", "smoothing"): reals(0.0, 0.99),
    ("lr_range_test", "stop_factor"): reals(1.01, 100.0),

    ("lr_batchnorm", "seed"): st.integers(0, 2**53),
    ("lr_batchnorm", "num_samples"): st.integers(2, 64),
    ("lr_batchnorm", "num_features"): st.integers(1, 4),
    ("lr_batchnorm", "feature_scale"): reals(1.0, 1e3),
    ("lr_batchnorm", "hidden_units"): st.integers(1, 8),
    ("lr_batchnorm", "learning_rates"): learning_rates(1e-4, 10.0, 3),
    ("lr_batchnorm", "epochs"): st.integers(1, 4),
    ("lr_batchnorm", "batch_size"): st.integers(2, 64),
    ("lr_batchnorm", "optimizer"): choices("sgd", "adam", "rmsprop"),
    ("lr_batchnorm", "momentum"): st.one_of(st.just(0.0), reals(0.0, 0.99)),
    ("lr_batchnorm", "dtype"): choices("float32", "float64", "float16"),

    ("normal_vs_gd", "seed"): st.integers(0, 2**53),
    ("normal_vs_gd", "num_samples"): st.integers(1, 50),
    ("normal_vs_gd", "true_theta"): rate_lists(-10.0, 10.0, 4),
    ("normal_vs_gd", "noise"): reals(0.0, 10.0),
    ("normal_vs_gd", "lr"): st.one_of(reals(1e-5, 1.0), st.just("auto")),
    ("normal_vs_gd", "iterations"): st.integers(1, 300),
    ("normal_vs_gd", "gradient"): st.sampled_from(["sum", "mean", "median", None]),
    ("normal_vs_gd", "num_features"): optional(st.integers(1, 4)),
    ("normal_vs_gd", "fit_intercept"): st.booleans(),
    ("normal_vs_gd", "data"): optional(matrices(min_columns=2)),
    ("normal_vs_gd", "correlation"): reals(0.0, 0.9999),
    ("normal_vs_gd", "scale"): optional(rate_lists(1e-3, 1e3, 4)),
    ("normal_vs_gd", "standardize"): st.booleans(),
    ("normal_vs_gd", "dtype"): choices("float64", "float32", "float16"),
    ("normal_vs_gd", "solver"): choices("auto", "inverse", "solve", "cholesky", "lstsq", "pinv",
                                        "magic"),
    ("normal_vs_gd", "tolerance"): reals(1e-12, 0.5),
    ("normal_vs_gd", "gd_init"): choices("random", "zeros", "ones"),
    ("normal_vs_gd", "gd_on_gram"): st.booleans(),

    ("normal_vs_gd_accuracy", "seed"): st.integers(0, 2**53),
    ("normal_vs_gd_accuracy", "num_samples"): st.integers(1, 30),
    ("normal_vs_gd_accuracy", "num_features"): st.integers(1, 6),
    ("normal_vs_gd_accuracy", "condition_numbers"): rate_lists(1.0, 1e8, 3),
    ("normal_vs_gd_accuracy", "dtypes"): choice_lists("float32", "float64", "float16",
                                                      max_size=2),
    ("normal_vs_gd_accuracy", "gd_condition_numbers"): rate_lists(1.0, 100.0, 3),
    ("normal_vs_gd_accuracy", "tolerance"): reals(1e-10, 0.5),
    ("normal_vs_gd_accuracy", "max_iterations"): st.integers(1, 200),

    ("normal_vs_gd_cost", "seed"): st.integers(0, 2**53),
    ("normal_vs_gd_cost", "num_samples"): st.integers(2, 64),
    ("normal_vs_gd_cost", "num_features"): st.integers(1, 8),
    ("normal_vs_gd_cost", "sample_sizes"): int_lists(2, 64, 3),
    ("normal_vs_gd_cost", "feature_counts"): int_lists(1, 8, 3),
    ("normal_vs_gd_cost", "correlation"): reals(0.0, 0.9999),
    ("normal_vs_gd_cost", "dtype"): choices("float64", "float32", "float16"),
    ("normal_vs_gd_cost", "solvers"): st.one_of(
        choice_lists("inverse", "solve", "cholesky", "lstsq", "pinv", "magic"),
        choice_lists("inverse", "lstsq", "pinv").map(", ".join)),
    ("normal_vs_gd_cost", "tolerance"): reals(1e-10, 0.5),
    ("normal_vs_gd_cost", "max_iterations"): st.integers(1, 50),
    ("normal_vs_gd_cost", "repeats"): st.integers(1, 2),
    ("normal_vs_gd_cost", "threads"): st.integers(0, 2),
    ("normal_vs_gd_cost", "cpu_max_samples"): optional(st.integers(1, 64)),
    ("normal_vs_gd_cost", "cpu_max_features"): optional(st.integers(1, 8)),
}


def config_fields(experiment_id):
    return [field.name for field in dataclasses.fields(EXPERIMENTS[experiment_id].config_class)]


def configs(experiment_id):
    """Config dicts for `experiment_id`: each field is left out (its default) or drawn.

    Half of the examples may also draw a field from BAD_NUMBERS.
    """
    def build(with_bad_values):
        fields = {}
        for name in config_fields(experiment_id):
            strategy = FIELDS[(experiment_id, name)]
            fields[name] = st.one_of(strategy, BAD_NUMBERS) if with_bad_values else strategy
        return st.fixed_dictionaries({}, optional=fields)

    return st.booleans().flatmap(build)


@pytest.mark.parametrize("experiment_id", sorted(EXPERIMENTS))
def test_every_config_field_has_strategy(experiment_id):
    missing = [name for name in config_fields(experiment_id) if (experiment_id, name) not in FIELDS]
    assert missing == [], f"add rows to FIELDS for {experiment_id}: {missing}"


@pytest.mark.parametrize("experiment_id", sorted(EXPERIMENTS))
def test_config_runs_or_raises_config_error(experiment_id):
    if any((experiment_id, name) not in FIELDS for name in config_fields(experiment_id)):
        pytest.skip("a field has no strategy (see test_every_config_field_has_strategy)")

    outcomes = {"record": 0, "ConfigError": 0}

    @settings(max_examples=100, deadline=None, database=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow])
    @given(config=configs(experiment_id))
    def check(config):
        try:
            record = run_experiment(experiment_id, config)
        except ConfigError:
            outcomes["ConfigError"] += 1
            return
        outcomes["record"] += 1

        text = dumps_strict(record)
        assert loads_strict(text) == record
        assert record["experiment"] == experiment_id
        normalized = EXPERIMENTS[experiment_id].config_class.from_dict(config).to_dict()
        assert record["config"] == normalized
        assert isinstance(EXPERIMENTS[experiment_id].summarize(record), str)

    check()
    # Both outcomes must occur, or the strategies test only one side of the property.
    assert outcomes["record"] >= 5, outcomes
    assert outcomes["ConfigError"] >= 5, outcomes
