"""Property tests over each experiment's config space (hypothesis).

Any config either raises `ConfigError` or runs to a record that is strict JSON, repeats its
normalized config and summarizes without error. The strategies are built from the config
dataclasses: each field takes its strategy from FIELDS, so a new field needs one row there.
Values are kept small so the whole file runs in well under a minute.
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
def matrices(draw):
    """An N×C nested list with occasional non-finite or huge entries, or ragged text."""
    rows = draw(st.integers(1, 8))
    columns = draw(st.integers(1, 4))
    cell = st.one_of(reals(-1e3, 1e3), st.sampled_from([0.0, 1e300, NAN, INF]))
    data = [[draw(cell) for _ in range(columns)] for _ in range(rows)]
    if draw(st.booleans()):
        return "\n".join(" ".join(repr(value) for value in row) for row in data)
    return data


# (experiment id, field) -> strategy of values mostly within the field's rules; `configs` mixes
# in BAD_NUMBERS for half of the examples.
FIELDS = {
    ("normalization", "seed"): st.integers(0, 2**32 - 1),
    ("normalization", "batch_size"): st.integers(1, 16),
    ("normalization", "num_features"): st.integers(1, 6),
    ("normalization", "data"): st.one_of(st.none(), matrices()),
    ("normalization", "eps"): reals(1e-12, 1.0),
    ("normalization", "momentum"): st.one_of(st.none(), reals(0.0, 1.0)),
    ("normalization", "ddof"): st.sampled_from([0, 1, 2, "0"]),

    ("lr_quadratic", "start"): reals(-1e6, 1e6),
    ("lr_quadratic", "learning_rates"): rate_lists(1e-4, 3.0, 5),
    ("lr_quadratic", "iterations"): st.integers(1, 200),

    ("lr_linear_model", "seed"): st.integers(0, 2**53),
    ("lr_linear_model", "num_samples"): st.integers(2, 50),
    ("lr_linear_model", "learning_rates"): rate_lists(1e-4, 1.0, 4),
    ("lr_linear_model", "epochs"): st.integers(1, 100),
    ("lr_linear_model", "continue_training"): st.booleans(),

    ("normal_vs_gd", "seed"): st.integers(0, 2**53),
    ("normal_vs_gd", "num_samples"): st.integers(1, 50),
    ("normal_vs_gd", "true_theta"): rate_lists(-10.0, 10.0, 4),
    ("normal_vs_gd", "noise"): reals(0.0, 10.0),
    ("normal_vs_gd", "lr"): reals(1e-5, 1.0),
    ("normal_vs_gd", "iterations"): st.integers(1, 300),
    ("normal_vs_gd", "gradient"): st.sampled_from(["sum", "mean", "median", None]),
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

    @settings(max_examples=60, deadline=None, database=None, derandomize=True,
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
