"""Every state change of the firm side, one function each.

A recall is never refused: it is recorded first, then applied (at once when its date has come,
later by the periodic job otherwise), ending the bench period and its missions on that date and
giving every claim of the consultant back to the backlog with a drafted handover.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from relais.accounts import services as account_services
from relais.accounts.audit import audit
from relais.accounts.models import Invitation, Organisation, OrganisationKind, Role, User
from relais.bench import returns, roster
from relais.bench.models import (
    REFUSAL_REASON_MAX,
    BenchPeriod,
    BenchStatus,
    ConsultantProfile,
    ConsultantSkill,
    FirmTerms,
    Mission,
    MissionStatus,
    Recall,
    RecallChannel,
)
from relais.bench.roster import RosterRow
from relais.bench.selectors import terms_at
from relais.bench.tasks import mission_notify, recall_notify, roster_welcome
from relais.bench.workflow import (
    BENCH_STEPS,
    OCCUPYING,
    STEPS,
    WHY_NOT,
    BenchActor,
    BenchPeriodStep,
    BenchStep,
    MissionStep,
)
from relais.core.errors import Conflict
from relais.core.models import Cause, Language, Skill
from relais.projects.models import Project, ProjectStatus
from relais.work import access as work_access
from relais.work import services as work_services
from relais.work.models import Claim, ClaimEnd

logger = logging.getLogger(__name__)

if TYPE_CHECKING:
    from django.http import HttpRequest


class BenchError(Conflict):
    """A step that cannot be taken now; the message is for the user."""


def _require_firm_admin(user: User, firm: Organisation) -> None:
    if firm.kind != OrganisationKind.FIRM or not user.has_role(firm.pk, [Role.FIRM_ADMIN]):
        raise PermissionDenied


# --- Terms --------------------------------------------------------------------------------


@transaction.atomic
def firm_terms_set(
    *,
    admin: User,
    firm: Organisation,
    preferred_causes: Iterable[Cause] = (),
    valid_from: dt.date | None = None,
    **fields: Any,
) -> FirmTerms:
    """Records a new version of the firm's terms; missions that start after it take it."""
    _require_firm_admin(admin, firm)
    terms = FirmTerms(
        firm=firm, created_by=admin, valid_from=valid_from or timezone.localdate(), **fields
    )
    terms.full_clean(exclude=["preferred_causes"])
    terms.save()
    terms.preferred_causes.set(preferred_causes)
    return terms


# --- Roster -------------------------------------------------------------------------------


def profile_for(user: User, firm: Organisation) -> ConsultantProfile:
    profile, _created = ConsultantProfile.objects.get_or_create(user=user, defaults={"firm": firm})
    return profile


def roster_apply(
    *,
    admin: User,
    firm: Organisation,
    rows: list[RosterRow],
    accept_url: str = "",
    request: HttpRequest | None = None,
) -> dict[str, int]:
    """Writes a checked roster, all rows or none, as `roster.plan` announced it: new addresses
    get an account and a welcome email, existing accounts an invitation they may accept, the
    firm's consultants have the firm's data updated; no existing account's identity changes."""
    _require_firm_admin(admin, firm)
    accept_url = accept_url or settings.SITE_URL + reverse(
        "accounts:invitation_accept", kwargs={"token": "__token__"}
    )
    try:
        return _roster_apply_locked(
            admin=admin, firm=firm, rows=rows, accept_url=accept_url, request=request
        )
    except IntegrityError:
        # A change made at the same moment elsewhere (another firm importing the same address,
        # a person accepting an invitation): nothing of this import was written.
        raise ValidationError(
            _(
                "Someone changed these consultants at the same moment: nothing was imported. "
                "Upload the file again to see the current state."
            )
        ) from None


