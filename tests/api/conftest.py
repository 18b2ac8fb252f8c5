"""API test helpers: a token made the way the admin makes it, and a client that signs its requests with it."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from reports.models import ApiToken


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()  # the request counters of the throttles live in the cache
    yield
    cache.clear()


def make_token(user, name="对接系统", **fields) -> str:
    key = ApiToken.new_key()
    token = ApiToken(user=user, name=name, **fields)
    token.set_key(key)
    token.save()
    return key


def api_client(user=None, key=None) -> APIClient:
    client = APIClient()
    if user is not None or key is not None:
        client.credentials(HTTP_AUTHORIZATION=f"Token {key or make_token(user)}")
    return client
