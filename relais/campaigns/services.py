"""Every change of a campaign: one function each (views, the API, the periodic job call them).

The counting rule and the seed of the lot are chosen at creation and frozen when the vote opens;
the electorate is fixed then too. A ballot is replaced, never duplicated (a unique constraint, and
the elector's row locked while it is written). Closing the vote counts it
(relais/campaigns/tally.py) and stores the result, its audit trail and the anonymised ballots
(a Pabulib file).

A campaign may have a jury round between the review and the vote: jurors designated by staff
grade each shortlisted project once (a unique constraint, and the juror's row locked while their
grades are written); closing the round ranks the projects by Majority Judgment, publishes the
ranking and, with a shortlist size N, leaves only the best N projects in the vote."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.accounts.models import User
from relais.campaigns import access, selectors, tally, tasks
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
    Rule,
)
from relais.core.errors import Conflict, Invalid, NotAllowed
from relais.core.mail import notify_on_commit
from relais.core.validators import refuse_implausible_dates
from relais.funding.selectors import members_in_good_standing
from relais.projects.models import Project

if TYPE_CHECKING:
    from relais.funding.models import Circle


def receipt_hash(code: str) -> str:
    return hashlib.sha256(code.strip().encode()).hexdigest()


def _check_dates(
    proposals_from: dt.date,
    review_from: dt.date,
    vote_from: dt.date,
    results_from: dt.date,
    jury_from: dt.date | None = None,
) -> None:
    refuse_implausible_dates(
        proposals_from=proposals_from,
        review_from=review_from,
        vote_from=vote_from,
        results_from=results_from,
        jury_from=jury_from,
    )
    if not proposals_from <= review_from <= vote_from < results_from:
        raise Invalid(
            _(
                "The phases must follow each other: proposals, review, vote, then results "
                "(after the vote)."
            )
        )
    if jury_from is not None and not review_from <= jury_from <= vote_from:
        raise Invalid(
            _("The jury round comes between the review and the vote."),
            fields={"jury_from": [_("The jury round comes between the review and the vote.")]},
        )


def _check_shortlist_size(jury_from: dt.date | None, shortlist_size: int | None) -> None:
    if shortlist_size is None:
        return
    if jury_from is None:
        raise Invalid(_("Only a jury can shorten the list of projects of the vote."))
    if shortlist_size < 1:
        raise Invalid(
            _("The jury sends at least one project to the vote."),
            fields={"shortlist_size": [_("The jury sends at least one project to the vote.")]},
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
    jury_from: dt.date | None = None,
    shortlist_size: int | None = None,
) -> Campaign:
    """A new campaign (a draft); its seed of the lot is drawn now and shown from now on. With
    jury_from, a jury round comes before the vote (and, with shortlist_size, keeps its best N)."""
    if not access.is_manager(by):
        raise NotAllowed(_("Only the operator's staff open campaigns."))
    _check_dates(proposals_from, review_from, vote_from, results_from, jury_from)
    _check_shortlist_size(jury_from, shortlist_size)
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
        jury_from=jury_from,
        shortlist_size=shortlist_size,
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
    phases = campaign.phases
    following = phases[phases.index(Phase(campaign.phase)) + 1]
    if following == Phase.JURY:
        _open_jury(campaign)
    elif following == Phase.VOTE:
        if campaign.phase == Phase.JURY:
            _close_jury(campaign)
        _open_vote(campaign)
    elif following == Phase.CLOSED:
        _close_vote(campaign)
    else:
        campaign.phase = following
        campaign.save(update_fields=["phase"])
    return campaign


def _open_jury(campaign: Campaign) -> None:
    if not selectors.shortlist(campaign).exists():
        raise Conflict(_("No eligible project: the jury would have nothing to grade."))
    if not campaign.jurors.exists():
        raise Conflict(_("The jury has no member yet: designate the jurors first."))
    campaign.phase = Phase.JURY
    campaign.save(update_fields=["phase"])
    notify_on_commit(tasks.jury_opened_send, campaign_id=campaign.pk)


def _close_jury(campaign: Campaign) -> None:
    """Publish the jury's Majority Judgment ranking; with a shortlist size N, the projects ranked
    below N are left out of the vote. The vote opens in the same transaction, so a vote that
    cannot open leaves the jury round open and its ranking unpublished."""
    # Wait for the jurors' submissions in progress (each holds its juror's row).
    list(Juror.objects.select_for_update().filter(campaign=campaign).values_list("pk"))
    if not JuryGrade.objects.filter(juror__campaign=campaign).exists():
        raise Conflict(_("No juror has graded any project yet: the jury round cannot close."))
    ranking = selectors.jury_ranking(campaign)
    size = campaign.shortlist_size
    rows: list[dict[str, Any]] = ranking["ranking"]  # type: ignore[assignment]
    for row in rows:
        row["kept"] = size is None or row["rank"] <= size
    cut = [row["entry"] for row in rows if not row["kept"]]
    CampaignProject.objects.filter(campaign=campaign, pk__in=cut).update(jury_cut=True)
    campaign.jury_result = {**ranking, "shortlist_size": size}
    campaign.jury_closed_at = timezone.now()
    campaign.save(update_fields=["jury_result", "jury_closed_at"])


def jury_close(*, by: User, campaign: Campaign) -> Campaign:
    """Close the jury round: its ranking is published and the vote opens on the projects it keeps
    (the step of campaign_advance that follows the jury round)."""
    if Campaign.objects.filter(pk=campaign.pk).values_list("phase", flat=True).first() != (
        Phase.JURY
    ):
        raise Conflict(_("The jury round is not open."))
    return campaign_advance(by=by, campaign=campaign)


@transaction.atomic
def campaign_set_jury(
    *, by: User, campaign: Campaign, jury_from: dt.date | None, shortlist_size: int | None
) -> Campaign:
    """Give the campaign a jury round (or take it away, or change its date or shortlist size),
    until the jury round opens."""
    if not access.is_manager(by):
        raise NotAllowed(_("Only the operator's staff manage campaigns."))
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.phase not in (Phase.DRAFT, Phase.PROPOSALS, Phase.REVIEW):
        raise Conflict(_("The jury round can only be set up before it opens."))
    _check_dates(
        campaign.proposals_from,
        campaign.review_from,
        campaign.vote_from,
        campaign.results_from,
        jury_from,
    )
    _check_shortlist_size(jury_from, shortlist_size)
    campaign.jury_from = jury_from
    campaign.shortlist_size = shortlist_size
    campaign.save(update_fields=["jury_from", "shortlist_size"])
    return campaign


def _jury_editable(by: User, campaign: Campaign) -> Campaign:
    """The campaign, locked, if staff may still change its jury."""
    if not access.is_manager(by):
        raise NotAllowed(_("Only the operator's staff designate the jury."))
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if not campaign.has_jury:
        raise Conflict(_("This campaign has no jury round."))
    if campaign.jury_over:
        raise Conflict(_("The jury round is over: its members can no longer change."))
    return campaign


@transaction.atomic
def jury_member_add(*, by: User, campaign: Campaign, email: str) -> Juror:
    """Staff designate a juror by the email address of their account, until the jury round ends;
    a juror added during the round is told at once."""
    campaign = _jury_editable(by, campaign)
    user = User.objects.filter(email__iexact=email.strip(), is_active=True).first()
    if user is None:
        message = _("No account has this email address.")
        raise Invalid(message, fields={"email": [message]})
    try:
        with transaction.atomic():
            juror = Juror.objects.create(campaign=campaign, user=user, added_by=by)
    except IntegrityError as error:
        raise Conflict(_("This person is already on the jury.")) from error
    if campaign.phase == Phase.JURY:
        notify_on_commit(tasks.jury_opened_send, campaign_id=campaign.pk, juror_id=juror.pk)
    return juror


@transaction.atomic
def jury_member_remove(*, by: User, juror: Juror) -> None:
    """Staff take a juror off the jury, with their grades, until the jury round ends."""
    _jury_editable(by, juror.campaign)
    Juror.objects.filter(pk=juror.pk).delete()


def jury_grade_set(*, by: User, campaign: Campaign, grades: Mapping[int, int]) -> dict[int, int]:
    """A juror grades shortlisted projects ({entry id: grade}), during the jury round; a project
    graded again keeps one grade, the new one. All or nothing. Returns the juror's grades."""
    with transaction.atomic():
        # Lock the juror's row: simultaneous submissions of one juror are written one at a time,
        # and closing the round (which locks every juror's row) waits for them. The phase is
        # read once the lock is held, so a grade is either counted or refused, never lost.
        juror = Juror.objects.select_for_update().filter(campaign=campaign, user=by).first()
        if juror is None:
            raise NotAllowed(_("You are not on the jury of this campaign."))
        campaign = Campaign.objects.get(pk=campaign.pk)
        if campaign.phase != Phase.JURY:
            raise Conflict(_("The jury round is not open."))
        wanted = {int(entry): grade for entry, grade in grades.items()}
        if any(not isinstance(g, int) or g not in Grade.values for g in wanted.values()):
            message = _("A grade must be one of the six grades of the scale.")
            raise Invalid(message, fields={"grades": [message]})
        known = set(
            selectors.shortlist(campaign).filter(pk__in=wanted).values_list("pk", flat=True)
        )
        if set(wanted) - known:
            message = _("Some of the projects are not on the jury's shortlist.")
            raise Invalid(message, fields={"grades": [message]})
        now = timezone.now()
        current = {g.entry_id: g for g in juror.grades.filter(entry_id__in=wanted)}
        for entry_id, grade in sorted(wanted.items()):
            row = current.get(entry_id)
            if row is None:
                try:
                    with transaction.atomic():
                        JuryGrade.objects.create(juror=juror, entry_id=entry_id, grade=grade)
                    continue
                except IntegrityError:
                    row = JuryGrade.objects.get(juror=juror, entry_id=entry_id)
            if row.grade != grade:
                row.grade = grade
                row.changed_at = now
                row.save(update_fields=["grade", "changed_at"])
        return selectors.grades_of(juror)


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
