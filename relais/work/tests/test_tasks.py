from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from relais.work import services
from relais.work.models import Task, TaskStatus

pytestmark = pytest.mark.django_db


def test_a_task_over_48_hours_is_refused_with_advice_to_split(project, fabien):
    with pytest.raises(ValidationError) as error:
        services.task_create(
            lead=fabien,
            project=project,
            title="Tout refaire",
            brief="b",
            acceptance_criteria="c",
            estimate_hours=Decimal("48.5"),
        )
    assert "split it into smaller tasks" in str(error.value) or "découpez" in str(error.value)
    assert not Task.objects.exists()


def test_the_web_form_refuses_an_estimate_over_48_hours_in_french(client, project, fabien):
    client.force_login(fabien)
    response = client.post(
        reverse("work:task_create", kwargs={"project_pk": project.pk}),
        {
            "title": "Tout refaire",
            "brief": "b",
            "acceptance_criteria": "c",
            "estimate_hours": "60",
            "priority": "2",
        },
    )
    assert response.status_code == 400
    assert "découpez-la en tâches plus petites" in response.content.decode()
    assert not Task.objects.exists()


def test_a_task_with_unfinished_dependencies_waits_and_becomes_ready_when_they_are_done(
    make_task, fabien, ana
):
    first = make_task("Schéma")
    second = make_task("API", dependencies=[first])
    assert second.status == TaskStatus.BLOCKED
    services.task_claim(consultant=ana, task=first)
    services.task_submit(consultant=ana, task=first)
    services.task_accept(lead=fabien, task=first)
    second.refresh_from_db()
    assert second.status == TaskStatus.READY


def test_a_dependency_cycle_is_refused_and_named(make_task, fabien):
    a = make_task("A")
    b = make_task("B", dependencies=[a])
    c = make_task("C", dependencies=[b])
    with pytest.raises(ValidationError) as error:
        services.task_update(lead=fabien, task=a, dependencies=[c])
    message = " ".join(error.value.messages)
    assert "« A » → « C » → « B » → « A »" in message or "« A » → « B »" in message
    assert list(a.dependencies.all()) == []


def test_a_task_cannot_depend_on_itself(make_task, fabien):
    a = make_task("A")
    with pytest.raises(ValidationError):
        services.task_update(lead=fabien, task=a, dependencies=[a])


def test_only_leads_write_the_backlog(project, ana):
    with pytest.raises(PermissionDenied):
        services.task_create(
            lead=ana,
            project=project,
            title="x",
            brief="b",
            acceptance_criteria="c",
            estimate_hours=Decimal(2),
        )


def test_markdown_in_a_brief_is_rendered_and_scripts_are_neutralised(client, make_task, ana):
    task = make_task(
        "XSS",
        publish=False,
    )
    Task.objects.filter(pk=task.pk).update(
        brief="**gras** <script>alert(1)</script> [x](javascript:alert(2)) "
        "<img src=x onerror=alert(3)>"
    )
    client.force_login(ana)
    body = client.get(reverse("work:task_detail", kwargs={"task_pk": task.pk})).content.decode()
    assert "<strong>gras</strong>" in body
    assert "<script>alert(1)" not in body
    assert "javascript:alert" not in body
    assert "onerror" not in body


def test_the_board_filters_by_state_skill_and_label_and_shows_blockers(client, make_task, fabien):
    from relais.core.models import Skill

    first = make_task(
        "Schéma", skills=Skill.objects.filter(slug="databases"), labels=["good first task"]
    )
    make_task("API", dependencies=[first])
    client.force_login(fabien)
    url = reverse("work:board", kwargs={"project_pk": first.project_id})

    def titles(**params):
        return {t.title for t in client.get(url, params).context["tasks"]}

    assert titles() == {"Schéma", "API"}
    assert titles(status="blocked") == {"API"}
    assert titles(skill="databases") == {"Schéma"}
    assert titles(label="good first task") == {"Schéma"}
    page = client.get(url).content.decode()
    assert 'class="blocking"' in page  # API is blocked by Schéma


def test_the_board_answers_in_a_bounded_number_of_queries(
    client, make_task, fabien, django_assert_max_num_queries
):
    previous = None
    for n in range(30):
        previous = make_task(f"T{n}", dependencies=[previous] if previous else [])
    client.force_login(fabien)
    with django_assert_max_num_queries(16):
        client.get(reverse("work:board", kwargs={"project_pk": previous.project_id}))


def test_moving_a_task_reorders_the_backlog(client, make_task, fabien):
    _a, b = make_task("A"), make_task("B")
    client.force_login(fabien)
    client.post(reverse("work:task_move", kwargs={"task_pk": b.pk, "direction": "up"}))
    assert list(Task.objects.values_list("title", flat=True)) == ["B", "A"]


def test_next_task_for_me_prefers_the_consultants_skills_then_priority(make_task, ana, les_amis):
    from relais.bench.models import ConsultantProfile, ConsultantSkill
    from relais.core.models import Skill
    from relais.work.models import Priority
    from relais.work.selectors import next_tasks

    python = Skill.objects.get(slug="python")
    make_task("Urgent mais sans rapport", priority=Priority.HIGH)
    matching = make_task("Script Python", skills=[python])
    profile = ConsultantProfile.objects.get(user=ana)  # her firm's, since her mission
    ConsultantSkill.objects.create(profile=profile, skill=python)
    titles = [s.task.title for s in next_tasks(ana, matching.project)]
    assert titles == ["Script Python", "Urgent mais sans rapport"]
    profile.matching_opt_out = True
    profile.save()
    titles = [s.task.title for s in next_tasks(ana, matching.project)]
    assert titles == ["Urgent mais sans rapport", "Script Python"]
