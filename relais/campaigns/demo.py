"""Demo data of campaigns: a call for projects with a completed jury round (five jurors graded the
projects, Majority Judgment kept the best ones for the vote), voted and counted (results, audit
trail, the greedy comparison, the .pb file), and one whose vote is open. Built through the
services; runs after the funding demo (the electorate is its circles' members in good standing)
and does nothing when there is no circle or no accepted project."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from relais.accounts.demo import DEMO_ACCOUNTS
from relais.accounts.models import Membership, Role, User
from relais.campaigns import selectors, services
from relais.campaigns.models import ELIGIBLE_PROJECT_STATUSES, Campaign, Elector, Grade
from relais.core.errors import Conflict
from relais.funding.models import Circle
from relais.funding.selectors import members_in_good_standing
from relais.projects.models import Project

COSTS = (40, 25, 60, 15, 30, 50)

# Each juror's grades of the projects in the order they applied (0 Excellent … 5 To reject):
# the first two projects share the majority grade "Very good" and the usual tie-breaking puts
# the second first; the last project, ranked last, is left out of the vote.
JURY_GRADES = (
    (1, 0, 2, 3, 1, 4),
    (0, 1, 1, 2, 2, 5),
    (1, 0, 3, 2, 1, 4),
    (2, 1, 2, 4, 3, 5),
    (1, 2, 2, 1, 2, 4),
)


def _applicant(project: Project, staff: User) -> User:
    admin = (
        Membership.objects.filter(organisation_id=project.nonprofit_id, role=Role.NONPROFIT_ADMIN)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return admin.user if admin else staff


def _campaign(
    staff: User,
    circles: list[Circle],
    projects: list[Project],
    *,
    title: str,
    description: str,
    start: dt.date,
    jury: list[User] | None = None,
) -> Campaign:
    campaign = services.campaign_create(
        by=staff,
        title=title,
        description=description,
        proposals_from=start,
        review_from=start + dt.timedelta(days=14),
        jury_from=start + dt.timedelta(days=17) if jury else None,
        shortlist_size=len(projects[: len(COSTS)]) - 1 if jury else None,
        vote_from=start + dt.timedelta(days=21),
        results_from=timezone.localdate() + dt.timedelta(days=7),
        budget_days=100,
        rule="mes",
        circles=circles,
    )
    services.campaign_advance(by=staff, campaign=campaign)
    for project, cost in zip(projects, COSTS, strict=False):
        services.project_apply(
            by=_applicant(project, staff), campaign=campaign, project=project, cost_days=cost
        )
    services.campaign_advance(by=staff, campaign=campaign)
    if jury:
        _jury_round(staff, campaign, jury)
    services.campaign_advance(by=staff, campaign=campaign)
    return campaign


def _jury_round(staff: User, campaign: Campaign, jury: list[User]) -> None:
    """Designate the jurors, open the round, grade every project (one juror leaves one ungraded:
    it counts as "To reject"); the vote then opens on the projects the jury keeps."""
    for juror in jury:
        services.jury_member_add(by=staff, campaign=campaign, email=juror.email)
    services.campaign_advance(by=staff, campaign=campaign)
    entries = list(selectors.shortlist(campaign))
    for i, (juror, row) in enumerate(zip(jury, JURY_GRADES, strict=False)):
        grades = {e.pk: Grade(g).value for e, g in zip(entries, row, strict=False)}
        if i == len(jury) - 1:
            grades.pop(entries[-1].pk, None)
        services.jury_grade_set(by=juror, campaign=campaign, grades=grades)


def _jurors(circles: list[Circle]) -> list[User]:
    """Five members of the circles, the demo consultant first when they are one of them."""
    members = list(members_in_good_standing(circles).order_by("pk")[:50])
    members.sort(key=lambda u: u.email != DEMO_ACCOUNTS[Role.CONSULTANT])
    return members[: len(JURY_GRADES)]


def seed_campaigns() -> None:
    if Campaign.objects.exists():
        return
    circles = list(Circle.objects.order_by("pk"))
    projects = list(
        Project.objects.filter(status__in=ELIGIBLE_PROJECT_STATUSES).order_by("pk")[: len(COSTS)]
    )
    staff = User.objects.filter(email=DEMO_ACCOUNTS[Role.OPERATOR_STAFF]).first()
    if not circles or len(projects) < 2 or staff is None:
        return
    today = timezone.localdate()
    try:
        done = _campaign(
            staff,
            circles,
            projects,
            title="Appel à projets du printemps",
            description=(
                "Les membres des cercles choisissent les projets que servira leur temps "
                "d'intercontrat."
            ),
            start=today - dt.timedelta(days=60),
            jury=_jurors(circles),
        )
    except Conflict:
        return  # nobody in good standing: no electorate, no demo vote
    electors = list(Elector.objects.filter(campaign=done).select_related("user").order_by("pk"))
    entries = list(selectors.entries(done))
    for i, elector in enumerate(electors):
        # Two camps and a few independents, so that MES and the standard method differ.
        if i % 3 == 2:
            picks = [entries[-1], entries[i % len(entries)]]
        elif i % 2:
            picks = entries[: max(1, len(entries) // 2)]
        else:
            picks = entries[len(entries) // 2 :]
        services.ballot_cast(by=elector.user, campaign=done, entry_ids=[e.pk for e in picks])
        if i == 0:  # someone changes their mind
            services.ballot_cast(by=elector.user, campaign=done, entry_ids=[entries[0].pk])
    services.campaign_advance(by=staff, campaign=done)
    # A second call whose vote is open (the dashboard shows electors their to-do).
    _campaign(
        staff,
        circles,
        projects[::-1],
        title="Appel à projets de l'automne",
        description="Le vote est ouvert : cochez tous les projets que vous soutenez.",
        start=today - dt.timedelta(days=25),
    )
