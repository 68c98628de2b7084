"""The public project pages are cached for anonymous visitors: a second visit costs no query,
a change to what a page shows is seen at the next visit, signed-in people and visitors with a
message waiting are never served a cached page, and each visitor gets their own CSRF token (the
language switcher of a cached page still works)."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from relais.projects.models import ProjectStatus
from relais.projects.tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db

LIST = reverse("projects:project_list")


def visit(client, url, **kwargs):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **kwargs)
    return response, len(captured.captured_queries)


@pytest.fixture
def project(les_amis, fabien):
    return ProjectFactory(nonprofit=les_amis, field_lead=fabien, status=ProjectStatus.ACTIVE)


def test_a_second_anonymous_visit_of_the_list_is_served_from_the_cache(client, project):
    first, cost = visit(client, LIST)
    assert first.status_code == 200
    assert project.title in first.content.decode()
    assert cost > 0
    again, cost = visit(Client(), LIST)
    assert again.status_code == 200
    assert cost == 0
    assert project.title in again.content.decode()


def test_a_project_renamed_is_seen_at_the_next_visit(client, project):
    client.get(LIST)
    project.title = "Un titre tout neuf"
    project.save()
    assert "Un titre tout neuf" in client.get(LIST).content.decode()
    detail = reverse("projects:project_detail", kwargs={"project_pk": project.pk})
    assert "Un titre tout neuf" in client.get(detail).content.decode()


def test_a_project_page_counts_a_task_done_at_the_next_visit(client, project, fabien):
    from relais.work import services as work
    from relais.work.models import Task, TaskStatus

    task = work.task_create(
        lead=fabien,
        project=project,
        title="Une tâche",
        brief="b",
        acceptance_criteria="c",
        estimate_hours=Decimal(2),
    )
    detail = reverse("projects:project_detail", kwargs={"project_pk": project.pk})
    before = client.get(detail).content.decode()
    task.status = TaskStatus.DONE
    task.save()
    after = client.get(detail).content.decode()
    assert before != after
    assert Task.objects.filter(project=project, status=TaskStatus.DONE).count() == 1


def test_a_project_made_private_disappears_at_once(client, project):
    detail = reverse("projects:project_detail", kwargs={"project_pk": project.pk})
    assert client.get(detail).status_code == 200
    project.status = ProjectStatus.ARCHIVED
    project.save()
    assert client.get(detail).status_code == 404
    assert project.title not in client.get(LIST).content.decode()


def test_signed_in_people_never_get_the_anonymous_page(client, project, nadia):
    Client().get(LIST)
    client.force_login(nadia)
    page, cost = visit(client, LIST)
    assert page.status_code == 200
    assert cost > 0
    assert reverse("account_logout") in page.content.decode()


def csrf_of(page) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())[1]


def test_each_visitor_gets_their_own_token_and_the_language_switch_works(project):
    first, second = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    page = first.get(LIST)
    cached, cost = visit(second, LIST)
    assert cost == 0
    token = csrf_of(cached)
    assert token != csrf_of(page)
    assert "csrftoken" in cached.cookies, "the visitor's own token cookie is set"
    switched = second.post(
        reverse("set_language"), {"language": "en", "next": LIST, "csrfmiddlewaretoken": token}
    )
    assert switched.status_code == 302
    english = second.get(LIST)
    assert english.status_code == 200
    assert '<html lang="en">' in english.content.decode()


def test_a_message_waiting_is_shown_to_its_visitor_only(client, project, nadia):
    Client().get(LIST)  # cached, without a message
    client.force_login(nadia)
    assert client.post(reverse("account_logout")).status_code == 302
    # Signed out, with "You have signed out." waiting: the page is rendered for this visitor.
    page, cost = visit(client, LIST)
    assert page.status_code == 200
    assert cost > 0
    signed_out = [str(m) for m in page.context["messages"]]
    assert signed_out
    assert signed_out[0] in page.content.decode()
    assert signed_out[0] not in Client().get(LIST).content.decode()
