"""API endpoints of the firm side, for staffing tools: bench periods (list, open, recall),
roster (list, invite), missions (list). Consultants read their own."""

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from relais.accounts import services as account_services
from relais.accounts.access import organisation_get_for_user
from relais.accounts.models import Role, User
from relais.bench import access, services
from relais.bench.models import REFUSAL_REASON_MAX, BenchPeriod, ConsultantProfile, RecallChannel
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
    accept_url = request.build_absolute_uri(
        reverse("accounts:invitation_accept", kwargs={"token": "__token__"})
    )
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
        "The beneficiary's acceptance, after the firm has drawn up the loan agreement: the "
        "consultant is then asked for their written agreement, and joins the team once given. "
        "403: you are not an admin of the nonprofit that owns the project; 404: a mission you "
        "may not see; 409: the mission is not awaiting the nonprofit (already answered, ended)."
    ),
)
def mission_accept(request: HttpRequest, mission_id: Id) -> Any:
    user = _me(request)
    mission = access.mission_get_for_user(user, mission_id)
    return services.mission_beneficiary_accept(admin=user, mission=mission)


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
