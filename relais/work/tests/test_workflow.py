"""The task workflow table drives both the services and the buttons: every step is refused from
a state the table does not start it from, and by anyone the table does not name; the task's page
offers exactly the steps the table allows to the person looking."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from relais.projects.models import ProjectStatus
from relais.work import services
from relais.work.models import ClaimEnd, Task, TaskEventKind, TaskStatus
from relais.work.workflow import STEPS, TaskActor, TaskStep

pytestmark = pytest.mark.django_db

S = TaskStatus


@pytest.fixture
def task_in(make_task, fabien, ana) -> Callable[[str], Task]:
    """A task brought to a state through the services; Ana holds it once claimed."""

    def build(status: str) -> Task:
        if status == S.DRAFT:
            return make_task(publish=False)
        if status == S.BLOCKED:
            return make_task("Après", dependencies=[make_task("Avant")])
        task = make_task()
        if status == S.CANCELLED:
            services.task_cancel(lead=fabien, task=task)
        if status in {S.CLAIMED, S.IN_REVIEW, S.DONE}:
            services.task_claim(consultant=ana, task=task)
        if status in {S.IN_REVIEW, S.DONE}:
            services.task_submit(consultant=ana, task=task)
        if status == S.DONE:
            services.task_accept(lead=fabien, task=task)
        task.refresh_from_db()
        assert task.status == status
        return task

    return build


@pytest.fixture
def take(fabien, ana, ben) -> dict[TaskStep, Callable[..., object]]:
    """Each step a person takes, by the person the table names (Ana holds the claimed tasks, Ben
    is another consultant of the team)."""
    handover = {"done": "Fait.", "state": "Où.", "next_step": "Ensuite."}
    return {
        TaskStep.PUBLISH: lambda task, by=fabien: services.task_publish(lead=by, task=task),
        TaskStep.CANCEL: lambda task, by=fabien: services.task_cancel(lead=by, task=task),
        TaskStep.CLAIM: lambda task, by=ben: services.task_claim(consultant=by, task=task),
        TaskStep.RELEASE: lambda task, by=ana: services.task_release(
            consultant=by, task=task, **handover
        ),
        TaskStep.SUBMIT: lambda task, by=ana: services.task_submit(consultant=by, task=task),
        TaskStep.RETURN: lambda task, by=fabien: services.task_return(
            lead=by, task=task, comment="Ajouter les tests."
        ),
        TaskStep.ACCEPT: lambda task, by=fabien: services.task_accept(lead=by, task=task),
    }


PEOPLE_STEPS = [s for s in STEPS.values() if s.actor != TaskActor.SYSTEM]


def test_every_step_of_a_person_has_a_service_and_the_others_are_the_systems(take):
    assert {s.name for s in PEOPLE_STEPS} == set(take)
    assert {s.name for s in STEPS.values() if s.actor == TaskActor.SYSTEM} == {
        TaskStep.BLOCK,
        TaskStep.UNBLOCK,
        TaskStep.LAPSE,
        TaskStep.RECALL,
        TaskStep.LEAVE,
    }


@pytest.mark.parametrize(
    ("name", "status"),
    [(s.name, status) for s in PEOPLE_STEPS for status in S if status not in s.sources],
)
def test_a_step_is_refused_from_a_state_the_table_does_not_start_it_from(
    task_in, take, name, status
):
    task = task_in(status)
    expected = services.TaskTaken if name == TaskStep.CLAIM else services.WorkError
    with pytest.raises(expected):
        take[name](task)
    task.refresh_from_db()
    assert task.status == status


@pytest.mark.parametrize("name", [s.name for s in PEOPLE_STEPS])
def test_a_step_is_taken_from_every_state_the_table_starts_it_from(task_in, take, name):
    step = STEPS[name]
    for status in step.sources:
        task = task_in(status)
        take[name](task)
        task.refresh_from_db()
        assert task.status in step.targets


@pytest.mark.parametrize("name", [s.name for s in PEOPLE_STEPS if s.actor == TaskActor.LEAD])
def test_a_step_of_the_lead_is_refused_to_a_consultant_of_the_team(task_in, take, ana, name):
    status = sorted(STEPS[name].sources)[0]
    task = task_in(status)
    with pytest.raises(PermissionDenied):
        take[name](task, by=ana)
    task.refresh_from_db()
    assert task.status == status


def test_claiming_is_refused_to_someone_outside_the_team(task_in, take, alice):
    task = task_in(S.READY)
    with pytest.raises(PermissionDenied):
        take[TaskStep.CLAIM](task, by=alice)
    task.refresh_from_db()
    assert task.status == S.READY


def test_claiming_is_refused_while_the_project_is_not_active(task_in, take, project):
    task = task_in(S.READY)
    project.status = ProjectStatus.PAUSED
    project.save(update_fields=["status"])
    with pytest.raises(services.WorkError) as refused:
        take[TaskStep.CLAIM](task)
    assert str(refused.value) == str(STEPS[TaskStep.CLAIM].project_refused)
    task.refresh_from_db()
    assert task.status == S.READY


@pytest.mark.parametrize("name", [s.name for s in PEOPLE_STEPS if s.actor == TaskActor.CLAIMANT])
def test_a_step_of_the_claimant_is_refused_to_another_consultant(task_in, take, ben, name):
    task = task_in(S.CLAIMED)
    with pytest.raises(services.WorkError) as refused:
        take[name](task, by=ben)
    assert str(refused.value) == gettext("You do not hold this task.")
    task.refresh_from_db()
    assert task.status == S.CLAIMED


def test_returning_needs_a_comment(task_in, fabien):
    assert STEPS[TaskStep.RETURN].needs_comment
    task = task_in(S.IN_REVIEW)
    with pytest.raises(ValidationError):
        services.task_return(lead=fabien, task=task, comment="  ")
    task.refresh_from_db()
    assert task.status == S.IN_REVIEW


@pytest.mark.parametrize(
    ("reason", "name"),
    [
        (ClaimEnd.LAPSED, TaskStep.LAPSE),
        (ClaimEnd.RECALLED, TaskStep.RECALL),
        (ClaimEnd.RELEASED, TaskStep.LEAVE),
    ],
)
@pytest.mark.parametrize("status", [S.CLAIMED, S.IN_REVIEW])
def test_a_claim_ended_by_the_system_returns_the_task_only_from_the_steps_sources(
    task_in, reason, name, status
):
    task = task_in(status)
    claim = task.claims.get(ended_at__isnull=True)
    handover = services.claim_end_with_handover(claim=claim, reason=reason, at=timezone.now())
    task.refresh_from_db()
    claim.refresh_from_db()
    if status in STEPS[name].sources:
        assert handover is not None
        assert task.status == S.READY
        assert claim.end_reason == reason
        assert task.events.filter(kind=STEPS[name].event).exists()
    else:
        assert handover is None
        assert task.status == status
        assert claim.is_active


def test_dependencies_block_and_unblock_a_published_task(make_task, fabien, ana):
    before = make_task("Avant")
    after = make_task("Après")
    services.task_update(lead=fabien, task=after, dependencies=[before])
    after.refresh_from_db()
    assert after.status == S.BLOCKED
    services.task_claim(consultant=ana, task=before)
    services.task_submit(consultant=ana, task=before)
    services.task_accept(lead=fabien, task=before)
    after.refresh_from_db()
    assert after.status == S.READY
    assert after.events.filter(kind=TaskEventKind.UNBLOCKED).exists()


def test_the_dependencies_of_a_task_in_progress_do_not_change(make_task, task_in, fabien):
    task = task_in(S.CLAIMED)
    with pytest.raises(services.WorkError):
        services.task_update(lead=fabien, task=task, dependencies=[make_task("Autre")])
    task.refresh_from_db()
    assert task.status == S.CLAIMED
    assert not task.dependencies.exists()


BUTTONS = {
    TaskStep.PUBLISH: "work:task_publish",
    TaskStep.CANCEL: "work:task_cancel",
    TaskStep.CLAIM: "work:task_claim",
    TaskStep.RELEASE: "work:task_release",
    TaskStep.SUBMIT: "work:task_submit",
    TaskStep.RETURN: "work:task_return",
    TaskStep.ACCEPT: "work:task_accept",
}


@pytest.mark.parametrize("status", list(S))
@pytest.mark.parametrize("who", ["fabien", "ana", "ben"])
def test_the_page_of_a_task_offers_exactly_the_steps_the_table_allows(
    client, request, task_in, status, who
):
    task = task_in(status)
    person = request.getfixturevalue(who)
    holds = task.claims.filter(ended_at__isnull=True, consultant=person).exists()
    actors = {
        "fabien": {TaskActor.LEAD},
        "ana": {TaskActor.MEMBER} | ({TaskActor.CLAIMANT} if holds else set()),
        "ben": {TaskActor.MEMBER},
    }[who]
    client.force_login(person)
    response = client.get(reverse("work:task_detail", kwargs={"task_pk": task.pk}))
    assert response.status_code == 200
    body = response.content.decode()
    for name, url in BUTTONS.items():
        offered = reverse(url, kwargs={"task_pk": task.pk}) in body
        assert offered == (STEPS[name].actor in actors and status in STEPS[name].sources), name


def test_the_board_marks_a_dependency_done_and_one_that_still_blocks(
    client, make_task, task_in, fabien
):
    done = task_in(S.DONE)
    waiting = make_task("Pas encore")
    make_task("Suite", dependencies=[done, waiting])
    client.force_login(fabien)
    response = client.get(reverse("work:board", kwargs={"project_pk": done.project_id}))
    assert response.status_code == 200
    body = response.content.decode()
    done_link = reverse("work:task_detail", kwargs={"task_pk": done.pk})
    waiting_link = reverse("work:task_detail", kwargs={"task_pk": waiting.pk})
    assert f'href="{done_link}">{done.title}</a> ✓' in body
    assert f'href="{waiting_link}" class="blocking">' in body
