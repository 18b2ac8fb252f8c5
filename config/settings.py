"""Nianbao settings: one file, read from the environment (see .env.example).

SQLite in the project directory is the default database; set DATABASE_URL for PostgreSQL.
"""

from datetime import timedelta
from email.utils import getaddresses
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env")

# On by default so `manage.py` works out of the box on a developer's machine (as healthchecks does);
# production sets DEBUG=off, and then SECRET_KEY is required.
DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off (see .env.example).")
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# HTTPS behind a reverse proxy (deploy/production.env.example turns all of these on; `check --deploy` names any
# left off). Off by default so `make run` and a first `make serve` work over plain http on 127.0.0.1.
# SECURE_PROXY_SSL_HEADER: the header the proxy sets to say the client used https, e.g. HTTP_X_FORWARDED_PROTO,https
# — only behind a proxy that always sets (overwrites) it, else a client could claim https.
_proxy_ssl_header = env.list("SECURE_PROXY_SSL_HEADER", default=[])
if _proxy_ssl_header and len(_proxy_ssl_header) != 2:
    raise ImproperlyConfigured("SECURE_PROXY_SSL_HEADER must be HEADER,VALUE, e.g. HTTP_X_FORWARDED_PROTO,https")
SECURE_PROXY_SSL_HEADER = tuple(_proxy_ssl_header) if _proxy_ssl_header else None
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=False)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=False)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_filters",
    "import_export",
    "simple_history",
    "axes",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI and Redoc as our own static files (no CDN)
    "agencies",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",  # static files with DEBUG off (make serve), right after security
    "reports.middleware.UploadLimitMiddleware",  # before anything reads the body (CSRF reads request.POST)
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "config.requestlog.RequestContextMiddleware",  # request id and user on every log line
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks
]

ROOT_URLCONF = "config.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "config.wsgi.application"

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for a lock rather than fail at once when the server and a command write together; and take the write
    # lock when a transaction begins (IMMEDIATE): a transaction that read first and then writes cannot wait for
    # the lock at that point and fails with "database is locked" — what `make run`'s worker thread hit beside
    # the web requests under load.
    options = DATABASES["default"].setdefault("OPTIONS", {})
    options.setdefault("timeout", 20)
    options.setdefault("transaction_mode", "IMMEDIATE")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
# With DEBUG off, WhiteNoise serves STATIC_ROOT (filled by `collectstatic`, which `make serve` runs) from the Python
# server: names carry a content hash (cached for a year by browsers, so an upgrade's new report_form.js is never
# shadowed by a stale copy) and gzip copies are made once at collectstatic. Pages need the manifest collectstatic
# writes: without it every page answers 500, so always collectstatic after an upgrade (README 部署 / Deploying).
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_URL = "media/"
# Uploaded source documents live here, under generated names; they are served only through a
# permission-checked view, never straight from this directory.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Nianbao ---------------------------------------------------------------------------------
# Largest accepted upload, in bytes (default 20 MB).
NIANBAO_MAX_UPLOAD_BYTES = env.int("NIANBAO_MAX_UPLOAD_BYTES", default=20 * 1024 * 1024)
# Zip uploads (read by background workers, so a county's whole pile fits in one): at most this many members, expanding to at most this many bytes.
NIANBAO_ZIP_MAX_MEMBERS = env.int("NIANBAO_ZIP_MAX_MEMBERS", default=500)
NIANBAO_ZIP_MAX_BYTES = env.int("NIANBAO_ZIP_MAX_BYTES", default=200 * 1024 * 1024)
# Publication deadline (R18): month and day of the year after the report year.
NIANBAO_DEADLINE_MONTH = env.int("NIANBAO_DEADLINE_MONTH", default=1)
NIANBAO_DEADLINE_DAY = env.int("NIANBAO_DEADLINE_DAY", default=31)

# `make run` keeps the generated admin password here so it can print it again on the next start.
NIANBAO_ADMIN_PASSWORD_FILE = env.path("NIANBAO_ADMIN_PASSWORD_FILE", default=BASE_DIR / ".admin-password")

IMPORT_EXPORT_SKIP_ADMIN_LOG = False
# The flat sheet's confirm step keeps the upload in the project's storage under a server-chosen name, per owner.
IMPORT_EXPORT_TMP_STORAGE_CLASS = "reports.admin.flat_import.OwnedUploadStorage"
# Cells that would start a formula in Excel are neutralised by the project's own formats (reports/resources.py);
# the package's own switch would also turn every number into text, so it stays off.
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = False
IMPORT_EXPORT_ESCAPE_ILLEGAL_CHARS_ON_EXPORT = True

# --- Nianbao: bounded input, logging, login protection (what README "系统的承诺" describes) -----------------------

