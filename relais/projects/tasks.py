"""Background jobs of projects: they take ids and send the notifications of a workflow step, each
in its recipient's language."""

from __future__ import annotations

from django.core.mail import send_mass_mail
from django.urls import reverse
from django_tasks import task

from relais.accounts.models import Role, User
from relais.core.mail import absolute_url, by_language, render_email
from relais.projects.models import ProjectEvent, ProjectStatus


@task()
def project_event_notify(*, event_id: int) -> None:
    event = ProjectEvent.objects.select_related(
        "project__nonprofit", "project__field_lead", "actor"
    ).get(pk=event_id)
    project = event.project
    # The nonprofit's admins and the field lead hear of every step; staff hear of submissions.
    people = set(
        User.objects.filter(
            memberships__organisation=project.nonprofit, memberships__role=Role.NONPROFIT_ADMIN
        )
    )
    if project.field_lead is not None:
        people.add(project.field_lead)
    if event.to_status == ProjectStatus.SUBMITTED:
        people |= set(User.objects.filter(memberships__role=Role.OPERATOR_STAFF, is_active=True))
    if event.actor is not None:
        people = {person for person in people if person.email != event.actor.email}
    context = {
        "event": event,
        "project": project,
        "url": absolute_url(reverse("projects:workspace", kwargs={"project_pk": project.pk})),
    }
    messages = []
    for language, emails in by_language(people).items():
        subject, body = render_email(
            "projects/email/event_subject.txt",
            "projects/email/event_message.txt",
            context,
            language=language,
        )
        messages += [(subject, body, None, [email]) for email in emails]
    if messages:
        send_mass_mail(messages)
