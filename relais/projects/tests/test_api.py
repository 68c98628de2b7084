"""The projects API, endpoint by endpoint: the public catalogue for anyone, proposals for their
nonprofit's admins, and nothing of a draft for Charlie, who administers another firm."""

from __future__ import annotations

import pytest

from relais.core.tests.api import Api, error_code
from relais.projects.models import Project, ProjectStatus
from relais.projects.tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db

PROPOSAL = {
    "title": "Un annuaire des jardins",
    "summary": "Les jardins partagés du quartier, sur une carte.",
    "problem": "Personne ne les trouve.",
    "beneficiaries": "Les habitants.",
    "deliverables": "Un site.",
    "effort_days": 250,
    "causes": ["environment-climate"],
    "languages": ["fr"],
}


@pytest.fixture
def public(les_amis, fabien):
    return ProjectFactory(
        nonprofit=les_amis, field_lead=fabien, status=ProjectStatus.ACTIVE, title="Carte publique"
    )


def test_anyone_lists_the_public_projects_and_no_draft(client, public, draft):
    response = Api(client).get("/api/v1/projects")
    assert response.status_code == 200
    assert [p["title"] for p in response.json()["items"]] == ["Carte publique"]


def test_the_public_list_filters_by_status(client, public, draft):
    response = Api(client).get("/api/v1/projects", status="completed")
    assert response.status_code == 200
    assert response.json()["count"] == 0


def test_anyone_reads_a_public_project(client, public, fabien):
    response = Api(client).get(f"/api/v1/projects/{public.pk}")
    assert response.status_code == 200
    assert response.json()["title"] == "Carte publique"
    assert response.json()["field_lead"] == fabien.display_name


def test_a_draft_is_read_by_its_nonprofit_and_by_nobody_else(client, draft, nadia, charlie):
    assert Api(client, nadia).get(f"/api/v1/projects/{draft.pk}").status_code == 200
    for person in (charlie, None):
        response = Api(client, person).get(f"/api/v1/projects/{draft.pk}")
        assert response.status_code == 404
        assert "Carte des jardins" not in response.content.decode()


def test_a_nonprofit_admin_proposes_a_project_as_a_draft(client, les_amis, nadia):
    response = Api(client, nadia).post(
        "/api/v1/projects", {**PROPOSAL, "nonprofit_id": les_amis.pk}
    )
    assert response.status_code == 201
    assert response.json()["status"] == "draft"
    assert Project.objects.get().nonprofit == les_amis


def test_another_firms_admin_cannot_propose_for_the_nonprofit(client, les_amis, charlie):
    response = Api(client, charlie).post(
        "/api/v1/projects", {**PROPOSAL, "nonprofit_id": les_amis.pk}
    )
    assert response.status_code == 404
    assert not Project.objects.exists()


def test_a_field_lead_cannot_propose_for_the_nonprofit(client, les_amis, fabien):
    response = Api(client, fabien).post(
        "/api/v1/projects", {**PROPOSAL, "nonprofit_id": les_amis.pk}
    )
    assert response.status_code == 403
    assert not Project.objects.exists()


def test_an_unknown_cause_is_named(client, les_amis, nadia):
    response = Api(client, nadia).post(
        "/api/v1/projects", {**PROPOSAL, "nonprofit_id": les_amis.pk, "causes": ["nope"]}
    )
    assert response.status_code == 422
    assert "nope" in response.json()["error"]["fields"]["causes"][0]
    assert not Project.objects.exists()


def test_the_nonprofit_admin_changes_the_proposal(client, draft, nadia):
    response = Api(client, nadia).patch(
        f"/api/v1/projects/{draft.pk}", {"title": "Carte des vergers", "effort_days": 400}
    )
    assert response.status_code == 200
    draft.refresh_from_db()
    assert (draft.title, draft.effort_days) == ("Carte des vergers", 400)


@pytest.mark.parametrize(("persona", "status"), [("fabien", 403), ("charlie", 404)])
def test_only_the_nonprofits_admins_change_a_proposal(client, request, draft, persona, status):
    user = request.getfixturevalue(persona)
    response = Api(client, user).patch(f"/api/v1/projects/{draft.pk}", {"title": "Piraté"})
    assert response.status_code == status
    draft.refresh_from_db()
    assert draft.title == "Carte des jardins"


def test_a_proposal_under_review_cannot_be_changed(client, draft, nadia):
    Project.objects.filter(pk=draft.pk).update(status=ProjectStatus.SUBMITTED)
    response = Api(client, nadia).patch(f"/api/v1/projects/{draft.pk}", {"title": "Après"})
    assert response.status_code == 409
    assert error_code(response) == "conflict"
    draft.refresh_from_db()
    assert draft.title == "Carte des jardins"


def test_a_field_lead_who_is_not_a_member_is_refused(client, draft, nadia, charlie):
    response = Api(client, nadia).patch(
        f"/api/v1/projects/{draft.pk}", {"field_lead_email": charlie.email}
    )
    assert response.status_code == 422
    assert "field_lead" in response.json()["error"]["fields"]


def test_the_nonprofit_admin_submits_the_draft_once(client, draft, nadia):
    api = Api(client, nadia)
    response = api.post(f"/api/v1/projects/{draft.pk}/transitions", {"to": "submitted"})
    assert response.status_code == 200
    assert response.json()["status"] == "submitted"
    again = api.post(f"/api/v1/projects/{draft.pk}/transitions", {"to": "submitted"})
    assert again.status_code == 409


def test_an_unknown_status_is_named(client, draft, nadia):
    response = Api(client, nadia).post(
        f"/api/v1/projects/{draft.pk}/transitions", {"to": "launched"}
    )
    assert response.status_code == 422
    assert "to" in response.json()["error"]["fields"]


@pytest.mark.parametrize(("persona", "status"), [("fabien", 403), ("charlie", 404)])
def test_only_the_nonprofits_admins_submit(client, request, draft, persona, status):
    user = request.getfixturevalue(persona)
    response = Api(client, user).post(
        f"/api/v1/projects/{draft.pk}/transitions", {"to": "submitted"}
    )
    assert response.status_code == status
    draft.refresh_from_db()
    assert draft.status == ProjectStatus.DRAFT


def test_a_filter_longer_than_allowed_is_refused(client, public):
    response = Api(client).get("/api/v1/projects", q="jardin" * 100)
    assert response.status_code == 422
    assert "q" in response.json()["error"]["fields"]
