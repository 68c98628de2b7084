from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from relais.accounts.models import Invitation
from relais.accounts.services import api_token_create
from relais.bench import services
from relais.bench.models import BenchPeriod, Mission, MissionStatus, Recall
from relais.bench.tests.loan import REPRESENTATIVE, mentions
from relais.bench.tests.test_bench import claimed_task
from relais.core.tests.api import Api, error_code
from relais.work.models import Handover, TaskStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice_api(alice):
    return {"Authorization": f"Bearer {api_token_create(user=alice, name='staffing').raw}"}


def recall(client, period, headers, **body):
    return client.post(
        f"/api/v1/bench-periods/{period.pk}/recall",
        json.dumps(body),
        content_type="application/json",
        headers=headers,
    )


@pytest.mark.parametrize("offset", [-3, 0, 2])
def test_the_recall_api_takes_a_past_today_or_future_date(client, on_mission, alice_api, offset):
    period, _mission = on_mission
    task = claimed_task(on_mission)
    date = timezone.localdate() + dt.timedelta(days=offset)
    response = recall(client, period, alice_api, effective_date=date.isoformat())
    assert response.status_code == 200
    body = response.json()
    assert body["effective_date"] == date.isoformat()
    assert body["applied"] is (offset <= 0)
    task.refresh_from_db()
    assert (task.status == TaskStatus.READY) is (offset <= 0)
    assert body["released_tasks"] == ([task.pk] if offset <= 0 else [])


def test_the_recall_api_defaults_to_today(client, on_mission, alice_api):
    period, _mission = on_mission
    # A staffing tool may send no body at all.
    response = client.post(
        f"/api/v1/bench-periods/{period.pk}/recall",
        "",
        content_type="application/json",
        headers=alice_api,
    )
    assert response.status_code == 200
    assert response.json()["effective_date"] == timezone.localdate().isoformat()


def test_a_second_recall_by_api_is_no_error_and_no_double_effect(client, on_mission, alice_api):
    period, _mission = on_mission
    claimed_task(on_mission)
    first = recall(client, period, alice_api).json()
    second = recall(client, period, alice_api, effective_date="2020-01-01")
    assert second.status_code == 200
    assert second.json() == first
    assert Recall.objects.count() == 1
    assert Handover.objects.count() == 1


def test_another_firm_cannot_recall(client, on_mission, charlie):
    period, _mission = on_mission
    headers = {"Authorization": f"Bearer {api_token_create(user=charlie, name='t').raw}"}
    assert recall(client, period, headers).status_code == 404
    assert not Recall.objects.exists()


def test_bench_periods_and_missions_list_for_the_firm_and_not_others(
    client, on_mission, alice_api, charlie
):
    assert client.get("/api/v1/bench-periods", headers=alice_api).json()["count"] == 1
    assert client.get("/api/v1/missions", headers=alice_api).json()["count"] == 1
    other = {"Authorization": f"Bearer {api_token_create(user=charlie, name='t').raw}"}
    assert client.get("/api/v1/bench-periods", headers=other).json()["count"] == 0
    assert client.get("/api/v1/missions", headers=other).json()["count"] == 0


def test_opening_a_bench_period_by_api(client, alice, acme, alice_api, dora):
    response = client.post(
        "/api/v1/bench-periods",
        json.dumps(
            {
                "firm_id": acme.pk,
                "consultant_email": dora.email,
                "start": "2026-12-01",
                "expected_end": "2026-11-01",
            }
        ),
        content_type="application/json",
        headers=alice_api,
    )
    assert response.status_code == 422
    assert "expected_end" in response.json()["error"]["fields"]


# --- Every endpoint, its success and its refusals (Charlie administers another firm) -------


def test_the_firm_admin_lists_the_bench_and_a_consultant_only_their_own(
    client, on_bench, alice, dora, bob
):
    response = Api(client, alice).get("/api/v1/bench-periods")
    assert response.status_code == 200
    assert [p["consultant_email"] for p in response.json()["items"]] == [dora.email]
    assert Api(client, dora).get("/api/v1/bench-periods").json()["count"] == 1
    assert Api(client, bob).get("/api/v1/bench-periods").json()["count"] == 0


