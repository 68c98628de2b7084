from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from relais.core import catalogue

pytestmark = pytest.mark.django_db


def test_every_string_of_the_code_has_a_french_translation():
    missing = [f"{m.source}: {m.msgid}" for m in catalogue.missing_translations()]
    assert missing == []


def test_the_extractor_finds_template_and_python_strings():
    msgids = {m.msgid for m in catalogue.extract()}
    assert "Skip to content" in msgids  # base.html
    assert "Give the token a name." in msgids  # services.py
    assert "Hello, %(name)s" in msgids  # blocktranslate with a variable


def test_the_compiled_catalogue_is_loaded():
    with translation.override("fr"):
        assert translation.gettext("Skip to content") == "Aller au contenu"


def test_the_site_speaks_french_by_default(client):
    body = client.get(reverse("site:home")).content.decode()
    assert '<html lang="fr">' in body
    assert "Aller au contenu" in body


def test_the_language_switcher_turns_the_site_to_english(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    body = client.get(reverse("site:home")).content.decode()
    assert '<html lang="en">' in body
    assert "Skip to content" in body


@pytest.mark.parametrize(
    ("size", "french", "english"),
    [
        (512, "512 octets", "512 bytes"),
        (5 * 1024 * 1024, "5 Mo", "5 MB"),
        (1536 * 1024, "1,5 Mo", "1.5 MB"),
        (120 * 1024, "120 ko", "120 KB"),
        (3 * 1024**3, "3 Go", "3 GB"),
    ],
)
def test_file_sizes_are_written_with_the_units_people_read(size, french, english):
    from relais.core.validators import file_size

    with translation.override("fr"):
        assert file_size(size) == french
    with translation.override("en"):
        assert file_size(size) == english


def test_a_refused_upload_states_its_limit_in_mo_not_mio(client, django_user_model):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from relais.accounts.services import sponsorship_evidence_check

    big = SimpleUploadedFile("statuts.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024))
    with translation.override("fr"), pytest.raises(Exception) as refused:
        sponsorship_evidence_check(big)
    assert "10 Mo" in str(refused.value)
    assert "Mio" not in str(refused.value)
