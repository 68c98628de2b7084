"""No work without a mission: a team place, a claim and a time entry exist only on days an active
mission covers (three acceptances, bench period current); at most 10 hours a day; no time on a
Sunday or a public holiday unless the firm's terms allow it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from relais.bench import services as bench_services
from relais.bench.models import BenchPeriod, FirmTerms, Mission
from relais.bench.tests.loan import backdate
from relais.work import services
from relais.work.models import Claim, Handover, TaskStatus, TeamMember, TimeEntry
from relais.work.tests.conftest import consultant


def _mission(user):
    return Mission.objects.get(consultant=user)


def _backdate(user, task, day):
    """The mission, its bench period and the claim on the task began before `day`."""
    mission = _mission(user)
    BenchPeriod.objects.filter(pk=mission.bench_period_id).update(start=day - dt.timedelta(days=3))
    backdate(mission.pk, day - dt.timedelta(days=2))
    Claim.objects.filter(task=task, consultant=user).update(
        started_at=timezone.make_aware(dt.datetime.combine(day - dt.timedelta(days=1), dt.time()))
    )


def test_a_lead_can_no_longer_put_a_consultant_in_the_team(client, project, fabien):
    outsider = consultant("sans.mission@esn.example")
    with pytest.raises(ValidationError) as refused:
        services.team_member_add(lead=fabien, project=project, email=outsider.email)
    assert "mission" in " ".join(refused.value.messages)
    client.force_login(fabien)
    url = reverse("work:team", kwargs={"project_pk": project.pk})
    assert client.post(url, {"email": outsider.email}).status_code == 405
    page = client.get(url).content.decode()
    assert reverse("bench:mission_invite", kwargs={"project_pk": project.pk}) in page
    assert not TeamMember.objects.filter(user=outsider).exists()


def test_a_team_place_without_a_mission_claims_nothing(make_task, project, fabien):
    # A place left from before the rule: it gives no right to work.
    legacy = consultant("ancien@esn.example")
    TeamMember.objects.create(project=project, user=legacy, added_by=fabien)
    task = make_task()
    with pytest.raises(services.WorkError) as refused:
        services.task_claim(consultant=legacy, task=task)
    assert "mission" in str(refused.value)
    task.refresh_from_db()
    assert task.status == TaskStatus.READY
    assert not Claim.objects.filter(consultant=legacy).exists()


def test_the_end_of_a_mission_closes_the_work_on_its_project(make_task, ana):
    task, other = make_task("Tenu"), make_task("Suivant")
    services.task_claim(consultant=ana, task=task)

    assert bench_services.mission_end(mission=_mission(ana), end=timezone.localdate())

    assert not Claim.objects.filter(consultant=ana, ended_at__isnull=True).exists()
    task.refresh_from_db()
    assert task.status == TaskStatus.READY
    assert Handover.objects.get(task=task).drafted_automatically
    assert not TeamMember.objects.filter(user=ana, left_at__isnull=True).exists()
    with pytest.raises(PermissionDenied):  # no longer in the team
        services.task_claim(consultant=ana, task=other)
    # Ending it twice changes nothing.
    assert not bench_services.mission_end(mission=_mission(ana), end=timezone.localdate())


def test_time_is_logged_only_on_days_of_the_mission(make_task, ana):
    task = make_task()
    services.task_claim(consultant=ana, task=task)
    today = timezone.localdate()
    _backdate(ana, task, today)  # the mission began two days ago, its bench period three
    before_the_mission = today - dt.timedelta(days=3)
    Claim.objects.filter(task=task).update(
        started_at=timezone.make_aware(dt.datetime.combine(before_the_mission, dt.time()))
    )
    with pytest.raises(ValidationError) as refused:
        services.time_log(consultant=ana, task=task, date=before_the_mission, hours=Decimal(2))
    assert "mission" in " ".join(refused.value.messages)
    services.time_log(consultant=ana, task=task, date=today, hours=Decimal(2))
    assert list(TimeEntry.objects.values_list("date", flat=True)) == [today]


def _last(weekday_or_holiday):
    day = timezone.localdate()
    while not weekday_or_holiday(day):
        day -= dt.timedelta(days=1)
    return day


@pytest.mark.parametrize(
    "rest_day",
    [
        pytest.param(lambda: _last(lambda d: d.weekday() == 6), id="a Sunday"),
        pytest.param(
            lambda: _last(lambda d: (d.month, d.day) == (7, 14) and d.weekday() != 6),
            id="14 July",
        ),
    ],
)
def test_no_time_on_a_rest_day_unless_the_firm_allows_it(make_task, ana, rest_day):
    task = make_task()
    services.task_claim(consultant=ana, task=task)
    day = rest_day()
    _backdate(ana, task, day)
    FirmTerms.objects.filter(firm=_mission(ana).bench_period.firm).update(work_on_rest_days=False)

    with pytest.raises(ValidationError) as refused:
        services.time_log(consultant=ana, task=task, date=day, hours=Decimal(3))
    assert "travailler les jours de repos" in " ".join(refused.value.messages)
    assert not TimeEntry.objects.exists()

    FirmTerms.objects.filter(firm=_mission(ana).bench_period.firm).update(work_on_rest_days=True)
    services.time_log(consultant=ana, task=task, date=day, hours=Decimal(3))
    assert TimeEntry.objects.get().date == day


def test_the_time_form_says_why_a_day_off_the_mission_is_refused(client, make_task, ana):
    task = make_task()
    services.task_claim(consultant=ana, task=task)
    today = timezone.localdate()
    Mission.objects.filter(consultant=ana).update(end=today - dt.timedelta(days=1))
    client.force_login(ana)
    response = client.post(
        reverse("work:time_log", kwargs={"task_pk": task.pk}),
        {"date": today.isoformat(), "hours": "2", "note": ""},
    )
    assert response.status_code == 400
    assert "mission" in response.content.decode()
    assert not TimeEntry.objects.exists()
