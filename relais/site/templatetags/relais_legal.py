"""Links to the legal pages from anywhere, emails included (absolute addresses)."""

from __future__ import annotations

from django import template
from django.urls import reverse

from relais.core.mail import absolute_url

register = template.Library()


@register.simple_tag
def privacy_url() -> str:
    """The absolute address of the privacy notice, for emails."""
    return absolute_url(reverse("site:privacy"))
