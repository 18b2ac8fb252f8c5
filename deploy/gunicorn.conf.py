"""Gunicorn settings for Nianbao (`make serve`, deploy/systemd/nianbao-web.service).

Every value can be changed from the environment; gunicorn's own GUNICORN_CMD_ARGS still applies on top.
"""

import multiprocessing
import os

# 127.0.0.1 only: nginx (deploy/nginx/nianbao.conf) is the one door from outside.
bind = os.environ.get("GUNICORN_BIND") or os.environ.get("ADDR") or "127.0.0.1:8000"

# Sync workers: parsing is CPU work, so one request per process. 2 × cores + 1, at most 9 unless WEB_CONCURRENCY says.
workers = int(os.environ.get("WEB_CONCURRENCY") or min(2 * multiprocessing.cpu_count() + 1, 9))

# Without a Celery broker a batch import is parsed inside its request (40 files ≈ 8 s, a 200-file zip longer): give
# it five minutes before the worker is killed. nginx's proxy_read_timeout matches.
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 300)
graceful_timeout = 30

# A worker is replaced after this many requests (with jitter), so memory a big document fragmented is given back.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS") or 500)
max_requests_jitter = 50

# Logs go to stderr (journald under systemd). The access line ends with the request id Django returns in
# X-Request-ID (nginx passes its own $request_id), so an access line finds its application log lines.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s" req=%({x-request-id}o)s'

# X-Forwarded-Proto is believed only from the proxy on this machine (gunicorn's default, FORWARDED_ALLOW_IPS).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# gunicorn's control socket (gunicornc) lives in $HOME by default, one path for every gunicorn of the user: two
# instances would fight over it. Nothing here uses it.
control_socket_disable = True
