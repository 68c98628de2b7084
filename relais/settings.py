"""Relais settings: embedded defaults (SQLite, in-process cache, database task queue, console
email), every one of them changeable from the environment. See the README for the full table."""

from __future__ import annotations

import secrets
from email.utils import parseaddr
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from relais.env import env_bool, env_choice, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent


DEBUG = env_bool("RELAIS_DEBUG", False)


def _secret_key() -> str:
    """The key from the environment; only debug mode may run on a key made up for one process."""
    key = env_str("RELAIS_SECRET_KEY", "")
    if key:
        return key
    if DEBUG:
        # Sessions and signed links die with the process: fine while debugging, never in production.
        return secrets.token_urlsafe(50)
    raise ImproperlyConfigured(
        "RELAIS_SECRET_KEY must be set (a long random string, e.g. from "
        "`python3 -c 'import secrets; print(secrets.token_urlsafe(50))'`) unless RELAIS_DEBUG is "
        "true; `make run` generates one into .secret_key and passes it."
    )


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("RELAIS_ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("RELAIS_CSRF_TRUSTED_ORIGINS", [])
# Reverse proxies in front of Relais that append the client's address to X-Forwarded-For; with 0
# the header is ignored (anyone can send it). Login throttling and the audit log use the address.
TRUSTED_PROXY_COUNT = env_int("RELAIS_TRUSTED_PROXY_COUNT", 0, minimum=0)
# The API throttles apply the same rule (ninja's default trusts any X-Forwarded-For).
NINJA_NUM_PROXIES = TRUSTED_PROXY_COUNT

INSTALLED_APPS = [
    "relais.core",
    "relais.accounts",
    "relais.projects",
    "relais.work",
    "relais.bench",
    "relais.funding",
    "relais.billing",
    "relais.campaigns",
    "relais.matching",
    "relais.impact",
    "relais.site",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "csp",
    # The API docs' Swagger UI served from ninja's own static files, not from a CDN.
    "ninja",
    "django_htmx",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "relais.core.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "relais.core.middleware.SecurityHeadersMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "relais.core.middleware.UserLanguageMiddleware",
    "relais.core.middleware.FrenchElisionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "relais.core.middleware.StaffMfaMiddleware",
]

ROOT_URLCONF = "relais.urls"
# `{{ field.as_field_group }}` renders the project's field template (help and errors linked).
FORM_RENDERER = "relais.core.forms.FormRenderer"
WSGI_APPLICATION = "relais.wsgi.application"
ASGI_APPLICATION = "relais.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "relais.core.context_processors.navigation",
            ],
        },
    },
]

# Database: SQLite file by default, anything dj-database-url understands otherwise.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("RELAIS_DB_CONN_MAX_AGE", 0, minimum=0),
    )
}
# A kept connection is checked before reuse: one the database dropped is reopened, not a 500.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = DATABASES["default"]["CONN_MAX_AGE"] != 0
# PostgreSQL: a pool of connections per process (psycopg's, through Django) instead of one
# connection opened per request; the pool checks a connection before lending it.
DB_POOL_SIZE = env_int("RELAIS_DB_POOL_SIZE", 0, minimum=0)
if DB_POOL_SIZE and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django asks the pool to check each connection before lending it (CONN_HEALTH_CHECKS).
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": DB_POOL_SIZE,
        "timeout": 10,
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes (web server and worker) share the file: wait for locks instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHE_URL = env_str("RELAIS_CACHE_URL", "locmem://")
if CACHE_URL == "locmem://":
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
elif CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    }
    # Sessions are read from the shared cache and written through to the database: a restart of
    # Redis signs nobody out. (An in-process cache is not shared, so it never holds sessions.)
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    raise ImproperlyConfigured("RELAIS_CACHE_URL must be locmem:// or a redis:// URL")

TASKS_BACKEND = env_choice("RELAIS_TASKS_BACKEND", "database", {"database", "immediate", "rq"})
TASKS = {
    "default": {
        "BACKEND": {
            "database": "django_tasks_db.DatabaseBackend",
            "immediate": "django_tasks.backends.immediate.ImmediateBackend",
            # Scale-out: jobs in Redis (RELAIS_RQ_URL), retried with a growing delay on failure.
            "rq": "django_tasks_rq.RQBackend",
        }[TASKS_BACKEND]
    }
}
# The Redis database of the RQ queue (RELAIS_TASKS_BACKEND=rq), shared by every web process and
# worker; read always, so the README check sees it.
RQ_URL = env_str("RELAIS_RQ_URL", "redis://127.0.0.1:6379/1")
# RQ: a failed job (mail server down…) is tried again after this delay, doubled at each retry.
JOB_RETRY_SECONDS = env_int("RELAIS_JOB_RETRY_SECONDS", 60, minimum=1)
if TASKS_BACKEND == "rq":
    INSTALLED_APPS.append("django_rq")
    RQ_QUEUES = {
        "default": {
            "URL": RQ_URL,
            "DEFAULT_TIMEOUT": 3600,
            "QUEUE_CLASS": "relais.site.rq.RetryingQueue",
        }
    }

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "site:dashboard"

# django-allauth: email is the identity, verified before the first sign-in.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
# One address per account, changed by its owner only: the new address replaces the old one once
# confirmed from the new mailbox, and the old address is told (`accounts/settings` links there).
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Relais] "
ACCOUNT_RATE_LIMITS = {
    # Login throttling: per IP and per account, on failed attempts.
    "login_failed": "10/m/ip,5/5m/key",
}
ACCOUNT_ADAPTER = "relais.accounts.adapter.AccountAdapter"
# Operator staff and admin users must have a TOTP authenticator (relais.core.middleware).
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Relais"

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "relais" / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Serve straight from the apps' static folders: no collectstatic step before `make run`.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = Path(env_str("RELAIS_MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "media/"

