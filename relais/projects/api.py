"""API endpoints of projects: the public catalogue, and proposals for their nonprofit."""

from datetime import datetime
from typing import Annotated, Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, FilterSchema, Query, Router, Schema, Status
from ninja.errors import ValidationError
from ninja.pagination import paginate
from pydantic import AnyHttpUrl, UrlConstraints

from relais.accounts.access import organisation_get_for_user
from relais.accounts.auth import OPTIONAL_AUTH
from relais.accounts.models import User
from relais.core.models import Cause, Language, Skill
from relais.core.rest import Id, Pagination, errors
from relais.core.validators import PROSE_MAX
from relais.projects import access, selectors, services
from relais.projects.models import Licence, Project, ProjectStatus

router = Router(tags=["projects"])

# URLField's length: a longer address would not fit in the column.
URL_MAX = 200
Url = Annotated[AnyHttpUrl, UrlConstraints(max_length=URL_MAX)]
Slug = Annotated[str, Field(max_length=100)]


class ProjectOut(Schema):
    id: int
    title: str
    summary: str
    status: str
    nonprofit: str = Field(alias="nonprofit.name")
    causes: list[str]
    skills: list[str]
    languages: list[str]
    effort_days: int
    licence: str
    repository_url: str
    field_lead: str | None
    created_at: datetime

    @staticmethod
    def resolve_causes(obj: Project) -> list[str]:
        return [c.slug for c in obj.causes.all()]

    @staticmethod
    def resolve_skills(obj: Project) -> list[str]:
        return [s.slug for s in obj.skills.all()]

    @staticmethod
    def resolve_languages(obj: Project) -> list[str]:
        return [lang.slug for lang in obj.languages.all()]

    @staticmethod
    def resolve_field_lead(obj: Project) -> str | None:
        return obj.field_lead.display_name if obj.field_lead else None


class ProjectDetailOut(ProjectOut):
    problem: str
    beneficiaries: str
    deliverables: str
    documents_url: str


class ProjectFilters(FilterSchema):
    q: str | None = Field(None, max_length=200)
    cause: str | None = Field(None, max_length=100)
    skill: str | None = Field(None, max_length=100)
    language: str | None = Field(None, max_length=100)
    status: str | None = Field(None, max_length=20)


class ProjectIn(Schema):
    title: str = Field(min_length=1, max_length=150)
    summary: str = Field(min_length=1, max_length=600)
    problem: str = Field(min_length=1, max_length=PROSE_MAX)
    beneficiaries: str = Field(min_length=1, max_length=PROSE_MAX)
    deliverables: str = Field(min_length=1, max_length=PROSE_MAX)
    effort_days: int = Field(gt=0, le=100_000)
    causes: list[Slug] = Field(min_length=1, max_length=100)
    skills: list[Slug] = Field([], max_length=100)
    languages: list[Slug] = Field(min_length=1, max_length=100)
    licence: Licence = Licence.UNDECIDED
    repository_url: Url | None = None
    documents_url: Url | None = None
    field_lead_email: str | None = Field(None, max_length=254)


class ProjectCreateIn(ProjectIn):
    nonprofit_id: Id


class ProjectPatch(Schema):
    title: str | None = Field(None, min_length=1, max_length=150)
    summary: str | None = Field(None, min_length=1, max_length=600)
    problem: str | None = Field(None, min_length=1, max_length=PROSE_MAX)
    beneficiaries: str | None = Field(None, min_length=1, max_length=PROSE_MAX)
    deliverables: str | None = Field(None, min_length=1, max_length=PROSE_MAX)
    effort_days: int | None = Field(None, gt=0, le=100_000)
    causes: list[Slug] | None = Field(None, min_length=1, max_length=100)
    skills: list[Slug] | None = Field(None, max_length=100)
    languages: list[Slug] | None = Field(None, min_length=1, max_length=100)
    licence: Licence | None = None
    repository_url: Url | None = None
    documents_url: Url | None = None
    field_lead_email: str | None = Field(None, max_length=254)


