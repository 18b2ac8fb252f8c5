"""The Celery application: background jobs (reports/tasks.py) on the broker CELERY_BROKER_URL.

Production: Redis (``redis://127.0.0.1:6379/0``), with ``celery -A config worker`` on one or more machines sharing
PostgreSQL and MEDIA_ROOT, and one ``celery -A config beat`` for the schedule. `make run` needs nothing but Python:
with the default ``memory://`` broker the web process starts its own worker thread (reports/embedded.py).
Tests run every task in place (CELERY_TASK_ALWAYS_EAGER).
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("nianbao")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
