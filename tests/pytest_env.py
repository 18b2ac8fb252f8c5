"""A pytest plugin loaded before Django reads its settings (``-p tests.pytest_env`` in pyproject.toml):
tests run with DEBUG off, as in production, and a throwaway key."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-not-a-secret")
os.environ.setdefault("DEBUG", "off")
