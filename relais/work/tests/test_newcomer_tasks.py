"""A task page tells each person what they can do, and why not: at the claim limit, on a
blocked task; cancelling asks first; a move that changes nothing says so."""

from __future__ import annotations

import pytest
from django.urls import reverse

from relais.work import services
from relais.work.models import TaskStatus

pytestmark = pytest.mark.django_db


def test_at_the_claim_limit_the_page_says_so_instead_of_offering_the_task(
    client, settings, ana, make_task
):
    settings.MAX_ACTIVE_CLAIMS = 1
    services.task_claim(consultant=ana, task=make_task("Premier"))
    other = make_task("Second")
    client.force_login(ana)
    page = client.get(reverse("work:task_detail", kwargs={"task_pk": other.pk}))
    text = page.content.decode()
    assert reverse("work:task_claim", kwargs={"task_pk": other.pk}) not in text
    assert "le maximum simultané" in text


def test_a_blocked_task_explains_why_nothing_can_be_done(client, ana, make_task):
    first = make_task("Premier")
    blocked = make_task("Après", dependencies=[first])
    assert blocked.status == TaskStatus.BLOCKED
    client.force_login(ana)
    page = client.get(reverse("work:task_detail", kwargs={"task_pk": blocked.pk}))
    assert "cette tâche attend les tâches dont elle dépend" in page.content.decode()


def test_cancelling_a_task_asks_for_confirmation_first(client, fabien, make_task):
    task = make_task()
    client.force_login(fabien)
    url = reverse("work:task_cancel", kwargs={"task_pk": task.pk})
    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "Annuler la tâche ?" in confirm.content.decode()
    task.refresh_from_db()
    assert task.status != TaskStatus.CANCELLED
    client.post(url)
    task.refresh_from_db()
    assert task.status == TaskStatus.CANCELLED


def test_moving_the_first_task_up_says_it_is_already_first(client, fabien, make_task):
    first = make_task("Premier")
    make_task("Second")
    first.refresh_from_db()
    client.force_login(fabien)
    response = client.post(
        reverse("work:task_move", kwargs={"task_pk": first.pk, "direction": "up"}), follow=True
    )
    assert "est déjà en haut du backlog" in response.content.decode()
