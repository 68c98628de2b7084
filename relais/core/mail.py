"""Emails rendered from a subject and a body template in their recipient's language (background
jobs have no request to take it from: they read each recipient's stored language)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, Protocol

from django.conf import settings
from django.db import transaction
from django.template import Context
from django.template.loader import get_template
from django.utils import translation

from relais.core.elision import elide

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


_QUIET: ContextVar[bool] = ContextVar("relais_quiet", default=False)


@contextmanager
def quiet() -> Iterator[None]:
    """Within this block nobody is told anything: `notify_on_commit` enqueues no job. The demo data
    is past history, so `manage.py seed_demo` loads it in a quiet block."""
    token = _QUIET.set(True)
    try:
        yield
    finally:
        _QUIET.reset(token)


def is_quiet() -> bool:
    """Whether the code runs inside a `quiet()` block (loading the demo data)."""
    return _QUIET.get()


def notify_on_commit(job: Any, **kwargs: Any) -> None:
    """Enqueues the background job that tells people of a change (an email job taking ids) once the
    transaction commits, so a rolled-back change tells nobody; nothing in a `quiet()` block."""
    if is_quiet():
        return
    transaction.on_commit(lambda: job.enqueue(**kwargs))


def absolute_url(path: str) -> str:
    """The absolute address of a site path (`/projects/1/`), for links sent by email: every such
    link is built here, from `SITE_URL` (`RELAIS_SITE_URL`, by default from `RELAIS_ADDR`)."""
    return settings.SITE_URL + path


def _render_text(template_name: str, context: dict[str, Any]) -> str:
    """A plain-text template rendered without HTML escaping (an apostrophe stays an apostrophe)."""
    template = get_template(template_name).template  # type: ignore[attr-defined]
    return str(template.render(Context(context, autoescape=False)))


def render_email(
    subject_template: str, body_template: str, context: dict[str, Any], *, language: str
) -> tuple[str, str]:
    """Subject and body rendered in `language` (words, dates and numbers) as plain text: never
    HTML-escaped, the subject on one line."""
    language = supported_language(language)
    with translation.override(language):
        subject = " ".join(_render_text(subject_template, context).split())
        body = _render_text(body_template, context)
    if language == "fr":
        subject, body = elide(subject), elide(body)
    return subject, body


def by_language(recipients: Iterable[Recipient]) -> dict[str, list[str]]:
    """The recipients' addresses grouped by their language (one rendering per language), each
    group sorted and without duplicates."""
    groups: defaultdict[str, set[str]] = defaultdict(set)
    for recipient in recipients:
        groups[supported_language(recipient.language)].add(recipient.email)
    return {language: sorted(emails) for language, emails in sorted(groups.items())}
