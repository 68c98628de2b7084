"""API endpoints of circles and collections: members read their circles (the pool balance
included), consultants create a circle and invite colleagues, an invited person accepts; operator
staff list the collection runs and download their pain.008 files."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from relais.accounts.access import organisation_get_for_user
from relais.accounts.audit import audit
from relais.accounts.models import User
from relais.core.rest import Id, Pagination, errors
from relais.funding import access, selectors, services
from relais.funding.models import CIRCLE_DESCRIPTION_MAX, CircleMembership, MembershipStatus

router = Router(tags=["funding"])


class CircleOut(Schema):
    id: int
    name: str
    description: str
    firm_id: int | None


class CircleDetailOut(CircleOut):
    members: int
    my_status: str | None
    my_role: str | None
    balance_cents: int
    days_fundable: int | None


class CircleIn(Schema):
    name: str = Field(min_length=1, max_length=150)
    description: str = Field("", max_length=CIRCLE_DESCRIPTION_MAX)
    firm_id: Id | None = None


class CircleInviteIn(Schema):
    email: str = Field(min_length=3, max_length=254)


class InvitationOut(Schema):
    id: int
    circle_id: int
    email: str


class CircleMembershipOut(Schema):
    circle_id: int
    status: str
    role: str


class CollectionRunOut(Schema):
    id: int
    period: dt.date
    collection_date: dt.date
    version: str
    status: str
    count: int
    total_cents: int
    message_id: str


def _me(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined]


@router.get("/circles", response=list[CircleOut], summary="Your circles")
@paginate(Pagination, page_size=50)
def circle_list(request: HttpRequest) -> Any:
    return access.circles_for(_me(request)).order_by("name", "pk")


@router.post(
    "/circles",
    response={201: CircleOut, **errors(403, 404)},
    summary="Create a circle (consultants)",
    description=(
        "You become its first admin. 403: you are not a consultant (of the firm named); 404: a "
        "firm you do not belong to; 422: a field is not valid."
    ),
)
def circle_create(request: HttpRequest, payload: CircleIn) -> Status:
    user = _me(request)
    firm = organisation_get_for_user(user, payload.firm_id) if payload.firm_id else None
    circle = services.circle_create(
        creator=user, name=payload.name, description=payload.description, firm=firm
    )
    return Status(201, circle)


@router.get(
    "/circles/{circle_id}",
    response=CircleDetailOut,
    summary="A circle of yours, with its pool balance",
    description="404: not a circle you belong to.",
)
def circle_detail(request: HttpRequest, circle_id: Id) -> Any:
    user = _me(request)
    circle = access.circle_get_for_user(user, circle_id)
    membership = access.membership_of(user, circle)
    balance = selectors.pool_balance_cents(circle)
    return {
        "id": circle.pk,
        "name": circle.name,
        "description": circle.description,
        "firm_id": circle.firm_id,
        "members": CircleMembership.objects.filter(circle=circle)
        .exclude(status=MembershipStatus.LEFT)
        .count(),
        "my_status": membership.status if membership else None,
        "my_role": membership.role if membership else None,
        "balance_cents": balance,
        "days_fundable": selectors.days_fundable(circle, balance),
    }


@router.post(
    "/circles/{circle_id}/invitations",
    response={201: InvitationOut, **errors(403, 409)},
    summary="Invite a colleague by email (members)",
    description=(
        "They join only by accepting it. 404: not a circle you belong to; 409: already a member; "
        "422: not an email address."
    ),
)
def circle_invite(request: HttpRequest, circle_id: Id, payload: CircleInviteIn) -> Status:
    user = _me(request)
    circle = access.circle_get_for_user(user, circle_id)
    invitation = services.circle_invite(inviter=user, circle=circle, email=payload.email)
    return Status(201, {"id": invitation.pk, "circle_id": circle.pk, "email": invitation.email})


@router.post(
    "/circle-invitations/{circle_invitation_id}/accept",
    response={200: CircleMembershipOut, **errors(403, 409)},
    summary="Accept an invitation sent to your address",
    description=(
        "404: no invitation to your address; 403: a firm's circle and you are not its consultant; "
        "409: already answered."
    ),
)
def circle_invitation_accept(request: HttpRequest, circle_invitation_id: Id) -> Any:
    user = _me(request)
    invitation = access.circle_invitation_get_for_user(user, circle_invitation_id)
    membership = services.circle_invitation_accept(user=user, invitation=invitation)
    return {"circle_id": membership.circle_id, "status": membership.status, "role": membership.role}


@router.get(
    "/collections",
    response={200: list[CollectionRunOut], **errors(403)},
    summary="Collection runs (operator staff)",
    description="403: not operator staff.",
)
@paginate(Pagination, page_size=50)
def collection_list(request: HttpRequest) -> Any:
    return access.collection_runs_for(_me(request)).order_by("-period")


_XML = {
    "responses": {
        200: {
            "description": "The pain.008 file as stored (checked against its XSD when made).",
            "content": {"application/xml": {"schema": {"type": "string", "format": "binary"}}},
        }
    }
}


@router.get(
    "/collections/{run_id}/pain008.xml",
    response={200: None, **errors(403)},
    openapi_extra=_XML,
    summary="A run's pain.008 file (operator staff)",
    description="403: not operator staff; 404: no such run.",
)
def collection_file(request: HttpRequest, run_id: Id) -> HttpResponse:
    me = _me(request)
    run = access.collection_run_get_for_user(me, run_id)
    if not run.document:
        raise DjangoValidationError(_("This run has no file."))
    # The file holds every debtor's name and IBAN: who took it is on record.
    audit("funding.collection_exported", actor=me, target=run, request=request, run=run.pk)
    response = HttpResponse(run.document.encode(), content_type="application/xml")
    response["Content-Disposition"] = f'attachment; filename="relais-{run}-{run.version}.xml"'
    return response
