"""Background jobs of the work app: lapsing idle claims, and telling people a claim ended."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone
from django_tasks import task

from relais.core.mail import render_email
from relais.work.models import Claim


@task()
def claim_ended_notify(*, claim_id: int, language: str) -> None:
    claim = Claim.objects.select_related("task__project__field_lead", "consultant", "handover").get(
        pk=claim_id
    )
    task_url = settings.SITE_URL + reverse("work:task_detail", kwargs={"task_pk": claim.task_id})
    recipients = {claim.consultant.email}
    if claim.task.project.field_lead is not None:
        recipients.add(claim.task.project.field_lead.email)
    context = {"claim": claim, "url": task_url, "lapse_days": settings.CLAIM_LAPSE_DAYS}
    subject, body = render_email(
        "work/email/claim_ended_subject.txt",
        "work/email/claim_ended_message.txt",
        context,
        language=language,
    )
    send_mail(subject, body, None, sorted(recipients))


@task()
def claims_lapse_job(*, reschedule_minutes: int = 0) -> int:
    """Applies the recalls whose date has come and lapses idle claims; when asked, enqueues its
    next run (the worker's own clock)."""
    # Imported here: the services enqueue this module's jobs.
    from relais.bench.services import recalls_apply_due
    from relais.work.services import claims_lapse

    recalls_apply_due()
    lapsed = len(claims_lapse())
    if reschedule_minutes:
        claims_lapse_job.using(
            run_after=timezone.now() + dt.timedelta(minutes=reschedule_minutes)
        ).enqueue(reschedule_minutes=reschedule_minutes)
    return lapsed
