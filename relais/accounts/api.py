"""API endpoints of accounts: the current user and their organisations."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from relais.accounts import access, selectors, services
from relais.accounts.models import Organisation, User
from relais.core.rest import Id, Pagination

router = Router(tags=["accounts"])


class MembershipOut(Schema):
    organisation_id: int
    organisation_name: str
    kind: str
    roles: list[str]


class MeOut(Schema):
    id: int
    email: str
    first_name: str
    last_name: str
    memberships: list[MembershipOut]


class MeIn(Schema):
    first_name: str = Field(max_length=150)
    last_name: str = Field(max_length=150)


class OrganisationOut(Schema):
    id: int
    kind: str
    name: str
    siren: str
    rna: str
    city: str


def _me(user: User) -> MeOut:
    return MeOut(
        id=user.pk,
        email=user.email,
        first_name=user.first_name,
        last_name=user.last_name,
        memberships=[
            MembershipOut(
                organisation_id=entry.organisation.pk,
                organisation_name=entry.organisation.name,
                kind=entry.organisation.kind,
                roles=entry.roles,
            )
            for entry in selectors.memberships_by_organisation(user)
        ],
    )


@router.get("/me", response=MeOut, summary="The signed-in user and their roles")
def me(request: HttpRequest) -> MeOut:
    return _me(request.auth)  # type: ignore[attr-defined]


@router.patch("/me", response=MeOut, summary="Change the signed-in user's name")
def me_update(request: HttpRequest, payload: MeIn) -> MeOut:
    user: User = request.auth  # type: ignore[attr-defined]
    services.user_update_profile(
        user=user, first_name=payload.first_name, last_name=payload.last_name
    )
    return _me(user)


@router.get(
    "/organisations", response=list[OrganisationOut], summary="Organisations the user belongs to"
)
@paginate(Pagination, page_size=50)
def organisations(request: HttpRequest) -> list[Organisation]:
    return access.organisations_for_user(request.auth).order_by("name", "id")  # type: ignore[attr-defined,return-value]


@router.get(
    "/organisations/{organisation_id}", response=OrganisationOut, summary="One organisation"
)
def organisation(request: HttpRequest, organisation_id: Id) -> Organisation:
    return access.organisation_get_for_user(request.auth, organisation_id)  # type: ignore[attr-defined]