# Uploads: one request may carry at most this many bytes (refused before the body is read, 413); one user at most
# this many bytes an hour; files above FILE_UPLOAD_MAX_MEMORY_SIZE stream to disk, never into memory.
NIANBAO_UPLOAD_MAX_REQUEST_BYTES = env.int("NIANBAO_UPLOAD_MAX_REQUEST_BYTES", default=100 * 1024 * 1024)
NIANBAO_UPLOAD_MAX_BYTES_PER_HOUR = env.int("NIANBAO_UPLOAD_MAX_BYTES_PER_HOUR", default=500 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FILES = env.int("NIANBAO_UPLOAD_MAX_FILES", default=200)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000  # the import preview posts five fields per file of a 500-member zip
# Flat-sheet imports: at most this many rows (206 columns each).
NIANBAO_FLAT_IMPORT_MAX_ROWS = env.int("NIANBAO_FLAT_IMPORT_MAX_ROWS", default=5000)
# Clean-up (`manage.py cleanup_incoming`, schedule it hourly): unconfirmed upload batches older than this many
# hours, and stored files without a database row (an interrupted import) older than this many minutes.
NIANBAO_INCOMING_TTL_HOURS = env.float("NIANBAO_INCOMING_TTL_HOURS", default=2)
NIANBAO_ORPHAN_GRACE_MINUTES = env.float("NIANBAO_ORPHAN_GRACE_MINUTES", default=15)

# Login protection (django-axes): after NIANBAO_LOGIN_FAILURE_LIMIT wrong passwords for one user name from one
# address, that pair is locked out for NIANBAO_LOGIN_LOCKOUT_MINUTES (a 管理员 can unlock it sooner: 用户 → 解除登录锁定,
# or `manage.py axes_reset_username NAME`). Every failure and lockout is logged.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = env.int("NIANBAO_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("NIANBAO_LOGIN_LOCKOUT_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "axes_lockout.html"
AXES_CLIENT_IP_CALLABLE = "config.requestlog.client_ip"
AXES_ENABLE_ADMIN = False  # shown in Chinese by reports/admin/users.py instead
AXES_SENSITIVE_PARAMETERS = []  # the log names the user name and address of each failure (never the password)
# Behind a reverse proxy, how many proxies in front of Django (their X-Forwarded-For is then trusted that far).
NIANBAO_TRUSTED_PROXY_COUNT = env.int("NIANBAO_TRUSTED_PROXY_COUNT", default=0)

# Sessions end after this many minutes without a request (each request renews the cookie).
SESSION_COOKIE_AGE = env.int("NIANBAO_SESSION_IDLE_MINUTES", default=120) * 60
SESSION_SAVE_EVERY_REQUEST = True

# Errors with tracebacks go to stderr and to a rotating file (LOG_FILE; empty for none), each line with the
# request id (also sent back in the X-Request-ID header) and the user; with ADMINS set, also by mail.
ADMINS = getaddresses([env.str("ADMINS", default="")]) if env.str("ADMINS", default="") else []
ADMINS = [(name or address, address) for name, address in ADMINS if address]
SERVER_EMAIL = env.str("SERVER_EMAIL", default="nianbao@localhost")
vars().update(env.email_url("EMAIL_URL", default="smtp://localhost:25"))  # EMAIL_HOST, EMAIL_PORT, …
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
LOG_FILE = env.str("LOG_FILE", default=str(BASE_DIR / "logs" / "nianbao.log"))
if LOG_FILE:
    LOG_FILE = str(BASE_DIR / LOG_FILE)  # a relative path is taken from the project directory
    try:
        Path(LOG_FILE).parent.mkdir(parents=True, exist_ok=True)
    except OSError:
        LOG_FILE = ""  # an unwritable log directory must not stop the server; stderr still has everything
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_context": {"()": "config.requestlog.RequestContextFilter"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "formatters": {
        "line": {"format": "%(asctime)s %(levelname)s %(name)s [req %(request_id)s user %(user)s] %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "line", "filters": ["request_context"]},
        **(
            {
                "file": {
                    "class": "logging.handlers.RotatingFileHandler",
                    "filename": LOG_FILE,
                    "maxBytes": env.int("LOG_FILE_MAX_BYTES", default=10 * 1024 * 1024),
                    "backupCount": env.int("LOG_FILE_BACKUPS", default=5),
                    "encoding": "utf-8",
                    "formatter": "line",
                    "filters": ["request_context"],
                }
            }
            if LOG_FILE
            else {}
        ),
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false", "request_context"],
        },
    },
    "root": {"handlers": ["console", *(["file"] if LOG_FILE else [])], "level": "WARNING"},
    "loggers": {
        # Django's own defaults are replaced (they would mail and print a second time): everything goes to the root
        "django": {"handlers": [], "level": "INFO"},
        "django.request": {"handlers": ["mail_admins"], "level": "WARNING"},
        "django.security": {"handlers": ["mail_admins"], "level": "WARNING"},
        "django.server": {"level": "INFO"},  # runserver's request lines
        "nianbao": {"level": LOG_LEVEL},
        "reports": {"level": LOG_LEVEL},
        "agencies": {"level": LOG_LEVEL},
        "config": {"level": LOG_LEVEL},
        "axes": {"level": "WARNING"},  # failed logins and lockouts (not every successful login)
    },
}
# The office named at the foot of a Word 退回通知 (审核意见), e.g. 某某县人民政府办公室.
NIANBAO_NOTICE_ISSUER = env.str("NIANBAO_NOTICE_ISSUER", default="")

