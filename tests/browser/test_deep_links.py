"""Deep links in a real browser: the query sets tab and inputs, bad values raise a notice."""

import html

from lab_page import checkbox, field, open_lab, radio, select_tab
from playwright.sync_api import expect


def test_link_sets_tab_and_inputs(page, app_url):
    open_lab(page, app_url, "tab=learning-rate&lr_quadratic.learning_rates=0.5,%201.5"
                            "&epochs=20&continue_training=true")

    expect(page.locator("#tab-learning-rate-button")).to_have_attribute("aria-selected", "true")
    expect(field(page, "lr_quadratic-learning_rates")).to_have_value("0.5, 1.5")
    expect(field(page, "lr_linear_model-epochs")).to_have_value("20")
    expect(checkbox(page, "lr_linear_model-continue_training")).to_be_checked()
    expect(field(page, "lr_linear_model-learning_rates")).to_have_value("0.01, 0.1, 0.5")
    expect(page.locator("#link-notice")).to_be_hidden()


def test_link_sets_inputs_of_hidden_tab(page, app_url):
    open_lab(page, app_url, "tab=normalization&normal_vs_gd.lr=0.5&normal_vs_gd.gradient=mean")
    expect(page.locator("#tab-normalization-button")).to_have_attribute("aria-selected", "true")

    select_tab(page, "normal-equation")

    expect(field(page, "normal_vs_gd-lr")).to_have_value("0.5")
    expect(radio(page, "normal_vs_gd-gradient", "mean")).to_be_checked()


def test_bad_link_shows_notice(page, app_url):
    open_lab(page, app_url, "tab=normal-equation&lr=fast&iterations=0&bogus=1&noise=0.2")

    notice = page.locator("#link-notice")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("lr=fast")
    expect(notice).to_contain_text("iterations must be >= 1")
    expect(notice).to_contain_text("bogus")
    expect(field(page, "normal_vs_gd-noise")).to_have_value("0.2")
    expect(field(page, "normal_vs_gd-lr")).to_have_value("0.01")
    expect(field(page, "normal_vs_gd-iterations")).to_have_value("10000")


def test_link_control_round_trip(page, app_url, browser):
    open_lab(page, app_url)
    select_tab(page, "normal-equation")
    field(page, "normal_vs_gd-lr").fill("0.5")
    radio(page, "normal_vs_gd-gradient", "mean").check()

    page.locator("#normal-equation-link").get_by_role("button").first.click()
    page.locator("#normal-equation-make-link").click()
    url_field = field(page, "normal-equation-link-url")
    expect(url_field).to_have_value(f"{app_url}?tab=normal-equation&lr=0.5&gradient=mean")
    link = url_field.input_value()
    snippet = field(page, "normal-equation-link-snippet").input_value()
    assert f'src="{html.escape(link)}"' in snippet

    other = page.context.new_page()
    open_lab(other, link, "")
    expect(other.locator("#tab-normal-equation-button")).to_have_attribute("aria-selected",
                                                                          "true")
    expect(field(other, "normal_vs_gd-lr")).to_have_value("0.5")
    expect(radio(other, "normal_vs_gd-gradient", "mean")).to_be_checked()


def test_link_sets_inputs_of_later_sections(page, app_url):
    open_lab(page, app_url, "tab=learning-rate&lr_max=2&lr_range_test.optimizer=adam"
                            "&hidden_units=32&lr_linear_model.batch_size=10")

    expect(field(page, "lr_range_test-lr_max")).to_have_value("2")
    expect(radio(page, "lr_range_test-optimizer", "adam")).to_be_checked()
    expect(field(page, "lr_batchnorm-hidden_units")).to_have_value("32")
    # Part 2's batch size sits in a closed accordion, which renders its inputs when opened.
    page.get_by_role("button", name="Optimizer, batches, data").click()
    expect(field(page, "lr_linear_model-batch_size")).to_have_value("10")
    expect(radio(page, "lr_linear_model-optimizer", "sgd")).to_be_checked()
    expect(page.locator("#link-notice")).to_be_hidden()


def test_link_sets_text_lr_to_auto(page, app_url):
    open_lab(page, app_url, "tab=normal-equation&lr=auto&normal_vs_gd_cost.repeats=3")

    expect(field(page, "normal_vs_gd-lr")).to_have_value("auto")
    expect(field(page, "normal_vs_gd_cost-repeats")).to_have_value("3")
    expect(page.locator("#link-notice")).to_be_hidden()
