"""The jury round: jurors designated by staff grade the shortlisted projects once each, Majority
Judgment ranks them, and the best N go to the vote. Services, pages, the dashboard and the
database's guarantee under concurrent submissions."""

from __future__ import annotations

import threading

import pytest
from django.core import mail
from django.db import connection, connections
from django.urls import reverse
from django.utils.translation import gettext as _

from relais.campaigns import selectors, services, tally
from relais.campaigns.models import Campaign, Grade, Juror, JuryGrade, Phase
from relais.campaigns.tests.conftest import make_campaign
from relais.core.errors import Conflict, Invalid, NotAllowed

pytestmark = pytest.mark.django_db

E, VG, G, FG, P, R = (g.value for g in Grade)  # Excellent … To reject


def _grades() -> list[tuple[int, int, int]]:
    return sorted(JuryGrade.objects.values_list("juror__user_id", "entry_id", "grade"))


# --- Majority Judgment, computed by hand ------------------------------------------------------


def test_majority_judgment_ranks_by_majority_grade_then_the_usual_tie_breaking():
    grades = {
        "a": [E, VG, VG, FG, P],  # majority grade Very good; without one Very good: Fairly good
        "b": [G, G, G, E, R],  # Good
        "c": [E, E, VG, VG, G],  # Very good; without one Very good: Very good
        "d": [R, P, P, FG, E],  # Passable
    }
    assert tally.majority_value(grades["a"]) == [VG, FG, VG, P, E]
    assert tally.majority_value(grades["c"]) == [VG, VG, E, G, E]
    # a and c share "Very good"; the next median grade puts c first.
    assert tally.majority_judgment(grades, seed="s") == ["c", "a", "b", "d"]


def test_an_even_jury_takes_the_lower_of_the_two_middle_grades():
    grades = {"split": [E, E, R, R], "steady": [G, G, G, G], "close": [E, VG, VG, VG]}
    assert tally.majority_value(grades["split"])[0] == R
    assert tally.majority_judgment(grades) == ["close", "steady", "split"]
    # [E, VG]: majority grade Very good; once removed, Excellent beats Very good.
    assert tally.majority_judgment({"x": [VG, VG], "y": [E, VG]}) == ["y", "x"]


def test_identical_grades_are_settled_by_the_published_lot():
    grades = {"x": [VG, G, FG], "y": [FG, G, VG], "z": [E, E, E]}
    for seed in ("graine", "autre graine"):
        ranked = tally.majority_judgment(grades, seed=seed)
        assert ranked[0] == "z"
        assert ranked[1:] == sorted(["x", "y"], key=lambda pid: tally.lot(seed, pid))


# --- The round through its services -----------------------------------------------------------


def test_the_jury_ranking_keeps_the_best_projects_for_the_vote(
    operator_staff, grading, jurors, members
):
    campaign, (jardin, biblio, atelier) = grading
    services.jury_grade_set(
        by=jurors[0], campaign=campaign, grades={jardin.pk: VG, biblio.pk: E, atelier.pk: FG}
    )
    services.jury_grade_set(
        by=jurors[1], campaign=campaign, grades={jardin.pk: FG, biblio.pk: VG, atelier.pk: G}
    )
    # The third juror does not grade the workshop: it counts as "To reject".
    services.jury_grade_set(by=jurors[2], campaign=campaign, grades={jardin.pk: VG, biblio.pk: G})
    services.jury_close(by=operator_staff, campaign=campaign)
    campaign.refresh_from_db()
    assert campaign.phase == Phase.VOTE
    rows = {row["entry"]: row for row in campaign.jury_result["ranking"]}
    # Jardin [VG, FG, VG] and Bibliothèque [E, VG, G] share "Very good"; without it, Jardin has
    # [VG, FG] → Fairly good, Bibliothèque [E, G] → Good: Bibliothèque first.
    assert [row["entry"] for row in campaign.jury_result["ranking"]] == [
        biblio.pk,
        jardin.pk,
        atelier.pk,
    ]
    assert rows[biblio.pk]["majority_grade"] == VG
    assert rows[jardin.pk]["majority_grade"] == VG
    assert rows[atelier.pk]["majority_grade"] == FG  # [FG, G, R]
    assert rows[atelier.pk]["distribution"] == [0, 0, 1, 1, 0, 1]
    assert rows[atelier.pk]["not_graded"] == 1
    assert [rows[pk]["kept"] for pk in (biblio.pk, jardin.pk, atelier.pk)] == [True, True, False]
    # The shortlist size is 2: the vote is about the two best projects only.
    assert list(selectors.entries(campaign)) == [jardin, biblio]
    with pytest.raises(Invalid):
        services.ballot_cast(by=members[0], campaign=campaign, entry_ids=[atelier.pk])


