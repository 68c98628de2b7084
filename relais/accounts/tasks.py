"""Background jobs of the accounts app: they take ids and call services or send mail, each email
in its recipient's language."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail, send_mass_mail
from django.urls import reverse
from django_tasks import task

from relais.accounts.models import Invitation, Organisation, Role, User
from relais.core.mail import absolute_url, by_language, render_email


@task()
def invitation_send(*, invitation_id: int, url: str) -> None:
    """Sends an invitation link, in the language of the account the address already has if any
    (the inviter cannot know a newcomer's: the site's default)."""
    invitation = Invitation.objects.select_related("organisation", "invited_by").get(
        pk=invitation_id
    )
    if not invitation.is_pending:
        return
    existing = User.objects.filter(email__iexact=invitation.email).first()
    language = existing.language if existing is not None else settings.LANGUAGE_CODE
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
def organisation_verified_send(*, organisation_id: int) -> None:
    """Tells a firm's admins that the operator verified the firm."""
    organisation = Organisation.objects.get(pk=organisation_id)
    admins = User.objects.filter(
        memberships__organisation=organisation, memberships__role=Role.FIRM_ADMIN
    ).distinct()
    context = {
        "organisation": organisation,
        "url": absolute_url(
            reverse("bench:firm_dashboard", kwargs={"organisation_pk": organisation.pk})
        ),
    }
    messages = []
    for language, emails in by_language(admins).items():
        subject, body = render_email(
            "accounts/email/organisation_verified_subject.txt",
            "accounts/email/organisation_verified_message.txt",
            context,
            language=language,
        )
        messages += [(subject, body, None, [email]) for email in emails]
    if messages:
        send_mass_mail(messages)


@task()
def sponsorship_eligible_send(*, organisation_id: int) -> None:
    """Tells a nonprofit's admins that the Relais team verified its eligibility to skills
    sponsorship."""
    organisation = Organisation.objects.get(pk=organisation_id)
    admins = User.objects.filter(
        memberships__organisation=organisation, memberships__role=Role.NONPROFIT_ADMIN
    ).distinct()
    context = {
        "organisation": organisation,
        "url": absolute_url(
            reverse("accounts:organisation_detail", kwargs={"organisation_pk": organisation.pk})
        ),
    }
    messages = []
    for language, emails in by_language(admins).items():
        subject, body = render_email(
            "accounts/email/sponsorship_eligible_subject.txt",
            "accounts/email/sponsorship_eligible_message.txt",
            context,
            language=language,
        )
        messages += [(subject, body, None, [email]) for email in emails]
    if messages:
        send_mass_mail(messages)
