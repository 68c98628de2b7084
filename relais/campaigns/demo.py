"""Demo data of campaigns: a call for projects voted and counted (results, audit trail, the
greedy comparison, the .pb file), and one whose vote is open. Built through the services; runs
after the funding demo (the electorate is its circles' members in good standing) and does nothing
when there is no circle or no accepted project."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from relais.accounts.demo import DEMO_ACCOUNTS
from relais.accounts.models import Membership, Role, User
from relais.campaigns import services
from relais.campaigns.models import ELIGIBLE_PROJECT_STATUSES, Campaign, Elector
from relais.core.errors import Conflict
from relais.funding.models import Circle
from relais.projects.models import Project

COSTS = (40, 25, 60, 15, 30, 50)


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
) -> Campaign:
    campaign = services.campaign_create(
        by=staff,
        title=title,
        description=description,
        proposals_from=start,
        review_from=start + dt.timedelta(days=14),
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
    services.campaign_advance(by=staff, campaign=campaign)
    return campaign


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
        )
    except Conflict:
        return  # nobody in good standing: no electorate, no demo vote
    electors = list(Elector.objects.filter(campaign=done).select_related("user").order_by("pk"))
    entries = list(done.entries.order_by("pk"))
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
