"""Every state change of the firm side, one function each.

A recall is never refused: it is recorded first, then applied (at once when its date has come,
later by the periodic job otherwise), ending the bench period and its missions on that date and
giving every claim of the consultant back to the backlog with a drafted handover.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from allauth.account.models import EmailAddress
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
from relais.bench import documents, limits, returns, roster, selectors
from relais.bench.models import (
    REFUSAL_REASON_MAX,
    Absence,
    AcceptanceParty,
    BenchPeriod,
    BenchStatus,
    ConsultantProfile,
    ConsultantSkill,
    DocumentKind,
    FirmFiscalYear,
    FirmTerms,
    LendingMode,
    Mission,
    MissionStatus,
    Recall,
    RecallChannel,
)
from relais.bench.roster import RosterRow
from relais.bench.selectors import terms_at
from relais.bench.tasks import bench_period_notify, mission_notify, recall_notify, roster_welcome
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
from relais.core.mail import absolute_url, notify_on_commit
from relais.core.models import Cause, Language, Skill
from relais.core.validators import check_plausible_date, plausible_past_date
from relais.projects.models import Project, ProjectStatus
from relais.work import access as work_access
from relais.work import services as work_services
from relais.work.models import Claim, ClaimEnd

logger = logging.getLogger(__name__)

if TYPE_CHECKING:
    from django.http import HttpRequest


class BenchError(Conflict):
    """A step that cannot be taken now; the message is for the user."""


# Checks the apps above bench run before a mission starts (funding: the consultant's circle can
# pay its days); each raises BenchError to refuse. Filled from their AppConfig.ready().
MISSION_START_CHECKS: dict[str, Callable[[Mission], object]] = {}


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
    """Records a new version of the firm's terms; missions that start after it take it. In fee
    mode the fee (rate × average TJM) may not exceed the average daily cost (L8241-1)."""
    _require_firm_admin(admin, firm)
    terms = FirmTerms(
        firm=firm, created_by=admin, valid_from=valid_from or timezone.localdate(), **fields
    )
    terms.full_clean(exclude=["preferred_causes"])
    if terms.mode == LendingMode.FEE and returns.fee_exceeds_cost(
        tjm_cents=terms.average_tjm_cents,
        rate=terms.fee_rate,
        daily_cost_cents=terms.average_daily_cost_cents,
    ):
        raise ValidationError(
            {
                "fee_rate": returns.fee_above_cost_message(
                    returns.daily_fee_cents(terms.average_tjm_cents, terms.fee_rate),
                    terms.average_daily_cost_cents,
                )
            }
        )
    terms.save()
    terms.preferred_causes.set(preferred_causes)
    return terms


# --- Cost basis, absences, fiscal years ---------------------------------------------------


@transaction.atomic
def consultant_cost_set(
    *,
    admin: User,
    profile: ConsultantProfile,
    daily_gross_salary_cents: int | None,
    employer_charges_rate: Decimal | None,
    daily_cost_cents: int,
    daily_expenses_cents: int,
    alsace_moselle: bool,
    request: HttpRequest | None = None,
) -> ConsultantProfile:
    """The firm records a consultant's cost basis (gross daily salary with the employer charges
    rate, or a loaded daily cost, plus expenses reimbursed per day) and local law; missions
    created afterwards take it, earlier ones keep theirs."""
    _require_firm_admin(admin, profile.firm)
    if (daily_gross_salary_cents is None) != (employer_charges_rate is None):
        raise ValidationError(
            {
                "employer_charges_rate": _(
                    "Give the gross daily salary and the employer charges rate together, or "
                    "neither (the loaded daily cost is used then)."
                )
            }
        )
    profile.daily_gross_salary_cents = daily_gross_salary_cents
    profile.employer_charges_rate = employer_charges_rate
    profile.daily_cost_cents = daily_cost_cents
    profile.daily_expenses_cents = daily_expenses_cents
    profile.alsace_moselle = alsace_moselle
    profile.full_clean()
    profile.save(
        update_fields=[
            "daily_gross_salary_cents",
            "employer_charges_rate",
            "daily_cost_cents",
            "daily_expenses_cents",
            "alsace_moselle",
        ]
    )
    audit(
        "consultant.cost_set",
        actor=admin,
        organisation=profile.firm,
        target=profile.user.email,
        request=request,
    )
    return profile


@transaction.atomic
def absence_declare(
    *,
    admin: User,
    firm: Organisation,
    consultant: User,
    start: dt.date,
    end: dt.date,
    reason: str = "",
    request: HttpRequest | None = None,
) -> Absence:
    """The firm declares days a consultant of theirs was not lent (leave, sickness): they count
    neither in the days lent nor in the valuation."""
    _require_firm_admin(admin, firm)
    if not consultant.memberships.filter(organisation=firm, role=Role.CONSULTANT).exists():
        raise ValidationError({"consultant": _("This person is not a consultant of the firm.")})
    check_plausible_date(start, "start")
    check_plausible_date(end, "end")
    if end < start:
        raise ValidationError({"end": _("An absence cannot end before it starts.")})
    if (end - start).days > 366:
        raise ValidationError({"end": _("Declare an absence of one year at most at a time.")})
    absence = Absence(
        consultant=consultant,
        firm=firm,
        start=start,
        end=end,
        reason=reason.strip(),
        declared_by=admin,
    )
    absence.full_clean()
    absence.save()
    audit(
        "absence.declared",
        actor=admin,
        organisation=firm,
        target=consultant.email,
        request=request,
        start=start.isoformat(),
        end=end.isoformat(),
    )
    return absence


@transaction.atomic
def absence_delete(*, admin: User, absence: Absence, request: HttpRequest | None = None) -> None:
    """The firm withdraws an absence declared by mistake."""
    _require_firm_admin(admin, absence.firm)
    audit(
        "absence.deleted",
        actor=admin,
        organisation=absence.firm,
        target=absence.consultant.email,
        request=request,
        start=absence.start.isoformat(),
        end=absence.end.isoformat(),
    )
    absence.delete()


@transaction.atomic
def firm_fiscal_year_set(
    *,
    admin: User,
    firm: Organisation,
    year: int,
    turnover_cents: int,
    other_gifts_cents: int = 0,
    request: HttpRequest | None = None,
) -> FirmFiscalYear:
    """The firm records one fiscal year's turnover and its other sponsorship gifts, which share
    the cap of art. 238 bis with the time lent on Relais."""
    _require_firm_admin(admin, firm)
    this_year = selectors.current_fiscal_year(firm)
    if not 2000 <= year <= this_year + 1:
        raise ValidationError(
            {"year": _("Give a fiscal year from 2000 to %(last)s.") % {"last": this_year + 1}}
        )
    fiscal, _created = FirmFiscalYear.objects.update_or_create(
        firm=firm,
        year=year,
        defaults={
            "turnover_cents": turnover_cents,
            "other_gifts_cents": other_gifts_cents,
            "updated_by": admin,
            "updated_at": timezone.now(),
        },
    )
    audit(
        "firm.fiscal_year_set",
        actor=admin,
        organisation=firm,
        target=str(year),
        request=request,
        turnover_cents=turnover_cents,
        other_gifts_cents=other_gifts_cents,
    )
    return fiscal


@transaction.atomic
def firm_fiscal_year_end_set(
    *, admin: User, firm: Organisation, month: int, day: int, request: HttpRequest | None = None
) -> Organisation:
    """The day the firm's fiscal year closes every year (a day the month lacks means its last
    day); the figures of every fiscal year follow it."""
    _require_firm_admin(admin, firm)
    if not 1 <= month <= 12 or not 1 <= day <= 31:
        raise ValidationError({"fiscal_year_end_day": _("Give a day and a month of the year.")})
    firm.fiscal_year_end_month, firm.fiscal_year_end_day = month, day
    firm.save(update_fields=["fiscal_year_end_month", "fiscal_year_end_day"])
    audit(
        "firm.fiscal_year_end_set",
        actor=admin,
        organisation=firm,
        target=firm.name,
        request=request,
        month=month,
        day=day,
    )
    return firm


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
    accept_url = accept_url or absolute_url(
        reverse("accounts:invitation_accept", kwargs={"token": "__token__"})
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
    for pk in welcome:
        notify_on_commit(roster_welcome, user_id=pk, firm_id=firm.pk)
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
        account_services.invitation_payload_set(
            invitation_id=row_plan.invitation_id or 0, payload=roster.roster_payload(row)
        )
    elif row_plan.outcome == roster.Outcome.UPDATED:
        if row_plan.profile_id is not None:
            profile = ConsultantProfile.objects.get(pk=row_plan.profile_id)
        else:  # a consultant of the firm (they accepted an invitation) without a profile yet
            assert row_plan.user_id is not None
            profile = ConsultantProfile.objects.create(user_id=row_plan.user_id, firm=firm)
        _profile_write(profile, row)


def _profile_write(profile: ConsultantProfile, row: RosterRow | dict[str, Any]) -> None:
    """What the firm records of a consultant: job title, rates, cost basis, employee id,
    skills."""
    data = row.as_dict() if isinstance(row, RosterRow) else row
    profile.job_title = data.get("job_title", "")
    profile.tjm_cents = data.get("tjm_cents", 0)
    profile.daily_cost_cents = data.get("daily_cost_cents", 0)
    profile.employee_id = data.get("employee_id", "")
    # The cost basis only when the file gives it: a column left out keeps the firm's record.
    if data.get("daily_gross_salary_cents") is not None:
        profile.daily_gross_salary_cents = data["daily_gross_salary_cents"]
        profile.employer_charges_rate = Decimal(data["employer_charges_rate"])
    if data.get("daily_expenses_cents") is not None:
        profile.daily_expenses_cents = data["daily_expenses_cents"]
    profile.save()
    skills = set(data.get("skills", []))
    current = set(profile.skills.values_list("skill__slug", flat=True))
    if skills != current:
        profile.skills.exclude(skill__slug__in=skills).delete()
        for skill in Skill.objects.filter(slug__in=skills - current):
            ConsultantSkill.objects.create(profile=profile, skill=skill)


def profile_clear_personal(*, user: User) -> None:
    """At erasure: the profile keeps the firm's figures (the missions' valuation needs them) and
    loses everything the person wrote or chose."""
    profile = ConsultantProfile.objects.filter(user=user).first()
    if profile is None:
        return
    ConsultantSkill.objects.filter(profile=profile).delete()
    profile.causes.clear()
    profile.languages.clear()
    profile.bio = ""
    profile.job_title = ""
    profile.employee_id = ""
    profile.matching_opt_out = True
    profile.save(update_fields=["bio", "job_title", "employee_id", "matching_opt_out"])


def roster_row_remove(*, profile: ConsultantProfile) -> None:
    """At retention: a roster row nobody used goes, with the consultant membership it gave."""
    account_services.consultant_membership_remove(
        user=profile.user, organisation_id=profile.firm_id
    )
    profile.delete()


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


def _target(step: BenchPeriodStep) -> BenchStatus:
    """The state a step of the table leads to (those that keep the state have none)."""
    assert step.target is not None
    return step.target


def _check_bench_step(period: BenchPeriod, step: BenchPeriodStep) -> None:
    """Refuses a step the (locked) period's state does not allow, saying why."""
    if BenchStatus(period.status) not in step.sources:
        raise BenchError(str(step.refused) % {"status": period.get_status_display()})


