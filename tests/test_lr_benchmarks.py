"""The learning-rate benchmarks run and agree with their baselines (no timing is checked)."""

from jobs.benchmarks.learning_rate import benchmarks


def test_quick_benchmarks_run_and_agree():
    results = benchmarks(quick=True)
    assert [result["name"].split(":")[0] for result in results] == ["linear model", "x² descent"]
    linear, quadratic = results
    assert linear["check"]["max_abs_loss_difference"] <= 1e-6
    assert quadratic["check"]["max_abs_difference"] == 0.0
    for result in results:
        assert result["times_s"] and result["baseline_times_s"]
