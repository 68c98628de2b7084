"""Relais's settings with the benchmark's URLconf (bench/web_urls.py): only bench/web.py uses it."""

from relais.settings import *  # noqa: F403

ROOT_URLCONF = "web_urls"
