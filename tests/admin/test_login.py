"""A role member can log in; a user without 工作人员状态 is told so, not "wrong password"."""

import pytest
from django.contrib.auth.models import Group

from reports.roles import FILER
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_user_put_into_a_role_gets_staff_status_and_logs_in(client):
    user = UserFactory(username="clerk", is_staff=False)
    user.groups.add(Group.objects.get(name=FILER))
    user.refresh_from_db()
    assert user.is_staff
    response = client.post("/admin/login/", {"username": "clerk", "password": "pw"})
    assert response.status_code == 302


def test_a_user_without_staff_status_is_told_why(client):
    UserFactory(username="clerk", is_staff=False)
    page = client.post("/admin/login/", {"username": "clerk", "password": "pw"}).content.decode()
    assert "工作人员状态" in page
    wrong = client.post("/admin/login/", {"username": "clerk", "password": "nope"}).content.decode()
    assert "工作人员状态" not in wrong  # a wrong password says nothing about the account
