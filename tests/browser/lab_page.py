"""Helpers that drive the lab's page in Playwright by the element ids the app assigns.

Inputs are `#<api_name>-<key>`, Run buttons `#<api_name>-run`, plots `#<api_name>-plot-<i>`,
summaries `#<api_name>-summary`, downloads `#<api_name>-downloads`, tab buttons
`#tab-<tab id>-button`.
"""

import math
import re
from urllib.parse import parse_qsl

import gradio as gr
from playwright.sync_api import expect

from space.deeplink import format_value

NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def open_lab(page, app_url, query=""):
    """Open the app (with `query`, without "?") and wait until its tabs are shown.

    When the query names a tab, this also waits until that tab is selected, so the test does
    not click while the page is still applying its link.
    """
    page.goto(f"{app_url}?{query}" if query else app_url)
    expect(page.locator("[role=tab]").first).to_be_visible()
    tab_id = dict(parse_qsl(query)).get("tab")
    if tab_id:
        expect(page.locator(f"#tab-{tab_id}-button")).to_have_attribute("aria-selected", "true")


def field(page, elem_id):
    """Return the text field (input or textarea) inside component `elem_id`."""
    fields = "input[type=number], input[type=text], textarea"
    return page.locator(f"#{elem_id}").locator(fields).first


def radio(page, elem_id, value):
    return page.locator(f"#{elem_id} input[type=radio][value='{value}']")


def checkbox(page, elem_id):
    return page.locator(f"#{elem_id} input[type=checkbox]")


def select_tab(page, tab_id):
    page.locator(f"#tab-{tab_id}-button").click()
    expect(page.locator(f"#tab-{tab_id}-button")).to_have_attribute("aria-selected", "true")


def run_and_wait(page, api_name):
    """Click the endpoint's Run button; wait for its first plot and for its summary's text.

    The outputs render one after another, so a plot can be visible while the summary is still
    empty.
    """
    page.locator(f"#{api_name}-run").click()
    expect(page.locator(f"#{api_name}-plot-1 img").first).to_be_visible(timeout=60_000)
    expect(page.locator(f"#{api_name}-summary")).to_contain_text(re.compile(r"\d"),
                                                                 timeout=60_000)


def shows_number(text, expected, min_digits=3):
    """Tell whether `text` shows `expected` to the precision it is printed with.

    A number printed with its last digit at 10^p matches when it is within half of 10^p of
    `expected`. Numbers with fewer than `min_digits` significant digits are not counted, so a
    stray "0" or "1" cannot match.
    """
    text = text.replace("\u2212", "-")
    for token in NUMBER.findall(text):
        mantissa, _, exponent = token.lower().partition("e")
        digits = mantissa.lstrip("+-").replace(".", "").lstrip("0")
        if len(digits) < min_digits:
            continue
        decimals = len(mantissa.partition(".")[2])
        half_step = 0.5 * 10.0 ** (int(exponent or 0) - decimals)
        if math.isclose(float(token), expected, rel_tol=0, abs_tol=half_step * (1 + 1e-9)):
            return True
    return False


def tab_until(page, selector, max_presses=80):
    """Press Tab until the focused element is inside `selector`; fail after `max_presses`."""
    for _ in range(max_presses):
        page.keyboard.press("Tab")
        if page.evaluate("s => !!document.activeElement.closest(s)", selector):
            return
    raise AssertionError(f"{selector} is not reachable with Tab in {max_presses} presses")


def expect_input(page, component, value):
    """Expect the input `component` (found by its element id) to show `value`."""
    elem_id = component.elem_id
    if isinstance(component, gr.Checkbox):
        box = checkbox(page, elem_id)
        expect(box).to_be_checked() if value else expect(box).not_to_be_checked()
    elif isinstance(component, gr.Radio):
        expect(radio(page, elem_id, format_value(component, value))).to_be_checked()
    else:
        expect(field(page, elem_id)).to_have_value(format_value(component, value))