def open_period(client, user, firm, consultant, start="2026-01-05"):
    return Api(client, user).post(
        "/api/v1/bench-periods",
        {"firm_id": firm.pk, "consultant_email": consultant.email, "start": start},
    )


def test_the_firm_admin_puts_a_consultant_on_the_bench(client, alice, acme, dora):
    response = open_period(client, alice, acme, dora)
    assert response.status_code == 201
    assert response.json()["status"] == "open"
    assert BenchPeriod.objects.get().consultant == dora


@pytest.mark.parametrize(("persona", "status"), [("bob", 403), ("charlie", 404)])
def test_only_the_firms_admin_opens_a_bench_period(client, request, acme, dora, persona, status):
    response = open_period(client, request.getfixturevalue(persona), acme, dora)
    assert response.status_code == status
    assert not BenchPeriod.objects.exists()


def test_someone_who_is_not_the_firms_consultant_is_refused(client, alice, acme, charlie):
    response = open_period(client, alice, acme, charlie)
    assert response.status_code == 422
    assert "consultant" in response.json()["error"]["fields"]
    assert not BenchPeriod.objects.exists()


def test_a_second_period_over_an_open_one_is_refused(client, alice, acme, dora, on_bench):
    response = open_period(client, alice, acme, dora, start=timezone.localdate().isoformat())
    assert response.status_code == 422
    assert BenchPeriod.objects.count() == 1


def test_a_consultant_cannot_recall_their_own_period(client, on_bench, dora):
    response = recall(client, on_bench, Api(client, dora).headers)
    assert response.status_code == 403
    assert not Recall.objects.exists()


def test_the_firm_admin_reads_the_roster(client, on_bench, alice, dora):
    response = Api(client, alice).get(f"/api/v1/firms/{on_bench.firm_id}/roster")
    assert response.status_code == 200
    assert [c["email"] for c in response.json()["items"]] == [dora.email]


@pytest.mark.parametrize(("persona", "status"), [("bob", 403), ("charlie", 404)])
def test_only_the_firms_admin_reads_the_roster(client, request, acme, dora, persona, status):
    response = Api(client, request.getfixturevalue(persona)).get(f"/api/v1/firms/{acme.pk}/roster")
    assert response.status_code == status
    assert dora.email not in response.content.decode()


def test_the_firm_admin_invites_a_consultant_once(client, alice, acme):
    api = Api(client, alice)
    body = {"email": "eve@acme.example"}
    response = api.post(f"/api/v1/firms/{acme.pk}/roster/invitations", body)
    assert response.status_code == 201
    assert response.json()["email"] == "eve@acme.example"
    assert Invitation.objects.get().organisation == acme


def test_inviting_a_member_again_is_refused(client, alice, acme, dora):
    response = Api(client, alice).post(
        f"/api/v1/firms/{acme.pk}/roster/invitations", {"email": dora.email}
    )
    assert response.status_code == 422
    assert "email" in response.json()["error"]["fields"]
    assert not Invitation.objects.exists()


@pytest.mark.parametrize(("persona", "status"), [("bob", 403), ("charlie", 404)])
def test_only_the_firms_admin_invites(client, request, acme, persona, status):
    response = Api(client, request.getfixturevalue(persona)).post(
        f"/api/v1/firms/{acme.pk}/roster/invitations", {"email": "eve@acme.example"}
    )
    assert response.status_code == status
    assert not Invitation.objects.exists()


@pytest.fixture
def awaiting(alice, dora, on_bench, active_project):
    """Dora's mission on Les Amis' project: Acme drew up the agreement, Les Amis must answer."""
    mission = services.mission_create(consultant=dora, project=active_project)
    services.mission_agreement_draw_up(admin=alice, mission=mission, mentions=mentions())
    mission.refresh_from_db()
    return mission


def test_the_parties_download_the_accepted_agreement_and_amendment(client, on_mission, nadia):
    _period, mission = on_mission
    agreement = Api(client, nadia).get(f"/api/v1/missions/{mission.pk}/agreement.pdf")
    assert agreement.status_code == 200
    assert agreement.content.startswith(b"%PDF")
    amendment = Api(client, nadia).get(f"/api/v1/missions/{mission.pk}/amendment.pdf")
    assert amendment.status_code == 200
    assert amendment.content.startswith(b"%PDF")


