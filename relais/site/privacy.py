"""Personal data (GDPR): what Relais holds about a person (the export), erasure by pseudonymisation,
and the retention job that removes what nobody needs any more.

Built in the site app, which may read every app: accounts never imports work or bench.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from relais.accounts.audit import audit
from relais.accounts.models import ApiToken, AuditEvent, Invitation, Membership, Role, User
from relais.accounts.services import (
    account_delete_unused,
    account_pseudonymise,
    api_tokens_revoke_all,
    audit_events_expire,
    invitations_stale_delete,
)
from relais.bench.documents import documents_of_erased_consultant_delete
from relais.bench.models import (
    Absence,
    BenchPeriod,
    ConsultantProfile,
    Mission,
    MissionDocument,
)
from relais.bench.services import profile_clear_personal, roster_row_remove
from relais.core.errors import Conflict
from relais.work.models import (
    Claim,
    ClaimEnd,
    Comment,
    Handover,
    KnowledgeRevision,
    TeamMember,
    TimeEntry,
)
from relais.work.services import claim_end_with_handover, team_member_leave

if TYPE_CHECKING:
    from django.http import HttpRequest

# Signed loan agreements and amendments are kept five years (Code de commerce L123-22 for
# commercial documents, Code civil 2224 for the limitation of claims): the person who was lent
# cannot erase their account before.
SIGNED_DOCUMENTS_KEPT_YEARS = 5
# The retention job's periods (docs/rules.md, "Personal data", and the privacy notice).
INVITATION_KEPT_DAYS = 90
UNCONFIRMED_ACCOUNT_KEPT_DAYS = 30
UNUSED_ROSTER_ROW_KEPT_DAYS = 365
# The security log (sign-ins, roles, exports…): kept a year, the addresses of the time included.
AUDIT_EVENT_KEPT_DAYS = 365

ERASED_EMAIL_DOMAIN = "erased.invalid"  # RFC 2606: .invalid never routes


def _iso(value: object) -> object:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def _rows(queryset: Any, *fields: str) -> list[dict[str, object]]:
    return [{key: _iso(value) for key, value in row.items()} for row in queryset.values(*fields)]


# --- Export -------------------------------------------------------------------------------


def personal_data(user: User) -> dict[str, object]:
    """Everything Relais holds about a person, as JSON-able data. The firm's figures on the
    consultant (rates, costs, gross salary) are personal data about them: they have a right of
    access to it (GDPR art. 15), so it is included; other people's data never is (a comment's
    task is named, not its other comments; an audit event about them names its action and
    organisation, not the address of whoever acted)."""
    profile = ConsultantProfile.objects.filter(user=user).select_related("firm").first()
    claims = Claim.objects.filter(consultant=user)
    return {
        "generated_at": timezone.now().isoformat(),
        "account": {
            "id": user.pk,
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "language": user.language,
            "date_joined": _iso(user.date_joined),
            "last_login": _iso(user.last_login),
            "is_active": user.is_active,
            "email_addresses": _rows(
                EmailAddress.objects.filter(user=user), "email", "verified", "primary"
            ),
        },
        "memberships": [
            {
                "organisation_id": m.organisation_id,
                "organisation": m.organisation.name,
                "role": m.role,
                "since": _iso(m.created_at),
            }
            for m in Membership.objects.filter(user=user).select_related("organisation")
        ],
        "consultant_profile": _profile(profile) if profile else None,
        "bench_periods": _rows(
            BenchPeriod.objects.filter(consultant=user),
            "id",
            "firm_id",
            "firm__name",
            "start",
            "expected_end",
            "end",
            "status",
            "created_at",
        ),
        "absences": _rows(
            Absence.objects.filter(consultant=user), "id", "firm_id", "start", "end", "reason"
        ),
        "missions": _rows(
            Mission.objects.filter(consultant=user),
            "id",
            "project_id",
            "project__title",
            "bench_period_id",
            "status",
            "mode",
            "fee_rate",
            "tjm_cents",
            "daily_cost_cents",
            "daily_gross_salary_cents",
            "employer_charges_rate",
            "daily_expenses_cents",
            "start",
            "planned_end",
            "end",
            "place_of_work",
            "working_hours",
            "post_characteristics",
            "trial_period",
            "agreement_number",
            "agreement_generated_at",
            "beneficiary_accepted_at",
            "consultant_agreed_at",
        ),
        "mission_documents": _rows(
            MissionDocument.objects.filter(Q(mission__consultant=user) | Q(accepted_by=user)),
            "mission_id",
            "kind",
            "version",
            "party",
            "accepted_at",
            "sha256",
        ),
        "claims": _rows(
            claims, "id", "task_id", "task__title", "started_at", "ended_at", "end_reason"
        ),
        "time_entries": _rows(
            TimeEntry.objects.filter(claim__consultant=user),
            "claim_id",
            "claim__task_id",
            "date",
            "hours",
            "note",
        ),
        "handovers": _rows(
            Handover.objects.filter(author=user),
            "id",
            "task_id",
            "reason",
            "done",
            "state",
            "next_step",
            "links",
            "created_at",
        ),
        "comments": _rows(
            Comment.objects.filter(author=user), "id", "task_id", "body", "created_at"
        ),
        "knowledge_page_revisions": _rows(
            KnowledgeRevision.objects.filter(author=user),
            "page_id",
            "number",
            "title",
            "body",
            "summary",
            "created_at",
        ),
        "project_teams": _rows(
            TeamMember.objects.filter(user=user), "project_id", "joined_at", "left_at"
        ),
        "invitations": _rows(
            Invitation.objects.filter(Q(email__iexact=user.email) | Q(accepted_by=user)),
            "organisation_id",
            "organisation__name",
            "role",
            "created_at",
            "accepted_at",
            "revoked_at",
        ),
        "api_tokens": _rows(
            ApiToken.objects.filter(user=user),
            "name",
            "prefix",
            "created_at",
            "last_used_at",
            "expires_at",
            "revoked_at",
        ),
        "audit_events": _rows(
            AuditEvent.objects.filter(Q(actor=user) | Q(target=user.email)).order_by("at", "id"),
            "at",
            "action",
            "organisation__name",
            "target",
            "ip",
        ),
    }


def _profile(profile: ConsultantProfile) -> dict[str, object]:
    return {
        "firm_id": profile.firm_id,
        "firm": profile.firm.name,
        "employee_id": profile.employee_id,
        "job_title": profile.job_title,
        "bio": profile.bio,
        "tjm_cents": profile.tjm_cents,
        "daily_cost_cents": profile.daily_cost_cents,
        "daily_gross_salary_cents": profile.daily_gross_salary_cents,
        "employer_charges_rate": profile.employer_charges_rate,
        "daily_expenses_cents": profile.daily_expenses_cents,
        "alsace_moselle": profile.alsace_moselle,
        "matching_opt_out": profile.matching_opt_out,
        "causes": sorted(profile.causes.values_list("slug", flat=True)),
        "languages": sorted(profile.languages.values_list("slug", flat=True)),
        "skills": [
            {"skill": skill.skill.slug, "level": skill.level}
            for skill in profile.skills.select_related("skill")
        ],
    }


def personal_data_export(*, user: User, request: HttpRequest | None = None) -> dict[str, object]:
    """A person downloads everything Relais holds about them (GDPR art. 15 and 20); each
    download is written to the audit log."""
    with transaction.atomic():
        data = personal_data(user)
        audit("privacy.export", actor=user, target=user.email, request=request)
    return data


# --- Erasure ------------------------------------------------------------------------------


class ErasureRefused(Conflict):
    """The law or the platform's running requires keeping the account for now: the message says
    why and, where it applies, until when."""


def erasure_refusal(user: User, *, now: dt.datetime | None = None) -> str | None:
    """Why the person's account cannot be erased now, or None when it can."""
    now = now or timezone.now()
    missions = Mission.objects.filter(consultant=user)
    signed = [
        MissionDocument.objects.filter(mission__consultant=user).aggregate(at=Max("accepted_at"))[
            "at"
        ],
        missions.aggregate(at=Max("consultant_agreed_at"))["at"],
        missions.aggregate(at=Max("beneficiary_accepted_at"))["at"],
    ]
    latest = max((at for at in signed if at is not None), default=None)
    if latest is not None:
        until = _add_years(timezone.localdate(latest), SIGNED_DOCUMENTS_KEPT_YEARS)
        if until > timezone.localdate(now):
            return _(
                "Your loan agreements and amendments must be kept %(years)s years after they "
                "were signed: your account can be erased from %(date)s. Until then, the "
                "operator can answer any other request about your data."
            ) % {"years": SIGNED_DOCUMENTS_KEPT_YEARS, "date": date_format(until, "DATE_FORMAT")}
    if user.is_operator_staff:
        others = (
            Membership.objects.filter(role=Role.OPERATOR_STAFF, user__is_active=True)
            .exclude(user=user)
            .exists()
        )
        if not others:
            return _(
                "You are the last member of the operator's staff: give the role to someone "
                "else first, so that the platform keeps someone to run it."
            )
    return None


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def erased_email(user: User) -> str:
    return f"former-member-{user.pk}@{ERASED_EMAIL_DOMAIN}"