# --- The REST API (/api/, reports/api/) ------------------------------------------------------------------------
# Tokens (API 令牌, made by a 管理员 in the admin) act as their user: same roles, same agencies (reports/access.py).
# Requests per user and minute (per process: the default cache is in memory), and the largest JSON body accepted.
NIANBAO_API_READ_RATE = env.str("NIANBAO_API_READ_RATE", default="600/min")
NIANBAO_API_WRITE_RATE = env.str("NIANBAO_API_WRITE_RATE", default="60/min")
NIANBAO_API_ANON_RATE = env.str("NIANBAO_API_ANON_RATE", default="30/min")
NIANBAO_API_MAX_BODY_BYTES = env.int("NIANBAO_API_MAX_BODY_BYTES", default=1024 * 1024)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "reports.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",  # the browsable API and docs for a logged-in user
    ],
    "DEFAULT_PERMISSION_CLASSES": ["reports.api.permissions.ApiAccess"],
    "DEFAULT_PARSER_CLASSES": ["reports.api.parsers.LimitedJSONParser"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "reports.api.pagination.Pagination",
    "DEFAULT_THROTTLE_CLASSES": [
        "reports.api.throttling.ReadThrottle",
        "reports.api.throttling.WriteThrottle",
        "reports.api.throttling.AnonThrottle",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "reports.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "年报 Nianbao API",
    "DESCRIPTION": "政府信息公开工作年度报告：机关、年报、200 个单元格、校验问题、修改记录的读取，以及年报数值的报送。",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No badge fetched from the public validator: the docs page talks to this server only.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "COMPONENT_SPLIT_REQUEST": True,
}
# --- Background jobs (Celery; config/celery.py, reports/tasks.py) -------------------------------------------------
# Production: a Redis broker, e.g. redis://127.0.0.1:6379/0, and `celery -A config worker` / `celery -A config beat`.
# The default memory:// needs no broker: the web process runs the jobs on its own worker thread (`make run`).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="memory://")
# Several deployments (or a test run) sharing one Redis keep apart by queue name (workers: `-Q NAME`).
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="nianbao")
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)  # the tests: every task in place
CELERY_TASK_EAGER_PROPAGATES = True
# A message is acknowledged only when its task has finished: a worker killed mid-job leaves it to be delivered
# again (every task is idempotent, and the job's state in the database says what is already done).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True  # progress lives in the database (reports.models.Job), not in a result backend
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Redis hands an unacknowledged message (its worker died) to another worker after this many seconds (more than
# the longest job: an import of 500 files takes minutes); the workers look for such messages every 10 × 10 s.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
    "unacked_restore_interval": env.int("CELERY_UNACKED_RESTORE_INTERVAL", default=10),
    "unacked_restore_throttle": env.int("CELERY_UNACKED_RESTORE_THROTTLE", default=10),
}
CELERY_TIMEZONE = TIME_ZONE
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE = {
    # abandoned upload batches, flat-import files, files of interrupted imports (the cleanup_incoming command)
    "cleanup-incoming": {"task": "reports.tasks.cleanup_incoming", "schedule": 3600.0},
    # jobs whose message was lost (a broker restarted without persistence) are sent again
    "resume-stalled-jobs": {"task": "reports.tasks.resume_stalled", "schedule": 300.0},
}
# Worker threads of the embedded worker (memory:// broker only).
NIANBAO_EMBEDDED_WORKERS = env.int("NIANBAO_EMBEDDED_WORKERS", default=2)
# A job part queued or started this many minutes ago and not finished is sent again (resume_stalled).
NIANBAO_JOB_STALL_MINUTES = env.float("NIANBAO_JOB_STALL_MINUTES", default=10)
# A county workbook of more reports than this is written by a worker (the page waits for it), not in the request.
NIANBAO_EXPORT_IN_REQUEST_MAX = env.int("NIANBAO_EXPORT_IN_REQUEST_MAX", default=3000)
# Reports per chunk of a year's check (check_reports --year … --queue): each chunk is one task, shared by workers.
NIANBAO_CHECK_CHUNK = env.int("NIANBAO_CHECK_CHUNK", default=500)
