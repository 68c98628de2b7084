"""Settings for the test suite: the real settings, made fast and isolated."""

from __future__ import annotations

from relais.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key"}
WHITENOISE_AUTOREFRESH = True
