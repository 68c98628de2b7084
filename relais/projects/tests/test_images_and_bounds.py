"""Stored values are bounded and what they claim to be: images judged by their bytes, no
decompression bomb, no 5 MB brief; a picture whose file is gone is a 404, not a 500."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from relais.core.validators import PROSE_MAX
from relais.projects import services
from relais.projects.models import ProjectImage, ProjectStatus
from relais.projects.tests.test_proposals import form_data

pytestmark = pytest.mark.django_db


def image_bytes(kind: str, size=(40, 30), mode="RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size).save(buffer, kind)
    return buffer.getvalue()


def upload(client, project, content, name):
    return client.post(
        reverse("projects:image_add", kwargs={"project_pk": project.pk}),
        {
            "image": SimpleUploadedFile(name, content, content_type="application/pdf"),
            "alt_text": "Le jardin",
        },
    )


def image_url(image):
    return reverse("projects:image", kwargs={"project_pk": image.project_id, "image_pk": image.pk})


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_a_gif_named_pdf_is_stored_and_served_as_a_gif(client, draft, nadia, media):
    client.force_login(nadia)

    assert upload(client, draft, image_bytes("GIF"), name="rapport.pdf").status_code == 302

    image = ProjectImage.objects.get()
    assert image.image.name.endswith(".gif")
    response = client.get(image_url(image))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/gif"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_png_named_jpg_is_stored_as_a_png(client, draft, nadia, media):
    client.force_login(nadia)

    upload(client, draft, image_bytes("PNG"), name="photo.jpg")

    image = ProjectImage.objects.get()
    assert image.image.name.endswith(".png")
    assert client.get(image_url(image))["Content-Type"] == "image/png"


def test_a_hundred_megapixel_png_of_a_few_kilobytes_is_refused(client, draft, nadia, media):
    bomb = image_bytes("PNG", size=(10_000, 10_000), mode="1")
    assert len(bomb) < 100_000
    client.force_login(nadia)

    response = upload(client, draft, bomb, name="bombe.png")

    assert response.status_code == 400
    assert "mégapixels" in response.content.decode() or "megapixels" in response.content.decode()
    assert not ProjectImage.objects.exists()


def test_the_service_refuses_a_decompression_bomb_too(draft, nadia, media):
    bomb = SimpleUploadedFile("bombe.png", image_bytes("PNG", size=(10_000, 10_000), mode="1"))

    with pytest.raises(ValidationError) as refused:
        services.project_image_add(user=nadia, project=draft, image=bomb, alt_text="x")

    assert "image" in refused.value.message_dict
    assert not ProjectImage.objects.exists()


def test_a_picture_whose_file_is_gone_is_a_404_and_its_pages_still_open(
    client, draft, nadia, media
):
    client.force_login(nadia)
    upload(client, draft, image_bytes("PNG"), name="photo.png")
    image = ProjectImage.objects.get()
    default_storage.delete(image.image.name)
    draft.status = ProjectStatus.ACCEPTED
    draft.save(update_fields=["status"])

    assert client.get(image_url(image)).status_code == 404
    workspace = client.get(reverse("projects:workspace", kwargs={"project_pk": draft.pk}))
    assert workspace.status_code == 200
    client.logout()
    public = client.get(reverse("projects:project_detail", kwargs={"project_pk": draft.pk}))
    assert public.status_code == 200
    assert image_url(image) in public.content.decode()


def test_a_five_megabyte_problem_is_refused_by_the_form(client, draft, nadia):
    client.force_login(nadia)

    response = client.post(
        reverse("projects:project_edit", kwargs={"project_pk": draft.pk}),
        form_data(problem="x" * 5_000_000),
    )

    assert response.status_code == 200  # the form again, with its message
    assert "10000" in response.content.decode() or "10 000" in response.content.decode()
    draft.refresh_from_db()
    assert len(draft.problem) < PROSE_MAX


def test_the_service_refuses_a_problem_of_200_000_characters(draft, nadia):
    with pytest.raises(ValidationError) as refused:
        services.project_update(user=nadia, project=draft, problem="x" * 200_000)

    assert "problem" in refused.value.message_dict
    draft.refresh_from_db()
    assert len(draft.problem) < PROSE_MAX


def test_the_api_refuses_a_problem_longer_than_the_limit(client, draft, nadia):
    client.force_login(nadia)

    response = client.patch(
        f"/api/v1/projects/{draft.pk}",
        {"problem": "x" * (PROSE_MAX + 1)},
        content_type="application/json",
    )

    assert response.status_code == 422
    assert "problem" in response.json()["error"]["fields"]
