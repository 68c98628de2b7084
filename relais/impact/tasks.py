"""Background jobs of the impact app: they take ids and send the emails, each in its
recipient's language."""

from __future__ import annotations

from django.core.mail import send_mail
from django.urls import reverse
from django_tasks import task

from relais.accounts.models import User
from relais.core.mail import absolute_url, render_email


@task()
def credential_notify(*, credential_id: int) -> None:
    """Tells the consultant their mission's credential and certificate are ready."""
    from relais.impact.models import Credential

    credential = Credential.objects.select_related("consultant", "mission__project").get(
        pk=credential_id
    )
    user = credential.consultant
    context = {
        "user": user,
        "project": credential.mission.project,
        "url": absolute_url(reverse("impact:my_credentials")),
    }
    subject, body = render_email(
        "impact/email/credential_subject.txt",
        "impact/email/credential_message.txt",
        context,
        language=user.language,
    )
    send_mail(subject, body, None, [user.email])


@task()
def digest_send(*, user_id: int) -> None:
    """The weekly digest: what the person did, what their circles and firm did, new stories."""
    from relais.impact import selectors
    from relais.impact.models import Story

    user = User.objects.get(pk=user_id)
    context = {
        "user": user,
        "milestones": [m for m in selectors.milestones(user) if m.reached],
        "figures": selectors.public_figures(),
        "stories": list(Story.objects.select_related("project")[:3]),
        "url": absolute_url(reverse("impact:public")),
        "settings_url": absolute_url(reverse("impact:preferences")),
    }
    subject, body = render_email(
        "impact/email/digest_subject.txt",
        "impact/email/digest_message.txt",
        context,
        language=user.language,
    )
    send_mail(subject, body, None, [user.email])
