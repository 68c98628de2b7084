"""The privacy notice and the legal notice: public, in the visitor's language, written by operator
staff only (audited), with a real default text until they do."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from relais.accounts.models import AuditEvent
from relais.bench.tasks import roster_welcome
from relais.site import privacy
from relais.site.models import LegalPage
from relais.site.services import legal_page_default, legal_pages_seed

pytestmark = pytest.mark.django_db

EDIT_PRIVACY_FR = reverse("site:legal_page_edit", kwargs={"kind": "privacy", "language": "fr"})


def test_anyone_reads_the_default_privacy_notice_in_their_language(client):
    english = client.get("/privacy/", headers={"Accept-Language": "en"})
    french = client.get("/privacy/", headers={"Accept-Language": "fr"})

    assert english.status_code == 200
    assert "CNIL" in english.content.decode()
    assert "Download my data" in english.content.decode()
    assert "Télécharger mes données" in french.content.decode()


def test_the_default_privacy_notice_states_the_retention_periods_the_job_applies():
    text = legal_page_default("privacy", "en")

    assert f"{privacy.INVITATION_KEPT_DAYS} days after they expired" in text
    assert f"{privacy.UNCONFIRMED_ACCOUNT_KEPT_DAYS} days after sign-up" in text
    assert f"{privacy.UNUSED_ROSTER_ROW_KEPT_DAYS} days" in text
    assert f"{privacy.SIGNED_DOCUMENTS_KEPT_YEARS} years after signature" in text
    assert "never leaves your firm" in text
    assert "$" not in text  # every placeholder of the template was filled


def test_the_default_legal_notice_marks_what_the_operator_must_complete(client):
    body = client.get("/legal/", headers={"Accept-Language": "en"}).content.decode()

    assert "OPERATOR TO COMPLETE" in body
    assert "Host" in body


def test_a_written_page_replaces_the_default_and_its_markdown_is_sanitised(client):
    LegalPage.objects.create(
        kind="legal", language="en", body="## Publisher\n\nRelais SAS <script>alert(1)</script>"
    )

    body = client.get("/legal/", headers={"Accept-Language": "en"}).content.decode()

    assert "Relais SAS" in body
    assert "<script>alert(1)" not in body
    assert "OPERATOR TO COMPLETE" not in body


def test_operator_staff_edit_a_page_and_the_change_is_audited(client, operator_staff):
    client.force_login(operator_staff)

    form = client.get(EDIT_PRIVACY_FR)
    response = client.post(EDIT_PRIVACY_FR, {"body": "## Responsable\n\nRelais SAS, Lyon."})

    assert form.status_code == 200
    assert "CNIL" in form.content.decode()  # the default text, to complete
    assert response.status_code == 302
    page = LegalPage.objects.get(kind="privacy", language="fr")
    assert page.updated_by == operator_staff
    assert (
        "Relais SAS, Lyon."
        in client.get("/privacy/", headers={"Accept-Language": "fr"}).content.decode()
    )
    event = AuditEvent.objects.get(action="legal_page.updated")
    assert event.actor == operator_staff
    assert event.details == {"kind": "privacy", "language": "fr"}


def test_an_empty_page_is_refused_with_a_message_and_nothing_changes(client, operator_staff):
    operator_staff.language = "en"
    operator_staff.save(update_fields=["language"])
    client.force_login(operator_staff)

    response = client.post(EDIT_PRIVACY_FR, {"body": "   "}, headers={"Accept-Language": "en"})

    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert not LegalPage.objects.exists()


@pytest.mark.parametrize("persona", ["alice", "bob", "nadia", "charlie"])
def test_nobody_but_operator_staff_finds_the_edit_pages(client, request, persona):
    client.force_login(request.getfixturevalue(persona))

    assert client.get(reverse("site:legal_pages")).status_code == 404
    assert client.get(EDIT_PRIVACY_FR).status_code == 404
    assert client.post(EDIT_PRIVACY_FR, {"body": "Piraté"}).status_code == 404
    assert not LegalPage.objects.exists()


def test_an_unknown_page_or_language_is_not_found_even_for_staff(client, operator_staff):
    client.force_login(operator_staff)

    assert client.get("/staff/legal/cookies/fr/").status_code == 404
    assert client.get("/staff/legal/privacy/de/").status_code == 404


def test_staff_see_which_pages_are_written(client, operator_staff):
    LegalPage.objects.create(kind="privacy", language="en", body="x", updated_by=operator_staff)
    operator_staff.language = "en"
    operator_staff.save(update_fields=["language"])
    client.force_login(operator_staff)

    body = client.get(
        reverse("site:legal_pages"), headers={"Accept-Language": "en"}
    ).content.decode()

    assert body.count("Default text") == 3
    assert EDIT_PRIVACY_FR in body


def test_the_demo_data_seeds_every_page_once():
    assert legal_pages_seed() == 4
    assert legal_pages_seed() == 0
    assert "CNIL" in LegalPage.objects.get(kind="privacy", language="fr").body


def test_the_legal_pages_are_read_only_in_the_admin(client, operator_staff):
    page = LegalPage.objects.create(kind="legal", language="fr", body="Avant")
    client.force_login(operator_staff)

    client.post(
        reverse("admin:site_legalpage_change", args=[page.pk]),
        {"kind": "legal", "language": "fr", "body": "Après"},
    )

    page.refresh_from_db()
    assert page.body == "Avant"


def test_the_welcome_email_of_a_new_consultant_links_the_privacy_notice(acme, bob):
    roster_welcome.call(user_id=bob.pk, firm_id=acme.pk)

    assert "/privacy/" in mail.outbox[0].body


def test_the_sign_up_page_links_the_privacy_and_legal_notices(client):
    body = client.get(reverse("account_signup")).content.decode()

    assert 'href="/privacy/"' in body
    assert 'href="/legal/"' in body


def test_the_staff_dashboard_links_to_the_legal_pages(client, operator_staff):
    client.force_login(operator_staff)

    assert reverse("site:legal_pages") in client.get(reverse("site:dashboard")).content.decode()