def test_a_jury_without_a_shortlist_size_sends_every_project_to_the_vote(
    operator_staff, grading, jurors
):
    campaign, entries = grading
    Campaign.objects.filter(pk=campaign.pk).update(shortlist_size=None)
    services.jury_grade_set(by=jurors[0], campaign=campaign, grades={entries[0].pk: R})
    services.campaign_advance(by=operator_staff, campaign=campaign)
    campaign.refresh_from_db()
    assert campaign.phase == Phase.VOTE
    assert list(selectors.entries(campaign)) == entries
    assert all(row["kept"] for row in campaign.jury_result["ranking"])


def test_a_juror_grades_each_project_once_and_may_change_it(grading, jurors):
    campaign, entries = grading
    services.jury_grade_set(by=jurors[0], campaign=campaign, grades={entries[0].pk: G})
    mine = services.jury_grade_set(
        by=jurors[0], campaign=campaign, grades={entries[0].pk: E, entries[1].pk: P}
    )
    assert mine == {entries[0].pk: E, entries[1].pk: P}
    assert JuryGrade.objects.filter(juror__user=jurors[0], entry=entries[0]).count() == 1
    assert JuryGrade.objects.count() == 2


def test_bad_grades_are_refused_and_change_nothing(
    grading, jurors, bob, members, operator_staff, circle
):
    campaign, entries = grading
    services.jury_grade_set(by=jurors[0], campaign=campaign, grades={entries[0].pk: G})
    before = _grades()
    with pytest.raises(NotAllowed):  # not on the jury
        services.jury_grade_set(by=bob, campaign=campaign, grades={entries[0].pk: E})
    with pytest.raises(Invalid):  # off the scale, even beside a good grade
        services.jury_grade_set(
            by=jurors[0], campaign=campaign, grades={entries[1].pk: E, entries[0].pk: 6}
        )
    other = make_campaign(operator_staff, circle)
    with pytest.raises(Invalid):  # a project of no shortlist of this campaign
        services.jury_grade_set(by=jurors[0], campaign=campaign, grades={999_999: E})
    assert _grades() == before
    assert other.phase == Phase.DRAFT


def test_a_project_set_aside_is_not_on_the_shortlist(operator_staff, jury_review, jurors):
    campaign, entries = jury_review
    services.entry_set_eligible(by=operator_staff, entry=entries[2], eligible=False)
    services.campaign_advance(by=operator_staff, campaign=campaign)
    assert list(selectors.shortlist(campaign)) == entries[:2]
    with pytest.raises(Invalid) as error:
        services.jury_grade_set(
            by=jurors[0], campaign=campaign, grades={entries[0].pk: E, entries[2].pk: E}
        )
    assert str(error.value) == _("Some of the projects are not on the jury's shortlist.")
    assert not JuryGrade.objects.exists()


def test_grading_outside_the_jury_round_is_refused(operator_staff, jury_review, jurors):
    campaign, entries = jury_review
    with pytest.raises(Conflict):  # before: the review
        services.jury_grade_set(by=jurors[0], campaign=campaign, grades={entries[0].pk: E})
    services.campaign_advance(by=operator_staff, campaign=campaign)
    services.jury_grade_set(by=jurors[0], campaign=campaign, grades={entries[0].pk: E})
    services.campaign_advance(by=operator_staff, campaign=campaign)
    with pytest.raises(Conflict):  # after: the vote is open
        services.jury_grade_set(by=jurors[0], campaign=campaign, grades={entries[0].pk: R})
    assert JuryGrade.objects.get().grade == E


def test_the_round_needs_jurors_to_open_and_a_grade_to_close(operator_staff, jury_review):
    campaign, _entries = jury_review
    removed = list(Juror.objects.filter(campaign=campaign))
    for juror in removed:
        services.jury_member_remove(by=operator_staff, juror=juror)
    with pytest.raises(Conflict):
        services.campaign_advance(by=operator_staff, campaign=campaign)
    services.jury_member_add(by=operator_staff, campaign=campaign, email=removed[0].user.email)
    services.campaign_advance(by=operator_staff, campaign=campaign)
    with pytest.raises(Conflict):  # nobody graded anything
        services.campaign_advance(by=operator_staff, campaign=campaign)
    campaign.refresh_from_db()
    assert campaign.phase == Phase.JURY
    assert campaign.jury_result is None