@transaction.atomic
def _roster_apply_locked(
    *,
    admin: User,
    firm: Organisation,
    rows: list[RosterRow],
    accept_url: str,
    request: HttpRequest | None,
) -> dict[str, int]:
    # Imports of one firm run one after the other: the second sees what the first wrote.
    Organisation.objects.select_for_update().filter(pk=firm.pk).first()
    plans = roster.plan(firm, rows)
    refused = [p for p in plans if p.outcome == roster.Outcome.REFUSED]
    if refused:
        raise ValidationError(
            [_("Row %(row)s: %(reason)s") % {"row": p.row.line, "reason": p.error} for p in refused]
        )
    counts = dict.fromkeys(_COUNTED, 0)
    welcome: list[int] = []
    for row_plan in plans:
        _roster_row(admin, firm, row_plan, welcome, accept_url)
        counts[row_plan.outcome] += 1
    audit(
        "roster.imported", actor=admin, organisation=firm, request=request, rows=len(rows), **counts
    )
    transaction.on_commit(
        lambda: [roster_welcome.enqueue(user_id=pk, firm_id=firm.pk) for pk in welcome]
    )
    return counts


_COUNTED = [
    roster.Outcome.CREATED,
    roster.Outcome.INVITED,
    roster.Outcome.AWAITING,
    roster.Outcome.UPDATED,
    roster.Outcome.UNCHANGED,
]


def _roster_row(
    admin: User, firm: Organisation, row_plan: roster.RowPlan, welcome: list[int], accept_url: str
) -> None:
    """Does what the plan says for one row; never touches an existing account's identity."""
    row = row_plan.row
    if row_plan.outcome == roster.Outcome.CREATED:
        user = User.objects.create_user(
            row.email, None, first_name=row.first_name, last_name=row.last_name
        )
        EmailAddress.objects.create(user=user, email=row.email, verified=False, primary=True)
        welcome.append(user.pk)
        account_services.membership_add(
            organisation=firm, user=user, role=Role.CONSULTANT, actor=admin
        )
        _profile_write(ConsultantProfile.objects.create(user=user, firm=firm), row)
    elif row_plan.outcome == roster.Outcome.INVITED:
        account_services.invitation_create(
            organisation=firm,
            invited_by=admin,
            email=row.email,
            role=Role.CONSULTANT,
            accept_url=accept_url,
            payload=roster.roster_payload(row),
        )
    elif row_plan.outcome == roster.Outcome.AWAITING:
        Invitation.objects.filter(pk=row_plan.invitation_id or 0).update(
            payload=roster.roster_payload(row)
        )
    elif row_plan.outcome == roster.Outcome.UPDATED:
        if row_plan.profile_id is not None:
            profile = ConsultantProfile.objects.get(pk=row_plan.profile_id)
        else:  # a consultant of the firm (they accepted an invitation) without a profile yet
            assert row_plan.user_id is not None
            profile = ConsultantProfile.objects.create(user_id=row_plan.user_id, firm=firm)
        _profile_write(profile, row)


def _profile_write(profile: ConsultantProfile, row: RosterRow | dict[str, Any]) -> None:
    """What the firm records of a consultant: job title, rates, employee id, skills."""
    data = row.as_dict() if isinstance(row, RosterRow) else row
    profile.job_title = data.get("job_title", "")
    profile.tjm_cents = data.get("tjm_cents", 0)
    profile.daily_cost_cents = data.get("daily_cost_cents", 0)
    profile.employee_id = data.get("employee_id", "")
    profile.save()
    skills = set(data.get("skills", []))
    current = set(profile.skills.values_list("skill__slug", flat=True))
    if skills != current:
        profile.skills.exclude(skill__slug__in=skills).delete()
        for skill in Skill.objects.filter(slug__in=skills - current):
            ConsultantSkill.objects.create(profile=profile, skill=skill)


