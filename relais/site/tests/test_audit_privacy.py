"""Audit of issue 10, point 10: the privacy notice and the legal notice are linked in the footer of
every page, for visitors and signed-in people alike, and the links lead to the notices."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _footer(html: str) -> str:
    found = re.search(r'<footer class="site-footer">(.*?)</footer>', html, re.S)
    assert found is not None
    return found.group(1)


@pytest.mark.parametrize("signed_in", [False, True])
def test_every_page_footer_links_the_privacy_and_legal_notices(client, bob, signed_in):
    if signed_in:
        client.force_login(bob)
    # Home and sign-in for a visitor; the dashboard and the settings for a signed-in person (the
    # home page sends them to their dashboard).
    if signed_in:
        pages = [reverse("site:dashboard"), reverse("accounts:settings")]
    else:
        pages = [reverse("site:home"), reverse("account_login")]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        footer = _footer(response.content.decode())
        for name in ("site:privacy", "site:legal"):
            assert f'href="{reverse(name)}"' in footer, (url, name)
    for name in ("site:privacy", "site:legal"):
        assert client.get(reverse(name)).status_code == 200
