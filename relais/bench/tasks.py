"""Background jobs of the firm side: they take ids and send the emails, each in its recipient's
language."""

from __future__ import annotations

from django.core.mail import send_mail, send_mass_mail
from django.urls import reverse
from django_tasks import task

from relais.accounts import selectors as account_selectors
from relais.accounts.models import Organisation, Role, User
from relais.bench.models import BenchPeriod, Mission, Recall
from relais.core.mail import absolute_url, by_language, render_email
from relais.work.models import Task


@task()
def roster_welcome(*, user_id: int, firm_id: int) -> None:
    """Tells a consultant added from a roster import how to choose their password."""
    user = User.objects.get(pk=user_id)
    context = {
        "user": user,
        "firm": Organisation.objects.get(pk=firm_id),
        "url": absolute_url(account_selectors.welcome_link_path(user)),
    }
    subject, body = render_email(
        "bench/email/welcome_subject.txt",
        "bench/email/welcome_message.txt",
        context,
        language=user.language,
    )
    send_mail(subject, body, None, [user.email])


@task()
def recall_notify(*, recall_id: int) -> None:
    """Tells the consultant and the field leads concerned what a recall released."""
    recall = Recall.objects.select_related("bench_period__consultant", "bench_period__firm").get(
        pk=recall_id
    )
    consultant = recall.bench_period.consultant
    tasks = list(
        Task.objects.filter(pk__in=recall.released_tasks).select_related("project__field_lead")
    )
    missions = list(
        Mission.objects.filter(pk__in=recall.ended_missions).select_related("project__field_lead")
    )
    leads = {m.project.field_lead for m in missions if m.project.field_lead} | {
        t.project.field_lead for t in tasks if t.project.field_lead
    }
    context = {
        "recall": recall,
        "consultant": consultant,
        "tasks": tasks,
        "missions": missions,
        "url": absolute_url(reverse("bench:my_bench")),
    }
    for recipient, template in [(consultant, "recall_consultant")] + [
        (lead, "recall_lead") for lead in sorted(leads, key=lambda u: u.pk)
    ]:
        subject, body = render_email(
            "bench/email/recall_subject.txt",
            f"bench/email/{template}.txt",
            {**context, "recipient": recipient},
            language=recipient.language,
        )
        send_mail(subject, body, None, [recipient.email])


# Who hears of each step of a mission: the next person to act, and those it concerns.
_MISSION_RECIPIENTS = {
    "requested": ("firm_admins",),
    "invited": ("firm_admins", "consultant"),
    "drawn_up": ("nonprofit_admins",),
    "accepted": ("consultant",),
    "started": ("consultant", "field_lead"),
    "refused": ("consultant", "firm_admins"),
    "ended_planned": ("consultant", "firm_admins"),
    "ended_completed": ("consultant", "firm_admins"),
}


@task()
def mission_notify(*, mission_id: int, step: str) -> None:
    """Tells the next person of a mission's step what to do, and those it concerns what happened."""
    mission = Mission.objects.select_related(
        "consultant", "project__nonprofit", "project__field_lead", "bench_period__firm"
    ).get(pk=mission_id)
    people: dict[str, set[User]] = {
        "consultant": {mission.consultant},
        "field_lead": {mission.project.field_lead} if mission.project.field_lead else set(),
        "firm_admins": set(
            User.objects.filter(
                memberships__organisation=mission.bench_period.firm,
                memberships__role=Role.FIRM_ADMIN,
            )
        ),
        "nonprofit_admins": set(
            User.objects.filter(
                memberships__organisation=mission.project.nonprofit,
                memberships__role=Role.NONPROFIT_ADMIN,
            )
        ),
    }
    recipients = set().union(*(people[group] for group in _MISSION_RECIPIENTS[step]))
    context = {
        "mission": mission,
        "step": step,
        "url": absolute_url(reverse("bench:mission", kwargs={"mission_pk": mission.pk})),
    }
    messages = []
    for language, emails in by_language(recipients).items():
        subject, body = render_email(
            "bench/email/mission_subject.txt",
            f"bench/email/mission_{step}.txt",
            context,
            language=language,
        )
        messages += [(subject, body, None, [email]) for email in emails]
    if messages:
        send_mass_mail(messages)


@task()
def bench_period_notify(*, period_id: int, step: str) -> None:
    """Tells the firm's admins that a consultant asks for a bench period ("requested"), or the
    consultant what the firm decided ("approved", "refused") or did ("opened")."""
    period = BenchPeriod.objects.select_related("consultant", "firm").get(pk=period_id)
    if step == "requested":
        recipients = set(
            User.objects.filter(
                memberships__organisation=period.firm, memberships__role=Role.FIRM_ADMIN
            )
        )
        path = reverse("bench:bench_periods", kwargs={"organisation_pk": period.firm_id})
    else:
        recipients = {period.consultant}
        path = reverse("bench:my_bench")
    context = {"period": period, "step": step, "url": absolute_url(path)}
    messages = []
    for language, emails in by_language(recipients).items():
        subject, body = render_email(
            "bench/email/period_subject.txt",
            f"bench/email/period_{step}.txt",
            context,
            language=language,
        )
        messages += [(subject, body, None, [email]) for email in emails]
    if messages:
        send_mass_mail(messages)
