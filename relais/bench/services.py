"""Every state change of the firm side, one function each.

A recall is never refused: it is recorded first, then applied (at once when its date has come,
later by the periodic job otherwise), ending the bench period and its missions on that date and
giving every claim of the consultant back to the backlog with a drafted handover.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.accounts import services as account_services
from relais.accounts.models import Organisation, OrganisationKind, Role, User
from relais.bench import returns
from relais.bench.models import (
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
from relais.bench.tasks import recall_notify, roster_welcome
from relais.core.models import Cause, Language, Skill
from relais.projects.models import Project, ProjectStatus
from relais.work import services as work_services
from relais.work.models import Claim, ClaimEnd, TeamMember


class BenchError(Exception):
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


def terms_at(firm: Organisation, day: dt.date) -> FirmTerms | None:
    """The version of the terms valid on a day (the latest that started on or before it)."""
    return (
        FirmTerms.objects.filter(firm=firm, valid_from__lte=day)
        .order_by("-valid_from", "-id")
        .first()
    )


# --- Roster -------------------------------------------------------------------------------


def profile_for(user: User, firm: Organisation) -> ConsultantProfile:
    profile, _created = ConsultantProfile.objects.get_or_create(user=user, defaults={"firm": firm})
    return profile


@transaction.atomic
def roster_apply(*, admin: User, firm: Organisation, rows: list[RosterRow]) -> dict[str, int]:
    """Writes a checked roster, all rows or none: new consultants get an account and a welcome
    email; known ones (by employee id, then email) are updated; unchanged rows change nothing."""
    _require_firm_admin(admin, firm)
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    welcome: list[int] = []
    for row in rows:
        created, changed = _roster_row(firm, row, welcome)
        counts["created" if created else "updated" if changed else "unchanged"] += 1
    language = settings.LANGUAGE_CODE
    transaction.on_commit(
        lambda: [
            roster_welcome.enqueue(user_id=pk, firm_id=firm.pk, language=language) for pk in welcome
        ]
    )
    return counts


def _roster_row(firm: Organisation, row: RosterRow, welcome: list[int]) -> tuple[bool, bool]:
    """Creates or updates one consultant; says whether it was created, and whether it changed."""
    profiles = ConsultantProfile.objects.filter(firm=firm).select_related("user")
    profile = profiles.filter(employee_id=row.employee_id).first() if row.employee_id else None
    profile = profile or profiles.filter(user__email__iexact=row.email).first()
    created = profile is None
    if profile is None:
        user = User.objects.filter(email__iexact=row.email).first()
        if user is not None and ConsultantProfile.objects.filter(user=user).exists():
            raise ValidationError(
                _("Row %(row)s: %(email)s is a consultant of another firm.")
                % {"row": row.line, "email": row.email}
            )
        if user is None:
            user = User.objects.create_user(
                row.email, None, first_name=row.first_name, last_name=row.last_name
            )
            EmailAddress.objects.create(user=user, email=row.email, verified=False, primary=True)
            welcome.append(user.pk)
        account_services.membership_add(organisation=firm, user=user, role=Role.CONSULTANT)
        profile = ConsultantProfile.objects.create(user=user, firm=firm)
    user = profile.user
    changed = False
    for name, value in {"first_name": row.first_name, "last_name": row.last_name}.items():
        if getattr(user, name) != value:
            setattr(user, name, value)
            changed = True
    if user.email.lower() != row.email:
        if User.objects.filter(email__iexact=row.email).exclude(pk=user.pk).exists():
            raise ValidationError(
                _("Row %(row)s: %(email)s already belongs to another account.")
                % {"row": row.line, "email": row.email}
            )
        user.email = row.email
        changed = True
    if changed:
        user.save()
    wanted: dict[str, object] = {
        "job_title": row.job_title,
        "tjm_cents": row.tjm_cents,
        "daily_cost_cents": row.daily_cost_cents,
        "employee_id": row.employee_id,
    }
    profile_changed = False
    for attribute, wanted_value in wanted.items():
        if getattr(profile, attribute) != wanted_value:
            setattr(profile, attribute, wanted_value)
            profile_changed = True
    if profile_changed:
        profile.save()
    current = set(profile.skills.values_list("skill__slug", flat=True))
    if set(row.skills) != current:
        profile.skills.exclude(skill__slug__in=row.skills).delete()
        for skill in Skill.objects.filter(slug__in=set(row.skills) - current):
            ConsultantSkill.objects.create(profile=profile, skill=skill)
        profile_changed = True
    return created, changed or profile_changed


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
    others = BenchPeriod.objects.filter(
        consultant=consultant,
        status__in=[BenchStatus.REQUESTED, BenchStatus.OPEN, BenchStatus.ENDED],
    )
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
                    % {"start": other.start.strftime("%d/%m/%Y")}
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
    _require_firm_admin(admin, firm)
    _check_period(consultant, firm, start, expected_end)
    profile_for(consultant, firm)
    return BenchPeriod.objects.create(
        consultant=consultant,
        firm=firm,
        start=start,
        expected_end=expected_end,
        status=BenchStatus.OPEN,
        requested_by=admin,
        decided_by=admin,
    )


@transaction.atomic
def bench_period_request(
    *, consultant: User, firm: Organisation, start: dt.date, expected_end: dt.date | None = None
) -> BenchPeriod:
    """A consultant asks their firm for a bench period."""
    _check_period(consultant, firm, start, expected_end)
    return BenchPeriod.objects.create(
        consultant=consultant,
        firm=firm,
        start=start,
        expected_end=expected_end,
        status=BenchStatus.REQUESTED,
        requested_by=consultant,
    )


@transaction.atomic
def bench_period_decide(*, admin: User, period: BenchPeriod, approve: bool) -> BenchPeriod:
    """The firm approves or refuses a requested period."""
    _require_firm_admin(admin, period.firm)
    updated = BenchPeriod.objects.filter(pk=period.pk, status=BenchStatus.REQUESTED).update(
        status=BenchStatus.OPEN if approve else BenchStatus.REFUSED, decided_by=admin
    )
    if not updated:
        raise BenchError(_("This request has already been answered."))
    if approve:
        profile_for(period.consultant, period.firm)
    period.refresh_from_db()
    return period


# --- Missions -----------------------------------------------------------------------------


@transaction.atomic
def mission_create(*, consultant: User, project: Project) -> Mission:
    """A consultant on the bench joins a project: the mission takes the firm's terms of today
    and waits for the loan agreement and the consultant's written agreement."""
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
    return Mission.objects.create(
        consultant=consultant,
        project=project,
        bench_period=period,
        terms=terms,
        mode=terms.mode,
        fee_rate=terms.fee_rate if terms.mode == "fee" else 0,
        tjm_cents=profile.tjm_cents or terms.average_tjm_cents,
        daily_cost_cents=profile.daily_cost_cents or terms.average_daily_cost_cents,
    )


