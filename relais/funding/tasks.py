"""Background jobs of circles and collections: they take ids and send the emails, each in its
recipient's language."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django_tasks import task

from relais.accounts.models import User
from relais.core.mail import absolute_url, render_email, supported_language
from relais.funding.models import (
    Circle,
    CircleInvitation,
    CircleMembership,
    CircleRole,
    Debit,
    MembershipStatus,
)


def _send(recipient_email: str, language: str, template: str, context: dict[str, object]) -> None:
    subject, body = render_email(
        f"funding/email/{template}_subject.txt",
        f"funding/email/{template}.txt",
        context,
        language=language,
    )
    send_mail(subject, body, None, [recipient_email])


@task()
def circle_invitation_send(*, invitation_id: int) -> None:
    """Tells the invited person how to accept (their own action: nothing happens otherwise)."""
    invitation = CircleInvitation.objects.select_related("circle", "invited_by").get(
        pk=invitation_id
    )
    account = User.objects.filter(email__iexact=invitation.email).first()
    language = account.language if account else settings.LANGUAGE_CODE
    path = reverse("funding:invitation", kwargs={"circle_invitation_pk": invitation.pk})
    _send(
        invitation.email,
        supported_language(language),
        "invitation",
        {"invitation": invitation, "url": absolute_url(path)},
    )


@task()
def debits_prenotify(*, debit_ids: list[int]) -> None:
    """The SEPA pre-notification: each debtor learns the amount, the date and the mandate."""
    debits = Debit.objects.filter(pk__in=debit_ids).select_related(
        "run", "mandate", "membership__user", "membership__circle"
    )
    for debit in debits:
        user = debit.membership.user
        path = reverse("funding:subscribe", kwargs={"circle_pk": debit.membership.circle_id})
        _send(
            user.email,
            user.language,
            "prenotification",
            {
                "debit": debit,
                "creditor_id": debit.mandate.creditor_id,
                "creditor_name": settings.SEPA_CREDITOR_NAME,
                "url": absolute_url(path),
            },
        )


@task()
def debit_returned_notify(*, debit_ids: list[int]) -> None:
    """Tells each member whose debit the bank returned what it means and what to do."""
    debits = Debit.objects.filter(pk__in=debit_ids).select_related(
        "membership__user", "membership__circle"
    )
    for debit in debits:
        user = debit.membership.user
        path = reverse("funding:subscribe", kwargs={"circle_pk": debit.membership.circle_id})
        _send(user.email, user.language, "returned", {"debit": debit, "url": absolute_url(path)})


@task()
def pool_low_notify(*, circle_id: int) -> None:
    """Tells a circle's admins that its pool cannot pay its members' next bench days."""
    circle = Circle.objects.get(pk=circle_id)
    admins = (
        CircleMembership.objects.filter(circle=circle, role=CircleRole.ADMIN)
        .exclude(status=MembershipStatus.LEFT)
        .select_related("user")
    )
    path = reverse("funding:circle", kwargs={"circle_pk": circle.pk})
    for membership in admins:
        _send(
            membership.user.email,
            membership.user.language,
            "pool_low",
            {"circle": circle, "url": absolute_url(path)},
        )
