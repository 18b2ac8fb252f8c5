"""Request rates per user (settings NIANBAO_API_*_RATE, read on each request so they can be changed in tests)."""

from __future__ import annotations

from django.conf import settings
from rest_framework.permissions import SAFE_METHODS
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle


class ReadThrottle(UserRateThrottle):
    scope = "api_read"

    def get_rate(self):
        return settings.NIANBAO_API_READ_RATE

    def allow_request(self, request, view):
        if request.method not in SAFE_METHODS:
            return True
        return super().allow_request(request, view)


class WriteThrottle(UserRateThrottle):
    scope = "api_write"

    def get_rate(self):
        return settings.NIANBAO_API_WRITE_RATE

    def allow_request(self, request, view):
        if request.method in SAFE_METHODS:
            return True
        return super().allow_request(request, view)


class AnonThrottle(AnonRateThrottle):
    def get_rate(self):
        return settings.NIANBAO_API_ANON_RATE
