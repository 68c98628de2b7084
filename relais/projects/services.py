"""Every state change of diagnoses and projects, one function each."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.accounts.models import Membership, Organisation, OrganisationKind, Role
from relais.core.errors import Conflict
from relais.core.mail import notify_on_commit
from relais.core.models import Cause, Language, Skill
from relais.core.validators import detect_image
from relais.projects import access, diagnosis
from relais.projects.models import Diagnosis, Project, ProjectEvent, ProjectImage, ProjectStatus
from relais.projects.tasks import project_event_notify
from relais.projects.workflow import EDITABLE, REVIEW_CHECKLIST, transition_for

if TYPE_CHECKING:
    from django.core.files.uploadedfile import UploadedFile

    from relais.accounts.models import User


class TransitionError(Conflict):
    """A workflow step that cannot be made now; the message is for the user."""


def diagnosis_record(
    *, answers: dict[str, Any], user: User | None, organisation: Organisation | None = None
) -> Diagnosis:
    """Records a completed self-diagnosis with its verdict, for the nonprofit when known."""
    result = diagnosis.evaluate(answers)
    return Diagnosis.objects.create(
        answers=answers,
        verdict=result.verdict,
        score=result.score,
        created_by=user,
        organisation=organisation,
    )


def diagnosis_attach(*, diagnosis_: Diagnosis, organisation: Organisation) -> None:
    """Attaches an anonymous diagnosis to the nonprofit that went on with it."""
    Diagnosis.objects.filter(pk=diagnosis_.pk, organisation__isnull=True).update(
        organisation=organisation
    )


def _check_nonprofit_admin(user: User, nonprofit: Organisation) -> None:
    if nonprofit.kind != OrganisationKind.NONPROFIT or not user.has_role(
        nonprofit.pk, [Role.NONPROFIT_ADMIN]
    ):
        raise PermissionDenied


def _check_field_lead(nonprofit: Organisation, field_lead: User | None) -> None:
    if field_lead is None:
        return
    is_member = Membership.objects.filter(
        organisation=nonprofit, user=field_lead, role__in=[Role.FIELD_LEAD, Role.NONPROFIT_ADMIN]
    ).exists()
    if not is_member:
        raise ValidationError(
            {
                "field_lead": _(
                    "The field lead must be a member of the nonprofit: invite them first."
                )
            }
        )


def _save(
    project: Project,
    *,
    causes: Iterable[Cause] | None,
    skills: Iterable[Skill] | None,
    languages: Iterable[Language] | None,
) -> Project:
    if causes is not None and not list(causes):
        raise ValidationError({"causes": _("Choose at least one cause.")})
    if languages is not None and not list(languages):
        raise ValidationError({"languages": _("Choose at least one working language.")})
    project.full_clean(exclude=["causes", "skills", "languages"])
    project.updated_at = timezone.now()
    project.save()
    if causes is not None:
        project.causes.set(causes)
    if skills is not None:
        project.skills.set(skills)
    if languages is not None:
        project.languages.set(languages)
    return project


@transaction.atomic
def project_create(
    *,
    user: User,
    nonprofit: Organisation,
    causes: Iterable[Cause],
    skills: Iterable[Skill],
    languages: Iterable[Language],
    diagnosis_: Diagnosis | None = None,
    **fields: Any,
) -> Project:
    """Creates a draft proposal of the nonprofit; only its admins may."""
    _check_nonprofit_admin(user, nonprofit)
    _check_field_lead(nonprofit, fields.get("field_lead"))
    project = Project(nonprofit=nonprofit, created_by=user, diagnosis=diagnosis_, **fields)
    _save(project, causes=causes, skills=skills, languages=languages)
    if diagnosis_ is not None:
        diagnosis_attach(diagnosis_=diagnosis_, organisation=nonprofit)
    return project


@transaction.atomic
def project_update(
    *,
    user: User,
    project: Project,
    causes: Iterable[Cause] | None = None,
    skills: Iterable[Skill] | None = None,
    languages: Iterable[Language] | None = None,
    **fields: Any,
) -> Project:
    """Changes a proposal; not while staff review it, nor once it is closed."""
    project = Project.objects.select_for_update().get(pk=project.pk)
    if not (user.is_operator_staff or user.has_role(project.nonprofit_id, [Role.NONPROFIT_ADMIN])):
        raise PermissionDenied
    if project.status not in EDITABLE:
        raise TransitionError(
            _("A project cannot be changed while it is “%(status)s”.")
            % {"status": project.get_status_display()}
        )
    if "field_lead" in fields:
        _check_field_lead(project.nonprofit, fields["field_lead"])
    for name, value in fields.items():
        setattr(project, name, value)
    return _save(project, causes=causes, skills=skills, languages=languages)


@transaction.atomic
def project_transition(
    *,
    project: Project,
    actor: User,
    target: str,
    comment: str = "",
    checklist: dict[str, bool] | None = None,
    notify: bool = True,
) -> Project:
    """Moves a project along its workflow if the step exists, the actor may take it, and the
    project still is where the actor saw it; records the step and notifies the people concerned."""
    locked = Project.objects.select_for_update().select_related("nonprofit").get(pk=project.pk)
    transition = transition_for(locked.status, target) if target in ProjectStatus else None
    if transition is None:
        raise TransitionError(
            _("A project that is “%(status)s” cannot become “%(target)s”.")
            % {
                "status": locked.get_status_display(),
                "target": ProjectStatus(target).label if target in ProjectStatus else target,
            }
        )
    if not access.actors_for(actor, locked) & transition.actors:
        raise PermissionDenied
    comment = comment.strip()
    if transition.needs_comment and not comment:
        raise TransitionError(_("Explain this decision in a comment: the nonprofit will read it."))
    if target == ProjectStatus.SUBMITTED and locked.field_lead_id is None:
        raise TransitionError(
            _("Name the field lead before submitting: invite them from your organisation's page.")
        )
    known = {key for key, _label in REVIEW_CHECKLIST}
    if target == ProjectStatus.ACCEPTED and not all((checklist or {}).get(k) for k in known):
        raise TransitionError(
            _("Accept only a project that meets every point of the checklist: tick each one.")
        )
    event = ProjectEvent(
        project=locked,
        from_status=locked.status,
        to_status=target,
        actor=actor,
        comment=comment,
        checklist={k: bool(v) for k, v in (checklist or {}).items() if k in known},
    )
    event.clean_fields(exclude=["project", "actor", "checklist"])
    event.save()
    locked.status = target
    locked.updated_at = timezone.now()
    locked.save(update_fields=["status", "updated_at"])
    if notify:
        notify_on_commit(project_event_notify, event_id=event.pk)
    project.status = locked.status
    return locked


def project_image_add(
    *, user: User, project: Project, image: UploadedFile, alt_text: str
) -> ProjectImage:
    """Adds a picture to a project: a PNG, JPEG, GIF or WebP of bounded pixels, stored under
    the extension of what its bytes are, whatever its name said."""
    if not (user.is_operator_staff or user.has_role(project.nonprofit_id, [Role.NONPROFIT_ADMIN])):
        raise PermissionDenied
    try:
        detected = detect_image(image)
    except ValidationError as error:
        raise ValidationError({"image": error.messages}) from None
    image.name = f"image.{detected.extension}"
    if project.images.count() >= settings.PROJECT_MAX_IMAGES:
        raise ValidationError(
            {
                "image": _("A project has %(count)s images at most.")
                % {"count": settings.PROJECT_MAX_IMAGES}
            }
        )
    picture = ProjectImage(project=project, image=image, alt_text=alt_text.strip())
    picture.full_clean()
    picture.save()
    return picture


def project_image_delete(*, user: User, image: ProjectImage) -> None:
    """Removes a picture and its file."""
    project = image.project
    if not (user.is_operator_staff or user.has_role(project.nonprofit_id, [Role.NONPROFIT_ADMIN])):
        raise PermissionDenied
    image.image.delete(save=False)
    image.delete()
