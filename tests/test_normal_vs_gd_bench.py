"""The normal-equation benchmarks run and agree with their baselines (no timing asserted)."""

import pytest

from jobs.benchmarks.normal_equation import benchmarks

KEYS = {"name", "size", "baseline", "times_s", "baseline_times_s", "target", "check"}


@pytest.fixture(scope="module")
def quick_records():
    return {record["name"]: record for record in benchmarks(quick=True)}


def test_benchmark_records_have_all_keys(quick_records):
    assert len(quick_records) == 3
    for record in quick_records.values():
        assert set(record) >= KEYS
        assert record["times_s"] and record["baseline_times_s"]


def test_closed_form_agrees_with_lstsq(quick_records):
    check = quick_records["normal_equation.closed_form"]["check"]
    assert check["relative_error"] <= 1e-8
    assert check["method"] == "cholesky"


def test_notebook_way_gives_same_numbers(quick_records):
    check = quick_records["normal_equation.notebook_experiment"]["check"]
    assert check["max_abs_theta_analytical_diff"] <= 1e-4
    assert check["max_abs_theta_gd_diff"] <= 1e-4
    assert check["mse_gd_diff"] <= 1e-6
    assert check["max_abs_loss_diff"] <= 1e-4
