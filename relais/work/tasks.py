"""Background jobs of the work app: telling people a claim ended, each in their language. (Idle
claims are lapsed by the periodic run of the site app, which calls `services.claims_lapse`.)"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django_tasks import task

from relais.core.mail import absolute_url, by_language, render_email
from relais.work.models import Claim


@task()
def claim_ended_notify(*, claim_id: int) -> None:
    """Tells the consultant and the field lead that a claim ended (one email per language, both
    addressed when they share it)."""
    claim = Claim.objects.select_related("task__project__field_lead", "consultant", "handover").get(
        pk=claim_id
    )
    task_url = absolute_url(reverse("work:task_detail", kwargs={"task_pk": claim.task_id}))
    recipients = {claim.consultant}
    if claim.task.project.field_lead is not None:
        recipients.add(claim.task.project.field_lead)
    context = {"claim": claim, "url": task_url, "lapse_days": settings.CLAIM_LAPSE_DAYS}
    for language, emails in by_language(recipients).items():
        subject, body = render_email(
            "work/email/claim_ended_subject.txt",
            "work/email/claim_ended_message.txt",
            context,
            language=language,
        )
        send_mail(subject, body, None, emails)
