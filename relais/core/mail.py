"""Emails rendered from a subject and a body template, in a given language (background jobs have
no request to take it from)."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import translation


def render_email(
    subject_template: str, body_template: str, context: dict[str, Any], *, language: str
) -> tuple[str, str]:
    with translation.override(language):
        subject = render_to_string(subject_template, context).strip()
        body = render_to_string(body_template, context)
    return subject, body
