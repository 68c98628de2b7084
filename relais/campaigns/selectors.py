"""Reads of campaigns: the electorate, ballots, the election as counted, the results, the jury
round and its Majority Judgment ranking."""

from __future__ import annotations

from fractions import Fraction
from typing import TYPE_CHECKING

from django.db.models import Count, F, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from relais.campaigns import tally
from relais.campaigns.models import (
    ELIGIBLE_PROJECT_STATUSES,
    Ballot,
    Campaign,
    CampaignProject,
    Elector,
    Grade,
    Juror,
    JuryGrade,
    Phase,
)
from relais.projects.models import Project

if TYPE_CHECKING:
    from relais.accounts.models import User


def entries(campaign: Campaign) -> QuerySet[CampaignProject]:
    """The eligible projects of the campaign (those the vote is about), in the order they applied:
    neither set aside by staff nor left out by the jury's shortlist size."""
    return (
        campaign.entries.filter(eligible=True, jury_cut=False)
        .select_related("project__nonprofit")
        .order_by("pk")
    )


def shortlist(campaign: Campaign) -> QuerySet[CampaignProject]:
    """The projects the jury grades: every eligible project (staff set the others aside during
    the review, before the jury round opens)."""
    return (
        campaign.entries.filter(eligible=True).select_related("project__nonprofit").order_by("pk")
    )


def juror_of(user: User, campaign: Campaign) -> Juror | None:
    if not user.is_authenticated:
        return None
    return Juror.objects.filter(campaign=campaign, user=user).first()


def jurors(campaign: Campaign) -> QuerySet[Juror]:
    """The jury with how many projects each juror graded."""
    return (
        campaign.jurors.select_related("user")
        .annotate(graded=Count("grades"))
        .order_by("user__email", "pk")
    )


def grades_of(juror: Juror) -> dict[int, int]:
    """A juror's grades: {entry id: grade}."""
    return dict(juror.grades.values_list("entry_id", "grade"))


def juries_to_grade(user: User) -> QuerySet[Campaign]:
    """Open jury rounds where the user is a juror and has not graded every shortlisted project
    (a dashboard to-do)."""
    shortlisted = (
        CampaignProject.objects.filter(campaign=OuterRef("pk"), eligible=True)
        .order_by()
        .values("campaign")
        .annotate(n=Count("pk"))
        .values("n")
    )
    graded = (
        JuryGrade.objects.filter(juror__campaign=OuterRef("pk"), juror__user=user)
        .order_by()
        .values("juror")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        Campaign.objects.filter(phase=Phase.JURY, jurors__user=user)
        .annotate(
            shortlisted=Coalesce(Subquery(shortlisted, output_field=IntegerField()), 0),
            graded=Coalesce(Subquery(graded, output_field=IntegerField()), 0),
        )
        .filter(graded__lt=F("shortlisted"))
        .order_by("vote_from", "pk")
    )


def jury_ranking(campaign: Campaign) -> dict[str, object]:
    """The jury's ranking of the shortlist by Majority Judgment (relais/campaigns/tally.py): a
    project a juror did not grade counts as graded "To reject" by that juror (so every project has
    one grade per juror, as Majority Judgment requires); ties go to the usual tie-breaking, then to
    the seeded lot. Each row: the entry, its rank, its majority grade, how many jurors gave each
    grade, how many did not grade it, whether only the lot separates it from a neighbour."""
    juror_ids = list(campaign.jurors.order_by("pk").values_list("pk", flat=True))
    projects = list(shortlist(campaign).values_list("pk", flat=True))
    given: dict[int, dict[int, int]] = {pk: {} for pk in projects}
    for juror_id, entry_id, grade in JuryGrade.objects.filter(
        juror__campaign=campaign, entry_id__in=projects
    ).values_list("juror_id", "entry_id", "grade"):
        given[entry_id][juror_id] = grade
    grades = {str(pk): [given[pk].get(j, Grade.REJECT.value) for j in juror_ids] for pk in projects}
    order = tally.majority_judgment(grades, seed=campaign.seed)
    values = {pid: tally.majority_value(grades[pid]) for pid in order}
    rows = []
    for rank, pid in enumerate(order, start=1):
        distribution = [grades[pid].count(g) for g in Grade.values]
        neighbours = order[max(0, rank - 2) : rank + 1]
        rows.append(
            {
                "entry": int(pid),
                "rank": rank,
                "majority_grade": values[pid][0] if values[pid] else None,
                "distribution": distribution,
                "not_graded": len(juror_ids) - len(given[int(pid)]),
                "tied_by_lot": any(values[o] == values[pid] for o in neighbours if o != pid),
            }
        )
    return {
        "jurors": len(juror_ids),
        "grades_given": sum(len(g) for g in given.values()),
        "ranking": rows,
    }


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
