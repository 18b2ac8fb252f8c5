"""The API's docs in a real browser (Debian's Chromium): Swagger UI and Redoc render the schema for a signed-in
reviewer, and the browser loads nothing but from this server — no CDN, no fonts, no badge, no logo."""

from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import login, needs_chromium

pytestmark = [
    pytest.mark.browser,
    needs_chromium,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_the_api_docs_render_from_this_server_only(live_server, browser_page):
    page = browser_page
    login(page, live_server)
    here = urlsplit(live_server.url).netloc
    fetched = []
    # Redoc's footer still asks for its logo; the page's Content-Security-Policy makes the browser refuse it
    page.on("requestfinished", lambda r: fetched.append(r.url))
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector("text=/api/reports/{id}/cells/")
    page.goto(f"{live_server.url}/api/redoc/")
    page.wait_for_selector("text=/api/reports/{id}/transition/")
    page.wait_for_timeout(500)  # the footer's logo is requested after the page renders
    outside = [u for u in fetched if urlsplit(u).scheme in ("http", "https") and urlsplit(u).netloc != here]
    assert fetched and not outside, outside
