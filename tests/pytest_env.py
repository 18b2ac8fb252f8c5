"""A pytest plugin loaded before Django reads its settings (``-p tests.pytest_env`` in pyproject.toml):
tests run with DEBUG off, as in production, and a throwaway key."""

import os
import tempfile

os.environ.setdefault("SECRET_KEY", "tests-only-not-a-secret")
os.environ.setdefault("DEBUG", "off")
# each test process logs to its own file (the handler is real: tests read it)
os.environ.setdefault("LOG_FILE", os.path.join(tempfile.gettempdir(), f"nianbao-tests-{os.getpid()}", "nianbao.log"))
# background jobs run in place, inside the test (the integration test starts a real worker itself)
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "on")
