from __future__ import annotations

import json

import pytest
from django.urls import reverse

from relais.accounts import services as account_services
from relais.core.models import Cause, Language, Skill
from relais.projects.models import PUBLIC_STATUSES, Project
from relais.projects.models import ProjectStatus as S
from relais.projects.tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db

PRIVATE = [S.DRAFT, S.SUBMITTED, S.CHANGES_REQUESTED, S.REJECTED, S.WITHDRAWN, S.ARCHIVED]


@pytest.fixture
def every_state(les_amis):
    return {
        status: ProjectFactory(nonprofit=les_amis, status=status, title=f"Projet {status}")
        for status in S
    }


def test_only_public_projects_appear_in_the_public_list_and_api(client, every_state):
    page = client.get(reverse("projects:project_list")).content.decode()
    api = client.get("/api/v1/projects").json()
    api_titles = {item["title"] for item in api["items"]}
    for status, project in every_state.items():
        shown = status in PUBLIC_STATUSES
        assert (project.title in page) is shown, status
        assert (project.title in api_titles) is shown, status


@pytest.mark.parametrize("status", PRIVATE)
def test_a_private_project_has_no_public_page_nor_api_detail(client, every_state, status):
    project = every_state[status]
    assert (
        client.get(
            reverse("projects:project_detail", kwargs={"project_pk": project.pk})
        ).status_code
        == 404
    )
    response = client.get(f"/api/v1/projects/{project.pk}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_a_public_project_page_says_what_why_and_who(client, fabien, les_amis):
    project = ProjectFactory(nonprofit=les_amis, status=S.ACTIVE, field_lead=fabien, title="Carte")
    body = client.get(
        reverse("projects:project_detail", kwargs={"project_pk": project.pk})
    ).content.decode()
    assert "Carte" in body
    assert "Tout passe par des tableurs." in body
    assert fabien.get_full_name() in body
    assert "Environnement et climat" in body


def test_search_and_filters(client, les_amis):
    jardin = ProjectFactory(nonprofit=les_amis, status=S.ACTIVE, title="Carte des jardins partagés")
    lecture = ProjectFactory(
        nonprofit=les_amis,
        status=S.ACCEPTED,
        title="Liseuse accessible",
        summary="Lecture adaptée aux enfants dyslexiques.",
    )
    lecture.causes.set(Cause.objects.filter(slug="education"))
    lecture.skills.set(Skill.objects.filter(slug="accessibility"))
    lecture.languages.set(Language.objects.filter(slug__in=["fr", "en"]))

    def titles(**params):
        response = client.get(reverse("projects:project_list"), params)
        return {p.title for p in response.context["page"].object_list}

    assert titles(q="jardins") == {jardin.title}
    assert titles(q="dyslexiques") == {lecture.title}
    assert titles(cause="education") == {lecture.title}
    assert titles(skill="accessibility") == {lecture.title}
    assert titles(language="en") == {lecture.title}
    assert titles(status="active") == {jardin.title}
    assert titles() == {jardin.title, lecture.title}
    api = client.get("/api/v1/projects", {"cause": "education"}).json()
    assert [p["title"] for p in api["items"]] == [lecture.title]


def test_an_unknown_filter_value_is_reported_not_crashed(client, les_amis):
    ProjectFactory(nonprofit=les_amis, status=S.ACTIVE)
    response = client.get(reverse("projects:project_list"), {"cause": "martian", "status": "draft"})
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in response.content.decode()


def test_an_htmx_search_returns_only_the_results_fragment(client, les_amis):
    ProjectFactory(nonprofit=les_amis, status=S.ACTIVE, title="Carte")
    response = client.get(
        reverse("projects:project_list"), {"q": "Carte"}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert 'id="results"' in body
    assert "<html" not in body


@pytest.mark.parametrize("count", [10, 200])
def test_the_public_list_answers_in_a_bounded_number_of_queries(
    client, les_amis, count, django_assert_max_num_queries
):
    causes = list(Cause.objects.all()[:3])
    skills = list(Skill.objects.all()[:3])
    projects = Project.objects.bulk_create(
        [
            Project(
                nonprofit=les_amis,
                title=f"P{n}",
                summary="s",
                problem="p",
                beneficiaries="b",
                deliverables="d",
                effort_days=300,
                status=S.ACTIVE,
            )
            for n in range(count)
        ]
    )
    for project in projects:
        project.causes.set(causes)
        project.skills.set(skills)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("projects:project_list")).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get("/api/v1/projects").status_code == 200


@pytest.fixture
def nadia_token(nadia):
    return {
        "Authorization": f"Bearer {account_services.api_token_create(user=nadia, name='t').raw}"
    }


def api_body(les_amis, **overrides):
    body = {
        "nonprofit_id": les_amis.pk,
        "title": "Carte",
        "summary": "Une carte.",
        "problem": "Rien n'existe.",
        "beneficiaries": "Les habitants.",
        "deliverables": "Une application.",
        "effort_days": 300,
        "causes": ["environment-climate"],
        "skills": ["python"],
        "languages": ["fr"],
    }
    body.update(overrides)
    return json.dumps(body)


def test_the_api_creates_and_submits_a_proposal_through_the_services(
    client, les_amis, nadia_token, fabien
):
    response = client.post(
        "/api/v1/projects",
        api_body(les_amis, field_lead_email=fabien.email),
        content_type="application/json",
        headers=nadia_token,
    )
    assert response.status_code == 201
    project_id = response.json()["id"]
    response = client.post(
        f"/api/v1/projects/{project_id}/transitions",
        json.dumps({"to": "submitted"}),
        content_type="application/json",
        headers=nadia_token,
    )
    assert response.status_code == 200
    assert response.json()["status"] == "submitted"
    # Under review: a second submission is not a step that exists.
    again = client.post(
        f"/api/v1/projects/{project_id}/transitions",
        json.dumps({"to": "accepted"}),
        content_type="application/json",
        headers={**nadia_token, "Accept-Language": "fr"},
    )
    assert again.status_code == 403
    assert again.json()["error"]["code"] == "forbidden"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"effort_days": 0}, "effort_days"),
        ({"effort_days": -10}, "effort_days"),
        ({"causes": ["martian"]}, "causes"),
        ({"skills": ["juggling"]}, "skills"),
        ({"causes": []}, "causes"),
    ],
)
def test_the_api_refuses_bad_proposals_with_the_field_named(
    client, les_amis, nadia_token, overrides, field
):
    response = client.post(
        "/api/v1/projects",
        api_body(les_amis, **overrides),
        content_type="application/json",
        headers=nadia_token,
    )
    assert response.status_code == 422
    assert field in response.json()["error"]["fields"]
    assert not Project.objects.exists()


