"""Rounds on the database: who is scored, what is suggested, why, and what never comes back."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.translation import gettext

from relais.matching import selectors, services
from relais.matching.models import Round, RoundStatus, Suggestion, SuggestionStatus
from relais.matching.tests.conftest import on_bench, skill
from relais.work.models import TeamMember

pytestmark = pytest.mark.django_db


def offered(user):  # type: ignore[no-untyped-def]
    return Suggestion.objects.filter(consultant=user, status=SuggestionStatus.OFFERED).first()


def test_a_consultant_on_the_bench_gets_the_task_that_fits_their_skills(bob, acme, make_task):
    on_bench(bob, acme, {"django": 3})
    make_task("Peindre", skills=["peinture"])
    fitting = make_task("API", skills=["django"])
    done = services.round_run(notify=False)
    assert done.status == RoundStatus.DONE
    assert done.certified
    suggestion = offered(bob)
    assert suggestion.task == fitting
    assert suggestion.skills == 30  # expert (3) x 10 points per level
    assert suggestion.score == sum(
        getattr(suggestion, p)
        for p in ("skills", "causes", "continuity", "priority", "age", "language", "mission")
    )
    reasons = selectors.explain(suggestion)
    assert gettext("It needs skills you have: %(skills)s.") % {"skills": "django"} in reasons


def test_the_round_maximises_the_total_not_first_come_first_served(
    bob, acme, django_user_model, make_task
):
    # Bob fits both tasks, Carol only the first: the best for everyone gives Bob the second.
    carol = django_user_model.objects.create_user(email="carol@acme.example", password="x")
    on_bench(bob, acme, {"django": 3, "vue": 2})
    on_bench(carol, acme, {"django": 2})
    first = make_task("API", skills=["django"])
    second = make_task("Front", skills=["vue"])
    done = services.round_run(notify=False)
    assert offered(bob).task == second
    assert offered(carol).task == first
    assert done.objective == offered(bob).score + offered(carol).score


def test_a_repeated_round_keeps_what_did_not_change_and_replaces_the_rest(
    bob, acme, django_user_model, make_task
):
    carol = django_user_model.objects.create_user(email="carol@acme.example", password="x")
    on_bench(bob, acme, {"django": 3})
    on_bench(carol, acme, {"vue": 2})
    make_task("API", skills=["django"])
    make_task("Front", skills=["vue"])
    services.round_run(notify=False)
    kept, replaced = offered(bob), offered(carol)
    # Carol gets a better task; nothing changed for Bob.
    better = make_task("Urgent front", skills=["vue"], priority=1)
    second = services.round_run(notify=False)
    assert offered(bob).pk == kept.pk
    assert offered(carol).task == better
    replaced.refresh_from_db()
    assert replaced.status == SuggestionStatus.SUPERSEDED
    assert second.suggestions == 2
    assert Suggestion.objects.filter(status=SuggestionStatus.OFFERED).count() == 2


def test_consultants_who_opted_out_are_never_scored(bob, acme, make_task):
    on_bench(bob, acme, {"django": 3}, opt_out=True)
    make_task("API", skills=["django"])
    done = services.round_run(notify=False)
    assert done.consultants == 0
    assert not Suggestion.objects.exists()
    assert bob.pk not in selectors.load_instance().consultant_ids.tolist()


def test_a_declined_task_is_never_offered_again(bob, acme, make_task):
    on_bench(bob, acme, {"django": 3})
    task = make_task("API", skills=["django"])
    other = make_task("Autre", skills=["django"], priority=3)
    services.round_run(notify=False)
    first = offered(bob)
    assert first.task == task
    services.suggestion_decline(consultant=bob, suggestion=first)
    for _ in range(2):
        services.round_run(notify=False)
        assert offered(bob).task == other
    assert not Suggestion.objects.filter(
        consultant=bob, task=task, status=SuggestionStatus.OFFERED
    ).exists()


def test_continuity_counts_a_project_they_are_on(bob, acme, project, make_task, fabien):
    on_bench(bob, acme, {"django": 1})
    make_task("API", skills=["django"])
    TeamMember.objects.create(project=project, user=bob, added_by=fabien)
    services.round_run(notify=False)
    suggestion = offered(bob)
    assert suggestion.continuity >= 15
    assert gettext("You are already onboarded on this project.") in selectors.explain(suggestion)


def test_the_consultant_is_told_by_email_in_their_language(
    bob, acme, make_task, django_capture_on_commit_callbacks
):
    bob.language = "en"
    bob.save()
    on_bench(bob, acme, {"django": 3})
    task = make_task("API", skills=["django"])
    with django_capture_on_commit_callbacks(execute=True):
        services.round_run()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [bob.email]
    assert task.title in mail.outbox[0].subject
    assert reverse("work:task_detail", kwargs={"task_pk": task.pk}) in mail.outbox[0].body


def test_a_burst_of_events_runs_one_round(bob, acme, make_task, django_capture_on_commit_callbacks):
    on_bench(bob, acme, {"django": 3})
    Round.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        for i in range(5):
            make_task(f"T{i}", skills=["django"])
    gathered = Round.objects.get(status=RoundStatus.PENDING)
    assert gathered.events >= 5
    assert len(callbacks) == 1  # one job for the whole burst
    for callback in callbacks:
        callback()
    assert Round.objects.filter(status=RoundStatus.DONE).count() == 1
    assert offered(bob) is not None


def test_a_bench_period_opening_asks_for_a_round(bob, acme, make_task):
    make_task("API", skills=["django"])
    Round.objects.all().delete()
    on_bench(bob, acme, {"django": 3})
    assert Round.objects.filter(status=RoundStatus.PENDING, reason="bench_period_open").exists()


@pytest.mark.parametrize("extra", [0, 8])
def test_the_dashboard_block_takes_a_bounded_number_of_queries(client, bob, acme, make_task, extra):
    on_bench(bob, acme, {"django": 3})
    for i in range(extra + 1):
        make_task(f"T{i}", skills=["django", f"s{i}"])
    services.round_run(notify=False)
    client.force_login(bob)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("site:dashboard"))
    assert response.status_code == 200
    assert f'data-suggestion="{offered(bob).pk}"'.encode() in response.content
    matching = [q for q in queries.captured_queries if "matching_suggestion" in q["sql"]]
    assert len(matching) == 1  # the suggestion and its task, project, lead in one query
    assert len(queries.captured_queries) <= 30


def test_declining_from_the_dashboard(client, bob, acme, make_task):
    on_bench(bob, acme, {"django": 3})
    make_task("API", skills=["django"])
    services.round_run(notify=False)
    suggestion = offered(bob)
    client.force_login(bob)
    response = client.post(reverse("matching:suggestion_decline", args=[suggestion.pk]))
    assert response.status_code == 302
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.DECLINED


def test_nobody_else_declines_a_suggestion(client, bob, alice, acme, make_task):
    on_bench(bob, acme, {"django": 3})
    make_task("API", skills=["django"])
    services.round_run(notify=False)
    suggestion = offered(bob)
    client.force_login(alice)
    response = client.post(reverse("matching:suggestion_decline", args=[suggestion.pk]))
    assert response.status_code == 404
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.OFFERED


def test_staff_tune_the_weights_and_the_next_round_uses_them(
    client, operator_staff, bob, acme, make_task
):
    on_bench(bob, acme, {"django": 3})
    make_task("API", skills=["django"])
    client.force_login(operator_staff)
    assert client.get(reverse("matching:weights")).status_code == 200
    data = {name: getattr(selectors.current_weights(), name) for name in services.WEIGHT_FIELDS} | {
        "skill_level": 20
    }
    response = client.post(reverse("matching:weights"), data)
    assert response.status_code == 302
    services.round_run(notify=False)
    assert offered(bob).skills == 60
    assert client.get(reverse("matching:rounds")).status_code == 200


def test_other_people_do_not_see_the_staff_pages(client, bob):
    client.force_login(bob)
    assert client.get(reverse("matching:weights")).status_code == 404
    assert client.get(reverse("matching:rounds")).status_code == 404


def test_skill_vocabulary_helper_is_stable():
    assert skill("django") == skill("django")


def test_a_daily_round_is_asked_for_once_a_day():
    first = services.round_request_daily()
    assert first is not None
    assert first.status == RoundStatus.PENDING
    assert services.round_request_daily() is None
    assert Round.objects.count() == 1


def test_a_round_that_fails_is_recorded_as_failed(monkeypatch):
    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("boom")

    monkeypatch.setattr(services.engine, "match", broken)
    with pytest.raises(RuntimeError):
        services.round_run(notify=False)
    assert Round.objects.get().status == RoundStatus.FAILED
