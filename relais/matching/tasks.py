"""Background jobs of matching: they take ids, call services and send the emails, each in its
recipient's language."""

from __future__ import annotations

from django.core.mail import send_mass_mail
from django.urls import reverse
from django_tasks import task

from relais.core.mail import absolute_url, render_email
from relais.matching import selectors, services
from relais.matching.models import Suggestion, SuggestionStatus


@task()
def round_run_job(*, round_id: int) -> None:
    """Runs the round that a burst of events asked for."""
    services.round_run(round_id=round_id)


@task()
def suggestions_notify(*, suggestion_ids: list[int]) -> None:
    """Tells each consultant of their new suggested task, with why, in their language."""
    suggestions = (
        Suggestion.objects.filter(pk__in=suggestion_ids, status=SuggestionStatus.OFFERED)
        .select_related("consultant", "task__project__field_lead")
        .prefetch_related("task__skills")
    )
    messages = []
    for suggestion in suggestions:
        consultant = suggestion.consultant
        context = {
            "recipient": consultant,
            "suggestion": suggestion,
            "url": absolute_url(
                reverse("work:task_detail", kwargs={"task_pk": suggestion.task_id})
            ),
            "dashboard_url": absolute_url(reverse("site:dashboard")),
        }
        from django.utils import translation

        from relais.core.mail import supported_language

        with translation.override(supported_language(consultant.language)):
            context["reasons"] = selectors.explain(suggestion)
        subject, body = render_email(
            "matching/email/suggestion_subject.txt",
            "matching/email/suggestion_message.txt",
            context,
            language=consultant.language,
        )
        messages.append((subject, body, None, [consultant.email]))
    if messages:
        send_mass_mail(messages)
