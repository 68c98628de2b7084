"""The API of campaigns: each operation's success and refusals."""

from __future__ import annotations

import pytest

from relais.campaigns import services, tally
from relais.campaigns.models import Ballot, Grade, Juror, JuryGrade
from relais.core.tests.api import Api

pytestmark = pytest.mark.django_db


def test_list_campaigns_hides_drafts_from_members(client, campaign, voting, bob, operator_staff):
    voted, _entries = voting
    response = Api(client, bob).get("/api/v1/campaigns")
    assert response.status_code == 200
    assert [c["id"] for c in response.json()["items"]] == [voted.pk]
    assert Api(client).get("/api/v1/campaigns").status_code == 401


def test_campaign_detail_and_404_for_a_draft(client, voting, members, operator_staff, circle, bob):
    campaign, entries = voting
    response = Api(client, members[0]).get(f"/api/v1/campaigns/{campaign.pk}")
    assert response.status_code == 200
    body = response.json()
    assert body["can_vote"] is True
    assert body["rule"] == "mes"
    assert body["seed"] == campaign.seed
    assert [e["id"] for e in body["entries"]] == [e.pk for e in entries]
    from relais.campaigns.tests.conftest import make_campaign

    draft = make_campaign(operator_staff, circle)
    assert Api(client, bob).get(f"/api/v1/campaigns/{draft.pk}").status_code == 404


def test_cast_and_change_my_ballot(client, voting, members, lapsed):
    campaign, entries = voting
    api = Api(client, members[0])
    response = api.put(f"/api/v1/campaigns/{campaign.pk}/ballot", {"entries": [entries[0].pk]})
    assert response.status_code == 200
    first_code = response.json()["receipt_code"]
    response = api.put(
        f"/api/v1/campaigns/{campaign.pk}/ballot", {"entries": [entries[1].pk, entries[2].pk]}
    )
    assert response.status_code == 200
    assert response.json()["receipt_code"] != first_code
    assert Ballot.objects.filter(campaign=campaign).count() == 1
    # A project outside the campaign: 422, nothing changes.
    response = api.put(f"/api/v1/campaigns/{campaign.pk}/ballot", {"entries": [999_999]})
    assert response.status_code == 422
    # Not in the electorate: 403.
    response = Api(client, lapsed).put(f"/api/v1/campaigns/{campaign.pk}/ballot", {"entries": []})
    assert response.status_code == 403
    assert Ballot.objects.get().approvals == sorted([entries[1].pk, entries[2].pk])


def test_a_ballot_after_closing_is_refused(client, voting, members, operator_staff):
    campaign, entries = voting
    services.campaign_advance(by=operator_staff, campaign=campaign)
    response = Api(client, members[0]).put(
        f"/api/v1/campaigns/{campaign.pk}/ballot", {"entries": [entries[0].pk]}
    )
    assert response.status_code == 409
    assert not Ballot.objects.exists()


def test_read_my_ballot(client, voting, members, lapsed):
    campaign, entries = voting
    api = Api(client, members[0])
    assert api.get(f"/api/v1/campaigns/{campaign.pk}/ballot").status_code == 404
    services.ballot_cast(by=members[0], campaign=campaign, entry_ids=[entries[2].pk])
    response = api.get(f"/api/v1/campaigns/{campaign.pk}/ballot")
    assert response.status_code == 200
    assert response.json()["entries"] == [entries[2].pk]
    assert Api(client, lapsed).get(f"/api/v1/campaigns/{campaign.pk}/ballot").status_code == 403


def test_results_and_the_ballots_file(client, voting, members, operator_staff):
    campaign, entries = voting
    api = Api(client, members[0])
    assert api.get(f"/api/v1/campaigns/{campaign.pk}/results").status_code == 404
    assert api.get(f"/api/v1/campaigns/{campaign.pk}/ballots.pb").status_code == 404
    services.ballot_cast(by=members[0], campaign=campaign, entry_ids=[entries[0].pk, entries[1].pk])
    services.ballot_cast(by=members[1], campaign=campaign, entry_ids=[entries[0].pk])
    services.campaign_advance(by=operator_staff, campaign=campaign)
    response = api.get(f"/api/v1/campaigns/{campaign.pk}/results")
    assert response.status_code == 200
    body = response.json()
    assert body["selected"] == [entries[0].pk, entries[1].pk]
    assert body["voters"] == 2
    response = api.get(f"/api/v1/campaigns/{campaign.pk}/ballots.pb")
    assert response.status_code == 200
    recount = tally.count(tally.parse_pb(response.content), "mes", seed=campaign.seed)
    assert [int(x) for x in recount.selected] == body["selected"]


