# Nianbao — the two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
ADDR ?= 127.0.0.1:8000

.DEFAULT_GOAL := help
.PHONY: help run serve setup test lint bench clean

help:
	@echo "make run   — 安装依赖、迁移数据库、载入示例数据、创建管理员并启动 http://$(ADDR)/admin/"
	@echo "make serve — 生产方式运行：迁移、收集静态文件、gunicorn（DEBUG 关闭）及后台任务进程，见 README 部署"
	@echo "make test  — 安装测试依赖并运行全部测试（DATABASE_URL 可指定 PostgreSQL）"
	@echo "make lint  — ruff 代码检查与格式检查"

$(PY):
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "需要 Python 3.11（$(PYTHON)）"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Reinstall only when a requirements file changes.
# The OCR model wheel goes in without its dependencies (see requirements-ocr.txt).
$(VENV)/.installed: requirements.txt requirements-ocr.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -r requirements-ocr.txt
	@touch $@

$(VENV)/.installed-dev: requirements.txt requirements-ocr.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements-dev.txt
	$(PY) -m pip install --quiet --no-deps -r requirements-ocr.txt
	@touch $@ $(VENV)/.installed

setup: $(VENV)/.installed
	DEBUG=$${DEBUG:-on} $(PY) manage.py migrate --noinput
	DEBUG=$${DEBUG:-on} $(PY) manage.py setup_demo

run: setup
	DEBUG=$${DEBUG:-on} $(PY) manage.py runserver $(ADDR) --noreload

# Production: DEBUG off, gunicorn + WhiteNoise, and the Celery worker and beat when CELERY_BROKER_URL is set.
serve: $(VENV)/.installed
	VENV=$(VENV) ADDR=$(ADDR) deploy/serve.sh

test: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/pytest -q -n 2 --dist loadfile

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

bench: $(VENV)/.installed-dev
	@for b in benchmarks/*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

# Background jobs with a real broker (CELERY_BROKER_URL=redis://…): a worker, and the one scheduler.
# `make run` needs neither — it runs the jobs on a thread of its own (README "后台任务").
.PHONY: worker beat
worker: $(VENV)/.installed
	$(VENV)/bin/celery -A config worker -l info

beat: $(VENV)/.installed
	$(VENV)/bin/celery -A config beat -l info --schedule $${CELERY_BEAT_SCHEDULE_FILE:-celerybeat-schedule}

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