@dataclass(frozen=True)
class Erasure:
    user_id: int
    memberships: int
    tokens: int
    claims: int


def account_erase(*, user: User, password: str, request: HttpRequest | None = None) -> Erasure:
    """A person erases their account after confirming their password: it is pseudonymised
    (address, names, password, memberships, tokens, profile's free text) while the work they
    did (handovers, time entries, task history, money records) stays attached to the pseudonym;
    refused with the reason while signed documents must be kept."""
    if not password or not user.check_password(password):
        raise ValidationError({"password": _("This is not your password.")})
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        refusal = erasure_refusal(locked)
        if refusal is None:
            return _pseudonymise(locked, request)
    # Refused: recorded, and nothing else changes.
    audit("privacy.erasure_refused", actor=user, target=user.email, request=request)
    raise ErasureRefused(refusal)


def _pseudonymise(user: User, request: HttpRequest | None) -> Erasure:
    now = timezone.now()
    # What they hold ends first, with a drafted handover, like any other departure.
    claims = 0
    for claim in Claim.objects.filter(consultant=user, ended_at__isnull=True):
        if claim_end_with_handover(claim=claim, reason=ClaimEnd.RELEASED, at=now):
            claims += 1
    for team in TeamMember.objects.filter(user=user, left_at__isnull=True).select_related(
        "project"
    ):
        team_member_leave(project=team.project, user=user, at=now)
    tokens = api_tokens_revoke_all(user=user, reason="account_erased")
    audit(
        "privacy.erased",
        actor=user,
        target=f"#{user.pk}",
        request=request,
        memberships=Membership.objects.filter(user=user).count(),
        tokens=tokens,
        claims=claims,
    )
    profile_clear_personal(user=user)
    # Erasure is refused while a signed document must be kept: past that, they go too.
    documents_of_erased_consultant_delete(consultant_id=user.pk)
    memberships = account_pseudonymise(user=user, pseudonym_email=erased_email(user))
    return Erasure(user_id=user.pk, memberships=memberships, tokens=tokens, claims=claims)


