"""Background jobs of projects: they take ids and send the notifications of a workflow step."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mass_mail
from django.urls import reverse
from django_tasks import task

from relais.accounts.models import Membership, Role, User
from relais.core.mail import render_email
from relais.projects.models import ProjectEvent, ProjectStatus


@task()
def project_event_notify(*, event_id: int, language: str) -> None:
    event = ProjectEvent.objects.select_related(
        "project__nonprofit", "project__field_lead", "actor"
    ).get(pk=event_id)
    project = event.project
    # The nonprofit's admins and the field lead hear of every step; staff hear of submissions.
    people = set(
        Membership.objects.filter(
            organisation=project.nonprofit, role=Role.NONPROFIT_ADMIN
        ).values_list("user__email", flat=True)
    )
    if project.field_lead is not None:
        people.add(project.field_lead.email)
    if event.to_status == ProjectStatus.SUBMITTED:
        people |= set(
            User.objects.filter(memberships__role=Role.OPERATOR_STAFF, is_active=True).values_list(
                "email", flat=True
            )
        )
    if event.actor is not None:
        people.discard(event.actor.email)
    if not people:
        return
    context = {
        "event": event,
        "project": project,
        "url": settings.SITE_URL + reverse("projects:workspace", kwargs={"project_pk": project.pk}),
    }
    subject, body = render_email(
        "projects/email/event_subject.txt",
        "projects/email/event_message.txt",
        context,
        language=language,
    )
    send_mass_mail([(subject, body, None, [email]) for email in sorted(people)])
