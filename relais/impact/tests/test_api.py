"""The impact API: each operation's success and a refusal."""

from __future__ import annotations

import pytest
from django.utils.translation import gettext, override

from relais.bench.tests.pdftext import pdf_text
from relais.core.tests.api import Api
from relais.impact import services
from relais.impact.models import Credential, MissionWords
from relais.impact.tests.conftest import finish_task

pytestmark = pytest.mark.django_db


def test_credentials_are_listed_for_their_holder(client, mission, bob):
    services.credential_issue(consultant=bob, mission=mission)
    response = Api(client, bob).get("/api/v1/credentials")
    assert response.status_code == 200
    assert response.json()["count"] == 1
    assert Api(client).get("/api/v1/credentials").status_code == 401


def test_one_credential_is_served_as_a_compact_jws(client, mission, bob, charlie):
    credential = services.credential_issue(consultant=bob, mission=mission)
    response = Api(client, bob).get(f"/api/v1/credentials/{credential.public_id}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vc+jwt"
    assert response.content.decode().count(".") == 2
    refused = Api(client, charlie).get(f"/api/v1/credentials/{credential.public_id}")
    assert refused.status_code == 404


def test_the_holder_revokes_once(client, mission, bob):
    credential = services.credential_issue(consultant=bob, mission=mission)
    api = Api(client, bob)
    response = api.post(f"/api/v1/credentials/{credential.public_id}/revoke", {"reason": "r"})
    assert response.status_code == 200
    assert response.json()["revoked_at"]
    again = api.post(f"/api/v1/credentials/{credential.public_id}/revoke", {"reason": ""})
    assert again.status_code == 409


def test_the_consultant_asks_for_the_credential_of_their_mission(client, mission, bob, alice):
    response = Api(client, bob).post(f"/api/v1/missions/{mission.pk}/credential")
    assert response.status_code == 201
    assert Credential.objects.filter(mission=mission, consultant=bob).count() == 1
    refused = Api(client, alice).post(f"/api/v1/missions/{mission.pk}/credential")
    assert refused.status_code == 403


def test_the_platform_figures(client, mission, bob, fabien):
    finish_task(fabien, bob, mission.project)
    response = Api(client, bob).get("/api/v1/impact")
    assert response.status_code == 200
    assert response.json()["tasks_done"] == 1
    assert response.json()["projects"] == 1
    assert Api(client).get("/api/v1/impact").status_code == 401


def test_a_firms_figures_for_its_admins_only(client, mission, bob, alice, acme, fabien):
    finish_task(fabien, bob, mission.project)
    response = Api(client, alice).get(f"/api/v1/firms/{acme.pk}/impact")
    assert response.status_code == 200
    assert response.json()["tasks_done"] == 1
    assert response.json()["consultants"] == 1
    refused = Api(client, bob).get(f"/api/v1/firms/{acme.pk}/impact")
    assert refused.status_code == 403


def test_the_csr_report_in_french_and_english(client, mission, bob, alice, acme, fabien):
    finish_task(fabien, bob, mission.project)
    MissionWords.objects.create(mission=mission, author=fabien, text="Un travail remarquable.")
    api = Api(client, alice)
    texts = {}
    for language in ("fr", "en"):
        response = api.get(f"/api/v1/firms/{acme.pk}/csr-report.pdf", lang=language)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        texts[language] = pdf_text(response.content)
        with override(language):
            title = gettext("CSR report of %(name)s").replace("%(name)s", "").strip()
            assert gettext("Working days lent to nonprofits") in texts[language]
        assert title in texts[language]
        assert "ESRS S3-4" in texts[language]
        assert "Carte" in texts[language]
        assert "Un travail remarquable." in texts[language]
    assert Api(client, bob).get(f"/api/v1/firms/{acme.pk}/csr-report.pdf").status_code == 403
    bad = api.get(f"/api/v1/firms/{acme.pk}/csr-report.pdf", lang="de")
    assert bad.status_code == 422