def test_the_field_lead_and_outsiders_get_no_accepted_document(client, on_mission, fabien):
    _period, mission = on_mission
    agreement = Api(client, fabien).get(f"/api/v1/missions/{mission.pk}/agreement.pdf")
    assert agreement.status_code == 404
    amendment = Api(client, fabien).get(f"/api/v1/missions/{mission.pk}/amendment.pdf")
    assert amendment.status_code == 404


def test_no_amendment_is_served_before_the_consultant_accepts_it(client, awaiting, alice):
    response = Api(client, alice).get(f"/api/v1/missions/{awaiting.pk}/amendment.pdf")
    assert response.status_code == 409


def mission_status(mission: Mission) -> str:
    mission.refresh_from_db()
    return mission.status


def test_the_nonprofit_admin_sees_the_mission_and_others_do_not(client, awaiting, nadia, charlie):
    response = Api(client, nadia).get("/api/v1/missions")
    assert response.status_code == 200
    assert [m["id"] for m in response.json()["items"]] == [awaiting.pk]
    assert Api(client, charlie).get("/api/v1/missions").json()["count"] == 0


def test_the_nonprofit_admin_accepts_the_mission(client, awaiting, nadia):
    before = mission_status(awaiting)
    response = Api(client, nadia).post(
        f"/api/v1/missions/{awaiting.pk}/accept", {"representative": REPRESENTATIVE}
    )
    assert response.status_code == 200
    assert response.json()["beneficiary_accepted_at"] is not None
    assert mission_status(awaiting) != before


@pytest.mark.parametrize(("persona", "status"), [("fabien", 403), ("charlie", 404)])
def test_only_the_nonprofits_admins_accept_a_mission(client, request, awaiting, persona, status):
    before = mission_status(awaiting)
    response = Api(client, request.getfixturevalue(persona)).post(
        f"/api/v1/missions/{awaiting.pk}/accept", {"representative": REPRESENTATIVE}
    )
    assert response.status_code == status
    assert mission_status(awaiting) == before


def test_a_refused_mission_cannot_be_accepted_any_more(client, awaiting, nadia):
    services.mission_beneficiary_refuse(admin=nadia, mission=awaiting, reason="Complet")
    response = Api(client, nadia).post(
        f"/api/v1/missions/{awaiting.pk}/accept", {"representative": REPRESENTATIVE}
    )
    assert response.status_code == 409
    assert error_code(response) == "conflict"
    assert mission_status(awaiting) == MissionStatus.REFUSED


def test_the_nonprofit_admin_refuses_the_mission_saying_why(client, awaiting, nadia):
    api = Api(client, nadia)
    silent = api.post(f"/api/v1/missions/{awaiting.pk}/refuse", {"reason": "  "})
    assert silent.status_code == 422
    assert "reason" in silent.json()["error"]["fields"]
    response = api.post(f"/api/v1/missions/{awaiting.pk}/refuse", {"reason": "Équipe complète"})
    assert response.status_code == 200
    assert response.json()["refusal_reason"] == "Équipe complète"
    again = api.post(f"/api/v1/missions/{awaiting.pk}/refuse", {"reason": "Encore"})
    assert again.status_code == 409


@pytest.mark.parametrize(("persona", "status"), [("fabien", 403), ("charlie", 404)])
def test_only_the_nonprofits_admins_refuse_a_mission(client, request, awaiting, persona, status):
    before = mission_status(awaiting)
    response = Api(client, request.getfixturevalue(persona)).post(
        f"/api/v1/missions/{awaiting.pk}/refuse", {"reason": "Non"}
    )
    assert response.status_code == status
    assert mission_status(awaiting) == before


def test_operator_staff_verify_a_firm_and_a_second_time_changes_nothing(
    client, acme, operator_staff
):
    api = Api(client, operator_staff)
    response = api.post(f"/api/v1/firms/{acme.pk}/verification")
    assert response.status_code == 200
    verified_at = response.json()["verified_at"]
    assert verified_at is not None
    again = api.post(f"/api/v1/firms/{acme.pk}/verification")
    assert again.status_code == 200
    assert again.json()["verified_at"] == verified_at


