from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from relais.core.models import Cause, Language, Skill
from relais.projects.models import Diagnosis, Project, ProjectImage
from relais.projects.models import ProjectStatus as S
from relais.projects.tests.test_diagnosis import GOOD

pytestmark = pytest.mark.django_db


def form_data(**overrides):
    data = {
        "title": "Carte des jardins",
        "summary": "Une carte ouverte des jardins partagés.",
        "problem": "Les habitants ne trouvent pas les jardins.",
        "beneficiaries": "Les habitants sans jardin.",
        "deliverables": "Une application web libre.",
        "effort_days": "300",
        "causes": [str(Cause.objects.get(slug="environment-climate").pk)],
        "skills": [str(Skill.objects.get(slug="python").pk)],
        "languages": [str(Language.objects.get(slug="fr").pk)],
        "licence": "AGPL-3.0-or-later",
    }
    data.update(overrides)
    return data


def test_a_nonprofit_admin_proposes_a_draft(client, nadia, fabien, les_amis):
    client.force_login(nadia)
    response = client.post(
        reverse("projects:project_create"),
        form_data(nonprofit=les_amis.pk, field_lead=fabien.pk),
    )
    project = Project.objects.get()
    assert response.status_code == 302
    assert project.status == S.DRAFT
    assert project.nonprofit == les_amis
    assert project.field_lead == fabien
    assert list(project.skills.values_list("slug", flat=True)) == ["python"]


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"effort_days": "0"}, "supérieure ou égale à 1"),
        ({"effort_days": "-3"}, "supérieure ou égale à 1"),
        ({"causes": ["99999"]}, "Sélectionnez un choix valide"),
        ({"skills": ["99999"]}, "Sélectionnez un choix valide"),
        ({"causes": []}, "Ce champ est obligatoire"),
        ({"title": ""}, "Ce champ est obligatoire"),
    ],
)
def test_bad_proposals_are_refused_with_a_message_and_nothing_is_written(
    client, nadia, les_amis, overrides, message
):
    client.force_login(nadia)
    response = client.post(
        reverse("projects:project_create"), form_data(nonprofit=les_amis.pk, **overrides)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Project.objects.exists()


def test_a_field_lead_from_another_organisation_is_refused(client, nadia, les_amis, alice):
    client.force_login(nadia)
    client.post(
        reverse("projects:project_create"), form_data(nonprofit=les_amis.pk, field_lead=alice.pk)
    )
    assert not Project.objects.exists()


def test_someone_without_a_nonprofit_is_told_to_register_one(client, charlie):
    client.force_login(charlie)
    response = client.get(reverse("projects:project_create"))
    assert response.status_code == 403
    assert "Inscrire votre structure" in response.content.decode()


def test_a_firm_admin_cannot_propose_for_a_nonprofit(client, charlie, les_amis):
    client.force_login(charlie)
    client.post(reverse("projects:project_create"), form_data(nonprofit=les_amis.pk))
    assert not Project.objects.exists()


def test_a_proposal_started_from_a_diagnosis_is_prefilled_and_attaches_it(client, nadia, les_amis):
    response = client.post(reverse("projects:diagnosis"), {**GOOD, "effort_days": 450})
    diagnosis = Diagnosis.objects.get()
    assert diagnosis.organisation is None  # taken anonymously
    client.force_login(nadia)
    url = reverse("projects:project_create") + f"?diagnosis={diagnosis.public_id}"
    assert 'value="450"' in client.get(url).content.decode()
    client.post(url, form_data(nonprofit=les_amis.pk))
    diagnosis.refresh_from_db()
    assert diagnosis.organisation == les_amis
    assert Project.objects.get().diagnosis == diagnosis
    assert response.status_code == 302


def test_a_proposal_cannot_be_edited_while_under_review(client, draft, nadia):
    from relais.projects import services

    services.project_transition(project=draft, actor=nadia, target=S.SUBMITTED)
    client.force_login(nadia)
    url = reverse("projects:project_edit", kwargs={"project_pk": draft.pk})
    response = client.post(url, form_data(title="Changed"))
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.title == "Carte des jardins"


def test_the_field_lead_reads_the_workspace_but_does_not_edit(client, draft, fabien):
    client.force_login(fabien)
    assert (
        client.get(reverse("projects:workspace", kwargs={"project_pk": draft.pk})).status_code
        == 200
    )
    edit = reverse("projects:project_edit", kwargs={"project_pk": draft.pk})
    assert client.post(edit, form_data(title="Changed")).status_code == 403


def png(size=(40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, "green").save(buffer, "PNG")
    return buffer.getvalue()


def upload(client, project, content, name="photo.png", alt="Le jardin en été"):
    return client.post(
        reverse("projects:image_add", kwargs={"project_pk": project.pk}),
        {"image": SimpleUploadedFile(name, content, content_type="image/png"), "alt_text": alt},
    )


def test_an_image_is_added_and_served_to_those_who_may_read_the_project(
    client, draft, nadia, charlie, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(nadia)
    assert upload(client, draft, png()).status_code == 302
    image = ProjectImage.objects.get()
    url = reverse("projects:image", kwargs={"project_pk": draft.pk, "image_pk": image.pk})
    assert client.get(url).status_code == 200
    client.force_login(charlie)
    assert client.get(url).status_code == 404  # a draft's pictures are private


def test_a_file_that_is_not_an_image_is_refused(client, draft, nadia, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(nadia)
    response = upload(client, draft, b"%PDF-1.4 not an image", name="doc.png")
    assert response.status_code == 400
    assert "Téléversez une image valide" in response.content.decode()
    assert not ProjectImage.objects.exists()


def test_an_oversized_image_is_refused(client, draft, nadia, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.IMAGE_MAX_BYTES = 1000
    client.force_login(nadia)
    response = upload(client, draft, png((400, 400)))
    assert response.status_code == 400
    assert "la limite est de" in response.content.decode()
    assert not ProjectImage.objects.exists()


def test_an_image_needs_a_description(client, draft, nadia, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(nadia)
    assert upload(client, draft, png(), alt="").status_code == 400
    assert not ProjectImage.objects.exists()
