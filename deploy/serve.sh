#!/usr/bin/env bash
# `make serve`: the production way to run Nianbao on one machine.
#   migrate → collectstatic → check --deploy (warnings printed) → gunicorn (deploy/gunicorn.conf.py), DEBUG off,
#   static files served by WhiteNoise; with CELERY_BROKER_URL set also `celery -A config worker` and
#   `celery -A config beat`, stopped together with the web server.
# Settings come from the environment or .env (deploy/production.env.example lists them). SECRET_KEY is required.
# Set NIANBAO_SERVE_WORKERS=off when the worker and the scheduler run elsewhere (their own systemd units/machines).
set -euo pipefail
cd "$(dirname "$0")/.."

VENV=${VENV:-.venv}
PY="$VENV/bin/python"
export ADDR=${ADDR:-127.0.0.1:8000}

case "${DEBUG:-off}" in
  off | false | False | 0 | no | "") export DEBUG=off ;;
  *) echo "make serve runs with DEBUG off (DEBUG=$DEBUG given); for development use make run." >&2; exit 2 ;;
esac

# Load the settings once (they read .env too): a missing SECRET_KEY or a bad value stops here with its message.
# The broker URL may come from .env, so ask Python, after the settings have read it.
broker=$("$PY" -c '
import os, sys
try:
    import config.settings  # noqa
except Exception as exc:
    sys.exit(f"make serve: the settings cannot be loaded: {exc}")
print(os.environ.get("CELERY_BROKER_URL", ""))')

"$PY" manage.py migrate --noinput
"$PY" manage.py collectstatic --noinput --verbosity 0
"$PY" manage.py check --deploy || true  # prints what a production site must still set; `make serve` on plain http still starts

gunicorn=("$VENV/bin/gunicorn" -c deploy/gunicorn.conf.py config.wsgi:application)

case "$broker" in memory://*) broker="" ;; esac  # the in-process broker of make run: each web process runs its own jobs
if [ -z "$broker" ] || [ "${NIANBAO_SERVE_WORKERS:-on}" = "off" ]; then
  if [ -z "$broker" ]; then
    echo "CELERY_BROKER_URL is not set: no background worker started (jobs run as make run runs them)." >&2
  fi
  exec "${gunicorn[@]}"
fi

if ! "$PY" -c 'import celery, config.celery' 2>/dev/null; then
  echo "CELERY_BROKER_URL is set but the Celery app (config/celery.py, package celery) cannot be loaded." >&2
  exit 1
fi

pids=()
stop() {
  trap - EXIT INT TERM
  kill -TERM "${pids[@]}" 2>/dev/null || true
  wait || true
}
trap stop EXIT INT TERM
"$VENV/bin/celery" -A config worker --loglevel "${CELERY_LOG_LEVEL:-INFO}" &
pids+=($!)
"$VENV/bin/celery" -A config beat --loglevel "${CELERY_LOG_LEVEL:-INFO}" \
  --schedule "${CELERY_BEAT_SCHEDULE_FILE:-$PWD/celerybeat-schedule}" &
pids+=($!)
"${gunicorn[@]}" &
pids+=($!)
echo "make serve: web $ADDR (pid ${pids[2]}), worker (pid ${pids[0]}), scheduler (pid ${pids[1]})" >&2
# The first of the three to end ends them all: a web server without its worker would queue jobs nobody runs.
status=0
wait -n || status=$?
echo "make serve: a process ended (status $status); stopping the others" >&2
exit "$status"
