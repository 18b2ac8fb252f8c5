"""Three roles stay three: a 管理员 manages users but cannot make anyone (itself included) a superuser nor touch a
superuser. Logins are throttled per user name and address (django-axes), logged, and a 管理员 can unlock them.
Sessions end after the configured idle time."""

import logging
from datetime import datetime

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from reports.models import LoginAttempt
from reports.roles import ADMINISTRATOR, FILER
from tests.factories import make_user

pytestmark = pytest.mark.django_db
User = get_user_model()
LOGIN = "/admin/login/"


@pytest.fixture
def manager(client):
    user = make_user("manager", role=ADMINISTRATOR)
    client.force_login(user)
    return user


def change_data(client, user) -> dict:
    form = client.get(reverse("admin:auth_user_change", args=[user.pk])).context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if value is None:
            continue
        if isinstance(value, datetime):  # a split date and time input
            local = timezone.localtime(value)
            data[f"{name}_0"], data[f"{name}_1"] = local.strftime("%Y-%m-%d"), local.strftime("%H:%M:%S")
            continue
        if isinstance(value, list | tuple):
            data[name] = [str(v) for v in value]
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = value
        if field.show_hidden_initial:
            data[form.add_initial_prefix(name)] = value
    return data


def test_a_manager_cannot_make_itself_superuser(client, manager):
    page = client.get(reverse("admin:auth_user_change", args=[manager.pk])).content.decode()
    assert 'name="is_superuser"' not in page and 'name="user_permissions"' not in page
    data = change_data(client, manager)
    data["is_superuser"] = "on"
    data["first_name"] = "管"
    response = client.post(reverse("admin:auth_user_change", args=[manager.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    manager.refresh_from_db()
    assert manager.first_name == "管" and not manager.is_superuser


def test_a_manager_cannot_change_delete_or_reset_a_superuser(client, manager):
    root = User.objects.create_superuser("root", "root@example.com", "pw-root-1")
    before = User.objects.get(pk=root.pk).password
    page = client.get(reverse("admin:auth_user_change", args=[root.pk]))
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()  # view only
    assert client.post(reverse("admin:auth_user_change", args=[root.pk]), {"username": "pwned"}).status_code == 403
    url = reverse("admin:auth_user_password_change", args=[root.pk])
    assert client.post(url, {"password1": "Nianbao-pw-9x", "password2": "Nianbao-pw-9x"}).status_code == 403
    assert client.post(reverse("admin:auth_user_delete", args=[root.pk]), {"post": "yes"}).status_code == 403
    bulk = client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "delete_selected", "_selected_action": [root.pk], "post": "yes"},
    )
    assert bulk.status_code in (200, 302)
    root.refresh_from_db()
    assert root.username == "root" and root.password == before and root.is_superuser


def test_a_manager_still_manages_users(client, manager):
    clerk = make_user("clerk", role=FILER)
    data = change_data(client, clerk)
    data["email"] = "clerk@example.com"
    assert client.post(reverse("admin:auth_user_change", args=[clerk.pk]), data).status_code == 302
    clerk.refresh_from_db()
    assert clerk.email == "clerk@example.com"


def login(client, username, password, ip="10.1.1.1"):
    return client.post(LOGIN, {"username": username, "password": password, "next": "/admin/"}, REMOTE_ADDR=ip)


def test_repeated_failures_lock_that_user_from_that_address_and_are_logged(settings, caplog):
    clerk = make_user("clerk", role=FILER)
    clerk.set_password("Right-pw-2024")
    clerk.save()
    client = Client()
    with caplog.at_level(logging.WARNING, logger="axes"):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            assert login(client, "clerk", "wrong").status_code in (200, 429)
        locked = login(client, "clerk", "Right-pw-2024")
    assert locked.status_code == 429 and "暂时锁定" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    logged = " ".join(r.getMessage() for r in caplog.records)
    assert "clerk" in logged and "10.1.1.1" in logged
    # the same user from another address is not locked out (per user and address)
    elsewhere = Client()
    assert login(elsewhere, "clerk", "Right-pw-2024", ip="10.2.2.2").status_code == 302
    assert LoginAttempt.objects.filter(username="clerk", ip_address="10.1.1.1").exists()


def test_a_manager_unlocks_a_locked_user(settings, client, manager):
    clerk = make_user("clerk", role=FILER)
    clerk.set_password("Right-pw-2024")
    clerk.save()
    other = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(other, "clerk", "wrong")
    assert login(other, "clerk", "Right-pw-2024").status_code == 429
    listing = client.get(reverse("admin:reports_loginattempt_changelist")).content.decode()
    assert "clerk" in listing and "登录失败记录" in listing
    response = client.post(
        reverse("admin:auth_user_changelist"), {"action": "unlock_logins", "_selected_action": [clerk.pk]}, follow=True
    )
    assert any("已解除" in str(m) for m in response.context["messages"])
    assert login(other, "clerk", "Right-pw-2024").status_code == 302


def test_sessions_end_after_the_idle_time(settings, client, manager):
    settings.SESSION_COOKIE_AGE = 15 * 60
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == 15 * 60  # renewed on every request
    assert settings.SESSION_SAVE_EVERY_REQUEST


def test_a_locked_out_guesser_learns_nothing_about_a_password(settings):
    """The not-staff hint comes only after authenticate() accepted the password, i.e. behind the lockout."""
    from tests.factories import UserFactory

    UserFactory(username="nostaff", is_staff=False)  # password "pw"
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        login(client, "nostaff", "wrong")
    right = login(client, "nostaff", "pw")
    assert right.status_code == 429 and "工作人员状态" not in right.content.decode()
