from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from relais.bench import documents, services
from relais.bench.models import (
    BenchPeriod,
    BenchStatus,
    FirmTerms,
    LendingMode,
    Mission,
    MissionStatus,
    Recall,
)
from relais.bench.tests.loan import REPRESENTATIVE, backdate, mentions
from relais.work import services as work_services
from relais.work.models import Claim, Handover, TaskStatus, TeamMember

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def test_terms_are_versioned_and_a_mission_takes_the_version_of_its_start(
    alice, acme, terms, verified, dora, active_project
):
    services.firm_terms_set(
        admin=alice,
        firm=acme,
        valid_from=TODAY() + dt.timedelta(days=30),
        mode=LendingMode.SPONSORSHIP,
        fee_rate=Decimal(0),
        headcount=100,
        bench_rate=Decimal(5),
        average_tjm_cents=500_00,
        average_daily_cost_cents=400_00,
        turnover_cents=10_000_000_00,
    )
    services.bench_period_open(admin=alice, firm=acme, consultant=dora, start=TODAY())
    mission = services.mission_create(consultant=dora, project=active_project)
    assert mission.terms == terms
    assert mission.mode == LendingMode.FEE
    assert FirmTerms.objects.count() == 2


@pytest.mark.parametrize("rate", ["-1", "100.5", "abc"])
def test_a_rate_outside_0_to_100_percent_is_refused(client, alice, acme, rate):
    client.force_login(alice)
    response = client.post(
        reverse("bench:terms", kwargs={"organisation_pk": acme.pk}),
        {
            "mode": "fee",
            "fee_rate": rate,
            "max_bench_days_per_year": "40",
            "headcount": "10",
            "bench_rate": "5",
            "average_tjm_cents": "500",
            "average_daily_cost_cents": "400",
            "turnover_cents": "1000000",
        },
    )
    assert response.status_code == 400
    assert not FirmTerms.objects.exists()


def test_a_bench_period_ending_before_it_starts_is_refused(alice, acme, dora):
    with pytest.raises(ValidationError):
        services.bench_period_open(
            admin=alice,
            firm=acme,
            consultant=dora,
            start=TODAY(),
            expected_end=TODAY() - dt.timedelta(days=1),
        )
    assert not BenchPeriod.objects.exists()


def test_overlapping_bench_periods_are_refused(alice, acme, dora):
    services.bench_period_open(
        admin=alice,
        firm=acme,
        consultant=dora,
        start=TODAY(),
        expected_end=TODAY() + dt.timedelta(days=10),
    )
    with pytest.raises(ValidationError, match=r"overlap|chevauche"):
        services.bench_period_open(
            admin=alice, firm=acme, consultant=dora, start=TODAY() + dt.timedelta(days=5)
        )
    assert BenchPeriod.objects.count() == 1


def test_a_consultant_asks_and_the_admin_approves(alice, acme, dora):
    period = services.bench_period_request(consultant=dora, firm=acme, start=TODAY())
    assert period.status == BenchStatus.REQUESTED
    services.bench_period_decide(admin=alice, period=period, approve=True)
    period.refresh_from_db()
    assert period.status == BenchStatus.OPEN


def test_a_consultant_cannot_open_their_own_period(dora, acme):
    with pytest.raises(PermissionDenied):
        services.bench_period_open(admin=dora, firm=acme, consultant=dora, start=TODAY())


def test_a_mission_starts_only_with_the_three_acceptances(
    alice, nadia, dora, on_bench, active_project
):
    mission = services.mission_create(consultant=dora, project=active_project)
    with pytest.raises(services.BenchError):
        services.mission_consent(consultant=dora, mission=mission)
    services.mission_agreement_draw_up(admin=alice, mission=mission, mentions=mentions())
    mission.refresh_from_db()
    assert mission.status == MissionStatus.DRAWN_UP
    with pytest.raises(services.BenchError, match=r"nonprofit|structure"):
        services.mission_consent(consultant=dora, mission=mission)
    services.mission_beneficiary_accept(admin=nadia, mission=mission, representative=REPRESENTATIVE)
    mission.refresh_from_db()
    assert mission.status == MissionStatus.ACCEPTED
    assert not TeamMember.objects.filter(project=active_project, user=dora).exists()
    services.mission_consent(consultant=dora, mission=mission)
    mission.refresh_from_db()
    assert mission.status == MissionStatus.ACTIVE
    assert mission.consultant_agreed_at is not None
    assert mission.beneficiary_accepted_by == nadia
    assert mission.agreement_drawn_up_by == alice
    member = TeamMember.objects.get(project=active_project, user=dora, left_at__isnull=True)
    assert member.added_by == nadia