@pytest.mark.parametrize(("persona", "status"), [("alice", 403), ("charlie", 404)])
def test_only_operator_staff_verify_a_firm(client, request, acme, persona, status):
    response = Api(client, request.getfixturevalue(persona)).post(
        f"/api/v1/firms/{acme.pk}/verification"
    )
    assert response.status_code == status
    acme.refresh_from_db()
    assert acme.verified_at is None


def test_a_nonprofit_is_not_verified_as_a_firm(client, les_amis, operator_staff):
    response = Api(client, operator_staff).post(f"/api/v1/firms/{les_amis.pk}/verification")
    assert response.status_code == 422
    les_amis.refresh_from_db()
    assert les_amis.verified_at is None


def test_a_page_number_below_one_is_refused_on_both_lists(client, alice):
    api = Api(client, alice)
    periods = api.get("/api/v1/bench-periods", page=0)
    assert periods.status_code == 422
    missions = api.get("/api/v1/missions", page=0)
    assert missions.status_code == 422
    assert "page" in missions.json()["error"]["fields"]


# --- Terms --------------------------------------------------------------------------------

TERMS = {
    "mode": "fee",
    "fee_rate": "1.00",
    "max_bench_days_per_year": 30,
    "headcount": 20,
    "bench_rate": "10",
    "average_tjm_cents": 700_00,
    "average_daily_cost_cents": 400_00,
    "turnover_cents": 2_000_000_00,
    "preferred_causes": [],
}


def test_the_firm_admin_reads_the_current_terms_and_the_past_ones(client, alice, acme, terms):
    newer = services.firm_terms_set(
        admin=alice,
        firm=acme,
        mode="sponsorship",
        fee_rate=0,
        headcount=120,
        bench_rate=5,
        average_tjm_cents=600_00,
        average_daily_cost_cents=450_00,
        turnover_cents=20_000_000_00,
    )
    response = Api(client, alice).get(f"/api/v1/firms/{acme.pk}/terms")
    assert response.status_code == 200
    body = response.json()
    assert body["current"]["id"] == newer.pk
    assert body["current"]["mode"] == "sponsorship"
    assert [v["id"] for v in body["versions"]] == [newer.pk, terms.pk]


@pytest.mark.parametrize(("persona", "status"), [("bob", 403), ("charlie", 404)])
def test_only_the_firms_admin_reads_its_terms(client, request, acme, terms, persona, status):
    response = Api(client, request.getfixturevalue(persona)).get(f"/api/v1/firms/{acme.pk}/terms")
    assert response.status_code == status
    assert "turnover_cents" not in response.content.decode()


def test_the_firm_admin_sets_new_terms_by_api(client, alice, acme, terms):
    body = {**TERMS, "preferred_causes": ["environment-climate"]}
    response = Api(client, alice).post(f"/api/v1/firms/{acme.pk}/terms", body)
    assert response.status_code == 201
    current = acme.terms.first()
    assert response.json()["id"] == current.pk != terms.pk
    assert current.average_tjm_cents == 700_00
    assert current.valid_from == timezone.localdate()
    assert [c.slug for c in current.preferred_causes.all()] == ["environment-climate"]


def test_a_fee_above_the_daily_cost_is_refused_by_api_naming_the_rule(client, alice, acme):
    # 100 % of a 700 € TJM is a 700 € fee a day, against a 400 € daily cost: a profit.
    response = Api(client, alice).post(
        f"/api/v1/firms/{acme.pk}/terms", {**TERMS, "fee_rate": "100"}
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert "L8241-1" in " ".join(error["fields"]["fee_rate"])
    assert not acme.terms.exists()


def test_an_unknown_cause_is_refused_by_api(client, alice, acme):
    response = Api(client, alice).post(
        f"/api/v1/firms/{acme.pk}/terms", {**TERMS, "preferred_causes": ["no-such-cause"]}
    )
    assert response.status_code == 422
    assert "preferred_causes" in response.json()["error"]["fields"]
    assert not acme.terms.exists()


@pytest.mark.parametrize(("persona", "status"), [("bob", 403), ("charlie", 404)])
def test_only_the_firms_admin_sets_its_terms(client, request, acme, persona, status):
    response = Api(client, request.getfixturevalue(persona)).post(
        f"/api/v1/firms/{acme.pk}/terms", TERMS
    )
    assert response.status_code == status
    assert not acme.terms.exists()
