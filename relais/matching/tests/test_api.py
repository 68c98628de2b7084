from __future__ import annotations

import pytest

from relais.core.tests.api import Api
from relais.matching import services
from relais.matching.models import Round, Suggestion, SuggestionStatus, Weights
from relais.matching.tests.conftest import on_bench

pytestmark = pytest.mark.django_db


@pytest.fixture
def suggested(bob, acme, make_task):
    on_bench(bob, acme, {"django": 3})
    make_task("API", skills=["django"])
    services.round_run(notify=False)
    return Suggestion.objects.get(consultant=bob, status=SuggestionStatus.OFFERED)


def test_a_consultant_reads_their_suggestion_with_its_parts_and_reasons(client, bob, suggested):
    response = Api(client, bob).get("/api/v1/suggestions")
    assert response.status_code == 200
    (item,) = response.json()["items"] if "items" in response.json() else response.json()
    assert item["id"] == suggested.pk
    assert item["score"] == sum(item["parts"].values())
    assert item["reasons"]


def test_suggestions_need_a_token(client):
    assert Api(client).get("/api/v1/suggestions").status_code == 401


def test_a_consultant_declines_their_suggestion_once(client, bob, suggested):
    api = Api(client, bob)
    response = api.post(f"/api/v1/suggestions/{suggested.pk}/decline")
    assert response.status_code == 200
    assert response.json()["status"] == SuggestionStatus.DECLINED
    again = api.post(f"/api/v1/suggestions/{suggested.pk}/decline")
    assert again.status_code == 409


def test_nobody_else_declines_a_suggestion(client, alice, suggested):
    response = Api(client, alice).post(f"/api/v1/suggestions/{suggested.pk}/decline")
    assert response.status_code == 404
    suggested.refresh_from_db()
    assert suggested.status == SuggestionStatus.OFFERED


def test_staff_read_and_write_the_weights(client, operator_staff):
    api = Api(client, operator_staff)
    response = api.get("/api/v1/matching/weights")
    assert response.status_code == 200
    assert response.json()["skill_level"] == Weights.objects.latest().skill_level
    written = api.put("/api/v1/matching/weights", {"cause": 20})
    assert written.status_code == 200
    assert written.json()["cause"] == 20
    assert Weights.objects.latest().cause == 20


def test_bad_weights_change_nothing(client, operator_staff):
    before = Weights.objects.count()
    response = Api(client, operator_staff).put("/api/v1/matching/weights", {"cause": 5000})
    assert response.status_code == 422
    assert Weights.objects.count() == before


def test_others_do_not_see_the_weights_nor_the_rounds(client, bob):
    api = Api(client, bob)
    assert api.get("/api/v1/matching/weights").status_code == 404
    assert api.put("/api/v1/matching/weights", {"cause": 1}).status_code == 404
    assert api.get("/api/v1/matching/rounds").status_code == 404


def test_staff_list_the_rounds_with_their_certificate(client, operator_staff, suggested):
    response = Api(client, operator_staff).get("/api/v1/matching/rounds")
    assert response.status_code == 200
    latest = response.json()["items"][0]
    done = Round.objects.get(pk=latest["id"])
    assert latest["certified"] is True
    assert latest["objective"] == latest["dual_objective"] == done.objective
