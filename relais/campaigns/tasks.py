"""Background jobs of campaigns: they take ids and send the emails, each in its recipient's
language."""

from __future__ import annotations

from django.core.mail import send_mail
from django.urls import reverse
from django_tasks import task

from relais.campaigns.models import Campaign, CampaignProject, Juror, Phase
from relais.core.mail import absolute_url, render_email, supported_language


def _send(recipient_email: str, language: str, template: str, context: dict[str, object]) -> None:
    subject, body = render_email(
        f"campaigns/email/{template}_subject.txt",
        f"campaigns/email/{template}.txt",
        context,
        language=language,
    )
    send_mail(subject, body, None, [recipient_email])


@task()
def vote_opened_send(*, campaign_id: int) -> None:
    """Each elector learns that the vote is open and how long it lasts."""
    campaign = Campaign.objects.get(pk=campaign_id)
    url = absolute_url(reverse("campaigns:detail", kwargs={"campaign_pk": campaign.pk}))
    for elector in campaign.electors.select_related("user").order_by("pk").iterator():
        user = elector.user
        _send(
            user.email,
            supported_language(user.language),
            "vote_opened",
            {"campaign": campaign, "url": url},
        )


@task()
def jury_opened_send(*, campaign_id: int, juror_id: int | None = None) -> None:
    """Each juror (or the one juror added during the round) learns that the jury round is open,
    how many projects to grade and where."""
    campaign = Campaign.objects.get(pk=campaign_id)
    if campaign.phase != Phase.JURY:
        return  # delivered late: the round is over, there is nothing left to grade
    url = absolute_url(reverse("campaigns:jury", kwargs={"campaign_pk": campaign.pk}))
    count = campaign.entries.filter(eligible=True).count()
    jurors = Juror.objects.filter(campaign=campaign).select_related("user").order_by("pk")
    if juror_id is not None:
        jurors = jurors.filter(pk=juror_id)
    for juror in jurors.iterator():
        user = juror.user
        _send(
            user.email,
            supported_language(user.language),
            "jury_opened",
            {"campaign": campaign, "url": url, "count": count},
        )


@task()
def results_send(*, campaign_id: int) -> None:
    """Each elector learns the winners and where the results are explained."""
    campaign = Campaign.objects.get(pk=campaign_id)
    url = absolute_url(reverse("campaigns:results", kwargs={"campaign_pk": campaign.pk}))
    winners = [
        e.project.title
        for e in CampaignProject.objects.filter(campaign=campaign, selected=True).select_related(
            "project"
        )
    ]
    for elector in campaign.electors.select_related("user").order_by("pk").iterator():
        user = elector.user
        _send(
            user.email,
            supported_language(user.language),
            "results",
            {"campaign": campaign, "url": url, "winners": winners},
        )