# Plausible bench periods: from a year before the firm registered on Relais (a period it records
# late) to a year ahead, for at most three years (the longest loan, L8241-2).
PERIOD_START_BEFORE_REGISTRATION = dt.timedelta(days=365)
PERIOD_START_AHEAD = dt.timedelta(days=365)
PERIOD_LONGEST_YEARS = 3


def _check_period_dates(firm: Organisation, start: dt.date, expected_end: dt.date | None) -> None:
    """Refuses absurd dates: a start more than a year before the firm registered on Relais or
    more than a year ahead, an end before the start or more than three years after it."""
    registered = timezone.localdate(firm.created_at)
    earliest = registered - PERIOD_START_BEFORE_REGISTRATION
    if start < earliest:
        raise ValidationError(
            {
                "start": _(
                    "%(firm)s registered on Relais on %(registered)s: a bench period starts on "
                    "%(earliest)s at the earliest."
                )
                % {
                    "firm": firm.name,
                    "registered": date_format(registered, "SHORT_DATE_FORMAT"),
                    "earliest": date_format(earliest, "SHORT_DATE_FORMAT"),
                }
            }
        )
    latest = timezone.localdate() + PERIOD_START_AHEAD
    if start > latest:
        raise ValidationError(
            {
                "start": _("A bench period starts within a year: on %(latest)s at the latest.")
                % {"latest": date_format(latest, "SHORT_DATE_FORMAT")}
            }
        )
    if expected_end is not None and expected_end < start:
        raise ValidationError({"expected_end": _("A bench period cannot end before it starts.")})
    if expected_end is not None and expected_end > _years_after(start, PERIOD_LONGEST_YEARS):
        raise ValidationError(
            {
                "expected_end": _(
                    "A bench period lasts at most %(years)s years: it ends on %(latest)s at the "
                    "latest."
                )
                % {
                    "years": PERIOD_LONGEST_YEARS,
                    "latest": date_format(
                        _years_after(start, PERIOD_LONGEST_YEARS), "SHORT_DATE_FORMAT"
                    ),
                }
            }
        )


