"""The firm's limit of days lent a fiscal year holds up to the loan's planned end: checked when
the agreement is drawn up, when its planned end changes and at the consultant's consent, in
each fiscal year the loan spans. And a mission of a project completed, then archived before the
periodic job ran, still ends on the day of the completion."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from relais.accounts.models import Organisation
from relais.bench import limits, returns, selectors, services
from relais.bench.models import FirmTerms, Mission, MissionDocument, MissionStatus
from relais.bench.tests.loan import REPRESENTATIVE, backdate, mentions, mentions_form
from relais.projects import services as project_services
from relais.projects.models import ProjectEvent, ProjectStatus
from relais.projects.tests.factories import ProjectFactory
from relais.work.models import TeamMember

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


def _already_lent(lent: int) -> str:
    return str(_("Days already lent in that fiscal year: %(lent)s.") % {"lent": lent})


def _close_fiscal_year_in(firm: Organisation, days: int) -> tuple[int, int]:
    """The firm's fiscal year closes `days` from today: the year of today, and the next one."""
    close = TODAY() + dt.timedelta(days=days)
    Organisation.objects.filter(pk=firm.pk).update(
        fiscal_year_end_month=close.month, fiscal_year_end_day=close.day
    )
    firm.refresh_from_db()
    year = returns.fiscal_year_of(TODAY(), month=close.month, day_of_month=close.day)
    return year, year + 1


def _first_day(firm: Organisation, year: int) -> str:
    first, _last = returns.fiscal_year_bounds(
        year, month=firm.fiscal_year_end_month, day=firm.fiscal_year_end_day
    )
    return date_format(first, "SHORT_DATE_FORMAT")


@pytest.fixture
def requested(dora, on_bench, active_project):
    """Dora asked to join Les Amis' project; Acme has not drawn up the agreement yet."""
    return services.mission_create(consultant=dora, project=active_project)


# --- Drawn up -----------------------------------------------------------------------------


def test_a_ten_day_limit_refuses_a_ninety_day_loan_on_the_form_and_nothing_changes(
    client, requested, alice, acme
):
    FirmTerms.objects.filter(firm=acme).update(max_bench_days_per_year=10)
    client.force_login(alice)
    url = reverse("bench:agreement", kwargs={"mission_pk": requested.pk})
    planned_end = (TODAY() + dt.timedelta(days=90)).isoformat()

    response = client.post(url, mentions_form() | {"planned_end": planned_end})

    assert response.status_code == 400
    page = response.content.decode()
    assert _already_lent(0) in page
    assert "Acme" in page
    requested.refresh_from_db()
    assert requested.status == MissionStatus.AWAITING
    assert requested.planned_end is None
    assert requested.document_version == 0
    assert not MissionDocument.objects.exists()


def test_the_same_loan_within_the_limit_is_drawn_up(client, requested, alice, acme):
    FirmTerms.objects.filter(firm=acme).update(max_bench_days_per_year=10)
    client.force_login(alice)
    url = reverse("bench:agreement", kwargs={"mission_pk": requested.pk})
    planned_end = TODAY() + dt.timedelta(days=8)  # at most 7 working days

    response = client.post(url, mentions_form(planned_end=planned_end))

    assert response.status_code == 302
    requested.refresh_from_db()
    assert (requested.status, requested.planned_end) == (MissionStatus.DRAWN_UP, planned_end)


def test_a_loan_spanning_two_fiscal_years_is_refused_in_the_second_one(requested, alice, acme):
    # The year closes in 20 days (at most 15 working days lent in it), the loan runs 55 days
    # more (at least 35 working days in the next year, whatever its public holidays).
    _this_year, next_year = _close_fiscal_year_in(acme, 20)
    FirmTerms.objects.filter(firm=acme).update(max_bench_days_per_year=25)

    with pytest.raises(ValidationError) as refused:
        services.mission_agreement_draw_up(
            admin=alice,
            mission=requested,
            mentions=mentions(planned_end=TODAY() + dt.timedelta(75)),
        )

    message = " ".join(refused.value.message_dict["planned_end"])
    assert _first_day(acme, next_year) in message
    assert _already_lent(0) in message
    requested.refresh_from_db()
    assert requested.status == MissionStatus.AWAITING
    # Ten days into the next year fit in both.
    first_next = TODAY() + dt.timedelta(days=21)
    services.mission_agreement_draw_up(
        admin=alice, mission=requested, mentions=mentions(planned_end=first_next + dt.timedelta(9))
    )
    requested.refresh_from_db()
    assert requested.status == MissionStatus.DRAWN_UP