# --- Retention ----------------------------------------------------------------------------


def _unconfirmed_accounts(now: dt.datetime) -> Any:
    """Accounts created by sign-up whose address was never confirmed, never used, with no
    membership (an account a roster created has one: it waits for its welcome link and falls
    under the roster rule instead)."""
    return User.objects.filter(
        date_joined__lt=now - dt.timedelta(days=UNCONFIRMED_ACCOUNT_KEPT_DAYS),
        last_login__isnull=True,
        is_staff=False,
        is_superuser=False,
        memberships__isnull=True,
    ).exclude(emailaddress__verified=True)


def _unused_roster_rows(now: dt.datetime) -> Any:
    """Consultant profiles a firm recorded for someone who never signed in and was never lent
    (no bench period, mission, claim or absence), more than a year ago."""
    return ConsultantProfile.objects.filter(
        user__date_joined__lt=now - dt.timedelta(days=UNUSED_ROSTER_ROW_KEPT_DAYS),
        user__last_login__isnull=True,
        user__bench_periods__isnull=True,
        user__missions__isnull=True,
        user__claims__isnull=True,
        user__absences__isnull=True,
    )


def _is_unused(user: User) -> bool:
    return not (
        user.last_login
        or user.is_staff
        or user.is_superuser
        or Membership.objects.filter(user=user).exists()
        or BenchPeriod.objects.filter(consultant=user).exists()
        or Mission.objects.filter(consultant=user).exists()
        or Claim.objects.filter(consultant=user).exists()
        or TeamMember.objects.filter(user=user).exists()
        or Comment.objects.filter(author=user).exists()
    )


def personal_data_retention(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Removes what nobody needs any more: invitations expired or revoked more than 90 days ago,
    accounts never confirmed after 30 days, roster rows of people never lent nor signed in
    after a year (the profile, the consultant membership and the account when nothing else holds
    it), and security-log events older than a year. Running it twice removes nothing more; a
    run that removed something is audited with its counts."""
    now = now or timezone.now()
    invitations = invitations_stale_delete(
        older_than=dt.timedelta(days=INVITATION_KEPT_DAYS), now=now
    )
    accounts = 0
    for user in _unconfirmed_accounts(now).distinct():
        if _is_unused(user):
            account_delete_unused(user=user)
            accounts += 1
    roster_rows = 0
    for profile in _unused_roster_rows(now).select_related("user").distinct():
        user = profile.user
        roster_row_remove(profile=profile)
        roster_rows += 1
        if _is_unused(user):
            account_delete_unused(user=user)
            accounts += 1
    audit_events = audit_events_expire(older_than=dt.timedelta(days=AUDIT_EVENT_KEPT_DAYS), now=now)
    counts = {
        "invitations": invitations,
        "accounts": accounts,
        "roster_rows": roster_rows,
        "audit_events": audit_events,
    }
    if any(counts.values()):
        audit(
            "privacy.retention",
            invitations=invitations,
            accounts=accounts,
            roster_rows=roster_rows,
            audit_events=audit_events,
        )
    return counts
