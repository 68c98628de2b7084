"""French pages and emails elide "de" before a name that starts with a vowel."""

from __future__ import annotations

import pytest
from django.urls import reverse

from relais.core.elision import elide, elide_html
from relais.core.mail import render_email


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Date de rappel de Emmanuel", "Date de rappel d’Emmanuel"),
        ("les consultant·es de Octave Conseil", "les consultant·es d’Octave Conseil"),
        ("Cercle de Émilie", "Cercle d’Émilie"),
        ("de Yves et de Yann", "d’Yves et de Yann"),
        ("de Hugo, de Marc", "de Hugo, de Marc"),
        ("de avril", "de avril"),  # a common noun is the translator's to write
        ("M. De Angelis", "M. De Angelis"),  # a surname
        ("Le monde Entier", "Le monde Entier"),
    ],
)
def test_de_is_elided_before_a_name_that_starts_with_a_vowel(text, expected):
    assert elide(text) == expected


def test_tags_attributes_form_fields_and_code_are_left_as_they_are():
    html = (
        '<label for="x">Date de rappel de Emmanuel</label>'
        '<input value="de Alice"><textarea name="t">de Alice</textarea>'
        '<p title="de Eve">de Eve</p><pre>de Alpha</pre><code>de Alpha</code>'
    )
    assert elide_html(html) == (
        '<label for="x">Date de rappel d’Emmanuel</label>'
        '<input value="de Alice"><textarea name="t">de Alice</textarea>'
        '<p title="de Eve">d’Eve</p><pre>de Alpha</pre><code>de Alpha</code>'
    )


@pytest.mark.django_db
def test_a_french_page_elides_and_an_english_one_does_not(client, alice, acme):
    from relais.accounts.models import Organisation

    Organisation.objects.filter(pk=acme.pk).update(name="Octave Conseil")
    client.force_login(alice)
    url = reverse("bench:bench_periods", kwargs={"organisation_pk": acme.pk})
    response = client.post(url, {"consultant_email": "x@example.org", "start": "2026-11-20"})
    assert response.status_code == 400
    assert "Aucun·e consultant·e d’Octave Conseil n’a cette adresse e-mail." in (
        response.content.decode()
    )
    assert "de Octave" not in response.content.decode()
    alice.language = "en"
    alice.save(update_fields=["language"])
    english = client.post(url, {"consultant_email": "x@example.org", "start": "2026-11-20"})
    assert "No consultant of Octave Conseil has this email address." in english.content.decode()


def test_a_french_email_is_elided_and_an_english_one_is_not():
    context = {
        "step": "ended_planned",
        "mission": {"consultant": {"display_name": "Émilie Durand"}, "project": {"title": "Carte"}},
    }
    french, _body = render_email(
        "bench/email/mission_subject.txt", "bench/email/welcome_message.txt", context, language="fr"
    )
    english, _body = render_email(
        "bench/email/mission_subject.txt", "bench/email/welcome_message.txt", context, language="en"
    )
    assert french == "[Relais] La mission d’Émilie Durand sur « Carte » est terminée"
    assert english == "[Relais] The mission of Émilie Durand on “Carte” has ended"
