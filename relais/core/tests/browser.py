"""Helpers of the browser tests: they drive Debian's chromium through Playwright (no browser
download). Without chromium they are skipped, unless RELAIS_REQUIRE_BROWSER=1, as in CI, where a
missing browser fails the run."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core import mail

from relais.conftest import CHROMIUM, REQUIRE_BROWSER

# Live-server tests commit for real, and each one flushes the database when it ends, data
# migrations' rows included: the vocabularies fixture writes them back first.
BROWSER_MARKS = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("vocabularies"),
]

if not Path(CHROMIUM).exists():
    if REQUIRE_BROWSER:
        raise RuntimeError(f"RELAIS_REQUIRE_BROWSER is set but there is no chromium at {CHROMIUM}")
    BROWSER_MARKS.append(pytest.mark.skipif(True, reason=f"no chromium at {CHROMIUM}"))

PASSWORD = "Un-mot-de-passe-42"


def assert_accessible(page) -> None:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    serious = [
        (v["id"], v["help"], [n["target"] for n in v["nodes"]][:3])
        for v in results.response["violations"]
        if v["impact"] in {"serious", "critical"}
    ]
    assert serious == [], page.url


def link_in_last_email(pattern: str) -> str:
    match = re.search(pattern, mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return match.group(0)