def profile_from_roster_invitation(*, invitation: Invitation, user: User) -> ConsultantProfile:
    """Records what a firm's roster said of a person once they accepted its invitation; a
    consultant of another firm must leave it first, and a taken employee id is left blank."""
    firm = invitation.organisation
    profile = ConsultantProfile.objects.filter(user=user).first()
    if profile is not None and profile.firm_id != firm.pk:
        raise ValidationError(
            _(
                "You are a consultant of another firm on Relais: ask it to end your membership "
                "before joining %(firm)s."
            )
            % {"firm": firm.name}
        )
    data = dict(invitation.payload)
    employee_id = str(data.get("employee_id", ""))
    taken = (
        ConsultantProfile.objects.filter(firm=firm, employee_id=employee_id)
        .exclude(user=user)
        .exists()
    )
    if not employee_id or taken:
        data["employee_id"] = profile.employee_id if profile is not None else ""
    profile = profile or ConsultantProfile.objects.create(user=user, firm=firm)
    _profile_write(profile, data)
    return profile


@transaction.atomic
def profile_update(
    *,
    user: User,
    profile: ConsultantProfile,
    bio: str,
    matching_opt_out: bool,
    causes: Iterable[Cause],
    languages: Iterable[Language],
    skills: dict[str, int],
) -> ConsultantProfile:
    """A consultant's own profile: skills with levels, causes, languages, bio, matching opt-out."""
    if profile.user_id != user.pk:
        raise PermissionDenied
    profile.bio = bio.strip()
    profile.matching_opt_out = matching_opt_out
    profile.full_clean()
    profile.save()
    profile.causes.set(causes)
    profile.languages.set(languages)
    profile.skills.exclude(skill__slug__in=skills).delete()
    for skill in Skill.objects.filter(slug__in=skills):
        ConsultantSkill.objects.update_or_create(
            profile=profile, skill=skill, defaults={"level": skills[skill.slug]}
        )
    return profile


# --- Bench periods ------------------------------------------------------------------------


def _bench_step(name: BenchStep, actor: BenchActor) -> BenchPeriodStep:
    """The step of the bench-period table, if this kind of actor may take it."""
    step = BENCH_STEPS[name]
    if actor not in step.actors:
        raise PermissionDenied
    return step


def _check_bench_step(period: BenchPeriod, step: BenchPeriodStep) -> None:
    """Refuses a step the (locked) period's state does not allow, saying why."""
    if BenchStatus(period.status) not in step.sources:
        raise BenchError(str(step.refused) % {"status": period.get_status_display()})


def _check_period(
    consultant: User,
    firm: Organisation,
    start: dt.date,
    expected_end: dt.date | None,
) -> None:
    if not consultant.memberships.filter(organisation=firm, role=Role.CONSULTANT).exists():
        raise ValidationError({"consultant": _("This person is not a consultant of the firm.")})
    if expected_end is not None and expected_end < start:
        raise ValidationError({"expected_end": _("A bench period cannot end before it starts.")})
    # Serialise the periods of one consultant so that two overlapping ones cannot both pass.
    User.objects.select_for_update().filter(pk=consultant.pk).first()
    far = dt.date.max
    others = BenchPeriod.objects.filter(consultant=consultant, status__in=OCCUPYING)
    for other in others:
        # An open-ended period runs until further notice: it overlaps everything after it.
        other_end = other.end or other.expected_end or far
        if start <= other_end and (expected_end or far) >= other.start:
            raise ValidationError(
                {
                    "start": _(
                        "This period overlaps another bench period of the consultant "
                        "(from %(start)s)."
                    )
                    % {"start": date_format(other.start, "SHORT_DATE_FORMAT")}
                }
            )


@transaction.atomic
def bench_period_open(
    *,
    admin: User,
    firm: Organisation,
    consultant: User,
    start: dt.date,
    expected_end: dt.date | None = None,
) -> BenchPeriod:
    """The firm puts a consultant on the bench from a date."""
    step = _bench_step(BenchStep.OPEN, BenchActor.FIRM)
    _require_firm_admin(admin, firm)
    _check_period(consultant, firm, start, expected_end)
    profile_for(consultant, firm)
    return BenchPeriod.objects.create(
        consultant=consultant,
        firm=firm,
        start=start,
        expected_end=expected_end,
        status=step.target,
        requested_by=admin,
        decided_by=admin,
    )


