"""API endpoints of the impact app: credentials (list, the compact JWS, issue, revoke), the
impact figures (public, per firm) and the firm's CSR report."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from relais.accounts.models import User
from relais.bench import access as bench_access
from relais.core.rest import Id, Pagination, errors
from relais.impact import access, documents, selectors, services

router = Router(tags=["impact"])

VC_JWT = "application/vc+jwt"


def _me(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined]


class CredentialOut(Schema):
    id: uuid.UUID = Field(alias="public_id")
    mission_id: int
    project_title: str = Field(alias="mission.project.title")
    issued_at: dt.datetime
    mission_ended: bool
    revoked_at: dt.datetime | None


class RevokeIn(Schema):
    reason: str = Field("", max_length=200)


class CauseOut(Schema):
    cause: str
    projects: int


class MonthOut(Schema):
    month: dt.date
    count: int


class FiguresOut(Schema):
    projects: int
    nonprofits: int
    consultants: int
    days_given: int
    tasks_done: int
    hours: Decimal
    causes: list[CauseOut]
    days_by_month: list[MonthOut]
    tasks_by_month: list[MonthOut]


def _figures_out(figures: Any) -> dict[str, Any]:
    """The figures with their pairs named (OpenAPI has no tuples)."""
    return {
        **{name: getattr(figures, name) for name in FiguresOut.model_fields},
        "causes": [{"cause": c, "projects": n} for c, n in figures.causes],
        "days_by_month": [{"month": m, "count": n} for m, n in figures.days_by_month],
        "tasks_by_month": [{"month": m, "count": n} for m, n in figures.tasks_by_month],
    }


@router.get("/credentials", response=list[CredentialOut], summary="Credentials you may see")
@paginate(Pagination, page_size=50)
def credential_list(request: HttpRequest) -> Any:
    """Your own credentials; operator staff see all."""
    return access.credentials_for(_me(request)).select_related("mission__project")


@router.get(
    "/credentials/{credential_id}",
    response={200: None},
    openapi_extra={
        "responses": {
            200: {
                "description": "The credential as issued: a VC-JOSE compact JWS (EdDSA, Ed25519).",
                "content": {VC_JWT: {"schema": {"type": "string"}}},
            }
        }
    },
    summary="One of your credentials, as the compact JWS it was issued as",
    description=(
        "The Open Badges 3.0 credential secured as a VC-JOSE compact JWS: verify it with the "
        "key named by `kid` in /.well-known/jwks.json, and its status in the list its "
        "`credentialStatus` names. 404: not one of yours (operator staff see all)."
    ),
)
def credential_get(request: HttpRequest, credential_id: uuid.UUID) -> Any:
    credential = access.credential_get_for_user(_me(request), credential_id)
    return HttpResponse(credential.jws, content_type=VC_JWT)


@router.post(
    "/credentials/{credential_id}/revoke",
    response={200: CredentialOut, **errors(403, 409)},
    summary="Revoke a credential (its holder or operator staff)",
    description=(
        "Sets the credential's bit in the revocation list: verifiers then see it revoked. "
        "404: not one of yours; 409: already revoked; 422: a reason longer than 200 characters."
    ),
)
def credential_revoke(request: HttpRequest, credential_id: uuid.UUID, payload: RevokeIn) -> Any:
    user = _me(request)
    credential = access.credential_get_for_user(user, credential_id)
    return services.credential_revoke(actor=user, credential=credential, reason=payload.reason)


@router.post(
    "/missions/{mission_id}/credential",
    response={201: CredentialOut, **errors(403, 409)},
    summary="Ask for the credential of your active or ended mission",
    description=(
        "Issues a new credential saying what you did on the mission up to now (the previous one "
        "is revoked as superseded). 403: not your mission; 404: a mission you may not see; "
        "409: the mission has not started."
    ),
)
def credential_issue(request: HttpRequest, mission_id: Id) -> Any:
    user = _me(request)
    mission = bench_access.mission_get_for_user(user, mission_id)
    return 201, services.credential_issue(consultant=user, mission=mission)


@router.get("/impact", response=FiguresOut, summary="The platform's impact figures")
def impact_public(request: HttpRequest) -> Any:
    """Projects served, causes, days given, tasks done, by month over the last twelve."""
    return _figures_out(selectors.public_figures())


@router.get(
    "/firms/{firm_id}/impact",
    response={200: FiguresOut, **errors(403)},
    summary="A firm's impact figures (its admins)",
    description="403: you are a member of the firm but not its admin; 404: not your firm.",
)
def impact_firm(request: HttpRequest, firm_id: Id) -> Any:
    return _figures_out(selectors.firm_figures(access.firm_get_for_reports(_me(request), firm_id)))


@router.get(
    "/firms/{firm_id}/csr-report.pdf",
    response={200: None, **errors(403)},
    openapi_extra={
        "responses": {
            200: {
                "description": "The CSR report as a PDF, in `lang` (fr or en).",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
    summary="A firm's CSR report (its admins)",
    description=(
        "Days lent, their value at cost, projects and causes served, continuity figures, the "
        "field leads' words, with indicators named after ESRS S1/S3. 403: you are a member of "
        "the firm but not its admin; 404: not your firm; 422: `lang` is neither fr nor en."
    ),
)
def csr_report_pdf(request: HttpRequest, firm_id: Id, lang: str = "fr") -> Any:
    from django.core.exceptions import ValidationError

    firm = access.firm_get_for_reports(_me(request), firm_id)
    if lang not in ("fr", "en"):
        raise ValidationError({"lang": ["fr or en"]})
    response = HttpResponse(documents.csr_report_pdf(firm, lang), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="csr-report-{firm.pk}-{lang}.pdf"'
    return response
