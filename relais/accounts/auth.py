"""How API requests authenticate: a personal token, the browser session, or (public reads) none."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from ninja.security import APIKeyCookie, HttpBearer

from relais.accounts import services


class TokenAuth(HttpBearer):
    """A personal API token sent as `Authorization: Bearer rls_…`."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = services.api_token_authenticate(raw=token)
        if user is not None:
            request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The browser session, for the interactive docs; unsafe methods need the CSRF token."""

    param_name = "sessionid"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            return user
        return None


def anonymous(request: HttpRequest) -> AnonymousUser:
    """Lets a request through without credentials, for reads that are public anyway."""
    return AnonymousUser()


AUTH = [TokenAuth(), SessionAuth()]
OPTIONAL_AUTH = [TokenAuth(), SessionAuth(), anonymous]
