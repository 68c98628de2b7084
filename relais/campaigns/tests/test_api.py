"""The API of campaigns: each operation's success and refusals."""

from __future__ import annotations

import pytest

from relais.campaigns import services, tally
from relais.campaigns.models import Ballot
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
