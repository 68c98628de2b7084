"""Every change of a campaign: one function each (views, the API, the periodic job call them).

The counting rule and the seed of the lot are chosen at creation and frozen when the vote opens;
the electorate is fixed then too. A ballot is replaced, never duplicated (a unique constraint, and
the elector's row locked while it is written). Closing the vote counts it
(relais/campaigns/tally.py) and stores the result, its audit trail and the anonymised ballots
(a Pabulib file)."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.campaigns import access, selectors, tally, tasks
from relais.campaigns.models import (
    ELIGIBLE_PROJECT_STATUSES,
    PHASE_ORDER,
    Ballot,
    Campaign,
    CampaignProject,
    Elector,
    Phase,
    Rule,
)
from relais.core.errors import Conflict, Invalid, NotAllowed
from relais.core.mail import notify_on_commit
from relais.funding.selectors import members_in_good_standing
from relais.projects.models import Project

if TYPE_CHECKING:
    from relais.accounts.models import User
    from relais.funding.models import Circle


def receipt_hash(code: str) -> str:
    return hashlib.sha256(code.strip().encode()).hexdigest()


def _check_dates(
    proposals_from: dt.date, review_from: dt.date, vote_from: dt.date, results_from: dt.date
) -> None:
    if not proposals_from <= review_from <= vote_from < results_from:
        raise Invalid(
            _(
                "The phases must follow each other: proposals, review, vote, then results "
                "(after the vote)."
            )
        )


@transaction.atomic
def campaign_create(
    *,
    by: User,
    title: str,
    description: str,
    proposals_from: dt.date,
    review_from: dt.date,
    vote_from: dt.date,
    results_from: dt.date,
    budget_days: int,
    rule: str,
    circles: Iterable[Circle],
) -> Campaign:
    """A new campaign (a draft); its seed of the lot is drawn now and shown from now on."""
    if not access.is_manager(by):
        raise NotAllowed(_("Only the operator's staff open campaigns."))
    _check_dates(proposals_from, review_from, vote_from, results_from)
    if rule not in Rule.values:
        raise Invalid(_("Unknown counting rule."))
    if budget_days < 1:
        raise Invalid(_("The budget must be at least one bench day."))
    circles = list(circles)
    if not circles:
        raise Invalid(_("Choose at least one participating circle."))
    campaign = Campaign.objects.create(
        title=title,
        description=description,
        proposals_from=proposals_from,
        review_from=review_from,
        vote_from=vote_from,
        results_from=results_from,
        budget_days=budget_days,
        rule=rule,
        seed=secrets.token_hex(16),
        created_by=by,
    )
    campaign.circles.set(circles)
    return campaign


@transaction.atomic
def campaign_set_rule(
    *, by: User, campaign: Campaign, rule: str, budget_days: int | None = None
) -> Campaign:
    """Change the counting rule (or the budget) before the vote opens; refused afterwards."""
    if not access.is_manager(by):
        raise NotAllowed(_("Only the operator's staff manage campaigns."))
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.rule_frozen:
        raise Conflict(_("The counting rule is frozen since the vote opened."))
    if rule not in Rule.values:
        raise Invalid(_("Unknown counting rule."))
    campaign.rule = rule
    if budget_days is not None:
        if budget_days < 1:
            raise Invalid(_("The budget must be at least one bench day."))
        campaign.budget_days = budget_days
    campaign.save(update_fields=["rule", "budget_days"])
    return campaign


@transaction.atomic
def campaign_advance(*, by: User | None, campaign: Campaign) -> Campaign:
    """Move the campaign to its next phase (staff; the periodic job closes due votes with by=None).

    Opening the vote fixes the electorate and tells each elector; closing it counts the ballots."""
    if by is not None and not access.is_manager(by):
        raise NotAllowed(_("Only the operator's staff manage campaigns."))
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.phase == Phase.CLOSED:
        raise Conflict(_("This campaign is already closed."))
    following = PHASE_ORDER[PHASE_ORDER.index(Phase(campaign.phase)) + 1]
    if following == Phase.VOTE:
        _open_vote(campaign)
    elif following == Phase.CLOSED:
        _close_vote(campaign)
    else:
        campaign.phase = following
        campaign.save(update_fields=["phase"])
    return campaign


def _open_vote(campaign: Campaign) -> None:
    if not selectors.entries(campaign).exists():
        raise Conflict(_("No eligible project: the vote cannot open."))
    voters = list(members_in_good_standing(campaign.circles.all()).values_list("pk", flat=True))
    if not voters:
        raise Conflict(
            _("The participating circles have no member in good standing: nobody could vote.")
        )
    Elector.objects.bulk_create(
        [Elector(campaign=campaign, user_id=pk) for pk in voters], ignore_conflicts=True
    )
    campaign.phase = Phase.VOTE
    campaign.vote_opened_at = timezone.now()
    campaign.electorate_size = len(voters)
    campaign.save(update_fields=["phase", "vote_opened_at", "electorate_size"])
    notify_on_commit(tasks.vote_opened_send, campaign_id=campaign.pk)


def _plain(value: Any) -> Any:
    """Fractions as exact strings (integers stay integers) for the stored JSON."""
    if isinstance(value, Fraction):
        return value.numerator if value.denominator == 1 else str(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def count_pb(pb_text: str, rule: str, seed: str) -> dict[str, Any]:
    """The stored result of a campaign: its rule's count, the greedy comparison, the reasons."""
    election = tally.parse_pb(pb_text)
    result = tally.count(election, rule, seed=seed)
    compare = tally.count(election, "greedy", seed=seed)
    return {
        "rule": rule,
        "result": result.as_json(),
        "greedy": compare.as_json(),
        "reasons": _plain(result.reasons(election)),
        "voters": len(election.votes),
    }


