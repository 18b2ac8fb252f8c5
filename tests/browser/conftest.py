"""Shared pieces of the browser tests: Debian's Chromium driven by Playwright, and a logged-in reviewer."""

from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.db import connections

from tests.factories import UserFactory

CHROMIUM = Path("/usr/bin/chromium")
needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="/usr/bin/chromium is not installed (.ci/run installs it)"
)


@pytest.fixture
def browser_page(monkeypatch):
    sync_api = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API keeps an event loop in this thread; the test still talks to the database directly.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        context = browser.new_context(accept_downloads=True, locale="zh-CN", viewport={"width": 1400, "height": 900})
        page = context.new_page()
        page.set_default_timeout(15_000)
        yield page
        context.close()
        browser.close()
        # Database connections opened while Playwright's loop ran belong to its context: close them here, or the
        # test database cannot be dropped at the end of the session (PostgreSQL).
        connections.close_all()


def login(page, live_server, username="reviewer", group="审核员"):
    user = UserFactory(username=username, is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "pw")
    page.click("input[type=submit]")
    page.wait_for_selector("#content")
    return user
