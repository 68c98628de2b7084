"""Public pages cached for anonymous visitors: the rendered page is kept in the cache under the
versions of what it shows, so a change (a project edited, a task done) is seen at the next visit;
the cache's lifetime bounds what a version bump cannot reach (a change made by another process
under a per-process cache).

What must differ per visitor is never cached: signed-in people, requests with messages waiting,
and the CSRF token — the page is rendered with a placeholder that each response replaces with
the visitor's own token (the language and sign-out forms of every page carry one).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.contrib import messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import get_language

from relais.core import versions

# Seconds a public page stays cached when no change bumps its versions.
PUBLIC_SECONDS = 60
_TOKEN = "relais-csrf-token-placeholder"


def version(name: str) -> int:
    return versions.version(f"public:version:{name}")


def changed(*names: str) -> None:
    """The public pages showing any of these are stale."""
    for name in names:
        versions.bump(f"public:version:{name}")


def _cacheable(request: HttpRequest) -> bool:
    if request.method != "GET" or request.user.is_authenticated:
        return False
    # Messages waiting (e.g. "you signed out") belong to this visitor: not cached, not consumed.
    return len(messages.get_messages(request)) == 0


def public_page(
    request: HttpRequest,
    template: str,
    context: Callable[[], dict[str, Any]],
    *,
    versions: Iterable[str],
) -> HttpResponse:
    """Renders `template` with `context()`; for an anonymous visitor, from the cache when the
    same page (path and query, language, htmx or not) was rendered since its versions last
    changed."""
    if not _cacheable(request):
        return render(request, template, context())
    key = ":".join(
        [
            "public:page",
            *(f"{name}={version(name)}" for name in versions),
            get_language() or "",
            "htmx" if getattr(request, "htmx", False) else "page",
            request.get_full_path(),
        ]
    )
    body = cache.get(key)
    if not isinstance(body, str):
        body = render_to_string(template, {**context(), "csrf_token": _TOKEN}, request)
        cache.set(key, body, PUBLIC_SECONDS)
    return HttpResponse(body.replace(_TOKEN, get_token(request)))