class TransitionIn(Schema):
    to: ProjectStatus
    comment: str = Field("", max_length=PROSE_MAX)
    checklist: dict[Slug, bool] = Field({}, max_length=100)


def _vocabulary(
    model: type[Cause] | type[Skill] | type[Language], field: str, slugs: list[str]
) -> list[Any]:
    found = list(model.objects.filter(slug__in=slugs))
    unknown = sorted(set(slugs) - {item.slug for item in found})
    if unknown:
        raise ValidationError(
            [{"loc": [field], "msg": _("Unknown code: %(codes)s") % {"codes": ", ".join(unknown)}}]
        )
    return found


def _fields(payload: ProjectIn | ProjectPatch, *, partial: bool) -> dict[str, Any]:
    data = payload.dict(exclude_unset=partial)
    data.pop("nonprofit_id", None)
    for name, model in (("causes", Cause), ("skills", Skill), ("languages", Language)):
        if data.get(name) is not None:
            data[name] = _vocabulary(model, name, data[name])
    for url in ("repository_url", "documents_url"):
        if url in data:
            data[url] = str(data[url]) if data[url] else ""
            if len(data[url]) > URL_MAX:
                # Normalising (punycode, a trailing slash) can lengthen an address.
                raise ValidationError([{"loc": [url], "msg": _("This address is too long.")}])
    if "field_lead_email" in data:
        email = data.pop("field_lead_email")
        lead = User.objects.filter(email__iexact=email).first() if email else None
        if email and lead is None:
            # The same answer as for an account outside the nonprofit (the service's): the API
            # does not tell whether an address has an account.
            raise DjangoValidationError(
                {
                    "field_lead": _(
                        "The field lead must be a member of the nonprofit: invite them first."
                    )
                }
            )
        data["field_lead"] = lead
    return data


@router.get(
    "/projects",
    response=list[ProjectOut],
    auth=None,
    summary="Public projects, with the same filters as the public list",
)
@paginate(Pagination, page_size=20)
def project_list(request: HttpRequest, filters: Query[ProjectFilters]) -> Any:
    queryset = selectors.filter_projects(access.public_projects(), filters.dict())
    return selectors.with_listing_relations(queryset)


@router.get(
    "/projects/{project_id}",
    response=ProjectDetailOut,
    auth=OPTIONAL_AUTH,
    summary="One project: public ones for anyone, others for their nonprofit and staff",
)
def project_detail(request: HttpRequest, project_id: Id) -> Project:
    return access.project_get_readable(request.auth, project_id)  # type: ignore[attr-defined]


@router.post(
    "/projects",
    response={201: ProjectDetailOut, **errors(403, 404)},
    summary="Propose a project (draft)",
)
def project_create(request: HttpRequest, payload: ProjectCreateIn) -> Status:
    user: User = request.auth  # type: ignore[attr-defined]
    nonprofit = organisation_get_for_user(user, payload.nonprofit_id)
    data = _fields(payload, partial=False)
    project = services.project_create(
        user=user,
        nonprofit=nonprofit,
        causes=data.pop("causes"),
        skills=data.pop("skills"),
        languages=data.pop("languages"),
        **data,
    )
    return Status(201, project)


@router.patch(
    "/projects/{project_id}",
    response={200: ProjectDetailOut, **errors(403, 409)},
    summary="Change a proposal",
)
def project_update(request: HttpRequest, project_id: Id, payload: ProjectPatch) -> Project:
    user: User = request.auth  # type: ignore[attr-defined]
    project = access.project_get_for_user(user, project_id, manage=True)
    data = _fields(payload, partial=True)
    return services.project_update(user=user, project=project, **data)


@router.post(
    "/projects/{project_id}/transitions",
    response={200: ProjectDetailOut, **errors(403, 409)},
    summary="Move a project along its workflow (submit, accept, pause…)",
)
def project_transition(request: HttpRequest, project_id: Id, payload: TransitionIn) -> Project:
    user: User = request.auth  # type: ignore[attr-defined]
    project = access.project_get_for_user(user, project_id)
    return services.project_transition(
        project=project,
        actor=user,
        target=payload.to,
        comment=payload.comment,
        checklist=payload.checklist,
    )
