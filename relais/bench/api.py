"""API endpoints of the firm side, for staffing tools: bench periods (list, open, recall),
roster (list, invite), missions (list). Consultants read their own."""

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import ValidationError
from ninja.pagination import PageNumberPagination, paginate

from relais.accounts import services as account_services
from relais.accounts.models import Role, User
from relais.bench import access, services
from relais.bench.models import BenchPeriod, ConsultantProfile, RecallChannel

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
    firm_id: int
    consultant_email: str
    start: dt.date
    expected_end: dt.date | None = None


class RecallIn(Schema):
    effective_date: dt.date | None = None


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
    email: str


class MissionOut(Schema):
    id: int
    consultant_email: str = Field(alias="consultant.email")
    project_id: int
    mode: str
    status: str
    start: dt.date | None
    end: dt.date | None


def _me(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined]


@router.get("/bench-periods", response=list[BenchPeriodOut], summary="Bench periods you may see")
@paginate(PageNumberPagination, page_size=50)
def bench_period_list(request: HttpRequest) -> Any:
    return access.bench_periods_for(_me(request)).select_related("consultant")


@router.post("/bench-periods", response={201: BenchPeriodOut}, summary="Open a bench period")
def bench_period_open(request: HttpRequest, payload: BenchPeriodIn) -> Status:
    user = _me(request)
    firm = access.firm_get_for_admin(user, payload.firm_id)
    consultant = User.objects.filter(email__iexact=payload.consultant_email).first()
    if consultant is None:
        raise ValidationError(
            [{"loc": ["consultant_email"], "msg": _("No account has this email address.")}]
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
    response=RecallOut,
    summary="Recall the consultant (never refused; a second call changes nothing)",
)
def bench_period_recall(
    request: HttpRequest, period_id: int, payload: RecallIn | None = None
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
    "/firms/{firm_id}/roster", response=list[ConsultantOut], summary="The firm's consultants"
)
@paginate(PageNumberPagination, page_size=100)
def roster_list(request: HttpRequest, firm_id: int) -> Any:
    firm = access.firm_get_for_admin(_me(request), firm_id)
    return (
        ConsultantProfile.objects.filter(firm=firm).select_related("user").order_by("user__email")
    )


@router.post(
    "/firms/{firm_id}/roster/invitations", response={201: dict}, summary="Invite a consultant"
)
def roster_invite(request: HttpRequest, firm_id: int, payload: InviteIn) -> Status:
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
@paginate(PageNumberPagination, page_size=50)
def mission_list(request: HttpRequest) -> Any:
    return access.missions_for(_me(request)).select_related("consultant")