@transaction.atomic
def bench_period_request(
    *, consultant: User, firm: Organisation, start: dt.date, expected_end: dt.date | None = None
) -> BenchPeriod:
    """A consultant asks their firm for a bench period."""
    step = _bench_step(BenchStep.REQUEST, BenchActor.CONSULTANT)
    # The consultant of the period is the one asking: _check_period refuses anyone else.
    _check_period(consultant, firm, start, expected_end)
    return BenchPeriod.objects.create(
        consultant=consultant,
        firm=firm,
        start=start,
        expected_end=expected_end,
        status=step.target,
        requested_by=consultant,
    )


@transaction.atomic
def bench_period_decide(*, admin: User, period: BenchPeriod, approve: bool) -> BenchPeriod:
    """The firm approves or refuses a requested period."""
    step = _bench_step(BenchStep.APPROVE if approve else BenchStep.REFUSE, BenchActor.FIRM)
    _require_firm_admin(admin, period.firm)
    locked = BenchPeriod.objects.select_for_update().get(pk=period.pk)
    _check_bench_step(locked, step)
    locked.status, locked.decided_by = step.target, admin
    locked.save(update_fields=["status", "decided_by"])
    if approve:
        profile_for(period.consultant, period.firm)
    period.refresh_from_db()
    return period


# --- Missions -----------------------------------------------------------------------------
# The steps and who takes them are in `relais.bench.workflow`; each step is audited and tells
# the next person (an email on commit, a to-do on their dashboard).


def _require_verified(firm: Organisation) -> None:
    if firm.verified_at is None:
        raise BenchError(
            _(
                "%(firm)s awaits verification by the Relais team: its consultants can join "
                "a project once it is verified."
            )
            % {"firm": firm.name}
        )


def _mission_notify(mission: Mission, step: str) -> None:
    transaction.on_commit(lambda: mission_notify.enqueue(mission_id=mission.pk, step=step))


def _mission_locked(mission: Mission) -> Mission:
    return (
        Mission.objects.select_for_update(of=("self",))
        .select_related(
            "bench_period__firm",
            "project__nonprofit",
            "project__field_lead",
            "consultant",
            "beneficiary_accepted_by",
        )
        .get(pk=mission.pk)
    )


def _check_step(mission: Mission, name: MissionStep) -> None:
    """Refuses a step the mission's state does not allow, saying why."""
    if MissionStatus(mission.status) not in STEPS[name].sources:
        raise BenchError(str(WHY_NOT[MissionStatus(mission.status)]))


def _mission_audit(
    action: str, mission: Mission, actor: User | None, request: HttpRequest | None, **details: Any
) -> None:
    audit(
        action,
        actor=actor,
        organisation=mission.bench_period.firm,
        target=f"mission {mission.pk}: {mission.consultant.email} → {mission.project.title}",
        request=request,
        mission=mission.pk,
        project=mission.project_id,
        nonprofit=mission.project.nonprofit_id,
        **details,
    )