def _maybe_start(mission: Mission) -> Mission:
    if (
        mission.agreement_generated_at
        and mission.consultant_agreed_at
        and mission.status == MissionStatus.AWAITING
    ):
        mission.status = MissionStatus.ACTIVE
        mission.start = timezone.localdate()
        mission.save(update_fields=["status", "start"])
        project = mission.project
        if not TeamMember.objects.filter(
            project=project, user=mission.consultant, left_at__isnull=True
        ).exists():
            TeamMember.objects.create(project=project, user=mission.consultant, added_by=None)
    return mission


@transaction.atomic
def mission_agreement_draw_up(*, admin: User, mission: Mission) -> Mission:
    """The firm draws up the loan agreement (convention de mise à disposition)."""
    mission = (
        Mission.objects.select_for_update()
        .select_related("bench_period__firm", "project")
        .get(pk=mission.pk)
    )
    _require_firm_admin(admin, mission.bench_period.firm)
    if mission.status == MissionStatus.ENDED:
        raise BenchError(_("This mission has ended."))
    if mission.agreement_generated_at is None:
        mission.agreement_generated_at = timezone.now()
        mission.agreement_number = (
            f"REL-{timezone.localdate():%Y}-{mission.pk:05d}-{secrets.token_hex(2).upper()}"
        )
        mission.save(update_fields=["agreement_generated_at", "agreement_number"])
    return _maybe_start(mission)


@transaction.atomic
def mission_consent(*, consultant: User, mission: Mission) -> Mission:
    """The consultant's express written agreement to be lent, recorded with its date."""
    mission = Mission.objects.select_for_update().select_related("project").get(pk=mission.pk)
    if mission.consultant_id != consultant.pk:
        raise PermissionDenied
    if mission.status == MissionStatus.ENDED:
        raise BenchError(_("This mission has ended."))
    if mission.agreement_generated_at is None:
        raise BenchError(
            _(
                "Your firm has not drawn up the loan agreement yet: "
                "you will agree to it once it exists."
            )
        )
    if mission.consultant_agreed_at is None:
        mission.consultant_agreed_at = timezone.now()
        mission.save(update_fields=["consultant_agreed_at"])
    return _maybe_start(mission)


# --- Recall -------------------------------------------------------------------------------


def bench_period_recall(
    *,
    actor: User | None,
    period: BenchPeriod,
    effective_date: dt.date | None = None,
    channel: str = RecallChannel.WEB,
) -> Recall:
    """Takes the consultant back. Never refused: a second recall of the same period returns the
    first, unchanged; a past date ends everything on that date; a future one is applied then."""
    if actor is not None:
        _require_firm_admin(actor, period.firm)
    effective_date = effective_date or timezone.localdate()
    with transaction.atomic():
        locked = BenchPeriod.objects.select_for_update().get(pk=period.pk)
        existing = Recall.objects.filter(bench_period=locked).first()
        if existing is not None:
            return existing
        recall = Recall.objects.create(
            bench_period=locked, effective_date=effective_date, requested_by=actor, channel=channel
        )
        locked.end = effective_date
        if locked.expected_end is None or locked.expected_end > effective_date:
            locked.expected_end = max(effective_date, locked.start)
        locked.save(update_fields=["end", "expected_end"])
        for mission in Mission.objects.filter(bench_period=locked).exclude(
            status=MissionStatus.ENDED
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
        period.status = BenchStatus.ENDED
        period.save(update_fields=["status"])
        missions = list(
            Mission.objects.filter(bench_period=period).exclude(status=MissionStatus.ENDED)
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
            TeamMember.objects.filter(
                project=mission.project, user=period.consultant, left_at__isnull=True
            ).update(left_at=now)
        Recall.objects.filter(pk=recall.pk).update(
            released_tasks=released, ended_missions=[m.pk for m in missions]
        )
        language = settings.LANGUAGE_CODE
        transaction.on_commit(lambda: recall_notify.enqueue(recall_id=recall.pk, language=language))
    return True


def recalls_apply_due(*, today: dt.date | None = None) -> int:
    """Applies the recalls dated in the past that are not applied yet (run by the periodic job)."""
    today = today or timezone.localdate()
    due = Recall.objects.filter(applied_at__isnull=True, effective_date__lte=today)
    return sum(recall_apply(recall=recall) for recall in due)