def test_only_staff_designate_jurors_until_the_round_ends(
    operator_staff, grading, jurors, bob, members
):
    campaign, entries = grading
    with pytest.raises(NotAllowed):
        services.jury_member_add(by=bob, campaign=campaign, email=members[0].email)
    with pytest.raises(Invalid):
        services.jury_member_add(by=operator_staff, campaign=campaign, email="nobody@example.org")
    with pytest.raises(Conflict):
        services.jury_member_add(by=operator_staff, campaign=campaign, email=jurors[0].email)
    juror = Juror.objects.get(campaign=campaign, user=jurors[0])
    with pytest.raises(NotAllowed):
        services.jury_member_remove(by=bob, juror=juror)
    services.jury_grade_set(by=jurors[0], campaign=campaign, grades={entries[0].pk: E})
    services.campaign_advance(by=operator_staff, campaign=campaign)
    with pytest.raises(Conflict):
        services.jury_member_add(by=operator_staff, campaign=campaign, email=members[0].email)
    with pytest.raises(Conflict):
        services.jury_member_remove(by=operator_staff, juror=juror)
    assert Juror.objects.filter(campaign=campaign).count() == 3


def test_the_jury_date_sits_between_the_review_and_the_vote(operator_staff, circle):
    import datetime as dt

    from django.utils import timezone

    today = timezone.localdate()
    with pytest.raises(Invalid):
        make_campaign(operator_staff, circle, jury_from=today + dt.timedelta(days=1))
    with pytest.raises(Invalid):
        make_campaign(operator_staff, circle, shortlist_size=3)  # a cut needs a jury
    assert not Campaign.objects.exists()


def test_jurors_are_told_when_the_round_opens_and_see_a_to_do(
    client, operator_staff, jury_review, jurors, django_capture_on_commit_callbacks
):
    campaign, entries = jury_review
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.campaign_advance(by=operator_staff, campaign=campaign)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(j.email for j in jurors)
    url = reverse("campaigns:jury", kwargs={"campaign_pk": campaign.pk})
    assert all(url in m.body for m in mail.outbox)
    client.force_login(jurors[0])
    page = client.get(reverse("site:dashboard")).content.decode()
    assert "data-jury-to-dos" in page
    assert url in page
    services.jury_grade_set(
        by=jurors[0], campaign=campaign, grades={e.pk: G for e in entries}
    )  # all graded: the to-do is done
    assert "data-jury-to-dos" not in client.get(reverse("site:dashboard")).content.decode()
    client.force_login(jurors[1])
    assert "data-jury-to-dos" in client.get(reverse("site:dashboard")).content.decode()


# --- Pages -----------------------------------------------------------------------------------


def test_a_juror_grades_on_the_page_without_javascript(client, grading, jurors):
    campaign, entries = grading
    url = reverse("campaigns:jury", kwargs={"campaign_pk": campaign.pk})
    client.force_login(jurors[0])
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    # One fieldset of radio buttons per shortlisted project, each labelled.
    assert body.count("<fieldset") == len(entries)
    assert f'name="grade_{entries[0].pk}" value="{E}"' in body
    assert str(Grade.REJECT.label) in body
    response = client.post(url, {f"grade_{entries[0].pk}": VG, f"grade_{entries[1].pk}": R})
    assert response.status_code == 302
    assert _grades() == sorted(
        [(jurors[0].pk, entries[0].pk, VG), (jurors[0].pk, entries[1].pk, R)]
    )
    # A value off the scale: the form says so, nothing changes.
    response = client.post(url, {f"grade_{entries[0].pk}": "9", f"grade_{entries[2].pk}": E})
    assert response.status_code == 422
    assert (
        'aria-invalid="true"' in response.content.decode() or "error" in response.content.decode()
    )
    assert len(_grades()) == 2
    assert JuryGrade.objects.get(entry=entries[0]).grade == VG


def test_only_jurors_see_the_grading_page(client, grading, bob, operator_staff, circle):
    campaign, _entries = grading
    url = reverse("campaigns:jury", kwargs={"campaign_pk": campaign.pk})
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(bob)
    assert client.get(url).status_code == 403
    assert client.post(url, {}).status_code == 403
    client.force_login(operator_staff)
    assert client.get(url).status_code == 403  # staff designate jurors, they do not grade
    draft = make_campaign(operator_staff, circle)
    Juror.objects.create(campaign=draft, user=bob)
    client.force_login(bob)
    assert (
        client.get(reverse("campaigns:jury", kwargs={"campaign_pk": draft.pk})).status_code == 404
    )
    no_jury = make_campaign(operator_staff, circle)
    services.campaign_advance(by=operator_staff, campaign=no_jury)
    assert (
        client.get(reverse("campaigns:jury", kwargs={"campaign_pk": no_jury.pk})).status_code == 404
    )