def test_the_api_refuses_a_transition_not_allowed_from_the_state(
    client, les_amis, nadia_token, nadia
):
    project = ProjectFactory(nonprofit=les_amis, created_by=nadia)
    response = client.post(
        f"/api/v1/projects/{project.pk}/transitions",
        json.dumps({"to": "completed"}),
        content_type="application/json",
        headers=nadia_token,
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"
    project.refresh_from_db()
    assert project.status == S.DRAFT


def test_another_organisation_cannot_create_for_the_nonprofit(client, les_amis, charlie):
    token = {
        "Authorization": f"Bearer {account_services.api_token_create(user=charlie, name='t').raw}"
    }
    response = client.post(
        "/api/v1/projects", api_body(les_amis), content_type="application/json", headers=token
    )
    assert response.status_code == 404
    assert not Project.objects.exists()


def test_the_public_page_shows_the_tasks_done(client, les_amis, fabien):
    from decimal import Decimal

    from relais.work import services as work_services

    project = ProjectFactory(nonprofit=les_amis, status=S.ACTIVE, field_lead=fabien)
    for n in range(3):
        work_services.task_create(
            lead=fabien,
            project=project,
            title=f"T{n}",
            brief="b",
            acceptance_criteria="c",
            estimate_hours=Decimal(2),
        )
    from relais.work.models import Task

    Task.objects.filter(title="T0").update(status="done")
    body = client.get(
        reverse("projects:project_detail", kwargs={"project_pk": project.pk})
    ).content.decode()
    assert "1 tâche terminée sur 3" in body


def test_a_visitor_on_a_public_project_is_offered_a_next_step(client, les_amis):
    from relais.projects.tests.factories import ProjectFactory

    project = ProjectFactory(nonprofit=les_amis, status=S.ACTIVE)
    page = client.get(reverse("projects:project_detail", kwargs={"project_pk": project.pk}))
    text = page.content.decode()
    assert reverse("account_signup") in text
    assert reverse("projects:diagnosis") in text
    assert reverse("bench:estimate") in text
