"""Keyboard-only use, focus rings, plot alt texts and a 375 px wide (phone) viewport."""

import re

import pytest
from lab_page import field, open_lab, tab_until
from playwright.sync_api import expect

PHONE = {"width": 375, "height": 812}
TABS = [("normalization", "normalization"), ("learning-rate", "lr_quadratic"),
        ("normal-equation", "normal_vs_gd")]


def test_keyboard_runs_a_tab(page, app_url):
    open_lab(page, app_url)

    tab_until(page, "#tab-normal-equation-button")
    page.keyboard.press("Enter")
    expect(page.locator("#tab-normal-equation-button")).to_have_attribute("aria-selected", "true")

    tab_until(page, "#normal_vs_gd-iterations")
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.type("300")
    tab_until(page, "#normal_vs_gd-run")
    page.keyboard.press("Enter")
    expect(page.locator("#normal_vs_gd-plot-1 img").first).to_be_visible(timeout=60_000)
    expect(page.locator("#normal_vs_gd-download-record")).to_be_visible()

    tab_until(page, "#normal_vs_gd-download-record")
    tab_until(page, "#normal-equation-link")
    page.keyboard.press("Enter")
    # The accordion renders its contents after the Enter press, later on a busy machine.
    expect(page.locator("#normal-equation-make-link")).to_be_visible()
    tab_until(page, "#normal-equation-make-link")
    page.keyboard.press("Enter")
    expect(field(page, "normal-equation-link-url")).to_have_value(
        f"{app_url}?tab=normal-equation&iterations=300")


def test_focused_controls_show_a_ring(page, app_url):
    open_lab(page, app_url, "tab=normal-equation")

    for selector in ["#tab-normal-equation-button", "#normal_vs_gd-gradient", "#normal_vs_gd-run"]:
        tab_until(page, selector)
        outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
        assert outline not in ("none", ""), selector


def test_plots_have_alt_text(page, app_url):
    open_lab(page, app_url, "tab=normal-equation&iterations=100")
    expect(field(page, "normal_vs_gd-iterations")).to_have_value("100")

    page.locator("#normal_vs_gd-run").click()

    image = page.locator("#normal_vs_gd-plot-1 img")
    expect(image).to_have_attribute("alt", re.compile(r"^Plot: .+\. The summary"))
    assert "undefined" not in image.get_attribute("alt")


def test_phone_tabs_open_by_keyboard(browser, app_url):
    context = browser.new_context(viewport=PHONE)
    try:
        page = context.new_page()
        open_lab(page, app_url)

        # At 375 px Gradio moves the tabs that do not fit into a "More tabs" menu.
        tab_until(page, "[aria-label='More tabs']")
        page.keyboard.press("Enter")
        page.keyboard.press("Tab")
        focused = page.evaluate("document.activeElement.innerText")
        assert focused == "Learning rate"
        page.keyboard.press("Enter")

        expect(page.locator("#tab-learning-rate-button")).to_have_attribute("aria-selected",
                                                                           "true")
    finally:
        context.close()


@pytest.mark.parametrize(("tab_id", "api_name"), TABS)
def test_phone_width_has_no_sideways_scroll(browser, app_url, artifacts, tab_id, api_name):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        open_lab(page, app_url, f"tab={tab_id}")
        expect(page.locator(f"#tab-{tab_id}-button")).to_have_attribute("aria-selected", "true")

        page.locator(f"#{api_name}-run").tap()
        expect(page.locator(f"#{api_name}-plot-1 img").first).to_be_visible(timeout=60_000)

        widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert widths[0] <= widths[1], f"page is {widths[0]} px wide in a {widths[1]} px window"
        for element_id in [f"{api_name}-run", f"{api_name}-plot-1", f"{api_name}-summary"]:
            box = page.locator(f"#{element_id}").bounding_box()
            assert box["x"] >= 0, element_id
            assert box["x"] + box["width"] <= PHONE["width"] + 1, element_id
        page.screenshot(path=artifacts / f"{tab_id}-375px.png", full_page=True)
    finally:
        context.close()
