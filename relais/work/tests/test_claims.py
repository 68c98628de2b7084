from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from relais.work import services
from relais.work.models import Claim, ClaimEnd, Handover, TaskStatus, TimeEntry

pytestmark = pytest.mark.django_db


def test_a_team_member_claims_a_ready_task(make_task, ana):
    task = make_task()
    claim = services.task_claim(consultant=ana, task=task)
    task.refresh_from_db()
    assert task.status == TaskStatus.CLAIMED
    assert claim.is_active


def test_a_taken_task_cannot_be_claimed_again(make_task, ana, ben):
    task = make_task()
    services.task_claim(consultant=ana, task=task)
    with pytest.raises(services.TaskTaken):
        services.task_claim(consultant=ben, task=task)
    assert Claim.objects.count() == 1


def test_a_task_that_is_not_ready_cannot_be_claimed(make_task, ana):
    draft = make_task(publish=False)
    with pytest.raises(services.TaskTaken):
        services.task_claim(consultant=ana, task=draft)
    assert not Claim.objects.exists()


def test_someone_outside_the_team_cannot_claim(make_task, alice):
    with pytest.raises(PermissionDenied):
        services.task_claim(consultant=alice, task=make_task())


def test_a_consultant_holds_at_most_two_tasks(make_task, ana, settings):
    settings.MAX_ACTIVE_CLAIMS = 2
    services.task_claim(consultant=ana, task=make_task("A"))
    services.task_claim(consultant=ana, task=make_task("B"))
    with pytest.raises(services.WorkError, match="2"):
        services.task_claim(consultant=ana, task=make_task("C"))


