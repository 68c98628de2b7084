"""The work API, endpoint by endpoint: what it does for the people of the project, and what it
refuses to the others (Charlie administers another firm and sees none of Les Amis' work)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from relais.core.models import Skill
from relais.core.tests.api import Api, error_code
from relais.projects.models import ProjectStatus
from relais.projects.tests.factories import ProjectFactory
from relais.work import services
from relais.work.models import Handover, Task, TaskStatus, TimeEntry

pytestmark = pytest.mark.django_db

NEW_TASK = {
    "title": "Traduire le guide",
    "brief": "Le guide existe en français.",
    "acceptance_criteria": "Relu\nPublié",
    "estimate_hours": "4",
}


def status_of(task: Task) -> str:
    task.refresh_from_db()
    return task.status


@pytest.fixture
def held(make_task, ana):
    """A task Ana holds."""
    task = make_task("Cartographier")
    services.task_claim(consultant=ana, task=task)
    return task


@pytest.fixture
def in_review(held, ana):
    services.task_submit(consultant=ana, task=held)
    return held


# --- The backlog --------------------------------------------------------------------------


def test_the_backlog_lists_the_projects_tasks_and_filters_them_by_status(
    client, project, fabien, make_task
):
    make_task("Publiée")
    make_task("Brouillon", publish=False)
    api = Api(client, fabien)
    response = api.get(f"/api/v1/projects/{project.pk}/tasks")
    assert response.status_code == 200
    assert response.json()["count"] == 2
    drafts = api.get(f"/api/v1/projects/{project.pk}/tasks", status="draft").json()
    assert [task["title"] for task in drafts["items"]] == ["Brouillon"]


def test_another_firms_admin_does_not_see_the_backlog(client, project, charlie, make_task):
    make_task()
    response = Api(client, charlie).get(f"/api/v1/projects/{project.pk}/tasks")
    assert response.status_code == 404
    assert error_code(response) == "not_found"


def test_the_field_lead_writes_a_draft_task_with_its_skills(client, project, fabien):
    skill = Skill.objects.order_by("position").first()
    body = {**NEW_TASK, "skills": [skill.slug]}
    response = Api(client, fabien).post(f"/api/v1/projects/{project.pk}/tasks", body)
    assert response.status_code == 201
    assert response.json()["status"] == "draft"
    assert response.json()["skills"] == [skill.slug]
    assert Task.objects.get().title == "Traduire le guide"


def test_a_consultant_of_the_team_may_not_write_tasks(client, project, ana):
    response = Api(client, ana).post(f"/api/v1/projects/{project.pk}/tasks", NEW_TASK)
    assert response.status_code == 403
    assert error_code(response) == "forbidden"
    assert not Task.objects.exists()


def test_another_firms_admin_cannot_write_tasks(client, project, charlie):
    response = Api(client, charlie).post(f"/api/v1/projects/{project.pk}/tasks", NEW_TASK)
    assert response.status_code == 404
    assert not Task.objects.exists()


def test_tasks_wait_until_the_project_is_accepted(client, les_amis, fabien):
    draft = ProjectFactory(nonprofit=les_amis, field_lead=fabien, status=ProjectStatus.DRAFT)
    response = Api(client, fabien).post(f"/api/v1/projects/{draft.pk}/tasks", NEW_TASK)
    assert response.status_code == 409
    assert "accepted" in response.json()["error"]["message"]
    assert not Task.objects.exists()


@pytest.mark.parametrize(
    ("extra", "field"),
    [({"skills": ["no-such-skill"]}, "skills"), ({"dependencies": [999_999]}, "dependencies")],
)
def test_an_unknown_skill_or_dependency_is_named(client, project, fabien, extra, field):
    response = Api(client, fabien).post(
        f"/api/v1/projects/{project.pk}/tasks", {**NEW_TASK, **extra}
    )
    assert response.status_code == 422
    assert field in response.json()["error"]["fields"]
    assert not Task.objects.exists()


# --- One task -----------------------------------------------------------------------------


def test_a_team_member_reads_a_task_with_its_handovers(client, held, ana, ben):
    services.task_release(consultant=ana, task=held, done="La moitié", state="s", next_step="n")
    response = Api(client, ben).get(f"/api/v1/tasks/{held.pk}")
    assert response.status_code == 200
    assert response.json()["title"] == "Cartographier"
    assert [h["done"] for h in response.json()["handovers"]] == ["La moitié"]


def test_another_firms_admin_cannot_read_a_task(client, held, charlie):
    response = Api(client, charlie).get(f"/api/v1/tasks/{held.pk}")
    assert response.status_code == 404
    assert "Cartographier" not in response.content.decode()


def test_the_field_lead_changes_a_task(client, make_task, fabien):
    task = make_task()
    response = Api(client, fabien).patch(f"/api/v1/tasks/{task.pk}", {"title": "Nouveau titre"})
    assert response.status_code == 200
    task.refresh_from_db()
    assert task.title == "Nouveau titre"


@pytest.mark.parametrize(("persona", "status"), [("ana", 403), ("charlie", 404)])
def test_only_a_lead_may_change_a_task(client, request, make_task, persona, status):
    task = make_task()
    user = request.getfixturevalue(persona)
    response = Api(client, user).patch(f"/api/v1/tasks/{task.pk}", {"title": "Piraté"})
    assert response.status_code == status
    task.refresh_from_db()
    assert task.title == "Écrire le guide"


def test_a_finished_task_cannot_be_changed(client, in_review, fabien):
    services.task_accept(lead=fabien, task=in_review)
    response = Api(client, fabien).patch(f"/api/v1/tasks/{in_review.pk}", {"title": "Après"})
    assert response.status_code == 409
    in_review.refresh_from_db()
    assert in_review.title == "Cartographier"


def test_an_estimate_of_zero_hours_is_refused(client, make_task, fabien):
    task = make_task()
    response = Api(client, fabien).patch(f"/api/v1/tasks/{task.pk}", {"estimate_hours": "0"})
    assert response.status_code == 422
    assert "estimate_hours" in response.json()["error"]["fields"]


# --- Publishing, claiming, releasing ------------------------------------------------------


def test_the_field_lead_publishes_a_draft_once(client, make_task, fabien):
    task = make_task(publish=False)
    api = Api(client, fabien)
    response = api.post(f"/api/v1/tasks/{task.pk}/publish")
    assert response.status_code == 200
    assert response.json()["status"] == "ready"
    again = api.post(f"/api/v1/tasks/{task.pk}/publish")
    assert again.status_code == 409
    assert error_code(again) == "conflict"


@pytest.mark.parametrize(("persona", "status"), [("ana", 403), ("charlie", 404)])
def test_only_a_lead_publishes(client, request, make_task, persona, status):
    task = make_task(publish=False)
    user = request.getfixturevalue(persona)
    assert Api(client, user).post(f"/api/v1/tasks/{task.pk}/publish").status_code == status
    assert status_of(task) == TaskStatus.DRAFT


def test_a_consultant_of_the_team_claims_a_ready_task_and_nobody_else_can(
    client, make_task, ana, ben
):
    task = make_task()
    response = Api(client, ana).post(f"/api/v1/tasks/{task.pk}/claim")
    assert response.status_code == 200
    assert response.json()["status"] == "claimed"
    taken = Api(client, ben).post(f"/api/v1/tasks/{task.pk}/claim")
    assert taken.status_code == 409
    assert task.claims.get().consultant == ana


def test_someone_outside_the_team_cannot_claim(client, make_task, nadia, charlie):
    task = make_task()
    # Nadia sees the project (her nonprofit's) but is not in its team; Charlie does not see it.
    assert Api(client, nadia).post(f"/api/v1/tasks/{task.pk}/claim").status_code == 403
    assert Api(client, charlie).post(f"/api/v1/tasks/{task.pk}/claim").status_code == 404
    assert status_of(task) == TaskStatus.READY


HANDOVER = {"done": "Le plan", "state": "À moitié", "next_step": "Les légendes"}


def test_the_holder_releases_a_task_with_a_handover(client, held, ana):
    response = Api(client, ana).post(f"/api/v1/tasks/{held.pk}/release", HANDOVER)
    assert response.status_code == 200
    assert response.json()["status"] == "ready"
    assert response.json()["handovers"][0]["next_step"] == "Les légendes"


def test_a_release_without_a_handover_is_refused_with_the_fields_named(client, held, ana):
    response = Api(client, ana).post(
        f"/api/v1/tasks/{held.pk}/release", {**HANDOVER, "done": " ", "state": ""}
    )
    assert response.status_code == 422
    assert set(response.json()["error"]["fields"]) == {"done", "state"}
    assert status_of(held) == TaskStatus.CLAIMED


@pytest.mark.parametrize(("persona", "status"), [("ben", 409), ("charlie", 404)])
def test_only_the_holder_releases(client, request, held, persona, status):
    user = request.getfixturevalue(persona)
    response = Api(client, user).post(f"/api/v1/tasks/{held.pk}/release", HANDOVER)
    assert response.status_code == status
    assert status_of(held) == TaskStatus.CLAIMED
    assert not Handover.objects.exists()


# --- Time, review -------------------------------------------------------------------------


def test_the_holder_logs_time(client, held, ana):
    today = timezone.localdate().isoformat()
    response = Api(client, ana).post(
        f"/api/v1/tasks/{held.pk}/time", {"date": today, "hours": "1.5", "note": "Relevés"}
    )
    assert response.status_code == 201
    assert response.json()["hours"] == "1.5"
    assert TimeEntry.objects.get().note == "Relevés"


def test_time_in_the_future_is_refused(client, held, ana):
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    response = Api(client, ana).post(
        f"/api/v1/tasks/{held.pk}/time", {"date": tomorrow, "hours": "1"}
    )
    assert response.status_code == 422
    assert "date" in response.json()["error"]["fields"]
    assert not TimeEntry.objects.exists()


@pytest.mark.parametrize(("persona", "status"), [("ben", 409), ("charlie", 404)])
def test_only_the_holder_logs_time(client, request, held, persona, status):
    user = request.getfixturevalue(persona)
    today = timezone.localdate().isoformat()
    response = Api(client, user).post(
        f"/api/v1/tasks/{held.pk}/time", {"date": today, "hours": "1"}
    )
    assert response.status_code == status
    assert not TimeEntry.objects.exists()


def test_the_holder_submits_the_work_once(client, held, ana):
    api = Api(client, ana)
    response = api.post(f"/api/v1/tasks/{held.pk}/submit", {"comment": "Prêt"})
    assert response.status_code == 200
    assert response.json()["status"] == "in_review"
    assert api.post(f"/api/v1/tasks/{held.pk}/submit", {}).status_code == 409


def test_another_firms_admin_cannot_submit(client, held, charlie):
    assert Api(client, charlie).post(f"/api/v1/tasks/{held.pk}/submit", {}).status_code == 404
    assert status_of(held) == TaskStatus.CLAIMED


def test_the_field_lead_accepts_the_work(client, in_review, fabien):
    api = Api(client, fabien)
    response = api.post(f"/api/v1/tasks/{in_review.pk}/accept")
    assert response.status_code == 200
    assert response.json()["status"] == "done"
    assert api.post(f"/api/v1/tasks/{in_review.pk}/accept").status_code == 409


@pytest.mark.parametrize(("persona", "status"), [("ana", 403), ("charlie", 404)])
def test_only_a_lead_accepts(client, request, in_review, persona, status):
    user = request.getfixturevalue(persona)
    assert Api(client, user).post(f"/api/v1/tasks/{in_review.pk}/accept").status_code == status
    assert status_of(in_review) == TaskStatus.IN_REVIEW


def test_the_field_lead_returns_the_work_saying_what_to_change(client, in_review, fabien):
    api = Api(client, fabien)
    silent = api.post(f"/api/v1/tasks/{in_review.pk}/return", {"comment": " "})
    assert silent.status_code == 422
    assert "comment" in silent.json()["error"]["fields"]
    response = api.post(f"/api/v1/tasks/{in_review.pk}/return", {"comment": "Les légendes"})
    assert response.status_code == 200
    assert response.json()["status"] == "claimed"
    again = api.post(f"/api/v1/tasks/{in_review.pk}/return", {"comment": "Encore"})
    assert again.status_code == 409


@pytest.mark.parametrize(("persona", "status"), [("ana", 403), ("charlie", 404)])
def test_only_a_lead_returns_the_work(client, request, in_review, persona, status):
    user = request.getfixturevalue(persona)
    response = Api(client, user).post(f"/api/v1/tasks/{in_review.pk}/return", {"comment": "Non"})
    assert response.status_code == status
    assert status_of(in_review) == TaskStatus.IN_REVIEW
