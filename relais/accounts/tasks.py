"""Background jobs of the accounts app: they take ids and call services or send mail."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django_tasks import task

from relais.accounts.models import Invitation
from relais.core.mail import render_email


@task()
def invitation_send(*, invitation_id: int, url: str, language: str) -> None:
    invitation = Invitation.objects.select_related("organisation", "invited_by").get(
        pk=invitation_id
    )
    if not invitation.is_pending:
        return
    context = {
        "invitation": invitation,
        "url": url,
        "max_age_days": settings.INVITATION_MAX_AGE_DAYS,
    }
    subject, body = render_email(
        "accounts/email/invitation_subject.txt",
        "accounts/email/invitation_message.txt",
        context,
        language=language,
    )
    send_mail(subject, body, None, [invitation.email])
