"""What the access walk (relais/core/tests/test_access_walk.py) fills campaign URLs with: a draft
campaign (only operator staff see it) with an application of the nonprofit's project."""

from __future__ import annotations

import datetime as dt

from relais.campaigns.models import Campaign, CampaignProject
from relais.projects.models import ProjectStatus
from relais.projects.tests.factories import ProjectFactory


def campaign_victims(nonprofit) -> dict[str, list[int]]:
    day = dt.date(2030, 1, 1)
    campaign = Campaign.objects.create(
        title="Campagne secrète",
        proposals_from=day,
        review_from=day,
        vote_from=day,
        results_from=day + dt.timedelta(days=7),
        budget_days=10,
        seed="graine-secrete",
    )
    # A draft project: an accepted one would be public (the projects' list shows it to anyone).
    project = ProjectFactory(
        nonprofit=nonprofit, title="Projet candidat secret", status=ProjectStatus.DRAFT
    )
    entry = CampaignProject.objects.create(campaign=campaign, project=project, cost_days=5)
    return {"campaign_pk": [campaign.pk], "campaign_id": [campaign.pk], "entry_pk": [entry.pk]}


def campaign_fingerprint() -> tuple[object, ...]:
    """What an outsider's request must not change: campaigns, applications, ballots."""
    from relais.campaigns.models import Ballot

    return (
        tuple(Campaign.objects.order_by("pk").values_list("pk", "phase", "rule", "budget_days")),
        tuple(CampaignProject.objects.order_by("pk").values_list("pk", "eligible", "cost_days")),
        tuple(Ballot.objects.order_by("pk").values_list("pk", "approvals")),
    )