def test_staff_designate_jurors_by_email_on_their_page(client, operator_staff, jury_review, bob):
    campaign, _entries = jury_review
    url = reverse("campaigns:jury_members", kwargs={"campaign_pk": campaign.pk})
    client.force_login(bob)
    assert client.get(url).status_code == 403
    assert client.post(url, {"email": bob.email}).status_code == 403
    assert not Juror.objects.filter(user=bob).exists()
    client.force_login(operator_staff)
    page = client.get(url)
    assert page.status_code == 200
    assert 'type="email"' in page.content.decode()
    assert client.post(url, {"email": "BOB@acme.example"}).status_code == 302
    assert Juror.objects.filter(campaign=campaign, user=bob).exists()
    response = client.post(url, {"email": "nobody@example.org"})
    assert response.status_code == 422
    assert _("No account has this email address.") in response.content.decode()
    juror = Juror.objects.get(user=bob)
    remove = reverse(
        "campaigns:jury_member_remove", kwargs={"campaign_pk": campaign.pk, "juror_pk": juror.pk}
    )
    assert client.post(remove).status_code == 302
    assert not Juror.objects.filter(user=bob).exists()


def test_staff_set_up_a_jury_round_on_an_existing_campaign(client, operator_staff, campaign):
    url = reverse("campaigns:jury_settings", kwargs={"campaign_pk": campaign.pk})
    client.force_login(operator_staff)
    response = client.post(url, {"jury_from": campaign.review_from, "shortlist_size": "0"})
    assert response.status_code == 422
    assert (
        client.post(url, {"jury_from": campaign.review_from, "shortlist_size": "4"}).status_code
        == 302
    )
    campaign.refresh_from_db()
    assert campaign.has_jury
    assert campaign.shortlist_size == 4


def test_the_jury_ranking_is_published_on_the_results_page(
    client, operator_staff, grading, jurors, members, bob
):
    campaign, (jardin, biblio, atelier) = grading
    results = reverse("campaigns:results", kwargs={"campaign_pk": campaign.pk})
    client.force_login(bob)
    assert client.get(results).status_code == 404  # nothing published during the round
    for juror in jurors[:2]:  # the third grades nothing: [E, E, R], [G, G, R], [R, R, R]
        services.jury_grade_set(
            by=juror, campaign=campaign, grades={jardin.pk: E, biblio.pk: G, atelier.pk: R}
        )
    services.campaign_advance(by=operator_staff, campaign=campaign)
    page = client.get(results)
    assert page.status_code == 200
    body = page.content.decode()
    assert "data-jury-results" in body
    assert (
        f'data-jury-entry="{jardin.pk}" data-rank="1" data-majority-grade="{E}" data-kept="1"'
        in body
    )
    assert (
        f'data-jury-entry="{atelier.pk}" data-rank="3" data-majority-grade="{R}" data-kept="0"'
        in body
    )
    assert "data-pb-download" not in body  # the vote is not counted yet
    detail = client.get(reverse("campaigns:detail", kwargs={"campaign_pk": campaign.pk}))
    assert "data-left-out" in detail.content.decode()
    services.ballot_cast(by=members[0], campaign=campaign, entry_ids=[jardin.pk])
    services.campaign_advance(by=operator_staff, campaign=campaign)
    body = client.get(results).content.decode()
    assert "data-jury-results" in body
    assert "data-pb-download" in body


def test_the_campaign_page_states_the_jury_rule(client, grading, jurors):
    campaign, _entries = grading
    client.force_login(jurors[0])
    body = client.get(reverse("campaigns:detail", kwargs={"campaign_pk": campaign.pk})).content
    assert b'data-shortlist-size="2"' in body
    assert b"data-jury-link" in body


# --- Concurrency (PostgreSQL) ----------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs concurrent connections (PostgreSQL)"
)
def test_twenty_simultaneous_grades_by_one_juror_for_one_project_leave_one(grading, jurors):
    campaign, entries = grading
    barrier = threading.Barrier(20)
    errors: list[BaseException] = []

    def grade(i: int) -> None:
        try:
            barrier.wait()
            services.jury_grade_set(
                by=jurors[0], campaign=campaign, grades={entries[0].pk: Grade.values[i % 6]}
            )
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=grade, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert JuryGrade.objects.filter(juror__user=jurors[0], entry=entries[0]).count() == 1


# --- Demo ------------------------------------------------------------------------------------


def test_the_demo_has_a_completed_jury_round():
    from django.core.management import call_command

    call_command("seed_demo", verbosity=0)
    campaign = Campaign.objects.get(jury_result__isnull=False)
    assert campaign.phase == Phase.CLOSED
    assert campaign.jurors.count() == 5
    ranking = campaign.jury_result["ranking"]
    entries = list(campaign.entries.order_by("pk"))
    # The demo's grades: the second project beats the first on the usual tie-breaking, the last
    # one is ranked last and left out of the vote.
    assert [row["entry"] for row in ranking[:2]] == [entries[1].pk, entries[0].pk]
    assert ranking[0]["majority_grade"] == ranking[1]["majority_grade"] == VG
    assert ranking[-1]["entry"] == entries[-1].pk
    assert not ranking[-1]["kept"]
    assert list(selectors.entries(campaign)) == entries[:-1]
