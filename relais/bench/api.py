"""API endpoints of the firm side, for staffing tools: bench periods (list, open, recall),
roster (list, invite), missions (list). Consultants read their own."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from relais.accounts import services as account_services
from relais.accounts.access import organisation_get_for_user
from relais.accounts.models import Role, User
from relais.bench import access, documents, services
from relais.bench.models import (
    REFUSAL_REASON_MAX,
    BenchPeriod,
    ConsultantProfile,
    DocumentKind,
    FirmTerms,
    LendingMode,
    RecallChannel,
)
from relais.bench.selectors import terms_at
from relais.core.errors import Conflict
from relais.core.mail import absolute_url
from relais.core.models import Cause
from relais.core.rest import Id, Pagination, errors
from relais.core.validators import ApiDate

router = Router(tags=["bench"])


class BenchPeriodOut(Schema):
    id: int
    firm_id: int
    consultant_email: str = Field(alias="consultant.email")
    start: dt.date
    expected_end: dt.date | None
    end: dt.date | None
    status: str


class BenchPeriodIn(Schema):
    firm_id: Id
    consultant_email: str = Field(max_length=254)
    start: ApiDate
    expected_end: ApiDate | None = None


class RecallIn(Schema):
    effective_date: ApiDate | None = None


class RecallOut(Schema):
    bench_period_id: int
    effective_date: dt.date
    applied: bool
    released_tasks: list[int]
    ended_missions: list[int]


class ConsultantOut(Schema):
    email: str = Field(alias="user.email")
    first_name: str = Field(alias="user.first_name")
    last_name: str = Field(alias="user.last_name")
    job_title: str
    employee_id: str


class InviteIn(Schema):
    email: str = Field(max_length=254)


class MissionOut(Schema):
    id: int
    consultant_email: str = Field(alias="consultant.email")
    project_id: int
    mode: str
    status: str
    start: dt.date | None
    end: dt.date | None
    agreement_number: str
    agreement_generated_at: dt.datetime | None
    beneficiary_accepted_at: dt.datetime | None
    beneficiary_refused_at: dt.datetime | None
    refusal_reason: str
    consultant_agreed_at: dt.datetime | None


class AcceptIn(Schema):
    representative: str = Field(min_length=1, max_length=200)


class RefuseIn(Schema):
    reason: str = Field(min_length=1, max_length=REFUSAL_REASON_MAX)


class FirmVerificationOut(Schema):
    id: int
    name: str
    verified_at: dt.datetime | None


def _me(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined]


@router.get("/bench-periods", response=list[BenchPeriodOut], summary="Bench periods you may see")
@paginate(Pagination, page_size=50)
def bench_period_list(request: HttpRequest) -> Any:
    return access.bench_periods_for(_me(request)).select_related("consultant")


@router.post(
    "/bench-periods",
    response={201: BenchPeriodOut, **errors(403, 404, 409)},
    summary="Open a bench period",
)
def bench_period_open(request: HttpRequest, payload: BenchPeriodIn) -> Status:
    user = _me(request)
    firm = access.firm_get_for_admin(user, payload.firm_id)
    consultant = User.objects.filter(email__iexact=payload.consultant_email).first()
    if consultant is None:
        # The same answer as for an account that is not the firm's consultant: the API does not
        # tell whether an address has an account.
        raise DjangoValidationError(
            {"consultant": _("This person is not a consultant of the firm.")}
        )
    period = services.bench_period_open(
        admin=user,
        firm=firm,
        consultant=consultant,
        start=payload.start,
        expected_end=payload.expected_end,
    )
    return Status(201, period)


@router.post(
    "/bench-periods/{period_id}/recall",
    response={200: RecallOut, **errors(403, 409)},
    summary="Recall the consultant (never refused; a second call changes nothing)",
)
def bench_period_recall(
    request: HttpRequest, period_id: Id, payload: RecallIn | None = None
) -> Any:
    user = _me(request)
    period: BenchPeriod = access.bench_period_get_for_user(user, period_id, admin=True)
    recall = services.bench_period_recall(
        actor=user,
        period=period,
        effective_date=payload.effective_date if payload else None,
        channel=RecallChannel.API,
    )
    recall.refresh_from_db()
    return {
        "bench_period_id": period.pk,
        "effective_date": recall.effective_date,
        "applied": recall.applied_at is not None,
        "released_tasks": recall.released_tasks,
        "ended_missions": recall.ended_missions,
    }


@router.get(
    "/firms/{firm_id}/roster",
    response={200: list[ConsultantOut], **errors(403)},
    summary="The firm's consultants",
)
@paginate(Pagination, page_size=100)
def roster_list(request: HttpRequest, firm_id: Id) -> Any:
    firm = access.firm_get_for_admin(_me(request), firm_id)
    return (
        ConsultantProfile.objects.filter(firm=firm).select_related("user").order_by("user__email")
    )


@router.post(
    "/firms/{firm_id}/roster/invitations",
    response={201: dict, **errors(403, 409)},
    summary="Invite a consultant",
)
def roster_invite(request: HttpRequest, firm_id: Id, payload: InviteIn) -> Status:
    user = _me(request)
    firm = access.firm_get_for_admin(user, firm_id)
    accept_url = absolute_url(reverse("accounts:invitation_accept", kwargs={"token": "__token__"}))
    link = account_services.invitation_create(
        organisation=firm,
        invited_by=user,
        email=payload.email,
        role=Role.CONSULTANT,
        accept_url=accept_url,
    )
    return Status(201, {"id": link.invitation.pk, "email": link.invitation.email})


@router.get("/missions", response=list[MissionOut], summary="Missions you may see")
@paginate(Pagination, page_size=50)
def mission_list(request: HttpRequest) -> Any:
    return access.missions_for(_me(request)).select_related("consultant")


@router.post(
    "/missions/{mission_id}/accept",
    response={200: MissionOut, **errors(403, 409)},
    summary="Accept a mission on your nonprofit's project (its admins only)",
    description=(
        "The beneficiary's acceptance of the loan agreement, after the firm has drawn it up, "
        "naming who represents the nonprofit (`representative`: name and title): the agreement "
        "as accepted is stored unchanged, and the consultant is then asked to accept the "
        "amendment to their employment contract; they join the team once they have. "
        "403: you are not an admin of the nonprofit that owns the project; 404: a mission you "
        "may not see; 409: the mission is not awaiting the nonprofit (already answered, ended); "
        "422: no representative, or one too long."
    ),
)
def mission_accept(request: HttpRequest, mission_id: Id, payload: AcceptIn) -> Any:
    user = _me(request)
    mission = access.mission_get_for_user(user, mission_id)
    return services.mission_beneficiary_accept(
        admin=user, mission=mission, representative=payload.representative
    )


_PDF = {
    "responses": {
        200: {
            "description": "The PDF exactly as accepted (its SHA-256 is on the mission's page).",
            "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


def _stored_pdf(request: HttpRequest, mission_id: int, kind: DocumentKind) -> HttpResponse:
    mission = access.mission_documents_get_for_user(_me(request), mission_id)
    document = documents.latest(mission, kind)
    if document is None:
        raise Conflict(_("Nothing is accepted yet: there is no stored document."))
    response = HttpResponse(documents.stored_bytes(document), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{documents.filename(document)}"'
    return response


@router.get(
    "/missions/{mission_id}/agreement.pdf",
    response={200: None, **errors(409)},
    openapi_extra=_PDF,
    summary="The loan agreement as last accepted (the parties and operator staff only)",
    description=(
        "The stored PDF of the agreement's latest version, byte for byte as its last party "
        "accepted it; never rendered again. 404: a mission you may not see, or you are not one "
        "of its three parties (the firm's admins, the nonprofit's admins, the consultant) nor "
        "operator staff; 409: nothing is accepted yet."
    ),
)
def mission_agreement_pdf(request: HttpRequest, mission_id: Id) -> Any:
    return _stored_pdf(request, mission_id, DocumentKind.AGREEMENT)


@router.get(
    "/missions/{mission_id}/amendment.pdf",
    response={200: None, **errors(409)},
    openapi_extra=_PDF,
    summary="The amendment to the consultant's employment contract as accepted",
    description=(
        "The stored PDF of the amendment the consultant accepted (latest version). 404: a "
        "mission you may not see, or you are not one of its three parties nor operator staff; "
        "409: the consultant has not accepted it yet."
    ),
)
def mission_amendment_pdf(request: HttpRequest, mission_id: Id) -> Any:
    return _stored_pdf(request, mission_id, DocumentKind.AMENDMENT)


@router.post(
    "/missions/{mission_id}/refuse",
    response={200: MissionOut, **errors(403, 409)},
    summary="Refuse a mission on your nonprofit's project, saying why (its admins only)",
    description=(
        "The consultant and their firm are told the reason; the consultant never joins the "
        "team. 403: you are not an admin of the nonprofit that owns the project; 404: a mission "
        "you may not see; 409: the mission is no longer awaiting an answer; 422: no reason, or "
        "one too long."
    ),
)
def mission_refuse(request: HttpRequest, mission_id: Id, payload: RefuseIn) -> Any:
    user = _me(request)
    mission = access.mission_get_for_user(user, mission_id)
    return services.mission_beneficiary_refuse(admin=user, mission=mission, reason=payload.reason)


@router.post(
    "/firms/{firm_id}/verification",
    response={200: FirmVerificationOut, **errors(403)},
    summary="Verify a firm (operator staff only)",
    description=(
        "Until operator staff verify a firm, its consultants cannot ask to join any project. "
        "Verifying a verified firm changes nothing. 403: you are not operator staff; 404: a "
        "firm you may not see; 422: the organisation is not a firm."
    ),
)
def firm_verify(request: HttpRequest, firm_id: Id) -> Any:
    user = _me(request)
    organisation = organisation_get_for_user(user, firm_id)
    return account_services.organisation_verify(staff=user, organisation=organisation)


# --- Terms --------------------------------------------------------------------------------

MAX_CENTS = 10**14  # a trillion euros: anything above is a typing error


class TermsOut(Schema):
    id: int
    valid_from: dt.date
    mode: str
    fee_rate: Decimal
    max_bench_days_per_year: int
    headcount: int
    bench_rate: Decimal
    average_tjm_cents: int
    average_daily_cost_cents: int
    turnover_cents: int
    work_on_rest_days: bool
    preferred_causes: list[str]
    created_at: dt.datetime

    @staticmethod
    def resolve_preferred_causes(terms: FirmTerms) -> list[str]:
        return [cause.slug for cause in terms.preferred_causes.all()]


class TermsHistoryOut(Schema):
    current: TermsOut | None
    versions: list[TermsOut]


class TermsIn(Schema):
    mode: LendingMode
    fee_rate: Decimal = Field(Decimal(1), ge=0, le=100, max_digits=5, decimal_places=2)
    max_bench_days_per_year: int = Field(40, ge=1, le=260)
    headcount: int = Field(ge=1, le=1_000_000)
    bench_rate: Decimal = Field(ge=0, le=100, max_digits=5, decimal_places=2)
    average_tjm_cents: int = Field(ge=0, le=MAX_CENTS)
    average_daily_cost_cents: int = Field(ge=0, le=MAX_CENTS)
    turnover_cents: int = Field(ge=0, le=MAX_CENTS)
    work_on_rest_days: bool = False
    preferred_causes: list[str] = Field(default_factory=list, max_length=50)


@router.get(
    "/firms/{firm_id}/terms",
    response={200: TermsHistoryOut, **errors(403)},
    summary="The firm's lending terms: the current version and the past ones (its admins)",
    description=(
        "The version valid today, then every version, latest first (at most 100). 403: you are "
        "not an admin of the firm; 404: a firm you may not see."
    ),
)
def terms_list(request: HttpRequest, firm_id: Id) -> Any:
    firm = access.firm_get_for_admin(_me(request), firm_id, read=True)
    versions = list(firm.terms.prefetch_related("preferred_causes")[:100])
    return {"current": terms_at(firm, timezone.localdate()), "versions": versions}


@router.post(
    "/firms/{firm_id}/terms",
    response={201: TermsOut, **errors(403)},
    summary="Set new lending terms, valid from today (the firm's admins)",
    description=(
        "A new version of the terms; missions created from today take it, earlier missions keep "
        "theirs. Amounts in euro cents. 403: you are not an admin of the firm; 404: a firm you "
        "may not see; 422: a field is not valid, an unknown cause, or, in fee mode, a fee "
        "(rate × average TJM) above the average daily cost — Code du travail L8241-1: a loan of "
        "staff is lawful only when not for profit."
    ),
)
def terms_set(request: HttpRequest, firm_id: Id, payload: TermsIn) -> Status:
    user = _me(request)
    firm = access.firm_get_for_admin(user, firm_id)
    data = payload.dict()
    slugs = set(data.pop("preferred_causes"))
    causes = list(Cause.objects.filter(slug__in=slugs))
    if len(causes) != len(slugs):
        unknown = sorted(slugs - {cause.slug for cause in causes})
        raise DjangoValidationError(
            {"preferred_causes": _("Unknown causes: %(slugs)s.") % {"slugs": ", ".join(unknown)}}
        )
    terms = services.firm_terms_set(admin=user, firm=firm, preferred_causes=causes, **data)
    return Status(201, terms)
