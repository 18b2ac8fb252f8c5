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
    fetched, outside = [], []

    def answer(route):
        # Anything for another host would be answered (as if online) and noted: the test must not depend on this
        # machine having no internet. Redoc's footer asks for its logo; the page's Content-Security-Policy stops it.
        url = route.request.url
        if urlsplit(url).scheme in ("http", "https") and urlsplit(url).netloc != here:
            outside.append(url)
            return route.fulfill(status=200, body="", content_type="image/svg+xml")
        fetched.append(url)
        return route.continue_()

    page.route("**/*", answer)
    page.goto(f"{live_server.url}/api/docs/")
    page.wait_for_selector("text=/api/reports/{id}/cells/")
    page.goto(f"{live_server.url}/api/redoc/")
    page.wait_for_selector("text=/api/reports/{id}/transition/")
    page.wait_for_timeout(500)  # the footer's logo is requested after the page renders
    assert any("/static/drf_spectacular_sidecar/" in u for u in fetched) and not outside, outside
