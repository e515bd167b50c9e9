"""Each tab in a real browser: set inputs, run, wait for the plot, read the summary's numbers."""

import json
from pathlib import Path

import pytest
from lab_page import field, open_lab, radio, run_and_wait, select_tab, shows_number
from playwright.sync_api import expect

from lib.experiments import run_experiment

# The course notebook's printed results for its own setup.
NOTEBOOK_FINAL_X_AT_LR_0_1 = 0.0188895
NOTEBOOK_NORMAL_EQUATION_MSE = 0.008850559
NOTEBOOK_NORMALIZATION_MAX_DIFF = 0.000123


def test_normalization_tab(page, app_url, artifacts):
    open_lab(page, app_url)
    select_tab(page, "normalization")
    field(page, "normalization-seed").fill("42")
    field(page, "normalization-batch_size").fill("4")
    field(page, "normalization-num_features").fill("3")
    field(page, "normalization-eps").fill("1e-5")
    radio(page, "normalization-ddof", 0).check()

    run_and_wait(page, "normalization")

    summary = page.locator("#normalization-summary").inner_text()
    assert shows_number(summary, NOTEBOOK_NORMALIZATION_MAX_DIFF, min_digits=3), summary
    page.screenshot(path=artifacts / "normalization.png", full_page=True)


def test_lr_quadratic_part(page, app_url, artifacts):
    open_lab(page, app_url)
    select_tab(page, "learning-rate")
    field(page, "lr_quadratic-start").fill("5")
    field(page, "lr_quadratic-learning_rates").fill("0.1, 1.5")
    field(page, "lr_quadratic-iterations").fill("25")

    run_and_wait(page, "lr_quadratic")

    summary = page.locator("#lr_quadratic-summary").inner_text()
    assert shows_number(summary, NOTEBOOK_FINAL_X_AT_LR_0_1), summary
    assert "diverge" in summary.lower()


def test_lr_linear_model_part(page, app_url, artifacts):
    open_lab(page, app_url)
    select_tab(page, "learning-rate")
    field(page, "lr_linear_model-learning_rates").fill("0.01, 0.05")
    field(page, "lr_linear_model-epochs").fill("50")

    run_and_wait(page, "lr_linear_model")

    expected = run_experiment("lr_linear_model", {"learning_rates": [0.01, 0.05], "epochs": 50})
    summary = page.locator("#lr_linear_model-summary").inner_text()
    assert shows_number(summary, expected["results"]["critical_lr"]), summary
    assert shows_number(summary, expected["results"]["runs"][0]["losses"][-1]), summary
    page.screenshot(path=artifacts / "learning-rate.png", full_page=True)


def test_normal_equation_tab(page, app_url, artifacts):
    open_lab(page, app_url)
    select_tab(page, "normal-equation")
    field(page, "normal_vs_gd-lr").fill("1")
    radio(page, "normal_vs_gd-gradient", "mean").check()

    run_and_wait(page, "normal_vs_gd")

    summary = page.locator("#normal_vs_gd-summary").inner_text()
    assert shows_number(summary, NOTEBOOK_NORMAL_EQUATION_MSE, min_digits=4), summary
    page.screenshot(path=artifacts / "normal-equation.png", full_page=True)


@pytest.mark.parametrize(("tab_id", "api_name", "key", "text", "message"), [
    ("normal-equation", "normal_vs_gd", "lr", "-1", "lr must be > 0"),
    ("learning-rate", "lr_quadratic", "learning_rates", "0.1, fast",
     "learning_rates must contain numbers only"),
])
def test_bad_input_shows_error(page, app_url, tab_id, api_name, key, text, message):
    open_lab(page, app_url)
    select_tab(page, tab_id)
    field(page, f"{api_name}-{key}").fill(text)

    page.locator(f"#{api_name}-run").click()

    toast = page.locator("[data-testid=toast-body]")
    expect(toast.first).to_contain_text(message)


def test_downloads_hold_the_run(page, app_url):
    open_lab(page, app_url, "tab=normal-equation&iterations=500")
    expect(field(page, "normal_vs_gd-iterations")).to_have_value("500")

    run_and_wait(page, "normal_vs_gd")

    record_button = page.locator("#normal_vs_gd-download-record")
    expect(record_button).to_be_visible()
    with page.expect_download() as download:
        record_button.click()
    record = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert download.value.suggested_filename == "normal_vs_gd-record.json"
    assert record["experiment"] == "normal_vs_gd"
    assert record["config"]["iterations"] == 500

    figure_buttons = page.locator("[id^=normal_vs_gd-download-figure-]")
    assert figure_buttons.count() == page.locator("[id^=normal_vs_gd-plot-]").count()
    for number in range(figure_buttons.count()):
        with page.expect_download() as download:
            figure_buttons.nth(number).click()
        assert download.value.suggested_filename.endswith(".png")
        assert Path(download.value.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
