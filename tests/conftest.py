"""Shared pytest fixtures. Test-only settings tweaks live here, not in config/settings.py."""

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    """Production's manifest storage needs `collectstatic` before any page renders; tests render pages without it.
    tests/deploy/ serves the real storage after a real collectstatic."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fresh_content_types():
    """A flush after a transactional test drops the content types; they come back with new ids (the migrations'
    post_migrate, or a serialized rollback), while ContentType's per-process cache keeps the old ones — an admin
    LogEntry written with a stale id then breaks its foreign key at commit. Every test starts with the cache empty."""
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()
    yield
    ContentType.objects.clear_cache()


@pytest.fixture(autouse=True)
def _migrated_data(request):
    """A transactional test (the browser tests' live server) leaves the database flushed — content types,
    permissions and the role groups the migrations made are gone until the next one restores them. With tests
    spread over workers by file, a plain database test may run after one: put that data back when it is missing."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None or marker.kwargs.get("transaction"):
        return
    request.getfixturevalue("db")
    from django.contrib.auth.models import Group, Permission
    from django.core.management.sql import emit_post_migrate_signal

    from reports.roles import ADMIN_EXTRA, ADMINISTRATOR, ROLE_PERMISSIONS

    if Group.objects.filter(name__in=list(ROLE_PERMISSIONS)).count() == len(ROLE_PERMISSIONS):
        return
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")  # content types and permissions
    for role, names in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        if role == ADMINISTRATOR:
            perms = list(Permission.objects.filter(content_type__app_label__in=["agencies", "reports"]))
            names = ADMIN_EXTRA
        else:
            perms = []
        for name in names:
            app_label, codename = name.split(".")
            perms.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
        group.permissions.set(perms)


@pytest.fixture(autouse=True)
def _totals_follow_the_cells(request):
    """After every database test, each report's stored totals (ReportTotals) equal its cells: whatever path the test
    wrote through (page, import, flat sheet, API, package, workflow), the service layer kept them in step."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None or request.node.get_closest_marker("stale_totals"):
        yield
        return
    request.getfixturevalue("transactional_db" if marker.kwargs.get("transaction") else "db")
    yield
    from reports.services.totals import report_totals_stale

    stale, ids = report_totals_stale(limit=10)
    assert not stale, f"{stale} report(s) whose stored totals differ from their cells: {ids}"
