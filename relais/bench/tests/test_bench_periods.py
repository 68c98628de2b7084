"""Bench periods with plausible dates, corrected or cancelled before they begin; the days a firm
lends a consultant counted per fiscal year; a lead invites a consultant through a mission."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from relais.accounts.models import AuditEvent, Organisation
from relais.accounts.tests.factories import MembershipFactory
from relais.bench import limits, services
from relais.bench.models import BenchPeriod, BenchStatus, FirmTerms, Mission, MissionStatus
from relais.bench.tests.loan import backdate, mentions
from relais.bench.workflow import BENCH_STEPS, BenchStep
from relais.work.models import TeamMember

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


# --- Plausible dates ----------------------------------------------------------------------


def test_a_period_starting_long_before_the_firm_registered_is_refused(alice, acme, dora):
    with pytest.raises(ValidationError) as refused:
        services.bench_period_open(
            admin=alice, firm=acme, consultant=dora, start=dt.date(1990, 1, 1)
        )
    assert "inscrite sur Relais" in " ".join(refused.value.messages)
    assert not BenchPeriod.objects.exists()


def test_a_period_starting_a_year_before_the_firm_registered_is_accepted(alice, acme, dora, terms):
    Organisation.objects.filter(pk=acme.pk).update(
        created_at=timezone.now() - dt.timedelta(days=30)
    )
    acme.refresh_from_db()
    start = TODAY() - dt.timedelta(days=30 + 360)
    period = services.bench_period_open(
        admin=alice, firm=acme, consultant=dora, start=start, expected_end=start
    )
    assert period.start == start


def test_a_period_more_than_a_year_ahead_or_three_years_long_is_refused(alice, acme, dora):
    with pytest.raises(ValidationError) as ahead:
        services.bench_period_open(
            admin=alice, firm=acme, consultant=dora, start=TODAY() + dt.timedelta(days=400)
        )
    assert "dans un délai d’un an" in " ".join(ahead.value.messages)
    with pytest.raises(ValidationError) as long:
        services.bench_period_open(
            admin=alice,
            firm=acme,
            consultant=dora,
            start=TODAY(),
            expected_end=TODAY() + dt.timedelta(days=3 * 366),
        )
    assert "au plus 3 ans" in " ".join(long.value.messages)
    assert not BenchPeriod.objects.exists()


# --- Correct or cancel before the start ---------------------------------------------------


def test_the_table_has_the_correction_and_the_cancellation():
    assert BENCH_STEPS[BenchStep.CANCEL].target == BenchStatus.CANCELLED
    assert BENCH_STEPS[BenchStep.CORRECT].target is None
    assert BENCH_STEPS[BenchStep.CANCEL].before_start
    assert BENCH_STEPS[BenchStep.CORRECT].before_start


def test_a_period_to_come_is_corrected_then_cancelled(client, alice, acme, dora, terms):
    period = services.bench_period_open(
        admin=alice, firm=acme, consultant=dora, start=TODAY() + dt.timedelta(days=10)
    )
    client.force_login(alice)
    page = client.get(reverse("bench:bench_periods", kwargs={"organisation_pk": acme.pk}))
    assert reverse("bench:correct", kwargs={"period_pk": period.pk}) in page.content.decode()

    response = client.post(
        reverse("bench:correct", kwargs={"period_pk": period.pk}),
        {
            "start": (TODAY() + dt.timedelta(days=20)).isoformat(),
            "expected_end": (TODAY() + dt.timedelta(days=40)).isoformat(),
        },
    )
    assert response.status_code == 302
    period.refresh_from_db()
    assert period.start == TODAY() + dt.timedelta(days=20)
    assert period.expected_end == TODAY() + dt.timedelta(days=40)
    assert AuditEvent.objects.filter(action="bench.period_corrected").exists()

    client.post(reverse("bench:cancel", kwargs={"period_pk": period.pk}))
    period.refresh_from_db()
    assert period.status == BenchStatus.CANCELLED
    assert AuditEvent.objects.filter(action="bench.period_cancelled").exists()
    # A cancelled period occupies nothing: a new one may take its dates.
    services.bench_period_open(
        admin=alice, firm=acme, consultant=dora, start=TODAY() + dt.timedelta(days=20)
    )


def test_a_correction_to_absurd_dates_says_why_and_changes_nothing(client, alice, acme, dora):
    start = TODAY() + dt.timedelta(days=10)
    period = services.bench_period_open(admin=alice, firm=acme, consultant=dora, start=start)
    client.force_login(alice)
    response = client.post(
        reverse("bench:correct", kwargs={"period_pk": period.pk}),
        {"start": (TODAY() - dt.timedelta(days=400)).isoformat(), "expected_end": ""},
    )
    assert response.status_code == 400
    assert "inscrite sur Relais" in response.content.decode()
    period.refresh_from_db()
    assert period.start == start


def test_a_period_that_began_is_recalled_not_corrected_nor_cancelled(on_mission, alice):
    period, mission = on_mission
    with pytest.raises(services.BenchError):
        services.bench_period_cancel(admin=alice, period=period)
    with pytest.raises(services.BenchError):
        services.bench_period_correct(
            admin=alice, period=period, start=TODAY() + dt.timedelta(days=3)
        )
    period.refresh_from_db()
    mission.refresh_from_db()
    assert period.status == BenchStatus.OPEN
    assert mission.status == MissionStatus.ACTIVE


def test_only_the_firm_admin_corrects_or_cancels(alice, bob, charlie, acme, dora):
    period = services.bench_period_open(
        admin=alice, firm=acme, consultant=dora, start=TODAY() + dt.timedelta(days=10)
    )
    for someone in (bob, charlie, dora):
        with pytest.raises(PermissionDenied):
            services.bench_period_cancel(admin=someone, period=period)
    period.refresh_from_db()
    assert period.status == BenchStatus.OPEN


# --- Days lent per fiscal year ------------------------------------------------------------


def _lent(mission, start, end):
    backdate(mission.pk, start)
    Mission.objects.filter(pk=mission.pk).update(
        end=end, planned_end=end, status=MissionStatus.ENDED
    )


def test_days_lent_are_counted_per_fiscal_year_and_once_across_missions(on_mission, dora, acme):
    _period, mission = on_mission
    # A fiscal year closing on 30 June: 2025-06-23 (Mon) → 2025-07-04 (Fri) spans two years.
    Organisation.objects.filter(pk=acme.pk).update(fiscal_year_end_month=6, fiscal_year_end_day=30)
    acme.refresh_from_db()
    _lent(mission, dt.date(2025, 6, 23), dt.date(2025, 7, 4))

    lent = limits.days_lent(dora, acme)

    # 23–27 and 30 June: 6 days in the year closing in 2025; 1–4 July: 4 days in the next.
    assert lent == {2025: 6, 2026: 4}
    # The same days counted again by another span add nothing.
    assert limits.days_lent(dora, acme, extra=[(dt.date(2025, 6, 30), dt.date(2025, 7, 1))]) == lent


def test_a_new_period_is_refused_once_the_fiscal_year_is_given(on_mission, alice, dora, acme):
    period, mission = on_mission
    FirmTerms.objects.filter(firm=acme).update(max_bench_days_per_year=3)
    services.bench_period_recall(actor=alice, period=period)
    start = TODAY() - dt.timedelta(days=20)
    _lent(mission, start, TODAY() - dt.timedelta(days=1))
    BenchPeriod.objects.filter(pk=period.pk).update(start=start)

    with pytest.raises(ValidationError) as refused:
        services.bench_period_open(
            admin=alice, firm=acme, consultant=dora, start=TODAY() + dt.timedelta(days=1)
        )
    assert "3 jours travaillés au plus par exercice" in " ".join(refused.value.messages)


def test_an_extension_beyond_the_yearly_days_is_refused(on_mission, dora, acme):
    _period, mission = on_mission
    FirmTerms.objects.filter(firm=acme).update(max_bench_days_per_year=10)
    start = mission.start
    with pytest.raises(services.BenchError) as refused:
        services.days_lent_check(
            consultant=dora,
            firm=acme,
            start=start,
            end=start + dt.timedelta(days=60),
            mission=mission,
        )
    assert "10 jours travaillés au plus" in str(refused.value)
    services.days_lent_check(
        consultant=dora, firm=acme, start=start, end=start + dt.timedelta(days=3), mission=mission
    )


# --- A lead invites a consultant ----------------------------------------------------------


def test_a_lead_invites_a_consultant_on_the_bench_which_makes_a_mission_request(
    client, on_bench, dora, alice, fabien, active_project, django_capture_on_commit_callbacks
):
    client.force_login(fabien)
    url = reverse("bench:mission_invite", kwargs={"project_pk": active_project.pk})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"email": "DORA@acme.example"})
    assert response.status_code == 302
    mission = Mission.objects.get(consultant=dora, project=active_project)
    assert mission.status == MissionStatus.AWAITING
    assert not TeamMember.objects.filter(user=dora).exists()
    assert AuditEvent.objects.get(action="mission.invited").actor == fabien
    assert {m.to[0] for m in mail.outbox} == {alice.email, dora.email}
    # Their firm's dashboard and theirs show it as a to-do.
    client.force_login(alice)
    assert active_project.title in client.get(reverse("site:dashboard")).content.decode()


@pytest.mark.parametrize("who", ["unknown", "not a consultant", "not on the bench"])
def test_an_invitation_to_no_available_consultant_says_the_same_thing(
    client, fabien, nadia, active_project, acme, verified, who
):
    email = {
        "unknown": "personne@nulle.example",
        "not a consultant": nadia.email,
        "not on the bench": MembershipFactory(
            organisation=acme, role="consultant", user__email="eve@acme.example"
        ).user.email,
    }[who]
    with pytest.raises(ValidationError) as refused:
        services.mission_invite(lead=fabien, project=active_project, consultant_email=email)
    assert refused.value.message_dict["email"] == [
        "Aucun·e consultant·e en intercontrat d’une ESN vérifiée n’a cette adresse sur Relais : "
        "vérifiez-la auprès de la personne, ou demandez-lui de rejoindre le projet elle-même."
    ]
    assert not Mission.objects.exists()


def test_a_consultant_of_an_unverified_firm_cannot_be_invited(
    fabien, active_project, acme, alice, dora, terms
):
    services.bench_period_open(admin=alice, firm=acme, consultant=dora, start=TODAY())
    with pytest.raises(ValidationError):
        services.mission_invite(lead=fabien, project=active_project, consultant_email=dora.email)
    assert not Mission.objects.exists()


def test_only_a_lead_of_the_project_invites(client, on_bench, dora, charlie, active_project):
    with pytest.raises(PermissionDenied):
        services.mission_invite(lead=charlie, project=active_project, consultant_email=dora.email)
    client.force_login(dora)
    url = reverse("bench:mission_invite", kwargs={"project_pk": active_project.pk})
    assert client.post(url, {"email": dora.email}).status_code in (403, 404)
    assert not Mission.objects.exists()


def test_an_agreement_extended_beyond_the_days_the_year_allows_is_refused(
    on_bench, alice, dora, acme, active_project
):
    FirmTerms.objects.filter(firm=acme).update(max_bench_days_per_year=10)
    mission = services.mission_create(consultant=dora, project=active_project)
    services.mission_agreement_draw_up(
        admin=alice, mission=mission, mentions=mentions(planned_end=TODAY() + dt.timedelta(7))
    )
    with pytest.raises(ValidationError) as refused:
        services.mission_mentions_change(
            admin=alice, mission=mission, mentions=mentions(planned_end=TODAY() + dt.timedelta(60))
        )
    assert "10 jours travaillés au plus" in " ".join(refused.value.message_dict["planned_end"])
    mission.refresh_from_db()
    assert mission.planned_end == TODAY() + dt.timedelta(7)
    services.mission_mentions_change(
        admin=alice, mission=mission, mentions=mentions(planned_end=TODAY() + dt.timedelta(9))
    )
    mission.refresh_from_db()
    assert mission.planned_end == TODAY() + dt.timedelta(9)


# --- Every step of a bench period tells the next person -----------------------------------


def test_a_request_tells_the_firms_admins_and_the_decision_tells_the_consultant(
    alice, acme, dora, terms, django_capture_on_commit_callbacks
):
    dora.language = "en"
    dora.save(update_fields=["language"])
    with django_capture_on_commit_callbacks(execute=True):
        period = services.bench_period_request(consultant=dora, firm=acme, start=TODAY())
    [to_admin] = mail.outbox
    assert to_admin.to == [alice.email]
    assert dora.display_name in to_admin.subject
    assert reverse("bench:bench_periods", kwargs={"organisation_pk": acme.pk}) in to_admin.body
    assert "&#x27;" not in to_admin.subject
    assert "&amp;" not in to_admin.subject

    with django_capture_on_commit_callbacks(execute=True):
        services.bench_period_decide(admin=alice, period=period, approve=True)
    to_consultant = mail.outbox[1]
    assert to_consultant.to == [dora.email]
    # In the consultant's own language, with the link to their bench page.
    assert to_consultant.subject == f"[Relais] {acme.name} approved your bench period"
    assert reverse("bench:my_bench") in to_consultant.body


def test_a_refusal_and_a_period_opened_by_the_firm_tell_the_consultant(
    alice, acme, dora, terms, django_capture_on_commit_callbacks
):
    period = services.bench_period_request(consultant=dora, firm=acme, start=TODAY())
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.bench_period_decide(admin=alice, period=period, approve=False)
    assert [m.to for m in mail.outbox] == [[dora.email]]
    assert acme.name in mail.outbox[0].subject
    with django_capture_on_commit_callbacks(execute=True):
        services.bench_period_open(
            admin=alice, firm=acme, consultant=dora, start=TODAY() + dt.timedelta(days=7)
        )
    assert [m.to for m in mail.outbox] == [[dora.email], [dora.email]]
    assert mail.outbox[1].subject != mail.outbox[0].subject


def test_a_refused_request_tells_nobody_when_the_change_is_rolled_back(
    alice, acme, dora, terms, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        services.bench_period_request(consultant=dora, firm=acme, start=dt.date(1990, 1, 1))
    assert mail.outbox == []
