"""API endpoints of projects: the public catalogue, and proposals for their nonprofit."""

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, FilterSchema, Query, Router, Schema, Status
from ninja.errors import HttpError, ValidationError
from ninja.pagination import PageNumberPagination, paginate
from pydantic import AnyHttpUrl

from relais.accounts.access import organisation_get_for_user
from relais.accounts.auth import OPTIONAL_AUTH
from relais.accounts.models import User
from relais.core.models import Cause, Language, Skill
from relais.projects import access, selectors, services
from relais.projects.models import Licence, Project, ProjectStatus

router = Router(tags=["projects"])


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
    q: str | None = None
    cause: str | None = None
    skill: str | None = None
    language: str | None = None
    status: str | None = None


class ProjectIn(Schema):
    title: str = Field(min_length=1, max_length=150)
    summary: str = Field(min_length=1, max_length=600)
    problem: str = Field(min_length=1)
    beneficiaries: str = Field(min_length=1)
    deliverables: str = Field(min_length=1)
    effort_days: int = Field(gt=0, le=100_000)
    causes: list[str] = Field(min_length=1)
    skills: list[str] = []
    languages: list[str] = Field(min_length=1)
    licence: Licence = Licence.UNDECIDED
    repository_url: AnyHttpUrl | None = None
    documents_url: AnyHttpUrl | None = None
    field_lead_email: str | None = None


class ProjectCreateIn(ProjectIn):
    nonprofit_id: int


class ProjectPatch(Schema):
    title: str | None = Field(None, min_length=1, max_length=150)
    summary: str | None = Field(None, min_length=1, max_length=600)
    problem: str | None = Field(None, min_length=1)
    beneficiaries: str | None = Field(None, min_length=1)
    deliverables: str | None = Field(None, min_length=1)
    effort_days: int | None = Field(None, gt=0, le=100_000)
    causes: list[str] | None = Field(None, min_length=1)
    skills: list[str] | None = None
    languages: list[str] | None = Field(None, min_length=1)
    licence: Licence | None = None
    repository_url: AnyHttpUrl | None = None
    documents_url: AnyHttpUrl | None = None
    field_lead_email: str | None = None


class TransitionIn(Schema):
    to: ProjectStatus
    comment: str = ""
    checklist: dict[str, bool] = {}


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
    if "field_lead_email" in data:
        email = data.pop("field_lead_email")
        lead = User.objects.filter(email__iexact=email).first() if email else None
        if email and lead is None:
            raise ValidationError(
                [{"loc": ["field_lead_email"], "msg": _("No account has this email address.")}]
            )
        data["field_lead"] = lead
    return data


@router.get(
    "/projects",
    response=list[ProjectOut],
    auth=None,
    summary="Public projects, with the same filters as the public list",
)
@paginate(PageNumberPagination, page_size=20)
def project_list(request: HttpRequest, filters: Query[ProjectFilters]) -> Any:
    queryset = selectors.filter_projects(access.public_projects(), filters.dict())
    return selectors.with_listing_relations(queryset)


@router.get(
    "/projects/{project_id}",
    response=ProjectDetailOut,
    auth=OPTIONAL_AUTH,
    summary="One project: public ones for anyone, others for their nonprofit and staff",
)
def project_detail(request: HttpRequest, project_id: int) -> Project:
    return access.project_get_readable(request.auth, project_id)  # type: ignore[attr-defined]


@router.post("/projects", response={201: ProjectDetailOut}, summary="Propose a project (draft)")
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


@router.patch("/projects/{project_id}", response=ProjectDetailOut, summary="Change a proposal")
def project_update(request: HttpRequest, project_id: int, payload: ProjectPatch) -> Project:
    user: User = request.auth  # type: ignore[attr-defined]
    project = access.project_get_for_user(user, project_id, manage=True)
    data = _fields(payload, partial=True)
    try:
        return services.project_update(user=user, project=project, **data)
    except services.TransitionError as error:
        raise HttpError(409, str(error)) from None


@router.post(
    "/projects/{project_id}/transitions",
    response=ProjectDetailOut,
    summary="Move a project along its workflow (submit, accept, pause…)",
)
def project_transition(request: HttpRequest, project_id: int, payload: TransitionIn) -> Project:
    user: User = request.auth  # type: ignore[attr-defined]
    project = access.project_get_for_user(user, project_id)
    try:
        return services.project_transition(
            project=project,
            actor=user,
            target=payload.to,
            comment=payload.comment,
            checklist=payload.checklist,
        )
    except services.TransitionError as error:
        raise HttpError(409, str(error)) from None
