"""Reads of campaigns: the electorate, ballots, the election as counted, the results."""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING

from django.db.models import QuerySet

from relais.campaigns import tally
from relais.campaigns.models import (
    ELIGIBLE_PROJECT_STATUSES,
    Ballot,
    Campaign,
    CampaignProject,
    Elector,
    Phase,
)
from relais.projects.models import Project

if TYPE_CHECKING:
    from relais.accounts.models import User


def entries(campaign: Campaign) -> QuerySet[CampaignProject]:
    """The eligible projects of the campaign, in the order they applied."""
    return (
        campaign.entries.filter(eligible=True).select_related("project__nonprofit").order_by("pk")
    )


def ballot_of(user: User, campaign: Campaign) -> Ballot | None:
    if not user.is_authenticated:
        return None
    return Ballot.objects.filter(campaign=campaign, voter=user).first()


def projects_to_apply_with(user: User, campaign: Campaign) -> QuerySet[Project]:
    """The accepted projects of the user's nonprofits that have not applied yet."""
    from relais.accounts.models import Role

    mine = Project.objects.filter(status__in=ELIGIBLE_PROJECT_STATUSES)
    if not user.is_operator_staff:
        mine = mine.filter(
            nonprofit__memberships__user=user, nonprofit__memberships__role=Role.NONPROFIT_ADMIN
        )
    return (
        mine.exclude(pk__in=campaign.entries.values("project_id"))
        .distinct()
        .order_by("title", "pk")
    )


def votes_to_cast(user: User) -> QuerySet[Campaign]:
    """Open votes where the user is an elector and has not voted yet (a dashboard to-do)."""
    return (
        Campaign.objects.filter(phase=Phase.VOTE, electors__user=user)
        .exclude(ballots__voter=user)
        .order_by("results_from", "pk")
    )


def election(campaign: Campaign) -> tally.Election:
    """The anonymised ballots as a Pabulib election: projects by their campaign entry id, voters
    numbered in the order of their receipt hashes (which says nothing about who they are)."""
    projects = {
        str(e.pk): tally.PBProject(str(e.pk), Fraction(e.cost_days), e.project.title)
        for e in entries(campaign)
    }
    ballots = Ballot.objects.filter(campaign=campaign).order_by("receipt_hash", "pk")
    votes = [
        tally.PBVote(str(i), tuple(str(pk) for pk in b.approvals if str(pk) in projects))
        for i, b in enumerate(ballots.iterator(), start=1)
    ]
    return tally.Election(
        budget=Fraction(campaign.budget_days),
        projects=projects,
        votes=votes,
        vote_type="approval",
        meta={
            "description": campaign.title,
            "country": "France",
            "unit": "Relais",
            "instance": f"campaign-{campaign.pk}",
            "currency": "bench days",
            "rule": campaign.rule,
            "seed": campaign.seed,
            "date_begin": campaign.vote_from.isoformat(),
            "date_end": campaign.results_from.isoformat(),
        },
    )


def counted_receipts(campaign: Campaign) -> QuerySet[Ballot]:
    return Ballot.objects.filter(campaign=campaign).order_by("receipt_hash")


def electorate(campaign: Campaign) -> QuerySet[Elector]:
    return campaign.electors.select_related("user").order_by("pk")
