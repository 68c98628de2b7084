"""Settings for the test suite: the real settings, made fast and isolated."""

from __future__ import annotations

import os

# The real settings refuse to start without a key; the tests sign with a fixed, test-only one.
os.environ.setdefault("RELAIS_SECRET_KEY", "test-only-key-" + "x" * 50)

from relais.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key"}
WHITENOISE_AUTOREFRESH = True
