"""Emails rendered from a subject and a body template in their recipient's language (background
jobs have no request to take it from: they read each recipient's stored language)."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any, Protocol

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

if TYPE_CHECKING:
    from collections.abc import Iterable


class Recipient(Protocol):
    email: str
    language: str


def supported_language(code: str | None) -> str:
    """The site's language closest to `code` ("en-GB" → "en"), or the default one."""
    if code:
        try:
            variant = translation.get_supported_language_variant(code)
        except LookupError:
            variant = ""
        base = variant.split("-")[0]
        if base in dict(settings.LANGUAGES):
            return base
    return settings.LANGUAGE_CODE


def render_email(
    subject_template: str, body_template: str, context: dict[str, Any], *, language: str
) -> tuple[str, str]:
    """Subject and body rendered in `language`: words, dates and numbers."""
    with translation.override(supported_language(language)):
        subject = render_to_string(subject_template, context).strip()
        body = render_to_string(body_template, context)
    return subject, body


def by_language(recipients: Iterable[Recipient]) -> dict[str, list[str]]:
    """The recipients' addresses grouped by their language (one rendering per language), each
    group sorted and without duplicates."""
    groups: defaultdict[str, set[str]] = defaultdict(set)
    for recipient in recipients:
        groups[supported_language(recipient.language)].add(recipient.email)
    return {language: sorted(emails) for language, emails in sorted(groups.items())}
