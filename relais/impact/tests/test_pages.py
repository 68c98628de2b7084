"""The pages: certificate PDFs, dashboards (figures from the database, cached then refreshed),
milestones, leaderboards, challenges, stories, the argument kit, the calendar feed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, override
from icalendar import Calendar

from relais.bench.tests.pdftext import pdf_text
from relais.impact import services
from relais.impact.models import Argument, Challenge, Preference, Story
from relais.impact.tests.conftest import finish_task
from relais.work.models import Task, TaskStatus

pytestmark = pytest.mark.django_db


def test_the_certificate_renders_in_french_and_english(client, mission, bob, fabien, charlie):
    finish_task(fabien, bob, mission.project, title="Inventaire des jardins")
    services.mission_words_save(lead=fabien, mission=mission, text="Bravo Bob.", quotable=True)
    client.force_login(bob)
    for language in ("fr", "en"):
        response = client.get(
            reverse("impact:certificate_pdf", args=[mission.pk]), {"lang": language}
        )
        assert response.status_code == 200
        text = pdf_text(response.content)
        with override(language):
            assert gettext("Certificate of contribution") in text
            assert gettext("Skills used") in text
        assert "Inventaire des jardins" in text
        assert "Bravo Bob." in text
    client.force_login(charlie)
    assert client.get(reverse("impact:certificate_pdf", args=[mission.pk])).status_code == 404


def test_the_public_dashboard_counts_and_refreshes(client, mission, bob, fabien):
    response = client.get(reverse("impact:public"))
    assert response.context["figures"].tasks_done == 0
    finish_task(fabien, bob, mission.project)
    response = client.get(reverse("impact:public"))
    figures = response.context["figures"]
    assert figures.tasks_done == Task.objects.filter(status=TaskStatus.DONE).count() == 1
    assert figures.projects == 1
    assert figures.days_given >= 1
    assert b'role="img"' in response.content
    assert b"aria-labelledby" in response.content
    assert b"<table>" in response.content


def test_the_dashboard_is_served_from_the_cache(client, mission, django_assert_num_queries):
    first = client.get(reverse("impact:public"))
    assert first.status_code == 200
    # An anonymous visitor's second visit: the whole page from the cache, not one query.
    with django_assert_num_queries(0):
        again = client.get(reverse("impact:public"))
    assert again.status_code == 200
    assert b'role="img"' in again.content


def test_a_signed_in_visitor_is_served_the_page_with_their_own_header(
    client, mission, bob, django_assert_max_num_queries
):
    client.get(reverse("impact:public"))
    client.force_login(bob)
    page = client.get(reverse("impact:public"))
    assert page.status_code == 200
    assert reverse("account_logout").encode() in page.content


def test_a_firms_dashboard_is_for_its_admins(client, mission, alice, bob, charlie, acme):
    url = reverse("impact:firm", args=[acme.pk])
    client.force_login(alice)
    assert client.get(url).status_code == 200
    client.force_login(bob)
    assert client.get(url).status_code == 403
    client.force_login(charlie)
    assert client.get(url).status_code == 404


def test_the_nonprofit_dashboard_and_the_operator_overview(
    client, mission, nadia, les_amis, operator_staff, bob
):
    client.force_login(nadia)
    assert client.get(reverse("impact:nonprofit", args=[les_amis.pk])).status_code == 200
    assert client.get(reverse("impact:operator")).status_code == 403
    client.force_login(operator_staff)
    response = client.get(reverse("impact:operator"))
    assert response.status_code == 200
    assert [r.missions for r in response.context["rows"]] == [1]


def test_milestones_come_from_the_work(client, mission, bob, fabien):
    finish_task(fabien, bob, mission.project)
    client.force_login(bob)
    response = client.get(reverse("impact:my_credentials"))
    reached = {m.code for m in response.context["milestones"] if m.reached}
    assert reached == {"first_task", "first_time_right"}


def test_the_leaderboard_shows_only_people_who_opted_in(client, mission, bob, fabien):
    finish_task(fabien, bob, mission.project)
    assert client.get(reverse("impact:leaderboard")).context["standings"] == []
    client.force_login(bob)
    client.post(reverse("impact:preferences"), {"on_leaderboards": "on", "weekly_digest": "on"})
    assert Preference.objects.get(user=bob).on_leaderboards
    standings = client.get(reverse("impact:leaderboard")).context["standings"]
    assert [(s.name, s.value) for s in standings] == [(bob.get_full_name(), 1)]


def test_staff_set_a_challenge_between_firms(client, mission, bob, fabien, operator_staff, acme):
    from relais.accounts.models import Organisation

    Organisation.objects.filter(pk=acme.pk).update(verified_at=timezone.now())
    finish_task(fabien, bob, mission.project)
    today = timezone.localdate()
    data = {
        "title": "Printemps",
        "metric": "tasks_done",
        "contenders": "firms",
        "start": (today - dt.timedelta(days=1)).isoformat(),
        "end": today.isoformat(),
    }
    client.force_login(bob)
    assert client.post(reverse("impact:challenges"), data).status_code == 403
    client.force_login(operator_staff)
    bad = client.post(reverse("impact:challenges"), {**data, "end": "2000-01-01"})
    assert bad.status_code == 200
    assert not Challenge.objects.exists()
    client.post(reverse("impact:challenges"), data)
    challenge = Challenge.objects.get()
    response = client.get(reverse("impact:challenge", args=[challenge.pk]))
    bars = {b.label: b.value for b in response.context["chart"].bars}
    assert bars[acme.name] == 1


def test_a_field_lead_writes_a_story(client, project, fabien, bob):
    url = reverse("impact:story_create", args=[project.pk])
    client.force_login(bob)
    assert client.get(url).status_code == 404
    client.force_login(fabien)
    client.post(url, {"title": "Une carte", "body": "**Vingt** jardins"})
    assert Story.objects.get().project == project
    response = client.get(reverse("impact:stories"))
    assert b"<strong>Vingt</strong>" in response.content


def test_the_argument_kit_is_shared_by_a_link_without_account(client, bob, acme, vocabularies):
    from relais.bench.models import TaxYear

    year = timezone.localdate().year
    TaxYear.objects.get_or_create(year=year, defaults={"pass_cents": 47_100_00})
    client.force_login(bob)
    data = {
        "mode": "fee",
        "headcount": "100",
        "bench_rate": "5",
        "tjm_cents": "500",
        "daily_cost_cents": "400",
        "turnover_cents": "10000000",
        "fee_rate": "1",
        "year": str(year),
        "firm": str(acme.pk),
        "firm_name": "",
    }
    response = client.post(reverse("impact:kit"), data)
    argument = Argument.objects.get()
    assert response.status_code == 302
    assert argument.firm == acme
    client.logout()
    page = client.get(reverse("impact:argument", args=[argument.token]))
    assert page.status_code == 200
    assert page.context["a"].estimate.bench_days > 0
    pdf = client.get(reverse("impact:argument_pdf", args=[argument.token]), {"lang": "en"})
    assert acme.name in pdf_text(pdf.content)
    assert client.get(reverse("impact:argument", args=["guess"])).status_code == 404
    client.force_login(bob)
    empty = client.post(reverse("impact:kit"), {**data, "firm": ""})
    assert empty.status_code == 200
    assert Argument.objects.count() == 1


def test_the_calendar_feed_lives_at_a_secret_address_that_can_be_reset(client, mission, bob):
    preference = services.preference_of(bob)
    url = reverse("impact:calendar", args=[preference.calendar_token])
    response = client.get(url)
    assert response.status_code == 200
    events = Calendar.from_ical(response.content).walk("VEVENT")
    assert [str(e["uid"]) for e in events] == [f"mission-{mission.pk}@relais"]
    client.force_login(bob)
    client.post(reverse("impact:calendar_reset"))
    assert client.get(url).status_code == 404


def test_the_weekly_digest_goes_on_mondays_once_and_not_to_who_opted_out(
    mission, bob, django_capture_on_commit_callbacks, mailoutbox
):
    monday = dt.date(2026, 11, 23)
    with django_capture_on_commit_callbacks(execute=True):
        sent = services.digests_send_due(today=monday)
        again = services.digests_send_due(today=monday)
    assert (sent, again) >= (1, 0)
    assert again == 0
    assert bob.email in {address for m in mailoutbox for address in m.to}
    Preference.objects.filter(user=bob).update(weekly_digest=False)
    assert services.digests_send_due(today=monday + dt.timedelta(days=7)) == sent - 1
    assert services.digests_send_due(today=monday + dt.timedelta(days=1)) == 0


def test_the_field_lead_writes_words_that_reach_the_firms_report(
    client, mission, fabien, bob, alice, acme
):
    url = reverse("impact:mission_words", args=[mission.pk])
    client.force_login(bob)
    assert client.get(url).status_code == 403
    client.force_login(fabien)
    assert mission.pk in {m.pk for m in client.get(reverse("impact:lead_missions")).context["page"]}
    empty = client.post(url, {"text": "  ", "quotable": "on"})
    assert empty.status_code == 200
    client.post(url, {"text": "Très utile.", "quotable": ""})
    client.force_login(alice)
    report = client.get(reverse("impact:csr_report", args=[acme.pk]))
    assert report.context["r"].words == []
    client.force_login(fabien)
    client.post(url, {"text": "Très utile.", "quotable": "on"})
    client.force_login(alice)
    report = client.get(reverse("impact:csr_report", args=[acme.pk]))
    assert [w.text for w in report.context["r"].words] == ["Très utile."]


def test_a_circles_dashboard_is_for_its_members_and_circles_compete(
    client, mission, bob, fabien, charlie, operator_staff
):
    from relais.funding.models import Circle, CircleMembership, MembershipStatus

    finish_task(fabien, bob, mission.project)
    circle = Circle.objects.create(name="Cercle vert")
    CircleMembership.objects.create(circle=circle, user=bob, status=MembershipStatus.ACTIVE)
    url = reverse("impact:circle", args=[circle.pk])
    client.force_login(charlie)
    assert client.get(url).status_code == 404
    client.force_login(bob)
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["figures"].tasks_done == 1
    today = timezone.localdate()
    challenge = services.challenge_create(
        staff=operator_staff,
        title="Cercles",
        metric="days_given",
        contenders="circles",
        start=today - dt.timedelta(days=60),
        end=today,
    )
    response = client.get(reverse("impact:challenge", args=[challenge.pk]))
    bars = {b.label: b.value for b in response.context["chart"].bars}
    assert bars["Cercle vert"] == response.context["chart"].bars[0].value
    assert bars["Cercle vert"] >= 1
