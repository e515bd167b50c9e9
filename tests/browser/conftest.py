"""Browser fixtures: one headless Chromium for the session, a fresh page per test.

The tests skip, saying why, only when Playwright or a Chromium binary is missing; `.ci/run`
installs Debian's chromium when /usr/bin/chromium is absent. CHROMIUM overrides the path.
"""

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
DESKTOP = {"width": 1280, "height": 900}


def _skip_reason():
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "browser tests skipped: the playwright package is not installed"
    if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        return (f"browser tests skipped: no Chromium at {CHROMIUM} "
                "(.ci/run installs Debian's chromium; set CHROMIUM to another binary)")
    return None


SKIP_REASON = _skip_reason()


@pytest.fixture(autouse=True)
def _require_chromium():
    if SKIP_REASON is not None:
        pytest.skip(SKIP_REASON)


def pytest_terminal_summary(terminalreporter):
    """Say at the end of every run when the browser tests were skipped, and why."""
    if SKIP_REASON is not None:
        terminalreporter.write_line(SKIP_REASON, yellow=True)


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for every browser test."""
    # A session fixture is set up before the autouse skip, so it checks for itself.
    if SKIP_REASON is not None:
        pytest.skip(SKIP_REASON)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A page in its own browser context, desktop-sized, closed after the test."""
    context = browser.new_context(viewport=DESKTOP)
    context.set_default_timeout(30_000)
    yield context.new_page()
    context.close()


@pytest.fixture(scope="session")
def artifacts():
    """The git-ignored folder that screenshots are saved in."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