# --- The jury round ---------------------------------------------------------------------------


def test_a_juror_puts_their_grades(client, grading, jurors, bob):
    campaign, entries = grading
    api = Api(client, jurors[0])
    url = f"/api/v1/campaigns/{campaign.pk}/jury/grades"
    response = api.put(url, {"grades": [{"entry": entries[0].pk, "grade": 1}]})
    assert response.status_code == 200
    response = api.put(
        f"/api/v1/campaigns/{campaign.pk}/jury/grades",
        {"grades": [{"entry": entries[0].pk, "grade": 0}, {"entry": entries[1].pk, "grade": 5}]},
    )
    assert response.status_code == 200
    assert response.json()["grades"] == [
        {"entry": entries[0].pk, "grade": 0, "label": str(Grade.EXCELLENT.label)},
        {"entry": entries[1].pk, "grade": 5, "label": str(Grade.REJECT.label)},
    ]
    before = sorted(JuryGrade.objects.values_list("entry_id", "grade"))
    # A grade off the scale, a project off the shortlist: 422; not a juror: 403. Nothing changes.
    response = api.put(
        f"/api/v1/campaigns/{campaign.pk}/jury/grades",
        {"grades": [{"entry": entries[2].pk, "grade": 6}]},
    )
    assert response.status_code == 422
    response = api.put(
        f"/api/v1/campaigns/{campaign.pk}/jury/grades", {"grades": [{"entry": 999_999, "grade": 0}]}
    )
    assert response.status_code == 422
    response = Api(client, bob).put(
        f"/api/v1/campaigns/{campaign.pk}/jury/grades",
        {"grades": [{"entry": entries[2].pk, "grade": 0}]},
    )
    assert response.status_code == 403
    assert sorted(JuryGrade.objects.values_list("entry_id", "grade")) == before


def test_grades_outside_the_jury_round_get_409(client, jury_review, jurors):
    campaign, entries = jury_review
    response = Api(client, jurors[0]).put(
        f"/api/v1/campaigns/{campaign.pk}/jury/grades",
        {"grades": [{"entry": entries[0].pk, "grade": 0}]},
    )
    assert response.status_code == 409
    assert not JuryGrade.objects.exists()


def test_staff_add_and_remove_jurors(client, jury_review, operator_staff, bob, members):
    campaign, _entries = jury_review
    api = Api(client, operator_staff)
    response = api.post(f"/api/v1/campaigns/{campaign.pk}/jurors", {"email": bob.email})
    assert response.status_code == 201
    juror_id = response.json()["id"]
    assert Juror.objects.filter(pk=juror_id, user=bob).exists()
    response = api.post(f"/api/v1/campaigns/{campaign.pk}/jurors", {"email": bob.email})
    assert response.status_code == 409
    response = api.post(f"/api/v1/campaigns/{campaign.pk}/jurors", {"email": "nobody@example.org"})
    assert response.status_code == 422
    response = Api(client, bob).post(
        f"/api/v1/campaigns/{campaign.pk}/jurors", {"email": members[0].email}
    )
    assert response.status_code == 403
    response = Api(client, bob).delete(f"/api/v1/campaigns/{campaign.pk}/jurors/{juror_id}")
    assert response.status_code == 403
    response = api.delete(f"/api/v1/campaigns/{campaign.pk}/jurors/{juror_id}")
    assert response.status_code == 204
    assert not Juror.objects.filter(user=bob).exists()
    response = api.delete(f"/api/v1/campaigns/{campaign.pk}/jurors/{juror_id}")
    assert response.status_code == 404


def test_the_jury_results_once_published(client, grading, jurors, operator_staff, bob):
    campaign, entries = grading
    api = Api(client, bob)
    assert api.get(f"/api/v1/campaigns/{campaign.pk}/jury/results").status_code == 404
    for juror in jurors:
        services.jury_grade_set(
            by=juror, campaign=campaign, grades={entries[1].pk: 0, entries[0].pk: 2}
        )
    services.campaign_advance(by=operator_staff, campaign=campaign)
    response = api.get(f"/api/v1/campaigns/{campaign.pk}/jury/results")
    assert response.status_code == 200
    body = response.json()
    assert body["jurors"] == 3
    assert body["shortlist_size"] == 2
    assert [r["entry"] for r in body["ranking"]] == [entries[1].pk, entries[0].pk, entries[2].pk]
    assert [r["majority_grade"] for r in body["ranking"]] == [0, 2, 5]
    assert body["ranking"][2]["distribution"] == [0, 0, 0, 0, 0, 3]
    assert [r["kept"] for r in body["ranking"]] == [True, True, False]