def test_days_already_lent_this_fiscal_year_count_against_a_loan_reaching_into_the_next(
    on_mission, alice, dora, acme
):
    # Dora was lent from 30 days ago to yesterday (at least 18 working days); the year closes
    # in 20 days (at least 10 working days from today): over 25 this year, not next year.
    this_year, _next_year = _close_fiscal_year_in(acme, 20)
    _period, past = on_mission
    backdate(past.pk, TODAY() - dt.timedelta(days=30))
    yesterday = TODAY() - dt.timedelta(days=1)
    Mission.objects.filter(pk=past.pk).update(
        status=MissionStatus.ENDED, end=yesterday, planned_end=yesterday
    )
    FirmTerms.objects.filter(firm=acme).update(max_bench_days_per_year=25)
    other = ProjectFactory(nonprofit=past.project.nonprofit, status=ProjectStatus.ACTIVE)
    mission = services.mission_create(consultant=dora, project=other)

    with pytest.raises(ValidationError) as refused:
        services.mission_agreement_draw_up(
            admin=alice, mission=mission, mentions=mentions(planned_end=TODAY() + dt.timedelta(25))
        )

    message = " ".join(refused.value.message_dict["planned_end"])
    assert _first_day(acme, this_year) in message
    assert _already_lent(limits.days_lent(dora, acme)[this_year]) in message
    mission.refresh_from_db()
    assert mission.status == MissionStatus.AWAITING


def test_a_new_planned_end_is_checked_over_the_whole_loan(requested, alice, acme):
    FirmTerms.objects.filter(firm=acme).update(max_bench_days_per_year=10)
    services.mission_agreement_draw_up(
        admin=alice, mission=requested, mentions=mentions(planned_end=TODAY() + dt.timedelta(7))
    )
    # Three more weeks: more than 10 working days from today, though the days added are 15.
    with pytest.raises(ValidationError):
        services.mission_mentions_change(
            admin=alice,
            mission=requested,
            mentions=mentions(planned_end=TODAY() + dt.timedelta(28)),
        )
    requested.refresh_from_db()
    assert requested.planned_end == TODAY() + dt.timedelta(7)


# --- Consent ------------------------------------------------------------------------------


def test_the_consent_is_refused_when_the_loan_no_longer_fits_the_limit(
    client, requested, alice, nadia, dora, acme
):
    services.mission_agreement_draw_up(admin=alice, mission=requested, mentions=mentions())
    services.mission_beneficiary_accept(
        admin=nadia, mission=requested, representative=REPRESENTATIVE
    )
    # The firm's terms changed since (a new version, or days lent by another mission).
    FirmTerms.objects.filter(firm=acme).update(max_bench_days_per_year=5)
    client.force_login(dora)

    response = client.post(
        reverse("bench:consent", kwargs={"mission_pk": requested.pk}), {"agree": "on"}, follow=True
    )

    assert _already_lent(0) in response.content.decode()
    requested.refresh_from_db()
    assert requested.status == MissionStatus.ACCEPTED
    assert requested.consultant_agreed_at is None
    assert not TeamMember.objects.filter(user=dora, project=requested.project).exists()


# --- A project completed, then archived -------------------------------------------------


def test_a_mission_ends_on_the_day_its_project_was_completed_though_archived_since(
    on_mission, operator_staff, dora
):
    _period, mission = on_mission
    backdate(mission.pk, TODAY() - dt.timedelta(days=30))
    Mission.objects.filter(pk=mission.pk).update(planned_end=TODAY() + dt.timedelta(days=30))
    project = mission.project
    project_services.project_transition(
        project=project, actor=operator_staff, target=ProjectStatus.COMPLETED
    )
    ProjectEvent.objects.filter(project=project, to_status=ProjectStatus.COMPLETED).update(
        created_at=timezone.now() - dt.timedelta(days=5)
    )
    project.refresh_from_db()
    project_services.project_transition(
        project=project, actor=operator_staff, target=ProjectStatus.ARCHIVED
    )
    # Still running: the periodic job has not run since the completion.
    assert Mission.objects.get(pk=mission.pk).status == MissionStatus.ACTIVE

    assert services.missions_end_due() == 1

    mission.refresh_from_db()
    assert mission.status == MissionStatus.ENDED
    assert mission.end == TODAY() - dt.timedelta(days=5)  # not the day it was archived
    assert not TeamMember.objects.filter(user=dora, project=project, left_at__isnull=True).exists()


def test_the_completion_day_read_by_the_job_costs_no_query_per_mission(
    on_mission, operator_staff, django_assert_num_queries
):
    _period, mission = on_mission
    project_services.project_transition(
        project=mission.project, actor=operator_staff, target=ProjectStatus.COMPLETED
    )
    annotated = (
        Mission.objects.annotate(project_completed_at=selectors.project_completed_at())
        .select_related("project")
        .get(pk=mission.pk)
    )
    with django_assert_num_queries(0):
        assert selectors.mission_last_day(annotated) == TODAY()
