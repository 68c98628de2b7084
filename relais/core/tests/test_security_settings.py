"""Every documented value of every setting with alternatives starts Relais, each bad one stops it
with a message naming the setting, and production settings pass `check --deploy`.

Each case loads the real settings (`relais.settings`, not the test settings) in a fresh process,
with only the variables it names in the environment.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
KEY = "a-production-like-key-" + "k7Qz" * 12

PROBE = """
import json, django
django.setup()
from django.conf import settings
import sentry_sdk
client = sentry_sdk.get_client()
print(json.dumps({
    "cache": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1],
    "cache_location": settings.CACHES["default"].get("LOCATION", ""),
    "session_engine": settings.SESSION_ENGINE,
    "tasks": settings.TASKS["default"]["BACKEND"],
    "email_backend": settings.EMAIL_BACKEND,
    "email_use_tls": settings.EMAIL_USE_TLS,
    "database": settings.DATABASES["default"]["ENGINE"],
    "pool": settings.DATABASES["default"].get("OPTIONS", {}).get("pool"),
    "conn_max_age": settings.DATABASES["default"]["CONN_MAX_AGE"],
    "debug": settings.DEBUG,
    "secure_cookies": settings.SESSION_COOKIE_SECURE and settings.CSRF_COOKIE_SECURE,
    "hsts": settings.SECURE_HSTS_SECONDS,
    "ssl_redirect": settings.SECURE_SSL_REDIRECT,
    "trusted_proxies": [settings.TRUSTED_PROXY_COUNT, settings.NINJA_NUM_PROXIES],
    "admins": settings.ADMINS,
    "log_level": settings.LOGGING["root"]["level"],
    "sentry": client.is_active(),
    "sentry_pii": client.options.get("send_default_pii") if client.is_active() else None,
}))
"""


def _environment(variables: dict[str, str]) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "relais.settings",
        "RELAIS_MEDIA_ROOT": "/tmp/relais-settings-probe-media",
        **variables,
    }


def run_with(variables: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """Runs Python in a fresh process with exactly these settings in the environment."""
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=_environment(variables),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def load_settings(**variables: str) -> dict[str, object]:
    """The settings Relais starts with under these variables (a secret key given by default)."""
    result = run_with({"RELAIS_SECRET_KEY": KEY, **variables}, "-c", PROBE)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize(
    ("variables", "expected"),
    [
        ({}, {"cache": "LocMemCache", "session_engine": "django.contrib.sessions.backends.db"}),
        ({"RELAIS_CACHE_URL": "locmem://"}, {"cache": "LocMemCache"}),
        (
            {"RELAIS_CACHE_URL": "redis://127.0.0.1:6379/0"},
            {
                "cache": "RedisCache",
                "cache_location": "redis://127.0.0.1:6379/0",
                "session_engine": "django.contrib.sessions.backends.cached_db",
            },
        ),
        ({"RELAIS_TASKS_BACKEND": "database"}, {"tasks": "django_tasks_db.DatabaseBackend"}),
        (
            {"RELAIS_TASKS_BACKEND": "immediate"},
            {"tasks": "django_tasks.backends.immediate.ImmediateBackend"},
        ),
        ({}, {"email_backend": "django.core.mail.backends.console.EmailBackend"}),
        (
            {
                "RELAIS_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "RELAIS_EMAIL_USE_TLS": "true",
            },
            {"email_backend": "django.core.mail.backends.smtp.EmailBackend", "email_use_tls": True},
        ),
        ({}, {"database": "django.db.backends.sqlite3"}),
        (
            {"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/relais"},
            {"database": "django.db.backends.postgresql"},
        ),
        (
            {
                "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/relais",
                "RELAIS_DB_POOL_SIZE": "4",
                "RELAIS_DB_CONN_MAX_AGE": "60",
            },
            {"pool": {"min_size": 1, "max_size": 4, "timeout": 10}, "conn_max_age": 0},
        ),
        (
            {"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/relais"},
            {"pool": None, "conn_max_age": 0},
        ),
        ({"RELAIS_DB_POOL_SIZE": "4"}, {"database": "django.db.backends.sqlite3", "pool": None}),
        ({"RELAIS_SECURE": "false"}, {"secure_cookies": False, "hsts": 0, "ssl_redirect": False}),
        (
            {"RELAIS_SECURE": "true"},
            {"secure_cookies": True, "hsts": 31_536_000, "ssl_redirect": True},
        ),
        ({"RELAIS_DEBUG": "true"}, {"debug": True}),
        ({"RELAIS_DEBUG": "false"}, {"debug": False}),
        ({}, {"trusted_proxies": [0, 0]}),
        ({"RELAIS_TRUSTED_PROXY_COUNT": "2"}, {"trusted_proxies": [2, 2]}),
        ({}, {"admins": [], "sentry": False}),
        (
            {"RELAIS_ADMINS": "Camille Ops <ops@relais.example>, dev@relais.example"},
            {
                "admins": [
                    ["Camille Ops", "ops@relais.example"],
                    ["dev@relais.example", "dev@relais.example"],
                ]
            },
        ),
        (
            {"RELAIS_SENTRY_DSN": "https://public@127.0.0.1:9/1"},
            {"sentry": True, "sentry_pii": False},
        ),
        ({"RELAIS_LOG_LEVEL": "WARNING"}, {"log_level": "WARNING"}),
    ],
)
def test_each_documented_setting_value_starts_relais(variables, expected):
    loaded = load_settings(**variables)

    assert {name: loaded[name] for name in expected} == expected


@pytest.mark.parametrize(
    ("variables", "named"),
    [
        ({"RELAIS_CACHE_URL": "memcached://127.0.0.1:11211"}, "RELAIS_CACHE_URL"),
        ({"RELAIS_TASKS_BACKEND": "celery"}, "RELAIS_TASKS_BACKEND"),
        ({"RELAIS_SECURE": "maybe"}, "RELAIS_SECURE"),
        ({"RELAIS_TRUSTED_PROXY_COUNT": "-1"}, "RELAIS_TRUSTED_PROXY_COUNT"),
        ({"RELAIS_ADMINS": "not an address"}, "RELAIS_ADMINS"),
        ({"RELAIS_LOG_LEVEL": "LOUD"}, "RELAIS_LOG_LEVEL"),
        ({"RELAIS_DB_POOL_SIZE": "many"}, "RELAIS_DB_POOL_SIZE"),
    ],
)
def test_a_bad_setting_value_stops_the_start_with_a_message_naming_it(variables, named):
    result = run_with({"RELAIS_SECRET_KEY": KEY, **variables}, "-c", PROBE)

    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert named in result.stderr


def test_relais_refuses_to_start_without_a_secret_key_when_debug_is_off():
    result = run_with({}, "-c", PROBE)

    assert result.returncode != 0
    assert "ImproperlyConfigured: RELAIS_SECRET_KEY must be set" in result.stderr


def test_debug_mode_starts_without_a_secret_key():
    result = run_with({"RELAIS_DEBUG": "true"}, "-c", PROBE)

    assert result.returncode == 0, result.stderr


def test_production_settings_pass_the_deployment_checks():
    result = run_with(
        {
            "RELAIS_SECRET_KEY": KEY,
            "RELAIS_SECURE": "true",
            "RELAIS_DEBUG": "false",
            "RELAIS_ALLOWED_HOSTS": "relais.example.org",
            "RELAIS_CSRF_TRUSTED_ORIGINS": "https://relais.example.org",
        },
        "manage.py",
        "check",
        "--deploy",
        "--fail-level",
        "DEBUG",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_make_run_passes_a_secret_key_generated_once(tmp_path):
    makefile = (ROOT / "Makefile").read_text()

    assert "export RELAIS_SECRET_KEY" in makefile
    assert ".secret_key" in makefile
    assert "/.secret_key" in (ROOT / ".gitignore").read_text().splitlines()