EMAIL_BACKEND = env_str("RELAIS_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("RELAIS_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("RELAIS_EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("RELAIS_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("RELAIS_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("RELAIS_EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("RELAIS_DEFAULT_FROM_EMAIL", "Relais <noreply@relais.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

SECURE = env_bool("RELAIS_SECURE", False)
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_SSL_REDIRECT = SECURE
SECURE_HSTS_SECONDS = 31_536_000 if SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SECURE else None
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
# Asking browsers to preload HSTS is the domain owner's decision, made at hstspreload.org.
SILENCED_SYSTEM_CHECKS = ["security.W021"]

# Content-Security-Policy: only this site's own files; no inline script or style, no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # data: images: the QR code of the two-factor set-up page (images never run code).
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

INVITATION_MAX_AGE_DAYS = env_int("RELAIS_INVITATION_MAX_AGE_DAYS", 7, minimum=1)
# SEPA direct debit of circle subscriptions (relais.funding): the operator as creditor; the
# defaults are valid demo values (checked with stdnum and schwifty before any file is made).
SEPA_CREDITOR_ID = env_str("RELAIS_SEPA_CREDITOR_ID", "FR72ZZZ123456")
SEPA_CREDITOR_NAME = env_str("RELAIS_SEPA_CREDITOR_NAME", "Relais")
SEPA_CREDITOR_IBAN = env_str("RELAIS_SEPA_CREDITOR_IBAN", "FR7630006000011234567890189")
SEPA_CREDITOR_BIC = env_str("RELAIS_SEPA_CREDITOR_BIC", "AGRIFRPP")
SEPA_PRENOTIFICATION_DAYS = env_int("RELAIS_SEPA_PRENOTIFICATION_DAYS", 14, minimum=1)
# Absolute links in emails (built by relais.core.mail.absolute_url): by default the address
# `make run` serves on (RELAIS_ADDR, "127.0.0.1:8000", "0.0.0.0:9000" or a bare port "9000").
_ADDR = env_str("RELAIS_ADDR", "127.0.0.1:8000").strip() or "127.0.0.1:8000"
if _ADDR.isdigit():
    _ADDR = f"127.0.0.1:{_ADDR}"
elif _ADDR.startswith("0.0.0.0:"):
    _ADDR = "127.0.0.1:" + _ADDR.removeprefix("0.0.0.0:")
SITE_URL = env_str("RELAIS_SITE_URL", f"http://{_ADDR}").rstrip("/")
PROJECT_MAX_IMAGES = env_int("RELAIS_PROJECT_MAX_IMAGES", 6, minimum=1)
# A consultant holds at most this many tasks at once; a claim without activity lapses.
MAX_ACTIVE_CLAIMS = env_int("RELAIS_MAX_ACTIVE_CLAIMS", 2, minimum=1)
CLAIM_LAPSE_DAYS = env_int("RELAIS_CLAIM_LAPSE_DAYS", 3, minimum=1)
# A job RUNNING this long whose worker stopped beating is re-queued (at-least-once delivery).
JOB_TIMEOUT_SECONDS = env_int("RELAIS_JOB_TIMEOUT_SECONDS", 600, minimum=1)


def _api_rate(name: str, default: str) -> str:
    """A rate limit of the API, "<requests>/<s|m|h|d>" (counted in the default cache)."""
    value = env_str(name, default).strip()
    count, _slash, period = value.partition("/")
    if not (count.isdigit() and int(count) > 0 and period in {"s", "m", "h", "d"}):
        raise ImproperlyConfigured(f"{name} must look like 60/m (per s, m, h or d), not {value!r}")
    return value


API_RATE_ANON = _api_rate("RELAIS_API_RATE_ANON", "60/m")
API_RATE_USER = _api_rate("RELAIS_API_RATE_USER", "600/m")
ROSTER_MAX_BYTES = env_int("RELAIS_ROSTER_MAX_MB", 5, minimum=1) * 1024 * 1024
IMAGE_MAX_BYTES = env_int("RELAIS_IMAGE_MAX_MB", 5, minimum=1) * 1024 * 1024
# Uploads above this size are refused before being read whole into memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440


def _admins(name: str) -> list[tuple[str, str]]:
    """`Name <email>` or bare addresses, comma-separated, as Django's ADMINS pairs."""
    admins = []
    for entry in env_list(name, []):
        label, address = parseaddr(entry)
        if "@" not in address or address.strip() != address:
            raise ImproperlyConfigured(
                f"{name} must list email addresses (`Name <email>` or `email`), not {entry!r}"
            )
        admins.append((label or address, address))
    return admins


# Errors (a 500, a failed job) are mailed to these people, and sent to Sentry when a DSN is set.
ADMINS = _admins("RELAIS_ADMINS")
SENTRY_DSN = env_str("RELAIS_SENTRY_DSN", "")
if SENTRY_DSN:
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        integrations=[DjangoIntegration()],
        send_default_pii=False,  # no emails, addresses or cookies of the people using Relais
    )

LOG_LEVEL = env_choice(
    "RELAIS_LOG_LEVEL", "INFO", {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}
)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "relais.core.middleware.RequestIdFilter"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
    },
    "formatters": {
        "line": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "line",
        },
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false"],
        },
    },
    "root": {"handlers": ["console", "mail_admins"], "level": LOG_LEVEL},
    "loggers": {
        # Django's own handlers replaced by the root's: one line format, one email per error.
        "django": {"handlers": [], "level": LOG_LEVEL, "propagate": True},
        # One line per job state change is noise at INFO; failures still show.
        "django_tasks": {"level": "WARNING"},
    },
}