@pytest.mark.parametrize(
    "missing", ["agreement_generated_at", "beneficiary_accepted_at", "consultant_agreed_at"]
)
def test_the_database_refuses_an_active_mission_without_one_acceptance(on_mission, missing):
    from django.db import IntegrityError, transaction

    _period, mission = on_mission
    with pytest.raises(IntegrityError), transaction.atomic():
        Mission.objects.filter(pk=mission.pk).update(**{missing: None})


def test_the_agreement_pdf_has_the_legal_mentions(client, alice, on_mission):
    _period, mission = on_mission
    client.force_login(alice)
    response = client.get(reverse("bench:agreement_pdf", kwargs={"mission_pk": mission.pk}))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    html = client.get(reverse("bench:mission", kwargs={"mission_pk": mission.pk})).content.decode()
    assert mission.agreement_number in html
    from django.template.loader import render_to_string

    text = render_to_string(
        "bench/agreement.html",
        {
            "mission": mission,
            "firm": mission.bench_period.firm,
            "beneficiary": mission.project.nonprofit,
            "basis": documents.fee_basis(mission),
        },
    )
    # L8241-3 and R8241-2 belong to another scheme (a large firm lending to an SME).
    assert "L8241-3" not in text
    assert "R8241-2" not in text
    for mention in (
        "L8241-1",
        "L8241-2",
        "trois ans",
        "à tout moment",
        "accord exprès et écrit",
        "Carte",
        "1,00 %",
    ):
        assert mention in text


def claimed_task(on_mission):
    _period, mission = on_mission
    project = mission.project
    lead = project.field_lead
    task = work_services.task_create(
        lead=lead,
        project=project,
        title="Écrire le guide",
        brief="b",
        acceptance_criteria="c",
        estimate_hours=Decimal(6),
    )
    work_services.task_publish(lead=lead, task=task)
    work_services.task_claim(consultant=mission.consultant, task=task)
    work_services.time_log(
        consultant=mission.consultant, task=task, date=TODAY(), hours=Decimal(2), note="Plan écrit"
    )
    return task


def test_a_recall_today_releases_every_claim_with_a_drafted_handover_and_tells_both(
    on_mission, alice, fabien, django_capture_on_commit_callbacks
):
    period, mission = on_mission
    task = claimed_task(on_mission)
    with django_capture_on_commit_callbacks(execute=True):
        recall = services.bench_period_recall(actor=alice, period=period)
    task.refresh_from_db()
    period.refresh_from_db()
    mission.refresh_from_db()
    assert task.status == TaskStatus.READY
    handover = Handover.objects.get(task=task)
    assert handover.drafted_automatically
    assert "Plan écrit" in handover.done
    assert period.status == BenchStatus.ENDED
    assert period.end == TODAY()
    assert mission.status == MissionStatus.ENDED
    assert mission.end == TODAY()
    assert recall.applied_at is not None
    recall.refresh_from_db()
    assert recall.released_tasks == [task.pk]
    recipients = {m.to[0] for m in mail.outbox}
    assert recipients == {mission.consultant.email, fabien.email}


def test_a_recall_in_the_past_ends_everything_on_that_date(on_mission, alice):
    period, mission = on_mission
    claimed_task(on_mission)
    past = TODAY() - dt.timedelta(days=3)
    services.bench_period_recall(actor=alice, period=period, effective_date=past)
    mission.refresh_from_db()
    assert mission.end == past
    assert mission.status == MissionStatus.ENDED
    assert not Claim.objects.filter(ended_at__isnull=True).exists()


def test_a_recall_in_the_future_is_applied_when_its_date_comes(on_mission, alice):
    period, mission = on_mission
    task = claimed_task(on_mission)
    future = TODAY() + dt.timedelta(days=2)
    recall = services.bench_period_recall(actor=alice, period=period, effective_date=future)
    task.refresh_from_db()
    assert recall.applied_at is None
    assert task.status == TaskStatus.CLAIMED
    assert services.recalls_apply_due(today=future - dt.timedelta(days=1)) == 0
    assert services.recalls_apply_due(today=future) == 1
    task.refresh_from_db()
    mission.refresh_from_db()
    assert task.status == TaskStatus.READY
    assert mission.end == future


