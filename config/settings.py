"""Nianbao settings: one file, read from the environment (see .env.example).

SQLite in the project directory is the default database; set DATABASE_URL for PostgreSQL.
"""

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
    "agencies",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
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
    # Wait for a lock rather than fail at once when the server and a command write together.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("timeout", 20)

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
MEDIA_URL = "media/"
# Uploaded source documents live here, under generated names; they are served only through a
# permission-checked view, never straight from this directory.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Nianbao ---------------------------------------------------------------------------------
# Largest accepted upload, in bytes (default 20 MB).
NIANBAO_MAX_UPLOAD_BYTES = env.int("NIANBAO_MAX_UPLOAD_BYTES", default=20 * 1024 * 1024)
# Zip uploads: at most this many members, expanding to at most this many bytes.
NIANBAO_ZIP_MAX_MEMBERS = env.int("NIANBAO_ZIP_MAX_MEMBERS", default=200)
NIANBAO_ZIP_MAX_BYTES = env.int("NIANBAO_ZIP_MAX_BYTES", default=200 * 1024 * 1024)
# Publication deadline (R18): month and day of the year after the report year.
NIANBAO_DEADLINE_MONTH = env.int("NIANBAO_DEADLINE_MONTH", default=1)
NIANBAO_DEADLINE_DAY = env.int("NIANBAO_DEADLINE_DAY", default=31)

# `make run` keeps the generated admin password here so it can print it again on the next start.
NIANBAO_ADMIN_PASSWORD_FILE = env.path("NIANBAO_ADMIN_PASSWORD_FILE", default=BASE_DIR / ".admin-password")

IMPORT_EXPORT_SKIP_ADMIN_LOG = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"nianbao": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")}},
}
# The office named at the foot of a Word 退回通知 (审核意见), e.g. 某某县人民政府办公室.
NIANBAO_NOTICE_ISSUER = env.str("NIANBAO_NOTICE_ISSUER", default="")
