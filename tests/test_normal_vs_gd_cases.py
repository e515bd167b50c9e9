"""The cases where the normal equation silently fails, each checked with its value.

References: numpy.linalg.lstsq in float64 (the minimum-norm least-squares θ) and the closed
forms stated per case.
"""

import numpy as np
import pytest
import torch

from lib.normal_equation.conditioning import gram_rank
from lib.normal_equation.data import standardize
from lib.normal_equation.descent import descend_on_data
from lib.normal_vs_gd import NormalVsGdConfig, run, run_record, summarize
from lib.records import dumps_strict

STANDARDIZED_ROWS = [[1, 20, 1], [3, 40, 2], [5, 60, 3]]
RANK_TWO_GRAM = np.array([[3.0, 2.0, 1.0], [2.0, 2.0, 0.0], [1.0, 0.0, 1.0]])
# Columns c1 = c2 + c3 with |c2|² = 2, |c3|² = 1, c2·c3 = 0, so XᵀX is RANK_TWO_GRAM.
RANK_TWO_X = [[1, 1, 0], [1, 1, 0], [1, 0, 1]]
FLOAT32_A = [[1, 1], [1, 1 + 1e-5], [1, 1 + 1e-5]]
FLOAT32_B = [2, 1e-5, 4 + 1e-5]
NORMAL_EQUATION_SOLVERS = ("inverse", "solve", "cholesky")


def rows_with_target(x, y):
    return [list(row) + [target] for row, target in zip(x, y)]


@pytest.fixture(scope="module")
def standardized():
    config = NormalVsGdConfig(data=STANDARDIZED_ROWS, standardize=True, solver="inverse",
                              gd_init="zeros", lr="auto", gradient="mean", iterations=200)
    return run_record(config)


@pytest.fixture(scope="module")
def rank_two():
    rows = rows_with_target(RANK_TWO_X, [1.0, 2.0, 3.0])
    return run_record(NormalVsGdConfig(data=rows, solver="inverse", gd_init="zeros", lr="auto"))


@pytest.fixture(scope="module")
def float32_case():
    config = NormalVsGdConfig(data=rows_with_target(FLOAT32_A, FLOAT32_B), dtype="float32",
                              solver="inverse", lr="auto", iterations=100)
    return run_record(config)


@pytest.fixture(scope="module")
def underdetermined():
    config = NormalVsGdConfig(num_samples=3, num_features=5, true_theta=None, gd_init="zeros",
                              lr="auto", iterations=20_000)
    return run_record(config)


def test_standardized_columns_become_equal():
    z, _, _, _ = standardize(np.array(STANDARDIZED_ROWS, dtype=float)[:, :2])
    np.testing.assert_allclose(z[:, 0], [-1.2247, 0.0, 1.2247], atol=5e-5)
    np.testing.assert_allclose(z[:, 1], [-1.2247, 0.0, 1.2247], atol=5e-5)


def test_standardized_gram_is_singular(standardized):
    conditioning = standardized["results"]["conditioning"]
    assert conditioning["rank"] == 1
    # np.linalg.cond of the formed XᵀX is 4.6e16 here; being rounding noise, it may differ
    # by a small factor with another LAPACK.
    assert 1e16 < conditioning["cond_gram_formed"] < 1e17


def test_standardized_inverse_is_not_the_answer(standardized):
    results = standardized["results"]
    for name in NORMAL_EQUATION_SOLVERS:
        assert results["solvers"][name]["status"] == "refused"
        assert results["solvers"][name]["theta"] is None
    assert results["solver_used"] == "lstsq"


@pytest.mark.parametrize("solver", ["lstsq", "pinv"])
def test_standardized_minimum_norm_theta(standardized, solver):
    theta = standardized["results"]["solvers"][solver]["theta"]
    np.testing.assert_allclose(theta, [0.40825, 0.40825], atol=5e-6)


def test_standardized_gd_from_zero_reaches_minimum_norm(standardized):
    np.testing.assert_allclose(standardized["results"]["theta_gd"], [0.40825, 0.40825],
                               atol=5e-6)
    reference = standardized["results"]["reference"]["theta"]
    np.testing.assert_allclose(standardized["results"]["theta_gd"], reference, atol=1e-12)


def test_rank_two_gram_inverse_returns_huge_entries_silently():
    assert np.max(np.abs(np.linalg.inv(RANK_TWO_GRAM))) > 1e15
    assert torch.linalg.inv(torch.tensor(RANK_TWO_GRAM)).abs().max() > 1e15


def test_rank_two_gram_has_rank_two():
    assert gram_rank(RANK_TWO_GRAM) == 2


def test_rank_two_data_has_that_gram():
    x = np.array(RANK_TWO_X, dtype=float)
    np.testing.assert_array_equal(x.T @ x, RANK_TWO_GRAM)