@transaction.atomic
def mission_create(
    *, consultant: User, project: Project, request: HttpRequest | None = None
) -> Mission:
    """A consultant on the bench of a verified firm asks to join an active project: the mission
    takes the firm's terms of today and waits for its three acceptances (firm, beneficiary,
    consultant)."""
    today = timezone.localdate()
    period = (
        BenchPeriod.objects.select_for_update()
        .filter(consultant=consultant, status=BenchStatus.OPEN, start__lte=today)
        .filter(Q(end__isnull=True) | Q(end__gte=today))
        .select_related("firm")
        .first()
    )
    if period is None:
        raise BenchError(_("You can join a project while you are on the bench."))
    _require_verified(period.firm)
    if project.status != ProjectStatus.ACTIVE:
        raise BenchError(_("Only active projects take consultants."))
    terms = terms_at(period.firm, today)
    if terms is None:
        raise BenchError(_("Your firm has not set its lending terms yet."))
    if Mission.objects.filter(consultant=consultant, project=project, bench_period=period).exists():
        raise BenchError(_("You already have a mission on this project for this bench period."))
    lent = sum(
        returns.working_days(max(m.start, dt.date(today.year, 1, 1)), min(m.end or today, today))
        for m in Mission.objects.filter(consultant=consultant, start__year=today.year)
        if m.start is not None
    )
    if lent >= terms.max_bench_days_per_year:
        raise BenchError(
            _(
                "Your firm lends at most %(days)s bench days a year per consultant: "
                "you have given them."
            )
            % {"days": terms.max_bench_days_per_year}
        )
    profile = profile_for(consultant, period.firm)
    mission = Mission.objects.create(
        consultant=consultant,
        project=project,
        bench_period=period,
        terms=terms,
        mode=terms.mode,
        fee_rate=terms.fee_rate if terms.mode == "fee" else 0,
        tjm_cents=profile.tjm_cents or terms.average_tjm_cents,
        daily_cost_cents=profile.daily_cost_cents or terms.average_daily_cost_cents,
    )
    _mission_audit("mission.requested", mission, consultant, request)
    _mission_notify(mission, "requested")
    return mission


def _team_lead(mission: Mission) -> User:
    """Who takes the consultant into the team: the nonprofit admin who accepted the mission,
    or else the project's field lead, as long as they still lead the project."""
    for candidate in (mission.beneficiary_accepted_by, mission.project.field_lead):
        if candidate is not None and work_access.is_lead(candidate, mission.project):
            return candidate
    raise BenchError(
        _(
            "The person who accepted this mission for the nonprofit can no longer act for it: "
            "ask the nonprofit's admins."
        )
    )


def _start(mission: Mission, actor: User, request: HttpRequest | None) -> Mission:
    """With its three acceptances, the mission starts and the consultant joins the team."""
    _require_verified(mission.bench_period.firm)
    lead = _team_lead(mission)
    mission.status = MissionStatus.ACTIVE
    # A mission suspended by the migration to three acceptances keeps the day it first began.
    mission.start = mission.start or timezone.localdate()
    mission.save(update_fields=["status", "start"])
    if not work_access.is_team_member(mission.consultant, mission.project):
        work_services.team_member_add(
            lead=lead, project=mission.project, email=mission.consultant.email
        )
    _mission_audit("mission.started", mission, actor, request, team_added_by=lead.email)
    _mission_notify(mission, "started")
    return mission


@transaction.atomic
def mission_agreement_draw_up(
    *, admin: User, mission: Mission, request: HttpRequest | None = None
) -> Mission:
    """The firm draws up the loan agreement (convention de mise à disposition), its acceptance;
    the nonprofit is then asked to accept it."""
    mission = _mission_locked(mission)
    _require_firm_admin(admin, mission.bench_period.firm)
    if mission.agreement_generated_at is not None and mission.status not in (
        MissionStatus.ENDED,
        MissionStatus.REFUSED,
    ):
        return mission
    _check_step(mission, MissionStep.DRAW_UP)
    mission.agreement_generated_at = timezone.now()
    mission.agreement_drawn_up_by = admin
    mission.agreement_number = (
        f"REL-{timezone.localdate():%Y}-{mission.pk:05d}-{secrets.token_hex(2).upper()}"
    )
    mission.status = STEPS[MissionStep.DRAW_UP].target
    mission.save(
        update_fields=[
            "agreement_generated_at",
            "agreement_drawn_up_by",
            "agreement_number",
            "status",
        ]
    )
    _mission_audit("mission.drawn_up", mission, admin, request, number=mission.agreement_number)
    _mission_notify(mission, "drawn_up")
    return mission


def _require_beneficiary(user: User, mission: Mission) -> None:
    if not user.has_role(mission.project.nonprofit_id, [Role.NONPROFIT_ADMIN]):
        raise PermissionDenied