def _close_vote(campaign: Campaign) -> None:
    pb_text = tally.write_pb(selectors.election(campaign))
    outcome = count_pb(pb_text, campaign.rule, campaign.seed)
    campaign.phase = Phase.CLOSED
    campaign.closed_at = timezone.now()
    campaign.ballots_pb = pb_text
    campaign.result = outcome
    campaign.save(update_fields=["phase", "closed_at", "ballots_pb", "result"])
    winners = [int(pk) for pk in outcome["result"]["selected"]]
    CampaignProject.objects.filter(campaign=campaign, pk__in=winners).update(selected=True)
    notify_on_commit(tasks.results_send, campaign_id=campaign.pk)


def campaigns_close_due(today: dt.date | None = None) -> dict[str, int]:
    """The periodic job: count every vote whose results day has come (idempotent)."""
    today = today or timezone.localdate()
    closed = 0
    for campaign in Campaign.objects.filter(phase=Phase.VOTE, results_from__lte=today).order_by(
        "pk"
    ):
        campaign_advance(by=None, campaign=campaign)
        closed += 1
    return {"closed": closed}


@transaction.atomic
def project_apply(
    *, by: User, campaign: Campaign, project: Project, cost_days: int
) -> CampaignProject:
    """A nonprofit applies with one of its accepted projects, during the call for projects."""
    if not access.can_apply_with(by, project):
        raise NotAllowed(_("Only an admin of the project's nonprofit may apply with it."))
    campaign = Campaign.objects.get(pk=campaign.pk)
    if campaign.phase != Phase.PROPOSALS:
        raise Conflict(_("The call for projects is not open."))
    if project.status not in ELIGIBLE_PROJECT_STATUSES:
        raise Invalid(_("Only an accepted project may apply."))
    if not 1 <= cost_days <= campaign.budget_days:
        raise Invalid(_("The cost must be between one bench day and the campaign's budget."))
    try:
        with transaction.atomic():
            return CampaignProject.objects.create(
                campaign=campaign, project=project, cost_days=cost_days, applied_by=by
            )
    except IntegrityError as error:
        raise Conflict(_("This project has already applied.")) from error


@transaction.atomic
def entry_set_eligible(*, by: User, entry: CampaignProject, eligible: bool) -> CampaignProject:
    """Staff keep or set aside an application, before the vote opens."""
    if not access.is_manager(by):
        raise NotAllowed(_("Only the operator's staff review applications."))
    entry.campaign.refresh_from_db(fields=["phase"])
    if entry.campaign.phase not in (Phase.PROPOSALS, Phase.REVIEW):
        raise Conflict(_("Applications can only be reviewed before the vote."))
    entry.eligible = eligible
    entry.save(update_fields=["eligible"])
    return entry


def ballot_cast(*, by: User, campaign: Campaign, entry_ids: Sequence[int]) -> tuple[Ballot, str]:
    """Cast or replace the elector's ballot; returns it with a new receipt code (shown once)."""
    ids = sorted({int(i) for i in entry_ids})
    with transaction.atomic():
        campaign = Campaign.objects.get(pk=campaign.pk)
        if campaign.phase != Phase.VOTE or timezone.localdate() >= campaign.results_from:
            raise Conflict(_("The vote is not open."))
        # Lock the elector's row: simultaneous ballots of one person are written one at a time.
        elector = Elector.objects.select_for_update().filter(campaign=campaign, user=by).first()
        if elector is None:
            raise NotAllowed(_("You are not in the electorate of this campaign."))
        known = set(selectors.entries(campaign).filter(pk__in=ids).values_list("pk", flat=True))
        if set(ids) - known:
            raise Invalid(_("Some of the projects are not in this campaign."))
        code = "-".join(secrets.token_hex(2).upper() for _ in range(4))
        now = timezone.now()
        ballot = Ballot.objects.filter(campaign=campaign, voter=by).first()
        if ballot is None:
            try:
                with transaction.atomic():
                    ballot = Ballot.objects.create(
                        campaign=campaign, voter=by, approvals=ids, receipt_hash=receipt_hash(code)
                    )
                return ballot, code
            except IntegrityError:
                ballot = Ballot.objects.get(campaign=campaign, voter=by)
        ballot.approvals = ids
        ballot.receipt_hash = receipt_hash(code)
        ballot.changed_at = now
        ballot.save(update_fields=["approvals", "receipt_hash", "changed_at"])
        return ballot, code


def receipt_check(*, campaign: Campaign, code: str) -> Ballot | None:
    """The ballot this receipt code confirms, if any (anyone holding the code may check)."""
    return Ballot.objects.filter(campaign=campaign, receipt_hash=receipt_hash(code)).first()