def test_a_second_recall_changes_nothing(on_mission, alice):
    period, _mission = on_mission
    claimed_task(on_mission)
    first = services.bench_period_recall(actor=alice, period=period)
    second = services.bench_period_recall(
        actor=alice, period=period, effective_date=TODAY() - dt.timedelta(days=5)
    )
    assert second.pk == first.pk
    assert Recall.objects.count() == 1
    assert Handover.objects.count() == 1
    period.refresh_from_db()
    assert period.end == TODAY()


def test_nothing_accrues_after_the_recall_date(on_mission, alice):
    from relais.bench.selectors import firm_year

    period, mission = on_mission
    backdate(mission.pk, TODAY() - dt.timedelta(days=30))
    before = firm_year(period.firm).bench_days
    services.bench_period_recall(
        actor=alice, period=period, effective_date=TODAY() - dt.timedelta(days=20)
    )
    after = firm_year(period.firm).bench_days
    assert after < before


def test_the_consultant_sees_the_drafted_handover_to_complete(client, on_mission, alice):
    period, mission = on_mission
    task = claimed_task(on_mission)
    services.bench_period_recall(actor=alice, period=period)
    client.force_login(mission.consultant)
    body = client.get(reverse("bench:my_bench")).content.decode()
    assert task.title in body
    assert "Passations rédigées pour vous" in body


def test_only_the_firm_the_operator_and_the_project_see_a_bench_period(
    client, on_mission, charlie, fabien, nadia, operator_staff, bob
):
    _period, mission = on_mission
    url = reverse("bench:mission", kwargs={"mission_pk": mission.pk})
    for outsider in (charlie, bob):
        client.force_login(outsider)
        assert client.get(url).status_code == 404
    for insider in (fabien, nadia, operator_staff, mission.consultant):
        client.force_login(insider)
        assert client.get(url).status_code == 200


def test_a_consultant_cannot_join_beyond_the_yearly_days_the_firm_lends(
    alice, acme, dora, terms, verified, active_project, les_amis, fabien
):
    from relais.projects.tests.factories import ProjectFactory

    FirmTerms.objects.filter(pk=terms.pk).update(max_bench_days_per_year=3)
    start = TODAY() - dt.timedelta(days=14)
    services.bench_period_open(admin=alice, firm=acme, consultant=dora, start=start)
    mission = services.mission_create(consultant=dora, project=active_project)
    Mission.objects.filter(pk=mission.pk).update(
        start=start, status=MissionStatus.ENDED, end=TODAY()
    )
    other = ProjectFactory(nonprofit=les_amis, field_lead=fabien, status="active", title="Autre")
    with pytest.raises(services.BenchError):
        services.mission_create(consultant=dora, project=other)


def test_the_firm_dashboard_is_for_the_firm_and_the_operator(
    client, on_mission, alice, bob, charlie, operator_staff
):
    period, mission = on_mission
    url = reverse("bench:firm_dashboard", kwargs={"organisation_pk": period.firm_id})
    client.force_login(alice)
    body = client.get(url).content.decode()
    assert mission.consultant.get_full_name() in body
    assert "Carte" in body
    client.force_login(operator_staff)
    assert client.get(url).status_code == 200
    client.force_login(bob)  # a consultant of the firm, not an admin
    assert client.get(url).status_code == 403
    client.force_login(charlie)
    assert client.get(url).status_code == 404


def test_a_consultant_edits_their_own_profile(client, dora):
    from relais.core.models import Cause, Skill

    client.force_login(dora)
    python = Skill.objects.get(slug="python")
    response = client.post(
        reverse("bench:my_profile"),
        {
            "bio": "Développeuse back-end",
            f"skill_{python.slug}": "3",
            "causes": [Cause.objects.get(slug="health").pk],
            "matching_opt_out": "on",
        },
    )
    assert response.status_code == 302
    profile = dora.consultant_profile
    assert profile.bio == "Développeuse back-end"
    assert profile.matching_opt_out
    assert [(s.skill.slug, s.level) for s in profile.skills.all()] == [("python", 3)]
