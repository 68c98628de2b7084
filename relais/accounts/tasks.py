"""Background jobs of the accounts app: they take ids and call services or send mail."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail, send_mass_mail
from django.urls import reverse
from django_tasks import task

from relais.accounts.models import Invitation, Membership, Organisation, Role
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


@task()
def organisation_verified_send(*, organisation_id: int, language: str) -> None:
    """Tells a firm's admins that the operator verified the firm."""
    organisation = Organisation.objects.get(pk=organisation_id)
    emails = sorted(
        Membership.objects.filter(organisation=organisation, role=Role.FIRM_ADMIN).values_list(
            "user__email", flat=True
        )
    )
    if not emails:
        return
    context = {
        "organisation": organisation,
        "url": settings.SITE_URL
        + reverse("bench:firm_dashboard", kwargs={"organisation_pk": organisation.pk}),
    }
    subject, body = render_email(
        "accounts/email/organisation_verified_subject.txt",
        "accounts/email/organisation_verified_message.txt",
        context,
        language=language,
    )
    send_mass_mail([(subject, body, None, [email]) for email in emails])
