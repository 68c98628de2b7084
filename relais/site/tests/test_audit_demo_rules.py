"""Audit of issue 10: the demo data obeys every rule of the loan. Each mission that ran has its
three acceptances, starts on or after the last of them and on the bench, lasts at most three
years, names its CSE date, its mentions and its frozen documents; no fee above cost; sponsorship
only for verified beneficiaries; work (team places, claims, time entries) only on mission days,
at most 10 h a day, never on a rest day the firm does not allow; bench periods with plausible
dates; the days lent within the firm's yearly limit."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Q, Sum
from django.utils import timezone

from relais.bench import documents, limits, returns, selectors
from relais.bench.models import (
    BenchPeriod,
    BenchStatus,
    FirmTerms,
    LendingMode,
    Mission,
    MissionStatus,
    Recall,
)
from relais.bench.selectors import terms_at
from relais.work.models import Claim, TeamMember, TimeEntry

pytestmark = pytest.mark.django_db

RAN = (MissionStatus.ACTIVE, MissionStatus.ENDED)
PARTS = {
    ("agreement", "firm"),
    ("agreement", "beneficiary"),
    ("agreement", "consultant"),
    ("amendment", "consultant"),
}


@pytest.fixture
def demo(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"  # the frozen PDFs, in the test's own folder
    call_command("seed_demo", verbosity=0)
    return timezone.localdate()


def _ran() -> list[Mission]:
    missions = list(
        Mission.objects.filter(status__in=RAN).select_related(
            "bench_period__firm", "project__nonprofit", "consultant"
        )
    )
    assert len(missions) >= 6  # the demo teams and a few more
    return missions


def _covering(consultant_id: int, project_id: int, day: dt.date) -> bool:
    """A mission of the consultant on the project that ran on that day (it may have ended since:
    the demo's history includes a recall)."""
    return (
        Mission.objects.filter(
            consultant_id=consultant_id,
            project_id=project_id,
            status__in=RAN,
            start__lte=day,
        )
        .filter(Q(end__isnull=True) | Q(end__gte=day))
        .filter(Q(planned_end__isnull=True) | Q(planned_end__gte=day))
        .exists()
    )


def test_no_demo_mission_starts_before_its_three_acceptances_nor_off_the_bench(demo):
    for mission in _ran():
        accepted = [
            mission.agreement_generated_at,
            mission.beneficiary_accepted_at,
            mission.consultant_agreed_at,
        ]
        assert None not in accepted, mission
        assert mission.agreement_drawn_up_by_id
        assert mission.beneficiary_accepted_by_id
        assert mission.start >= max(timezone.localdate(at) for at in accepted), mission
        assert mission.start >= mission.bench_period.start
        assert mission.bench_period.firm.verified_at is not None


def test_demo_firms_and_beneficiaries_were_verified_before_their_missions_began(demo):
    for mission in _ran():
        firm = mission.bench_period.firm
        assert timezone.localdate(firm.verified_at) <= mission.start, (firm, mission)
        if mission.mode == LendingMode.SPONSORSHIP:
            eligible_at = mission.project.nonprofit.sponsorship_eligible_at
            assert timezone.localdate(eligible_at) <= mission.start, mission


def test_every_demo_agreement_states_its_mentions_and_lasts_at_most_three_years(demo):
    for mission in _ran():
        for name in ("place_of_work", "working_hours", "post_characteristics"):
            assert getattr(mission, name).strip(), (mission, name)
        assert mission.firm_representative.strip()
        assert mission.beneficiary_representative.strip()
        assert mission.agreement_number
        assert mission.start <= mission.planned_end <= documents.last_day_allowed(mission.start)
        assert mission.cse_informed_on is not None
        assert mission.cse_informed_on <= timezone.localdate(mission.agreement_generated_at)


def test_every_demo_acceptance_has_its_frozen_pdf_with_its_sha256(demo):
    for mission in _ran():
        current = mission.documents.filter(version=mission.document_version)
        assert {(d.kind, d.party) for d in current} == PARTS, mission
        for document in current:
            data = documents.stored_bytes(document)
            assert data.startswith(b"%PDF")
            assert hashlib.sha256(data).hexdigest() == document.sha256


def test_no_demo_loan_is_for_profit_and_sponsorship_goes_to_verified_beneficiaries(demo):
    for terms in FirmTerms.objects.filter(mode=LendingMode.FEE):
        assert not returns.fee_exceeds_cost(
            tjm_cents=terms.average_tjm_cents,
            rate=terms.fee_rate,
            daily_cost_cents=terms.average_daily_cost_cents,
        ), terms
    modes = set()
    for mission in Mission.objects.select_related("project__nonprofit"):
        modes.add(mission.mode)
        basis = selectors.mission_cost_basis(mission)
        assert not returns.fee_exceeds_cost(
            tjm_cents=mission.tjm_cents, rate=mission.fee_rate, daily_cost_cents=basis.daily_cents
        ), mission
        if mission.mode == LendingMode.SPONSORSHIP:
            assert mission.fee_rate == Decimal(0)
            assert mission.project.nonprofit.sponsorship_eligible_at is not None, mission
    assert modes == {LendingMode.FEE, LendingMode.SPONSORSHIP}  # both kinds are shown


def test_demo_work_happens_only_on_mission_days(demo):
    today = demo
    # A place in a team today: an active mission covers today.
    for member in TeamMember.objects.filter(left_at__isnull=True):
        assert limits.mission_work_day(member.user, member.project, today).on_mission, member
    # Every claim began on a mission day; one still held is on a mission today.
    claims = Claim.objects.select_related("task")
    assert claims.exists()
    for claim in claims:
        day = timezone.localdate(claim.started_at)
        assert _covering(claim.consultant_id, claim.task.project_id, day), claim
        if claim.ended_at is None:
            assert limits.mission_work_day(claim.consultant, claim.task.project, today).on_mission
    # Every time entry is on a mission day, not in the future.
    entries = TimeEntry.objects.select_related("claim__task")
    assert entries.exists()
    for entry in entries:
        assert entry.date <= today
        assert _covering(entry.claim.consultant_id, entry.claim.task.project_id, entry.date)


def test_demo_time_is_at_most_ten_hours_a_day_and_never_on_a_forbidden_rest_day(demo):
    per_day = (
        TimeEntry.objects.values("claim__consultant", "date")
        .annotate(hours=Sum("hours"))
        .order_by()
    )
    for row in per_day:
        assert row["hours"] <= 10, row
    for entry in TimeEntry.objects.select_related("claim"):
        if returns.is_working_day(entry.date) or entry.date.weekday() == 5:
            continue  # a working day, or a Saturday (not a rest day under the rule)
        mission = Mission.objects.filter(
            consultant_id=entry.claim.consultant_id, project_id=entry.claim.task.project_id
        ).first()
        terms = terms_at(mission.bench_period.firm, entry.date)
        assert terms is not None, entry
        assert terms.work_on_rest_days, entry


def test_demo_bench_periods_have_plausible_dates(demo):
    today = demo
    for period in BenchPeriod.objects.select_related("firm"):
        registered = timezone.localdate(period.firm.created_at)
        assert registered - dt.timedelta(days=365) <= period.start <= today + dt.timedelta(365)
        for end in (period.end, period.expected_end):
            if end is not None:
                assert period.start <= end <= documents.add_years(period.start, 3)


def test_demo_recalls_ended_everything_they_should(demo):
    today = demo
    recalls = Recall.objects.select_related("bench_period")
    assert recalls.exists()
    for recall in recalls:
        if recall.effective_date > today:
            continue
        assert recall.applied_at is not None
        period = recall.bench_period
        assert period.status == BenchStatus.ENDED
        assert not Mission.objects.filter(bench_period=period, status__in=limits.NOT_OVER).exists()
        assert not Claim.objects.filter(
            consultant=period.consultant, ended_at__isnull=True
        ).exists()


def test_demo_days_lent_stay_within_each_firms_yearly_limit(demo):
    seen = defaultdict(int)
    for mission in _ran():
        firm, consultant = mission.bench_period.firm, mission.consultant
        for year, days in limits.days_lent(consultant, firm).items():
            first, _last = returns.fiscal_year_bounds(
                year, month=firm.fiscal_year_end_month, day=firm.fiscal_year_end_day
            )
            terms = terms_at(firm, max(first, mission.start))
            spans = list(
                Mission.objects.filter(consultant=consultant, status__in=RAN).values_list(
                    "start", "planned_end", "end"
                )
            )
            assert days <= terms.max_bench_days_per_year, (consultant, year, days, spans)
            seen[year] += days
    assert sum(seen.values()) > 0
