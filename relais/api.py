"""The versioned REST API (/api/v1/): authentication, one error format, the routers."""

from __future__ import annotations

import json

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from relais.accounts.api import router as accounts_router
from relais.accounts.auth import AUTH
from relais.bench.api import router as bench_router
from relais.projects.api import router as projects_router
from relais.work.api import router as work_router

api = NinjaAPI(
    title="Relais API",
    version="1",
    description=_("Relais turns the bench time of IT consultants into solidarity missions."),
    auth=AUTH,
    urls_namespace="api-1",
    docs_url="/docs",
    openapi_url="/openapi.json",
)


def error_response(
    request: HttpRequest,
    *,
    status: int,
    code: str,
    message: str,
    fields: dict[str, list[str]] | None = None,
) -> HttpResponse:
    """Every API error has the same shape: {"error": {"code", "message", "fields"}}."""
    return api.create_response(
        request,
        {"error": {"code": code, "message": message, "fields": fields or {}}},
        status=status,
    )


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields: dict[str, list[str]] = {}
    for error in exc.errors:
        location = [str(part) for part in error.get("loc", ()) if part not in ("body", "payload")]
        fields.setdefault(".".join(location) or "__all__", []).append(str(error.get("msg", "")))
    return error_response(
        request, status=422, code="invalid", message=_("Some fields are not valid."), fields=fields
    )


@api.exception_handler(DjangoValidationError)
def _refused_by_a_service(request: HttpRequest, exc: DjangoValidationError) -> HttpResponse:
    """A service's own validation (model rules, business checks), in the same 422 shape."""
    if hasattr(exc, "error_dict"):
        fields = {name: list(messages) for name, messages in exc.message_dict.items()}
    else:
        fields = {"__all__": list(exc.messages)}
    return error_response(
        request, status=422, code="invalid", message=_("Some fields are not valid."), fields=fields
    )


@api.exception_handler(AuthenticationError)
def _authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(
        request,
        status=401,
        code="unauthenticated",
        message=_("Authentication required: send a valid API token as “Authorization: Bearer …”."),
    )


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(request, status=404, code="not_found", message=_("Not found."))


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return error_response(request, status=403, code="forbidden", message=_("You may not do this."))


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400 and isinstance(exc.__cause__, json.JSONDecodeError | ValueError):
        return error_response(
            request,
            status=400,
            code="malformed_body",
            message=_("The request body is not valid JSON."),
        )
    codes = {403: "forbidden", 405: "method_not_allowed", 409: "conflict", 429: "throttled"}
    return error_response(
        request, status=exc.status_code, code=codes.get(exc.status_code, "error"), message=str(exc)
    )


api.add_router("/", accounts_router)
api.add_router("/", projects_router)
api.add_router("/", work_router)
api.add_router("/", bench_router)