@transaction.atomic
def mission_beneficiary_accept(
    *, admin: User, mission: Mission, request: HttpRequest | None = None
) -> Mission:
    """An admin of the nonprofit that owns the project accepts the mission and its agreement;
    the consultant is then asked for their written agreement."""
    mission = _mission_locked(mission)
    _require_beneficiary(admin, mission)
    if mission.beneficiary_accepted_at is not None and mission.status != MissionStatus.ENDED:
        return mission
    _check_step(mission, MissionStep.ACCEPT)
    if mission.consultant_agreed_at is not None:
        _require_verified(mission.bench_period.firm)
    mission.beneficiary_accepted_at = timezone.now()
    mission.beneficiary_accepted_by = admin
    mission.status = STEPS[MissionStep.ACCEPT].target
    mission.save(update_fields=["beneficiary_accepted_at", "beneficiary_accepted_by", "status"])
    _mission_audit("mission.accepted_by_beneficiary", mission, admin, request)
    if mission.consultant_agreed_at is not None:
        # The consultant agreed before the rule of three acceptances: the mission starts now.
        return _start(mission, admin, request)
    _mission_notify(mission, "accepted")
    return mission


@transaction.atomic
def mission_beneficiary_refuse(
    *, admin: User, mission: Mission, reason: str, request: HttpRequest | None = None
) -> Mission:
    """An admin of the nonprofit that owns the project refuses the mission, saying why; the
    consultant and their firm are told, and the consultant never joins the team."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why you refuse: the consultant will read it.")})
    if len(reason) > REFUSAL_REASON_MAX:
        raise ValidationError(
            {
                "reason": _("Keep the reason under %(count)s characters.")
                % {"count": REFUSAL_REASON_MAX}
            }
        )
    mission = _mission_locked(mission)
    _require_beneficiary(admin, mission)
    _check_step(mission, MissionStep.REFUSE)
    mission.beneficiary_refused_at = timezone.now()
    mission.beneficiary_refused_by = admin
    mission.refusal_reason = reason
    mission.status = STEPS[MissionStep.REFUSE].target
    mission.save(
        update_fields=[
            "beneficiary_refused_at",
            "beneficiary_refused_by",
            "refusal_reason",
            "status",
        ]
    )
    _mission_audit("mission.refused", mission, admin, request, reason=reason)
    _mission_notify(mission, "refused")
    return mission


@transaction.atomic
def mission_consent(
    *, consultant: User, mission: Mission, request: HttpRequest | None = None
) -> Mission:
    """The consultant's express written agreement to be lent, recorded with its date, once the
    firm and the nonprofit have accepted; the mission then starts."""
    mission = _mission_locked(mission)
    if mission.consultant_id != consultant.pk:
        raise PermissionDenied
    if mission.consultant_agreed_at is not None and mission.status == MissionStatus.ACTIVE:
        return mission
    _check_step(mission, MissionStep.CONSENT)
    _require_verified(mission.bench_period.firm)
    mission.consultant_agreed_at = timezone.now()
    mission.save(update_fields=["consultant_agreed_at"])
    _mission_audit("mission.consented", mission, consultant, request)
    return _start(mission, consultant, request)


# --- Recall -------------------------------------------------------------------------------


def bench_period_recall(
    *,
    actor: User | None,
    period: BenchPeriod,
    effective_date: dt.date | None = None,
    channel: str = RecallChannel.WEB,
) -> Recall:
    """Takes the consultant back from a period on the bench. Never refused: a second recall of
    the same period returns the first, unchanged; a past date ends everything on that date (never
    before the period's start); a future one is applied then. A period that is only requested,
    refused or already over is not on the bench, so there is nothing to recall."""
    step = _bench_step(BenchStep.RECALL, BenchActor.SYSTEM if actor is None else BenchActor.FIRM)
    if actor is not None:
        _require_firm_admin(actor, period.firm)
    effective_date = effective_date or timezone.localdate()
    with transaction.atomic():
        locked = BenchPeriod.objects.select_for_update().get(pk=period.pk)
        existing = Recall.objects.filter(bench_period=locked).first()
        if existing is not None:
            return existing
        if BenchStatus(locked.status) not in step.sources:
            raise ValidationError(
                {"effective_date": str(step.refused) % {"status": locked.get_status_display()}}
            )
        # A recall dated before the period began ends it on its first day, never before.
        effective_date = max(effective_date, locked.start)
        recall = Recall.objects.create(
            bench_period=locked, effective_date=effective_date, requested_by=actor, channel=channel
        )
        audit(
            "bench.recall",
            actor=actor,
            organisation=locked.firm,
            target=locked.consultant.email,
            effective_date=effective_date.isoformat(),
            channel=str(channel),
            period=locked.pk,
        )
        locked.end = effective_date
        if locked.expected_end is None or locked.expected_end > effective_date:
            locked.expected_end = max(effective_date, locked.start)
        locked.save(update_fields=["end", "expected_end"])
        for mission in Mission.objects.filter(bench_period=locked).exclude(
            status__in=[MissionStatus.ENDED, MissionStatus.REFUSED]
        ):
            mission.end = effective_date
            mission.save(update_fields=["end"])
    if effective_date <= timezone.localdate():
        recall_apply(recall=recall)
        recall.refresh_from_db()
    return recall


def recall_apply(*, recall: Recall, now: dt.datetime | None = None) -> bool:
    """Applies a recall whose date has come, once: the period and its missions end, every claim
    of the consultant returns to the backlog with a drafted handover, and people are told."""
    now = now or timezone.now()
    with transaction.atomic():
        if Recall.objects.filter(pk=recall.pk, applied_at__isnull=True).update(applied_at=now) != 1:
            return False
        period = BenchPeriod.objects.select_for_update().get(pk=recall.bench_period_id)
        # Only an open period is ever recalled; should that change, this rolls back and the
        # periodic job logs it and retries, rather than ending a period the table does not end.
        step = _bench_step(BenchStep.END, BenchActor.SYSTEM)
        _check_bench_step(period, step)
        # The lock task_claim takes: a claim made while the recall is applied cannot survive it.
        User.objects.select_for_update().filter(pk=period.consultant_id).first()
        period.status = step.target
        period.save(update_fields=["status"])
        missions = list(
            Mission.objects.filter(bench_period=period).exclude(
                status__in=[MissionStatus.ENDED, MissionStatus.REFUSED]
            )
        )
        released = []
        for claim in Claim.objects.filter(
            consultant=period.consultant, ended_at__isnull=True
        ).select_related("task"):
            if work_services.claim_end_with_handover(
                claim=claim, reason=ClaimEnd.RECALLED, at=now, notify=False
            ):
                released.append(claim.task_id)
        for mission in missions:
            mission.status = MissionStatus.ENDED
            mission.end = mission.end or recall.effective_date
            mission.save(update_fields=["status", "end"])
            work_services.team_member_leave(project=mission.project, user=period.consultant, at=now)
        Recall.objects.filter(pk=recall.pk).update(
            released_tasks=released, ended_missions=[m.pk for m in missions]
        )
        audit(
            "bench.recall_applied",
            organisation=period.firm,
            target=period.consultant.email,
            recall=recall.pk,
            released_tasks=released,
            ended_missions=[m.pk for m in missions],
        )
        transaction.on_commit(lambda: recall_notify.enqueue(recall_id=recall.pk))
    return True


def recalls_apply_due(*, today: dt.date | None = None) -> int:
    """Applies the recalls dated in the past that are not applied yet (run by the periodic job)."""
    today = today or timezone.localdate()
    applied = 0
    for recall in Recall.objects.filter(applied_at__isnull=True, effective_date__lte=today):
        # Each recall in its own savepoint: one that fails is logged and retried at the next
        # run, and never holds back the others.
        try:
            applied += recall_apply(recall=recall)
        except Exception:
            logger.exception("Recall %s could not be applied; retried at the next run.", recall.pk)
    return applied
