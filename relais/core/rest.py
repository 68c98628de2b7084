"""Building blocks every API router shares: the error schema, bounded pagination and identifiers,
a parser that refuses what the database cannot store, and the rate limits."""

from __future__ import annotations

import json
import math
import threading
import time
from typing import Annotated, Any

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.errors import ValidationError
from ninja.pagination import PageNumberPagination
from ninja.parser import Parser
from ninja.throttling import BaseThrottle, SimpleRateThrottle

from relais.core.net import client_ip

# Primary keys are 64-bit: a larger number can name nothing and would overflow the database.
MAX_ID = 2**63 - 1
Id = Annotated[int, Field(ge=1, le=MAX_ID)]

MAX_PAGE = 1_000_000
MAX_PAGE_SIZE = 100


class ErrorDetail(Schema):
    code: str
    message: str
    fields: dict[str, list[str]]


class ErrorOut(Schema):
    """Every API error: {"error": {"code", "message", "fields"}}."""

    error: ErrorDetail


def errors(*codes: int) -> dict[int, type[ErrorOut]]:
    """The error answers an operation can give besides the ones every operation documents."""
    return dict.fromkeys(codes, ErrorOut)


class Pagination(PageNumberPagination):
    """Page numbers from 1 to MAX_PAGE; a page beyond the last one is empty."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int | None = Field(None, ge=1, le=MAX_PAGE_SIZE)

    def __init__(self, page_size: int = 50, **kwargs: Any) -> None:
        super().__init__(page_size=page_size, max_page_size=MAX_PAGE_SIZE, **kwargs)

    def paginate_queryset(
        self,
        queryset: QuerySet[Any],
        pagination: Any,
        request: HttpRequest,
        **params: Any,
    ) -> Any:
        page_size = self._get_page_size(pagination.page_size)
        offset = (pagination.page - 1) * page_size
        return {
            self.items_attribute: queryset[offset : offset + page_size],
            "count": self._items_count(queryset),
        }


def _refuse_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number JSON allows")


def _nul_paths(value: Any, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    if isinstance(value, str):
        return [path] if "\x00" in value else []
    if isinstance(value, dict):
        found = []
        for key, item in value.items():
            if isinstance(key, str) and "\x00" in key:
                found.append((*path, key.replace("\x00", "")))
            found.extend(_nul_paths(item, (*path, str(key))))
        return found
    if isinstance(value, list):
        return [
            p for index, item in enumerate(value) for p in _nul_paths(item, (*path, str(index)))
        ]
    return []


def _refuse_nul(data: Any) -> None:
    paths = _nul_paths(data)
    if paths:
        message = _("This text contains a NUL character (\\u0000), which cannot be stored.")
        raise ValidationError(
            [{"loc": list(path) or ["__all__"], "msg": message} for path in paths]
        )


class StrictParser(Parser):
    """JSON without NaN or Infinity, and no NUL character in any text (the database refuses it)."""

    def parse_body(self, request: HttpRequest) -> Any:
        data = json.loads(request.body, parse_constant=_refuse_constant)
        _refuse_nul(data)
        return data

    def parse_querydict(
        self, data: MultiValueDict[str, Any], list_fields: list[str], request: HttpRequest
    ) -> dict[str, Any]:
        result = super().parse_querydict(data, list_fields, request)
        _refuse_nul({key: value for key, value in result.items() if not hasattr(value, "read")})
        return result


def _is_signed_in(request: HttpRequest) -> bool:
    auth = getattr(request, "auth", None)
    return auth is not None and bool(getattr(auth, "is_authenticated", False))


class _RateFromSettings(SimpleRateThrottle):
    """A sliding window kept in the default cache, its rate read from a setting at each request.

    ninja's throttles keep per-request state on the (shared) instance; this one keeps it per
    thread, so that two threads of one process never mix their answers."""

    setting = ""

    def __init__(self) -> None:
        self.rate = None
        self.num_requests = self.duration = None
        self._state = threading.local()

    def ident(self, request: HttpRequest) -> str | None:
        raise NotImplementedError

    def allow_request(self, request: HttpRequest) -> bool:
        ident = self.ident(request)
        if ident is None:
            return True
        allowed, duration = self.parse_rate(getattr(settings, self.setting))
        if allowed is None or duration is None:
            return True
        key = self.cache_format % {"scope": self.scope, "ident": ident}
        now = time.time()
        history = [at for at in self.cache.get(key, []) if at > now - duration]
        if len(history) >= allowed:
            self._state.wait = max(1, math.ceil(duration - (now - history[-1])))
            return False
        history.insert(0, now)
        self.cache.set(key, history, duration)
        return True

    def wait(self) -> float | None:
        return getattr(self._state, "wait", None)


class AnonymousRateThrottle(_RateFromSettings):
    """Requests without credentials, counted per client address (setting API_RATE_ANON)."""

    scope = "api_anon"
    setting = "API_RATE_ANON"

    def ident(self, request: HttpRequest) -> str | None:
        if _is_signed_in(request):
            return None
        return client_ip(request) or "unknown"


class UserRateThrottle(_RateFromSettings):
    """Requests of a signed-in user, token or session alike (setting API_RATE_USER)."""

    scope = "api_user"
    setting = "API_RATE_USER"

    def ident(self, request: HttpRequest) -> str | None:
        if not _is_signed_in(request):
            return None
        return str(request.auth.pk)  # type: ignore[attr-defined]


THROTTLES: list[BaseThrottle] = [AnonymousRateThrottle(), UserRateThrottle()]
