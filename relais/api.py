"""The versioned REST API (/api/v1/): authentication, one error format, the routers."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from ninja.openapi.schema import OpenAPISchema

from relais.accounts.api import router as accounts_router
from relais.accounts.auth import AUTH
from relais.bench.api import router as bench_router
from relais.billing.api import router as billing_router
from relais.campaigns.api import router as campaigns_router
from relais.core.errors import ServiceError
from relais.core.rest import THROTTLES, ErrorOut, StrictParser
from relais.funding.api import router as funding_router
from relais.impact.api import router as impact_router
from relais.matching.api import router as matching_router
from relais.projects.api import router as projects_router
from relais.site.api import router as site_router
from relais.work.api import router as work_router

_ERROR_REF = {"$ref": "#/components/schemas/ErrorOut"}


def _error_response(description: str, **extra: Any) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": _ERROR_REF}},
        **extra,
    }


class RelaisAPI(NinjaAPI):
    """The API, whose OpenAPI document also lists the errors every operation can answer."""

    def get_openapi_schema(self, **kwargs: Any) -> OpenAPISchema:
        schema = super().get_openapi_schema(**kwargs)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        error_schema = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(error_schema.pop("$defs", {}))
        components["ErrorOut"] = error_schema
        for item in schema["paths"].values():
            for method, operation in item.items():
                _document_common_errors(method, operation)
        return schema


def _document_common_errors(method: str, operation: dict[str, Any]) -> None:
    responses = operation.setdefault("responses", {})
    parameters = operation.get("parameters", [])
    common: dict[int, dict[str, Any]] = {}
    if "requestBody" in operation:
        common[400] = _error_response("The request body is not valid JSON.")
    if operation.get("security"):
        common[401] = _error_response("Authentication required, or the token is not valid.")
        if method in {"post", "put", "patch", "delete"}:
            common[403] = _error_response(
                "Refused: you may not do this, or (session authentication) the CSRF check failed."
            )
    if any(parameter.get("in") == "path" for parameter in parameters):
        common[404] = _error_response("Not found, or not visible to you.")
    if parameters or "requestBody" in operation:
        common[422] = _error_response("Some fields are not valid (the fields are named).")
    common[429] = _error_response(
        "Too many requests: wait the number of seconds in Retry-After.",
        headers={"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait."}},
    )
    for status, response in common.items():
        responses.setdefault(status, response)


api = RelaisAPI(
    title="Relais API",
    version="1",
    description=_("Relais turns the bench time of IT consultants into solidarity missions."),
    auth=AUTH,
    throttle=THROTTLES,
    parser=StrictParser(),
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


_LOCATIONS = {"body", "payload", "query", "path", "header", "cookie", "form"}


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields: dict[str, list[str]] = {}
    for error in exc.errors:
        # A field is named as the client wrote it: "page", "causes.1", not "query.page".
        location = [str(part) for part in error.get("loc", ()) if part not in _LOCATIONS]
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


@api.exception_handler(Throttled)
def _throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
    response = error_response(
        request,
        status=429,
        code="throttled",
        message=_("Too many requests: wait a moment before trying again."),
    )
    response["Retry-After"] = str(max(1, int(exc.wait or 1)))
    return response


@api.exception_handler(ServiceError)
def _refused(request: HttpRequest, exc: ServiceError) -> HttpResponse:
    """A service refused the change: not allowed (403), not in the current state of things (409),
    or not valid (422, the fields named), by the class of its error."""
    return error_response(
        request, status=exc.status, code=exc.code, message=str(exc), fields=exc.fields
    )


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc.__cause__, ValidationError):
        # The parser refused a value inside well-formed JSON (a NUL character).
        return _validation_error(request, exc.__cause__)
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
api.add_router("/", funding_router)
api.add_router("/", billing_router)
api.add_router("/", campaigns_router)
api.add_router("/", matching_router)
api.add_router("/", impact_router)
api.add_router("/", site_router)
