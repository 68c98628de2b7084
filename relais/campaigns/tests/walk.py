"""What the access walk (relais/core/tests/test_access_walk.py) fills campaign URLs with: a draft
campaign (only operator staff see it) with a jury round, an application of the nonprofit's project,
a juror and their grade."""

from __future__ import annotations

import datetime as dt

from relais.accounts.tests.factories import UserFactory
from relais.campaigns.models import Campaign, CampaignProject, Juror, JuryGrade
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
        jury_from=day,
    )
    # A draft project: an accepted one would be public (the projects' list shows it to anyone).
    project = ProjectFactory(
        nonprofit=nonprofit, title="Projet candidat secret", status=ProjectStatus.DRAFT
    )
    entry = CampaignProject.objects.create(campaign=campaign, project=project, cost_days=5)
    juror = Juror.objects.create(campaign=campaign, user=UserFactory(email="jure@example.org"))
    JuryGrade.objects.create(juror=juror, entry=entry, grade=0)
    return {
        "campaign_pk": [campaign.pk],
        "campaign_id": [campaign.pk],
        "entry_pk": [entry.pk],
        "juror_pk": [juror.pk],
        "juror_id": [juror.pk],
    }


def campaign_fingerprint() -> tuple[object, ...]:
    """What an outsider's request must not change: campaigns, applications, ballots, the jury
    and its grades."""
    from relais.campaigns.models import Ballot

    return (
        tuple(
            Campaign.objects.order_by("pk").values_list(
                "pk", "phase", "rule", "budget_days", "jury_from", "shortlist_size"
            )
        ),
        tuple(
            CampaignProject.objects.order_by("pk").values_list(
                "pk", "eligible", "jury_cut", "cost_days"
            )
        ),
        tuple(Ballot.objects.order_by("pk").values_list("pk", "approvals")),
        tuple(Juror.objects.order_by("pk").values_list("pk", "campaign_id", "user_id")),
        tuple(JuryGrade.objects.order_by("pk").values_list("pk", "juror_id", "entry_id", "grade")),
    )
