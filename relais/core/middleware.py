"""Cross-cutting request handling: request ids for the logs, security headers, the language of a
signed-in person, and two-factor authentication required of staff."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar

import sentry_sdk
from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

Handler = Callable[[HttpRequest], HttpResponseBase]

REQUEST_ID_HEADER = "X-Request-ID"
# A proxy's id is kept when it is short and plain (no spaces or control characters to forge
# log lines with); anything else is replaced by a fresh one.
_VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{8,64}")
_request_id: ContextVar[str] = ContextVar("request_id", default="-")

# Browser features Relais never uses, refused to the page and to anything it embeds.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
)


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every log record: the id of the request being served, or "-"."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _request_id.get()
        return True


class RequestIdMiddleware:
    """Gives each request an id (the proxy's `X-Request-ID` when valid), logged and returned."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = incoming if _VALID_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        request.request_id = request_id  # type: ignore[attr-defined]
        token = _request_id.set(request_id)
        sentry_sdk.set_tag("request_id", request_id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response[REQUEST_ID_HEADER] = request_id
        return response


class SecurityHeadersMiddleware:
    """Permissions-Policy on every response; nothing shown to a signed-in user is cached."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            # Replaces any caching a view allowed: a shared computer or proxy keeps nothing.
            if "Cache-Control" in response:
                del response["Cache-Control"]
            add_never_cache_headers(response)  # private, no-cache, no-store, must-revalidate
        return response


class UserLanguageMiddleware:
    """Shows the site to a signed-in person in their own language (the one of their settings,
    which the language switcher also sets), and leaves it in the language cookie so the site
    keeps it after sign-out. The API follows each request's Accept-Language."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.path_info.startswith("/api/"):
            return self.get_response(request)
        language = _language_of(getattr(request, "user", None))
        if language:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        response = self.get_response(request)
        # Read again: the request may have signed the person in (or out).
        language = _language_of(getattr(request, "user", None))
        cookie = settings.LANGUAGE_COOKIE_NAME
        if language and request.COOKIES.get(cookie) != language and cookie not in response.cookies:
            response.set_cookie(
                cookie,
                language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
        return response


def _language_of(user: object) -> str:
    """A signed-in person's language when it is one of the site's, else ""."""
    if not getattr(user, "is_authenticated", False):
        return ""
    language = str(getattr(user, "language", ""))
    return language if language in dict(settings.LANGUAGES) else ""


def _needs_mfa(user: object) -> bool:
    from allauth.mfa.models import Authenticator

    if not getattr(user, "is_authenticated", False):
        return False
    if not (getattr(user, "is_staff", False) or getattr(user, "is_operator_staff", False)):
        return False
    return not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


class StaffMfaMiddleware:
    """Operator staff and admin users set up two-factor authentication before anything else."""

    # What a staff member without two-factor authentication may still reach: setting it up
    # (allauth asks for the password again first), signing out, the language and the assets.
    ALLOWED_PREFIXES = (
        "/accounts/2fa/",
        "/accounts/reauthenticate/",
        "/accounts/logout/",
        "/i18n/",
    )

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        path = request.path_info
        assets = ("/" + settings.STATIC_URL.lstrip("/"), "/" + settings.MEDIA_URL.lstrip("/"))
        allowed = path.startswith((*self.ALLOWED_PREFIXES, *assets))
        if not allowed and _needs_mfa(getattr(request, "user", None)):
            message = _("Staff accounts must set up two-factor authentication first.")
            if path.startswith("/api/"):
                return JsonResponse(
                    {"error": {"code": "mfa_required", "message": message, "fields": {}}},
                    status=403,
                )
            if request.method == "GET" and not getattr(request, "htmx", False):
                from django.contrib import messages

                messages.info(request, message)
            return _to_mfa_setup(request)
        return self.get_response(request)


def _to_mfa_setup(request: HttpRequest) -> HttpResponse:
    response = redirect("mfa_activate_totp")
    if getattr(request, "htmx", False):
        # An htmx request follows redirects inside the page: send the whole page there.
        response["HX-Redirect"] = response["Location"]
    return response


class FrenchElisionMiddleware:
    """On a French HTML page, "de" before a name that starts with a vowel becomes "d’"
    (`relais.core.elision`): the translations say "de %(name)s" before the name is known."""

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if (
            getattr(request, "LANGUAGE_CODE", "") == "fr"
            and not response.streaming
            and response.get("Content-Type", "").startswith("text/html")
        ):
            from relais.core.elision import elide_html

            content = response.content.decode(response.charset)  # type: ignore[attr-defined]
            elided = elide_html(content)
            if elided != content:
                response.content = elided.encode(response.charset)  # type: ignore[attr-defined]
                if response.has_header("Content-Length"):
                    response["Content-Length"] = str(len(response.content))  # type: ignore[attr-defined]
        return response
