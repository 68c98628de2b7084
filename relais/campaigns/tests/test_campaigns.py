"""Campaigns end to end through their services and pages: phases, the frozen rule, ballots,
receipts, the tally and its re-count, bad input."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.campaigns import selectors, services, tally
from relais.campaigns.models import Ballot, Campaign, Elector, Phase
from relais.campaigns.tests.conftest import make_campaign
from relais.core.errors import Conflict, Invalid, NotAllowed

pytestmark = pytest.mark.django_db


def test_the_electorate_is_the_members_in_good_standing_when_the_vote_opens(
    voting, members, lapsed
):
    campaign, _entries = voting
    assert set(Elector.objects.filter(campaign=campaign).values_list("user_id", flat=True)) == {
        m.pk for m in members
    }
    assert campaign.electorate_size == 3


def test_the_rule_is_frozen_when_the_vote_opens(operator_staff, campaign, voting):
    services.campaign_set_rule(
        by=operator_staff,
        campaign=make_campaign(operator_staff, campaign.circles.first()),
        rule="greedy",
    )
    with pytest.raises(Conflict) as error:
        services.campaign_set_rule(by=operator_staff, campaign=campaign, rule="greedy")
    assert str(error.value) == _("The counting rule is frozen since the vote opened.")
    campaign.refresh_from_db()
    assert campaign.rule == "mes"


def test_only_staff_open_campaigns(bob, circle):
    with pytest.raises(NotAllowed):
        make_campaign(bob, circle)
    assert not Campaign.objects.exists()


def test_a_second_ballot_replaces_the_first(voting, members):
    campaign, entries = voting
    first, code1 = services.ballot_cast(by=members[0], campaign=campaign, entry_ids=[entries[0].pk])
    _second, code2 = services.ballot_cast(
        by=members[0], campaign=campaign, entry_ids=[entries[1].pk, entries[2].pk]
    )
    assert Ballot.objects.filter(campaign=campaign, voter=members[0]).count() == 1
    assert Ballot.objects.get(pk=first.pk).approvals == sorted([entries[1].pk, entries[2].pk])
    assert code1 != code2
    assert services.receipt_check(campaign=campaign, code=code2) is not None
    assert services.receipt_check(campaign=campaign, code=code1) is None


def test_bad_ballots_change_nothing(voting, members, lapsed, operator_staff, les_amis, nadia):
    campaign, entries = voting
    services.ballot_cast(by=members[0], campaign=campaign, entry_ids=[entries[0].pk])
    other = make_campaign(operator_staff, campaign.circles.first())
    with pytest.raises(Invalid):  # a project outside the campaign
        services.ballot_cast(by=members[0], campaign=campaign, entry_ids=[entries[1].pk, 999_999])
    with pytest.raises(NotAllowed):  # not in the electorate
        services.ballot_cast(by=lapsed, campaign=campaign, entry_ids=[entries[1].pk])
    with pytest.raises(Conflict):  # a campaign not in its vote
        services.ballot_cast(by=members[0], campaign=other, entry_ids=[])
    assert Ballot.objects.get(voter=members[0]).approvals == [entries[0].pk]
    services.campaign_advance(by=operator_staff, campaign=campaign)
    with pytest.raises(Conflict) as error:  # after closing
        services.ballot_cast(by=members[1], campaign=campaign, entry_ids=[entries[1].pk])
    assert str(error.value) == _("The vote is not open.")
    assert Ballot.objects.filter(campaign=campaign).count() == 1


def test_the_tally_is_stored_with_its_audit_trail_and_recounts_the_same(
    voting, members, operator_staff
):
    campaign, entries = voting
    jardin, biblio, atelier = entries
    services.ballot_cast(by=members[0], campaign=campaign, entry_ids=[jardin.pk, biblio.pk])
    services.ballot_cast(by=members[1], campaign=campaign, entry_ids=[jardin.pk])
    services.ballot_cast(by=members[2], campaign=campaign, entry_ids=[atelier.pk])
    mail.outbox.clear()
    services.campaign_advance(by=operator_staff, campaign=campaign)
    campaign.refresh_from_db()
    assert campaign.phase == Phase.CLOSED
    # Each voter starts with 100/3 days; the completion raises the shares by 16 (Atelier, 50, would
    # become affordable at +17 and overspend). Jardin (60) is paid 30 + 30.
    assert campaign.result["result"]["selected"] == [str(jardin.pk)]
    assert campaign.result["greedy"]["selected"] == [str(jardin.pk), str(biblio.pk)]
    first = campaign.result["result"]["rounds"][0]
    assert first["groups"][0] == {
        "voters": 2,
        "budget_before": "148/3",
        "paid": 30,
        "budget_after": "58/3",
    }
    assert campaign.result["reasons"][str(atelier.pk)]["outcome"] == "supporters_out_of_money"
    assert list(campaign.entries.filter(selected=True)) == [jardin]
    # The file published re-counts to the same winners, through the command anyone can run.
    election = tally.parse_pb(campaign.ballots_pb)
    assert tally.count(election, "mes", seed=campaign.seed).selected == [str(jardin.pk)]
    assert len(election.votes) == 3


def test_the_periodic_job_counts_due_votes_once(voting, members):
    campaign, entries = voting
    services.ballot_cast(by=members[0], campaign=campaign, entry_ids=[entries[0].pk])
    later = campaign.results_from
    assert services.campaigns_close_due(today=later - dt.timedelta(days=1)) == {"closed": 0}
    assert services.campaigns_close_due(today=later) == {"closed": 1}
    assert services.campaigns_close_due(today=later) == {"closed": 0}
    campaign.refresh_from_db()
    assert campaign.phase == Phase.CLOSED


def test_electors_are_told_when_the_vote_opens_and_when_results_are_out(
    operator_staff, campaign, members, nadia, les_amis, django_capture_on_commit_callbacks, settings
):
    from relais.projects.models import ProjectStatus
    from relais.projects.tests.factories import ProjectFactory

    members[1].language = "en"
    members[1].save()
    services.campaign_advance(by=operator_staff, campaign=campaign)
    project = ProjectFactory(nonprofit=les_amis, status=ProjectStatus.ACCEPTED)
    entry = services.project_apply(by=nadia, campaign=campaign, project=project, cost_days=10)
    services.campaign_advance(by=operator_staff, campaign=campaign)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.campaign_advance(by=operator_staff, campaign=campaign)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(m.email for m in members)
    services.ballot_cast(by=members[0], campaign=campaign, entry_ids=[entry.pk])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.campaign_advance(by=operator_staff, campaign=campaign)
    assert len(mail.outbox) == 3
    assert all(project.title in m.body for m in mail.outbox)


def test_the_dashboard_shows_the_vote_to_cast(client, voting, members):
    campaign, entries = voting
    client.force_login(members[0])
    page = client.get(reverse("site:dashboard"))
    assert b'data-to-do="vote"' in page.content
    services.ballot_cast(by=members[0], campaign=campaign, entry_ids=[entries[0].pk])
    page = client.get(reverse("site:dashboard"))
    assert b'data-to-do="vote"' not in page.content


def test_voting_through_the_page_shows_a_receipt_and_replaces_the_ballot(client, voting, members):
    campaign, entries = voting
    client.force_login(members[0])
    url = reverse("campaigns:ballot", kwargs={"campaign_pk": campaign.pk})
    response = client.post(url, {"entries": [entries[0].pk, entries[1].pk]})
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert b"data-receipt-code" in page.content
    assert client.post(url, {"entries": [entries[2].pk]}).status_code == 302
    assert Ballot.objects.get(voter=members[0]).approvals == [entries[2].pk]
    # A project outside the campaign: the form says so, the ballot stays.
    response = client.post(url, {"entries": [entries[0].pk, 999_999]})
    assert response.status_code == 422
    assert Ballot.objects.get(voter=members[0]).approvals == [entries[2].pk]


def test_pages_for_everyone(client, voting, members, operator_staff):
    campaign, entries = voting
    services.ballot_cast(by=members[0], campaign=campaign, entry_ids=[entries[0].pk])
    assert client.get(reverse("campaigns:list")).status_code == 200
    detail = client.get(reverse("campaigns:detail", kwargs={"campaign_pk": campaign.pk}))
    assert detail.status_code == 200
    assert b'data-rule="mes"' in detail.content
    results_url = reverse("campaigns:results", kwargs={"campaign_pk": campaign.pk})
    assert client.get(results_url).status_code == 404  # not counted yet
    services.campaign_advance(by=operator_staff, campaign=campaign)
    page = client.get(results_url)
    assert page.status_code == 200
    assert b"data-pb-download" in page.content
    pb = client.get(reverse("campaigns:ballots_file", kwargs={"campaign_pk": campaign.pk}))
    assert pb.status_code == 200
    assert pb.content.decode().startswith("META")
    receipts = reverse("campaigns:receipts", kwargs={"campaign_pk": campaign.pk})
    assert b'data-receipt-found="0"' in client.post(receipts, {"code": "NOPE"}).content


def test_drafts_are_hidden_from_all_but_staff(client, campaign, bob):
    client.force_login(bob)
    assert (
        client.get(reverse("campaigns:detail", kwargs={"campaign_pk": campaign.pk})).status_code
        == 404
    )


def test_staff_open_a_campaign_through_the_page(client, operator_staff, circle):
    client.force_login(operator_staff)
    today = timezone.localdate()
    data = {
        "title": "Appel 2027",
        "proposals_from": today,
        "review_from": today,
        "vote_from": today,
        "results_from": today,  # the vote must end after it opens
        "budget_days": 50,
        "rule": "mes",
        "circles": [circle.pk],
    }
    response = client.post(reverse("campaigns:list"), data)
    assert response.status_code == 200
    assert not Campaign.objects.exists()
    data["results_from"] = today + dt.timedelta(days=7)
    response = client.post(reverse("campaigns:list"), data)
    assert response.status_code == 302
    assert Campaign.objects.get().seed


def test_manage_py_tally(tmp_path):
    good = tmp_path / "good.pb"
    good.write_text(
        "META\nkey;value\nbudget;100\nvote_type;approval\nPROJECTS\nproject_id;cost\na;60\nb;40\n"
        "VOTES\nvoter_id;vote\n1;a,b\n2;a\n3;b\n"
    )
    out = StringIO()
    call_command("tally", str(good), "--rule", "greedy", stdout=out)
    assert out.getvalue().split() == ["b", "a"]  # tied on votes: the cheaper first
    out = StringIO()
    call_command("tally", str(good), "--rule", "mes", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["rule"] == "mes"
    assert data["budget"] == 100
    assert set(data["selected"]) <= {"a", "b"}
    bad = tmp_path / "bad.pb"
    bad.write_text(good.read_text().replace("3;b", "3;zz"))
    with pytest.raises(CommandError, match="unknown project id 'zz'"):
        call_command("tally", str(bad))
    with pytest.raises(CommandError, match="cannot read"):
        call_command("tally", str(tmp_path / "missing.pb"))


def test_the_election_file_is_anonymous(voting, members):
    campaign, entries = voting
    services.ballot_cast(by=members[0], campaign=campaign, entry_ids=[entries[0].pk])
    text = tally.write_pb(selectors.election(campaign))
    assert members[0].email not in text
    assert [v.voter_id for v in tally.parse_pb(text).votes] == ["1"]  # numbered, not named


def test_a_nonprofit_applies_through_the_page(
    client, operator_staff, campaign, nadia, les_amis, bob
):
    from relais.projects.models import ProjectStatus
    from relais.projects.tests.factories import ProjectFactory

    services.campaign_advance(by=operator_staff, campaign=campaign)
    project = ProjectFactory(nonprofit=les_amis, status=ProjectStatus.ACCEPTED)
    draft = ProjectFactory(nonprofit=les_amis, status=ProjectStatus.DRAFT)
    client.force_login(nadia)
    detail = client.get(reverse("campaigns:detail", kwargs={"campaign_pk": campaign.pk}))
    assert f'value="{project.pk}"'.encode() in detail.content
    assert f'value="{draft.pk}"'.encode() not in detail.content
    url = reverse("campaigns:apply", kwargs={"campaign_pk": campaign.pk})
    client.post(url, {"project": project.pk, "cost_days": 1000})  # more than the budget
    client.post(url, {"project": draft.pk, "cost_days": 10})  # not accepted
    assert not campaign.entries.exists()
    client.post(url, {"project": project.pk, "cost_days": 10})
    assert list(campaign.entries.values_list("project_id", "cost_days")) == [(project.pk, 10)]
    client.force_login(bob)  # not an admin of the nonprofit
    other = ProjectFactory(nonprofit=les_amis, status=ProjectStatus.ACCEPTED)
    client.post(url, {"project": other.pk, "cost_days": 10})
    assert campaign.entries.count() == 1
