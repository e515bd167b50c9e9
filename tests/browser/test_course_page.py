"""docs/examples/course-page.html, served from 127.0.0.1, with its embeds pointed at the app."""

import functools
import http.server
import threading
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from lab_page import expect_input, run_and_wait
from playwright.sync_api import expect

from space import deeplink
from space.app import ENDPOINTS

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "course-page.html"
# The app address the example page is written for (`make run`).
EXAMPLE_APP_URL = "http://127.0.0.1:7860/"


@pytest.fixture(scope="module")
def course_page_url(app_url, tmp_path_factory):
    """Serve the example page, pointed at the test's app, from a loopback HTTP server."""
    text = EXAMPLE.read_text(encoding="utf-8")
    assert EXAMPLE_APP_URL in text
    folder = tmp_path_factory.mktemp("course-page")
    (folder / "course-page.html").write_text(text.replace(EXAMPLE_APP_URL, app_url),
                                             encoding="utf-8")

    handler = functools.partial(QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/course-page.html"
    server.shutdown()
    server.server_close()


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


def embeds(page):
    return page.locator("iframe").evaluate_all(
        "frames => frames.map(frame => [frame.id, frame.src])")


def test_course_page_has_two_tabs(page, course_page_url):
    page.goto(course_page_url)
    tabs = [dict(parse_qsl(urlsplit(src).query)).get("tab") for _, src in embeds(page)]
    assert len(tabs) == 2
    assert len(set(tabs)) == 2


def test_course_page_embeds_load_linked_setups(page, course_page_url, app_url, artifacts):
    page.goto(course_page_url)
    inputs = deeplink.collect_inputs(ENDPOINTS)

    for frame_id, src in embeds(page):
        assert src.startswith(app_url)
        link = deeplink.read_query(parse_qsl(urlsplit(src).query), inputs, list(ENDPOINTS))
        assert link.notices == []
        assert link.values

        page.locator(f"#{frame_id}").scroll_into_view_if_needed()
        frame = page.frame_locator(f"#{frame_id}")
        expect(frame.locator(f"#tab-{link.tab_id}-button")).to_have_attribute(
            "aria-selected", "true", timeout=60_000)
        for component, value in link.values.items():
            expect_input(frame, component, value)

        api_name = ENDPOINTS[link.tab_id][0].api_name
        frame.locator(f"#{api_name}-run").scroll_into_view_if_needed()
        run_and_wait(frame, api_name)
        # A full-page capture leaves frames outside the viewport blank, so each frame is
        # captured on its own.
        page.locator(f"#{frame_id}").screenshot(path=artifacts / f"course-page-{frame_id}.png")