def test_rank_two_run_refuses_inverse(rank_two):
    results = rank_two["results"]
    assert results["conditioning"]["rank"] == 2
    assert results["solvers"]["inverse"]["status"] == "refused"
    assert results["solvers"]["inverse"]["theta"] is None
    assert results["solvers"]["inverse"]["inverse_max_abs"] > 1e15
    assert results["solver_used"] == "lstsq"


def test_rank_two_summary_reports_rank(rank_two):
    assert "rank 2 of 3" in summarize(rank_two)


def test_float32_gram_condition_beyond_float32(float32_case):
    conditioning = float32_case["results"]["conditioning"]
    assert conditioning["cond_gram"] == pytest.approx(1.8e11, rel=0.01)
    assert conditioning["cond_gram"] > 1 / np.finfo(np.float32).eps


def test_float32_normal_equations_not_trusted(float32_case):
    results = float32_case["results"]
    for name in NORMAL_EQUATION_SOLVERS:
        assert results["solvers"][name]["status"] in ("untrusted", "failed")
    assert results["solver_used"] not in NORMAL_EQUATION_SOLVERS


def test_float32_normal_equations_give_no_usable_theta():
    # With the CPU build of torch 2.13 (MKL) the float32 XᵀX rounds to an exactly singular
    # matrix, so inverse and solve raise; elsewhere they may return garbage. Either way no
    # result is near θ*.
    a = torch.tensor(FLOAT32_A, dtype=torch.float32)
    b = torch.tensor(FLOAT32_B, dtype=torch.float32)
    for solve in (lambda g, m: torch.linalg.inv(g) @ m, torch.linalg.solve):
        try:
            theta = solve(a.T @ a, b @ a).double().numpy()
        except torch.linalg.LinAlgError:
            continue
        assert np.max(np.abs(theta - [1.00068, 0.99932])) > 0.1


def test_float64_lstsq_of_rounded_a(float32_case):
    reference = float32_case["results"]["reference"]["theta"]
    np.testing.assert_allclose(reference, [1.00068, 0.99932], atol=5e-6)


def test_float32_lstsq_keeps_few_digits(float32_case):
    results = float32_case["results"]
    lstsq = results["solvers"]["lstsq"]
    bound = results["conditioning"]["cond_x"] * np.finfo(np.float32).eps
    assert lstsq["status"] == "low accuracy"
    assert lstsq["error_vs_reference"] < bound


def test_float32_summary_says_what_to_trust(float32_case):
    text = summarize(float32_case)
    assert "Ill-conditioned for float32" in text
    assert "float64 least squares" in text


def test_underdetermined_inverse_refused_with_reason(underdetermined):
    inverse = underdetermined["results"]["solvers"]["inverse"]
    assert inverse["status"] == "refused"
    assert "more unknowns than samples" in inverse["reason"]


def test_underdetermined_lstsq_fits_exactly(underdetermined):
    results = underdetermined["results"]
    x, y = underdetermined_data()
    expected = np.linalg.lstsq(x, y, rcond=None)[0]
    np.testing.assert_allclose(results["solvers"]["lstsq"]["theta"], expected, atol=1e-12)
    assert results["solvers"]["lstsq"]["mse"] < 1e-25


def test_underdetermined_gd_from_zero_reaches_minimum_norm(underdetermined):
    results = underdetermined["results"]
    difference = np.subtract(results["theta_gd"], results["solvers"]["lstsq"]["theta"])
    assert np.linalg.norm(difference) <= 1e-8


def underdetermined_data():
    from lib.normal_equation.data import draw_problem

    x, y, _, _ = draw_problem(42, 3, 5, None, 0.1)
    return x.astype(float), y.astype(float)


def test_sum_matches_mean_step_for_step():
    summed = run(NormalVsGdConfig(gradient="sum", lr=0.01))
    mean = run(NormalVsGdConfig(gradient="mean", lr=1.0))
    np.testing.assert_array_equal(summed["gd_losses"], mean["gd_losses"])
    np.testing.assert_array_equal(summed["gd"]["trace_distance"], mean["gd"]["trace_distance"])
    np.testing.assert_array_equal(summed["theta_gd"], mean["theta_gd"])


def test_sum_matches_mean_on_x():
    from lib.normal_vs_gd import make_problem

    x, y, theta_0 = (tensor.double().numpy() for tensor in make_problem(42, 100, (1.5, -0.8, 2.0),
                                                                        0.1))
    limit = np.linalg.lstsq(x, y, rcond=None)[0]
    traces = []
    for lr, factor in ((0.01, 2.0), (1.0, 2.0 / 100)):
        traces.append(descend_on_data(x, y, theta_0, factor * lr, 1000, limit, empty=np.empty))
    np.testing.assert_array_equal(traces[0][0], traces[1][0])
    np.testing.assert_array_equal(traces[0][2], traces[1][2])


@pytest.mark.parametrize("case", ["standardized", "rank_two", "float32_case", "underdetermined"])
def test_case_records_are_strict_json(case, request):
    dumps_strict(request.getfixturevalue(case))
