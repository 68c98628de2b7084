"""Every form field renders through `as_field_group` and the project's template: help text and
errors are linked to their input, so a screen reader reads them with it."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.urls import reverse

from relais.accounts.forms import ApiTokenForm

pytestmark = pytest.mark.django_db


class _Page(HTMLParser):
    """The elements of a page by id (attributes and text inside), and every input's attributes."""

    VOID = {"input", "br", "img", "meta", "link", "hr", "source", "area", "col", "wbr"}

    def __init__(self, html: str) -> None:
        super().__init__()
        self.by_id: dict[str, dict[str, str]] = {}
        self.text_of: dict[str, str] = {}
        self.by_name: dict[str, dict[str, str]] = {}
        self._open: list[str | None] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {key: value or "" for key, value in attrs}
        values["tag"] = tag
        if "id" in values:
            self.by_id[values["id"]] = values
            self.text_of.setdefault(values["id"], "")
        if tag in {"input", "select", "textarea"} and "name" in values:
            self.by_name.setdefault(values["name"], values)
        if tag not in self.VOID:
            self._open.append(values.get("id"))

    def handle_endtag(self, tag: str) -> None:
        if tag not in self.VOID and self._open:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        for element_id in self._open:
            if element_id:
                self.text_of[element_id] += data

    def described_by(self, element: dict[str, str]) -> str:
        """The text a screen reader reads after the element's name."""
        ids = element.get("aria-describedby", "").split()
        return " ".join(self.text_of[i].strip() for i in ids if i in self.text_of)


def test_a_field_with_help_text_points_its_input_at_the_help():
    page = _Page(str(ApiTokenForm()["name"].as_field_group()))

    name = page.by_name["name"]
    assert name["aria-describedby"] == "id_name_helptext"
    assert page.by_id["id_name_helptext"]["class"] == "help"
    assert "outil de staffing" in page.described_by(name)


def test_a_field_keeps_the_look_and_the_required_mark_of_the_site():
    html = str(ApiTokenForm()["name"].as_field_group())

    assert html.strip().startswith('<div class="field">')
    assert '<label for="id_name">' in html
    assert '<span aria-hidden="true">*</span>' in html


def test_a_field_in_error_is_marked_invalid_and_linked_to_its_error(client, alice):
    client.force_login(alice)
    response = client.post(
        reverse("accounts:organisation_create", kwargs={"kind": "firm"}),
        {"name": "ESN Nina", "siren": "123"},
    )

    assert response.status_code == 200
    page = _Page(response.content.decode())
    siren = page.by_name["siren"]
    assert siren["aria-invalid"] == "true"
    assert siren["aria-describedby"].split() == ["id_siren_helptext", "id_siren_error"]
    assert "n’est pas un numéro SIREN valide" in page.text_of["id_siren_error"]
    assert "9 chiffres" in page.text_of["id_siren_helptext"]
    assert 'class="field has-error"' in response.content.decode()
    # A field without error is neither marked invalid nor described by an error.
    assert "aria-invalid" not in page.by_name["name"]


def test_a_radio_group_is_a_fieldset_described_by_its_error(client):
    response = client.get(reverse("bench:estimate"), {"headcount": "10", "mode": "nonsense"})

    assert response.status_code == 200
    html = response.content.decode()
    page = _Page(html)
    assert '<fieldset aria-describedby="id_mode_error">' in html
    assert "nonsense" in page.text_of["id_mode_error"]
    assert page.by_id["id_mode_0"]["aria-invalid"] == "true"


def test_no_template_includes_the_old_field_partial_any_more():
    root = Path(__file__).resolve().parents[2]
    includers = [
        str(path.relative_to(root))
        for path in root.rglob("*.html")
        if "accounts/_field.html" in path.read_text(encoding="utf-8")
    ]
    assert includers == []
    assert not (root / "accounts" / "templates" / "accounts" / "_field.html").exists()