def _years_after(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _check_period(
    consultant: User,
    firm: Organisation,
    start: dt.date,
    expected_end: dt.date | None,
    *,
    exclude: BenchPeriod | None = None,
) -> None:
    if not consultant.memberships.filter(organisation=firm, role=Role.CONSULTANT).exists():
        raise ValidationError({"consultant": _("This person is not a consultant of the firm.")})
    _check_period_dates(firm, start, expected_end)
    # Serialise the periods of one consultant so that two overlapping ones cannot both pass.
    User.objects.select_for_update().filter(pk=consultant.pk).first()
    far = dt.date.max
    others = BenchPeriod.objects.filter(consultant=consultant, status__in=OCCUPYING)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
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
    # The firm's yearly limit of days lent: the fiscal year of the start must have a day left.
    limits.check_days_lent(consultant=consultant, firm=firm, start=start, end=None, field="start")


@transaction.atomic
def bench_period_open(
    *,
    admin: User,
    firm: Organisation,
    consultant: User,
    start: dt.date,
    expected_end: dt.date | None = None,
) -> BenchPeriod:
    """The firm puts a consultant on the bench from a date; the consultant is told."""
    step = _bench_step(BenchStep.OPEN, BenchActor.FIRM)
    _require_firm_admin(admin, firm)
    _check_period(consultant, firm, start, expected_end)
    profile_for(consultant, firm)
    period = BenchPeriod.objects.create(
        consultant=consultant,
        firm=firm,
        start=start,
        expected_end=expected_end,
        status=_target(step),
        requested_by=admin,
        decided_by=admin,
    )
    _period_notify(period, "opened")
    return period


@transaction.atomic
def bench_period_request(
    *, consultant: User, firm: Organisation, start: dt.date, expected_end: dt.date | None = None
) -> BenchPeriod:
    """A consultant asks their firm for a bench period; the firm's admins are told."""
    step = _bench_step(BenchStep.REQUEST, BenchActor.CONSULTANT)
    # The consultant of the period is the one asking: _check_period refuses anyone else.
    _check_period(consultant, firm, start, expected_end)
    period = BenchPeriod.objects.create(
        consultant=consultant,
        firm=firm,
        start=start,
        expected_end=expected_end,
        status=_target(step),
        requested_by=consultant,
    )
    _period_notify(period, "requested")
    return period


@transaction.atomic
def bench_period_decide(*, admin: User, period: BenchPeriod, approve: bool) -> BenchPeriod:
    """The firm approves or refuses a requested period; the consultant is told."""
    step = _bench_step(BenchStep.APPROVE if approve else BenchStep.REFUSE, BenchActor.FIRM)
    _require_firm_admin(admin, period.firm)
    locked = BenchPeriod.objects.select_for_update().get(pk=period.pk)
    _check_bench_step(locked, step)
    locked.status, locked.decided_by = _target(step), admin
    locked.save(update_fields=["status", "decided_by"])
    if approve:
        profile_for(period.consultant, period.firm)
    _period_notify(locked, "approved" if approve else "refused")
    period.refresh_from_db()
    return period


def _period_notify(period: BenchPeriod, step: str) -> None:
    notify_on_commit(bench_period_notify, period_id=period.pk, step=step)


def _not_started(period: BenchPeriod, step: BenchPeriodStep) -> None:
    """Refuses a correction or a cancellation of a period that began (or has a recall)."""
    _check_bench_step(period, step)
    if period.start <= timezone.localdate() or Recall.objects.filter(bench_period=period).exists():
        raise BenchError(
            _("This period began on %(start)s: recall the consultant instead.")
            % {"start": date_format(period.start, "SHORT_DATE_FORMAT")}
        )


@transaction.atomic
def bench_period_correct(
    *,
    admin: User,
    period: BenchPeriod,
    start: dt.date,
    expected_end: dt.date | None = None,
    request: HttpRequest | None = None,
) -> BenchPeriod:
    """The firm corrects the dates of a period that has not begun (same checks as a new one)."""
    step = _bench_step(BenchStep.CORRECT, BenchActor.FIRM)
    _require_firm_admin(admin, period.firm)
    locked = BenchPeriod.objects.select_for_update().select_related("firm").get(pk=period.pk)
    _not_started(locked, step)
    _check_period(locked.consultant, locked.firm, start, expected_end, exclude=locked)
    before = {"start": locked.start.isoformat(), "expected_end": str(locked.expected_end or "")}
    locked.start, locked.expected_end = start, expected_end
    locked.save(update_fields=["start", "expected_end"])
    audit(
        "bench.period_corrected",
        actor=admin,
        organisation=locked.firm,
        target=locked.consultant.email,
        request=request,
        period=locked.pk,
        before=before,
        after={"start": start.isoformat(), "expected_end": str(expected_end or "")},
    )
    return locked


@transaction.atomic
def bench_period_cancel(
    *, admin: User, period: BenchPeriod, request: HttpRequest | None = None
) -> BenchPeriod:
    """The firm cancels a period that has not begun; its missions not started yet end with it."""
    step = _bench_step(BenchStep.CANCEL, BenchActor.FIRM)
    _require_firm_admin(admin, period.firm)
    locked = BenchPeriod.objects.select_for_update().select_related("firm").get(pk=period.pk)
    _not_started(locked, step)
    locked.status = _target(step)
    locked.save(update_fields=["status"])
    # A period not begun has no mission started (a mission starts only on the bench).
    ended = list(
        Mission.objects.filter(bench_period=locked)
        .exclude(status__in=[MissionStatus.ENDED, MissionStatus.REFUSED])
        .values_list("pk", flat=True)
    )
    Mission.objects.filter(pk__in=ended).update(status=MissionStatus.ENDED, end=locked.start)
    selectors.firm_figures_changed(locked.firm_id)
    audit(
        "bench.period_cancelled",
        actor=admin,
        organisation=locked.firm,
        target=locked.consultant.email,
        request=request,
        period=locked.pk,
        ended_missions=ended,
    )
    return locked


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
    notify_on_commit(mission_notify, mission_id=mission.pk, step=step)


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


def mission_money(
    *, terms: FirmTerms, profile: ConsultantProfile, project: Project
) -> dict[str, Any]:
    """The money fields a new mission takes from the terms and the consultant's cost basis.
    Refused: a fee above the consultant's daily cost (L8241-1), and skills sponsorship for a
    beneficiary whose eligibility (art. 238 bis CGI) the Relais team has not verified."""
    if terms.mode == LendingMode.SPONSORSHIP and project.nonprofit.sponsorship_eligible_at is None:
        raise BenchError(
            _(
                "%(firm)s lends as skills sponsorship, and the Relais team has not yet verified "
                "that %(nonprofit)s may receive it (art. 238 bis CGI): until then only a loan "
                "with a fee is possible for its projects. Your firm may set fee terms, or "
                "%(nonprofit)s may send its supporting document."
            )
            % {"firm": terms.firm.name, "nonprofit": project.nonprofit.name}
        )
    basis = selectors.profile_cost_basis(profile, terms)
    tjm = profile.tjm_cents or terms.average_tjm_cents
    fee_rate = terms.fee_rate if terms.mode == LendingMode.FEE else Decimal(0)
    if returns.fee_exceeds_cost(tjm_cents=tjm, rate=fee_rate, daily_cost_cents=basis.daily_cents):
        raise BenchError(
            returns.fee_above_cost_message(
                returns.daily_fee_cents(tjm, fee_rate), basis.daily_cents
            )
        )
    return {
        "mode": terms.mode,
        "fee_rate": fee_rate,
        "tjm_cents": tjm,
        "daily_cost_cents": basis.loaded_cents,
        "daily_gross_salary_cents": basis.gross_cents,
        "employer_charges_rate": basis.charges_rate,
        "daily_expenses_cents": basis.expenses_cents,
    }


@transaction.atomic
def mission_create(
    *,
    consultant: User,
    project: Project,
    request: HttpRequest | None = None,
    invited_by: User | None = None,
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
    # The firm's limit of days lent per fiscal year: a day left now; the whole loan, up to its
    # planned end, is checked when the agreement is drawn up and again at the consent.
    days_lent_check(consultant=consultant, firm=period.firm, start=today, end=None)
    profile = profile_for(consultant, period.firm)
    mission = Mission.objects.create(
        consultant=consultant,
        project=project,
        bench_period=period,
        terms=terms,
        **mission_money(terms=terms, profile=profile, project=project),
    )
    if invited_by is not None:
        _mission_audit("mission.invited", mission, invited_by, request)
        _mission_notify(mission, "invited")
        return mission
    _mission_audit("mission.requested", mission, consultant, request)
    _mission_notify(mission, "requested")
    return mission


@transaction.atomic
def mission_invite(
    *, lead: User, project: Project, consultant_email: str, request: HttpRequest | None = None
) -> Mission:
    """A lead of an active project invites a consultant on the bench of a verified firm: a
    mission request their firm and they see, which follows the three acceptances. An address of
    no such consultant gets one message, whoever it belongs to (no enumeration)."""
    if not work_access.is_lead(lead, project):
        raise PermissionDenied
    if project.status != ProjectStatus.ACTIVE:
        raise ValidationError({"email": _("Only active projects take consultants.")})
    unknown = ValidationError(
        {
            "email": _(
                "No consultant on the bench of a verified firm has this address on Relais: "
                "check it with the consultant, or ask them to join the project themselves."
            )
        }
    )
    today = timezone.localdate()
    consultant = (
        User.objects.filter(
            email__iexact=consultant_email.strip(),
            is_active=True,
            memberships__role=Role.CONSULTANT,
            bench_periods__status=BenchStatus.OPEN,
            bench_periods__start__lte=today,
            bench_periods__firm__verified_at__isnull=False,
        )
        .filter(Q(bench_periods__end__isnull=True) | Q(bench_periods__end__gte=today))
        .first()
    )
    if consultant is None:
        raise unknown
    try:
        return mission_create(
            consultant=consultant, project=project, request=request, invited_by=lead
        )
    except BenchError as error:
        raise ValidationError({"email": str(error)}) from None


def days_lent_check(
    *,
    consultant: User,
    firm: Organisation,
    start: dt.date,
    end: dt.date | None,
    mission: Mission | None = None,
) -> None:
    """Refuses a mission (or an extension of `mission` to `end`) that would make the firm lend
    the consultant more days in one of its fiscal years than its terms allow."""
    try:
        limits.check_days_lent(
            consultant=consultant, firm=firm, start=start, end=end, exclude=mission
        )
    except ValidationError as error:
        raise BenchError(" ".join(error.messages)) from None


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
    for check in MISSION_START_CHECKS.values():
        check(mission)
    lead = _team_lead(mission)
    mission.status = MissionStatus.ACTIVE
    # The day of the last acceptance (`mission_consent`), never before (a database constraint).
    mission.start = mission.start or timezone.localdate()
    mission.save(update_fields=["status", "start"])
    if not work_access.is_team_member(mission.consultant, mission.project):
        work_services.team_member_add(
            lead=lead, project=mission.project, email=mission.consultant.email
        )
    _mission_audit("mission.started", mission, actor, request, team_added_by=lead.email)
    _mission_notify(mission, "started")
    return mission


@dataclass(frozen=True)
class MissionMentions:
    """What the firm states when it draws up the loan agreement and the amendment (L8241-2)."""

    place_of_work: str
    working_hours: str
    post_characteristics: str
    firm_representative: str
    planned_end: dt.date | None
    cse_informed_on: dt.date | None
    trial_period: str = ""


_MENTION_TEXTS = (
    "place_of_work",
    "working_hours",
    "post_characteristics",
    "trial_period",
    "firm_representative",
)
MENTION_FIELDS = (*_MENTION_TEXTS, "planned_end", "cse_informed_on")


def _max_length(name: str) -> int:
    """The longest text the mission's field keeps."""
    field = Mission._meta.get_field(name)
    return int(getattr(field, "max_length", None) or 200)


def _mentions_checked(mentions: MissionMentions, *, start: dt.date) -> dict[str, Any]:
    """The mentions, trimmed; refused with a message per field: a missing mention, a planned end
    before the start or more than three years after it, a CSE informed in the future."""
    values: dict[str, Any] = {name: getattr(mentions, name) for name in MENTION_FIELDS}
    errors: dict[str, str] = {}
    for name in _MENTION_TEXTS:
        values[name] = (values[name] or "").strip()
        limit = _max_length(name)
        if name != "trial_period" and not values[name]:
            errors[name] = _("The agreement must state this.")
        elif len(values[name]) > limit:
            errors[name] = _("Keep it under %(count)s characters.") % {"count": limit}
    planned_end, last = values["planned_end"], documents.last_day_allowed(start)
    if planned_end is None:
        errors["planned_end"] = _("Give the planned end of the loan.")
    elif planned_end < start:
        errors["planned_end"] = _(
            "The loan starts on %(date)s at the earliest (never before its acceptances): "
            "the planned end cannot be before."
        ) % {"date": date_format(start, "SHORT_DATE_FORMAT")}
    elif planned_end > last:
        errors["planned_end"] = _(
            "A loan lasts at most three years (Code du travail L8241-2): the planned end must "
            "be on or before %(date)s."
        ) % {"date": date_format(last, "SHORT_DATE_FORMAT")}
    informed = values["cse_informed_on"]
    if informed is None:
        errors["cse_informed_on"] = _(
            "Say on which day your staff representatives (CSE) were informed of this loan."
        )
    elif informed > timezone.localdate():
        errors["cse_informed_on"] = _(
            "Your staff representatives cannot have been informed in the future: give a date up "
            "to today."
        )
    else:
        try:
            plausible_past_date(informed)
        except ValidationError as error:
            errors["cse_informed_on"] = error.messages[0]
    if errors:
        raise ValidationError(errors)
    return values


@transaction.atomic
def mission_agreement_draw_up(
    *,
    admin: User,
    mission: Mission,
    mentions: MissionMentions,
    request: HttpRequest | None = None,
) -> Mission:
    """The firm draws up the loan agreement with every mention (L8241-1, L8241-2), its
    acceptance: the PDF is stored unchanged as version 1 and the nonprofit is asked to accept."""
    mission = _mission_locked(mission)
    _require_firm_admin(admin, mission.bench_period.firm)
    if mission.agreement_generated_at is not None and mission.status not in (
        MissionStatus.ENDED,
        MissionStatus.REFUSED,
    ):
        return mission
    _check_step(mission, MissionStep.DRAW_UP)
    today = timezone.localdate()
    values = _mentions_checked(mentions, start=today)
    # Every fiscal year the loan spans, up to its planned end, within the firm's limit.
    limits.check_days_lent(
        consultant=mission.consultant,
        firm=mission.bench_period.firm,
        start=today,
        end=values["planned_end"],
        exclude=mission,
    )
    for name, value in values.items():
        setattr(mission, name, value)
    now = timezone.now()
    mission.agreement_generated_at = now
    mission.agreement_drawn_up_by = admin
    mission.agreement_number = (
        f"REL-{timezone.localdate():%Y}-{mission.pk:05d}-{secrets.token_hex(2).upper()}"
    )
    mission.document_version += 1
    mission.status = STEPS[MissionStep.DRAW_UP].target
    mission.save(
        update_fields=[
            *MENTION_FIELDS,
            "agreement_generated_at",
            "agreement_drawn_up_by",
            "agreement_number",
            "document_version",
            "status",
        ]
    )
    document = documents.freeze(
        mission, DocumentKind.AGREEMENT, AcceptanceParty.FIRM, user=admin, at=now
    )
    _mission_audit(
        "mission.drawn_up",
        mission,
        admin,
        request,
        number=mission.agreement_number,
        version=mission.document_version,
        sha256=document.sha256,
    )
    _mission_notify(mission, "drawn_up")
    return mission


@transaction.atomic
def mission_mentions_change(
    *,
    admin: User,
    mission: Mission,
    mentions: MissionMentions,
    request: HttpRequest | None = None,
) -> Mission:
    """A material change of the agreement before the mission starts: the firm's new mentions
    make a new document version, stored as the firm accepts it; the beneficiary's acceptance of
    the old version no longer counts, so the mission waits for the beneficiary again, then for
    the consultant. The same mentions change nothing."""
    mission = _mission_locked(mission)
    _require_firm_admin(admin, mission.bench_period.firm)
    _check_step(mission, MissionStep.CHANGE)
    today = timezone.localdate()
    values = _mentions_checked(mentions, start=today)
    if values["planned_end"] != mission.planned_end:
        # A new planned end: the whole loan (not started yet, so not among the days lent) from
        # today to it, against the firm's limit in each fiscal year it spans.
        limits.check_days_lent(
            consultant=mission.consultant,
            firm=mission.bench_period.firm,
            start=today,
            end=values["planned_end"],
            exclude=mission,
        )
    changed = sorted(name for name, value in values.items() if getattr(mission, name) != value)
    if not changed:
        return mission
    for name, value in values.items():
        setattr(mission, name, value)
    now = timezone.now()
    mission.agreement_generated_at = now
    mission.agreement_drawn_up_by = admin
    mission.beneficiary_accepted_at = None
    mission.beneficiary_accepted_by = None
    mission.document_version += 1
    mission.status = STEPS[MissionStep.CHANGE].target
    mission.save(
        update_fields=[
            *MENTION_FIELDS,
            "agreement_generated_at",
            "agreement_drawn_up_by",
            "beneficiary_accepted_at",
            "beneficiary_accepted_by",
            "document_version",
            "status",
        ]
    )
    document = documents.freeze(
        mission, DocumentKind.AGREEMENT, AcceptanceParty.FIRM, user=admin, at=now
    )
    _mission_audit(
        "mission.changed",
        mission,
        admin,
        request,
        version=mission.document_version,
        changed=changed,
        sha256=document.sha256,
    )
    _mission_notify(mission, "drawn_up")
    return mission


def _require_beneficiary(user: User, mission: Mission) -> None:
    if not user.has_role(mission.project.nonprofit_id, [Role.NONPROFIT_ADMIN]):
        raise PermissionDenied


@transaction.atomic
def mission_beneficiary_accept(
    *,
    admin: User,
    mission: Mission,
    representative: str,
    request: HttpRequest | None = None,
) -> Mission:
    """An admin of the nonprofit that owns the project accepts the agreement, naming who
    represents the nonprofit: the agreement as accepted is stored unchanged and the consultant
    is asked to accept the amendment to their employment contract."""
    representative = (representative or "").strip()
    limit = _max_length("beneficiary_representative")
    if not representative:
        raise ValidationError(
            {"representative": _("Name who represents the nonprofit (name and title).")}
        )
    if len(representative) > limit:
        raise ValidationError(
            {"representative": _("Keep it under %(count)s characters.") % {"count": limit}}
        )
    mission = _mission_locked(mission)
    _require_beneficiary(admin, mission)
    if mission.beneficiary_accepted_at is not None and mission.status != MissionStatus.ENDED:
        return mission
    _check_step(mission, MissionStep.ACCEPT)
    now = timezone.now()
    mission.beneficiary_accepted_at = now
    mission.beneficiary_accepted_by = admin
    mission.beneficiary_representative = representative
    mission.status = STEPS[MissionStep.ACCEPT].target
    mission.save(
        update_fields=[
            "beneficiary_accepted_at",
            "beneficiary_accepted_by",
            "beneficiary_representative",
            "status",
        ]
    )
    document = documents.freeze(
        mission, DocumentKind.AGREEMENT, AcceptanceParty.BENEFICIARY, user=admin, at=now
    )
    _mission_audit(
        "mission.accepted_by_beneficiary",
        mission,
        admin,
        request,
        version=mission.document_version,
        sha256=document.sha256,
    )
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
    """The consultant's express written acceptance of the amendment to their employment contract
    (L8241-2), the last of the three: the mission starts that day, never before; the amendment
    and the agreement they were shown are stored unchanged."""
    mission = _mission_locked(mission)
    if mission.consultant_id != consultant.pk:
        raise PermissionDenied
    if mission.consultant_agreed_at is not None and mission.status == MissionStatus.ACTIVE:
        return mission
    _check_step(mission, MissionStep.CONSENT)
    _require_verified(mission.bench_period.firm)
    today = timezone.localdate()
    if mission.planned_end is None or not (
        today <= mission.planned_end <= documents.last_day_allowed(today)
    ):
        raise BenchError(
            _(
                "The agreement's planned end no longer fits a loan starting today (at most three "
                "years, never in the past): your firm must change the agreement first."
            )
        )
    # Other missions may have started since the agreement was drawn up: the loan, from today to
    # its planned end, must still fit the firm's limit in each fiscal year.
    days_lent_check(
        consultant=consultant,
        firm=mission.bench_period.firm,
        start=today,
        end=mission.planned_end,
        mission=mission,
    )
    now = timezone.now()
    mission.consultant_agreed_at = now
    mission.start = today
    mission.save(update_fields=["consultant_agreed_at", "start"])
    # The agreement the consultant was shown: the stored one of this version, byte for byte.
    seen = documents.latest(mission, DocumentKind.AGREEMENT)
    current = seen is not None and seen.version == mission.document_version
    agreement = documents.freeze(
        mission,
        DocumentKind.AGREEMENT,
        AcceptanceParty.CONSULTANT,
        user=consultant,
        at=now,
        pdf=documents.stored_bytes(seen) if seen is not None and current else None,
    )
    amendment = documents.freeze(
        mission, DocumentKind.AMENDMENT, AcceptanceParty.CONSULTANT, user=consultant, at=now
    )
    _mission_audit(
        "mission.consented",
        mission,
        consultant,
        request,
        version=mission.document_version,
        agreement_sha256=agreement.sha256,
        amendment_sha256=amendment.sha256,
    )
    return _start(mission, consultant, request)


# --- Recall -------------------------------------------------------------------------------


def bench_period_recall(
    *,
    actor: User | None,
    period: BenchPeriod,
    effective_date: dt.date | None = None,
    channel: str = RecallChannel.WEB,
    notify: bool = True,
) -> Recall:
    """Takes the consultant back from a period on the bench. Never refused: a past date ends
    everything on that date (never before the period's start); a future one is applied then; a
    recall for an earlier date than a pending one brings it forward (and applies it at once if
    its date has come), while a later or equal date leaves the first as it is. A period that is
    only requested, refused, cancelled or already over is not on the bench: nothing to recall."""
    step = _bench_step(BenchStep.RECALL, BenchActor.SYSTEM if actor is None else BenchActor.FIRM)
    if actor is not None:
        _require_firm_admin(actor, period.firm)
    effective_date = effective_date or timezone.localdate()
    with transaction.atomic():
        locked = BenchPeriod.objects.select_for_update().select_related("firm").get(pk=period.pk)
        existing = Recall.objects.filter(bench_period=locked).first()
        # A recall dated before the period began ends it on its first day, never before.
        effective_date = max(effective_date, locked.start)
        if existing is not None:
            if existing.applied_at is not None or effective_date >= existing.effective_date:
                return existing
            recall = existing
            audit(
                "bench.recall_brought_forward",
                actor=actor,
                organisation=locked.firm,
                target=locked.consultant.email,
                recall=recall.pk,
                before=recall.effective_date.isoformat(),
                effective_date=effective_date.isoformat(),
                channel=str(channel),
                period=locked.pk,
            )
            recall.effective_date = effective_date
            recall.save(update_fields=["effective_date"])
        elif BenchStatus(locked.status) not in step.sources:
            raise ValidationError(
                {"effective_date": str(step.refused) % {"status": locked.get_status_display()}}
            )
        else:
            recall = Recall.objects.create(
                bench_period=locked,
                effective_date=effective_date,
                requested_by=actor,
                channel=channel,
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
        recall_apply(recall=recall, notify=notify)
        recall.refresh_from_db()
    return recall


def recall_apply(*, recall: Recall, now: dt.datetime | None = None, notify: bool = True) -> bool:
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
        period.status = _target(step)
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
        # Only history (the demo data) is recorded without telling anyone.
        if notify:
            notify_on_commit(recall_notify, recall_id=recall.pk)
    return True


def mission_end(
    *,
    mission: Mission,
    end: dt.date,
    actor: User | None = None,
    now: dt.datetime | None = None,
    request: HttpRequest | None = None,
) -> bool:
    """Ends an active mission on a date (its planned end, its project's completion, a decision),
    once: the consultant leaves the team and their claims on the project go back to the backlog
    with drafted handovers, as on a recall."""
    now = now or timezone.now()
    with transaction.atomic():
        # The consultant's lock first, as task_claim and recall_apply take it: a claim made while
        # the mission ends either sees it ended or is released here.
        User.objects.select_for_update().filter(pk=mission.consultant_id).first()
        locked = _mission_locked(mission)
        if locked.status != MissionStatus.ACTIVE:
            return False
        released = _close_work(locked, now)
        locked.status = MissionStatus.ENDED
        locked.end = min(locked.end or end, end)
        locked.save(update_fields=["status", "end"])
        _mission_audit(
            "mission.ended", locked, actor, request, end=locked.end.isoformat(), released=released
        )
    return True


def _close_work(mission: Mission, at: dt.datetime) -> list[int]:
    """The consultant's claims on the mission's project go back to the backlog with drafted
    handovers, and their place in the team ends; the tasks released."""
    released = []
    for claim in Claim.objects.filter(
        consultant=mission.consultant, task__project=mission.project, ended_at__isnull=True
    ).select_related("task"):
        if work_services.claim_end_with_handover(claim=claim, reason=ClaimEnd.RELEASED, at=at):
            released.append(claim.task_id)
    work_services.team_member_leave(project=mission.project, user=mission.consultant, at=at)
    return released


def missions_end_due(*, today: dt.date | None = None) -> int:
    """Ends, by themselves, the active missions whose planned end has passed (on that day) or
    whose project was completed (on the day it was, even if it has been archived since), and
    tells the consultant and the firm; the number ended (run by the periodic job)."""
    today = today or timezone.localdate()
    due = (
        Mission.objects.filter(status=MissionStatus.ACTIVE)
        .filter(Q(planned_end__lt=today) | Q(project__status__in=selectors.PROJECT_DONE))
        .annotate(project_completed_at=selectors.project_completed_at())
        .select_related("project")
    )
    ended = 0
    for mission in due:
        last_day = selectors.mission_last_day(mission)
        if last_day is None:  # the query keeps only missions with a last day
            continue
        planned = mission.planned_end is not None and mission.planned_end == last_day
        try:
            with transaction.atomic():
                if mission_end(mission=mission, end=last_day):
                    _mission_notify(mission, "ended_planned" if planned else "ended_completed")
                    ended += 1
        except Exception:
            logger.exception("Mission %s could not be ended; retried at the next run.", mission.pk)
    return ended


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