def test_the_api_answers_409_in_the_error_format_when_taken(client, make_task, ana, ben):
    from relais.accounts.services import api_token_create

    task = make_task()
    services.task_claim(consultant=ana, task=task)
    token = api_token_create(user=ben, name="t").raw
    response = client.post(
        f"/api/v1/tasks/{task.pk}/claim", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"


@pytest.mark.parametrize(
    ("hours", "message"),
    [(Decimal(0), "0"), (Decimal(-1), "-1"), (Decimal(25), "24")],
)
def test_time_entries_must_be_within_a_day(make_task, ana, hours, message):
    task = make_task()
    services.task_claim(consultant=ana, task=task)
    with pytest.raises(ValidationError):
        services.time_log(consultant=ana, task=task, date=timezone.localdate(), hours=hours)
    assert not TimeEntry.objects.exists()


def test_time_cannot_be_logged_on_someone_elses_claim(client, make_task, ana, ben):
    task = make_task()
    services.task_claim(consultant=ana, task=task)
    client.force_login(ben)
    response = client.post(
        reverse("work:time_log", kwargs={"task_pk": task.pk}),
        {"date": timezone.localdate().isoformat(), "hours": "2"},
    )
    assert response.status_code == 400
    assert "Vous ne détenez pas cette tâche" in response.content.decode()
    assert not TimeEntry.objects.exists()


def test_a_day_never_holds_more_than_10_logged_hours(make_task, ana):
    """Code du travail L3121-18: at most 10 hours of work a day, across all one's tasks."""
    a, b = make_task("A"), make_task("B")
    services.task_claim(consultant=ana, task=a)
    services.task_claim(consultant=ana, task=b)
    today = timezone.localdate()
    services.time_log(consultant=ana, task=a, date=today, hours=Decimal(7))
    services.time_log(consultant=ana, task=b, date=today, hours=Decimal(3))
    with pytest.raises(ValidationError) as refused:
        services.time_log(consultant=ana, task=b, date=today, hours=Decimal("0.5"))
    assert "L3121-18" in " ".join(refused.value.messages)
    assert sum(TimeEntry.objects.filter(date=today).values_list("hours", flat=True)) == 10


def test_releasing_needs_a_handover_and_the_next_consultant_sees_it_first(
    client, make_task, ana, ben
):
    task = make_task()
    services.task_claim(consultant=ana, task=task)
    with pytest.raises(ValidationError):
        services.task_release(consultant=ana, task=task, done="", state="", next_step="")
    services.task_release(
        consultant=ana,
        task=task,
        done="Le plan est écrit.",
        state="À moitié.",
        next_step="Écrire la partie base de données.",
    )
    task.refresh_from_db()
    assert task.status == TaskStatus.READY
    client.force_login(ben)
    body = client.get(reverse("work:task_detail", kwargs={"task_pk": task.pk})).content.decode()
    assert body.index("Écrire la partie base de données.") < body.index("Le contexte.")


def test_handovers_are_shown_newest_first(client, make_task, ana, ben):
    task = make_task()
    for who, note in [(ana, "premier"), (ben, "second")]:
        services.task_claim(consultant=who, task=task)
        services.task_release(consultant=who, task=task, done=note, state="s", next_step="n")
    client.force_login(ana)
    body = client.get(reverse("work:task_detail", kwargs={"task_pk": task.pk})).content.decode()
    assert body.index("second") < body.index("premier")


def test_the_lead_returns_then_accepts_the_work(make_task, fabien, ana):
    task = make_task()
    services.task_claim(consultant=ana, task=task)
    services.task_submit(consultant=ana, task=task)
    services.task_return(lead=fabien, task=task, comment="Ajoutez un test.")
    task.refresh_from_db()
    assert task.status == TaskStatus.CLAIMED
    services.task_submit(consultant=ana, task=task)
    services.task_accept(lead=fabien, task=task)
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE
    assert Claim.objects.get().end_reason == ClaimEnd.DONE


def lapse_setup(make_task, ana, days_idle):
    task = make_task()
    claim = services.task_claim(consultant=ana, task=task)
    services.time_log(
        consultant=ana, task=task, date=timezone.localdate(), hours=Decimal(3), note="Plan écrit"
    )
    services.task_comment(author=ana, task=task, body="Il reste la partie base de données.")
    now = timezone.now()
    Claim.objects.filter(pk=claim.pk).update(last_activity_at=now - dt.timedelta(days=days_idle))
    return task, claim, now


def test_an_idle_claim_lapses_with_a_drafted_handover_and_people_are_told(
    make_task, ana, fabien, django_capture_on_commit_callbacks
):
    task, _claim, now = lapse_setup(make_task, ana, days_idle=4)
    with django_capture_on_commit_callbacks(execute=True):
        lapsed = services.claims_lapse(now=now)
    assert len(lapsed) == 1
    handover = Handover.objects.get()
    assert handover.drafted_automatically
    assert "Plan écrit" in handover.done
    assert "partie base de données" in handover.state
    task.refresh_from_db()
    assert task.status == TaskStatus.READY
    assert {tuple(m.to) for m in mail.outbox} == {tuple(sorted([ana.email, fabien.email]))}


def test_lapsing_twice_changes_nothing_more(make_task, ana):
    _task, _claim, now = lapse_setup(make_task, ana, days_idle=4)
    services.claims_lapse(now=now)
    assert services.claims_lapse(now=now + dt.timedelta(hours=1)) == []
    assert Handover.objects.count() == 1


def test_a_recently_active_claim_does_not_lapse(make_task, ana):
    task, _claim, now = lapse_setup(make_task, ana, days_idle=2)
    assert services.claims_lapse(now=now) == []
    task.refresh_from_db()
    assert task.status == TaskStatus.CLAIMED


def test_a_task_in_review_does_not_lapse(make_task, ana):
    task, claim, now = lapse_setup(make_task, ana, days_idle=0)
    services.task_submit(consultant=ana, task=task)
    Claim.objects.filter(pk=claim.pk).update(last_activity_at=now - dt.timedelta(days=10))
    assert services.claims_lapse(now=now) == []


def test_the_consultant_completes_a_drafted_handover(client, make_task, ana):
    _task, _claim, now = lapse_setup(make_task, ana, days_idle=5)
    services.claims_lapse(now=now)
    handover = Handover.objects.get()
    client.force_login(ana)
    response = client.post(
        reverse("work:handover_edit", kwargs={"handover_pk": handover.pk}),
        {"done": "Le plan", "state": "À reprendre", "next_step": "La base", "links": ""},
    )
    assert response.status_code == 302
    handover.refresh_from_db()
    assert handover.amended_at is not None
    assert handover.next_step == "La base"


@pytest.mark.parametrize(
    ("language", "day", "hours", "colon", "heading"),
    [("fr", "%d/%m/%Y", "2,5", " :", "2,5 heures"), ("en", "%m/%d/%Y", "2.5", ":", "2.5 hours")],
)
def test_a_drafted_handover_is_written_in_the_consultants_language(
    make_task, ana, language, day, hours, colon, heading
):
    ana.language = language
    ana.save(update_fields=["language"])
    task = make_task()
    claim = services.task_claim(consultant=ana, task=task)
    today = timezone.localdate()
    services.time_log(consultant=ana, task=task, date=today, hours=Decimal("2.5"), note="Plan")
    now = timezone.now()
    Claim.objects.filter(pk=claim.pk).update(last_activity_at=now - dt.timedelta(days=4))
    services.claims_lapse(now=now)
    done = Handover.objects.get().done
    assert f"- {today.strftime(day)} ({hours} h){colon} Plan" in done
    assert done.startswith(heading)
