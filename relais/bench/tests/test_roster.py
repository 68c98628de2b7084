from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from relais.accounts.models import AuditEvent, Membership, Role, User
from relais.bench.models import ConsultantProfile

pytestmark = pytest.mark.django_db

HEADER = "email,first_name,last_name,job_title,tjm,daily_cost,skills,employee_id"


def csv_file(rows, name="roster.csv"):
    return SimpleUploadedFile(
        name, ("\n".join([HEADER, *rows]) + "\n").encode(), content_type="text/csv"
    )


def good_rows(count=20):
    return [
        f"c{n}@acme.example,Prénom{n},Nom{n},Développeuse,{500 + n},{300 + n},"
        f"python; frontend,E{n:03d}"
        for n in range(count)
    ]


def upload(client, acme, file):
    return client.post(reverse("bench:roster", kwargs={"organisation_pk": acme.pk}), {"file": file})


def apply(client, acme, response):
    payload = response.context["payload"]
    return client.post(
        reverse("bench:roster_apply", kwargs={"organisation_pk": acme.pk}), {"payload": payload}
    )


def test_a_roster_with_one_bad_row_writes_nothing_and_lists_every_problem(client, alice, acme):
    client.force_login(alice)
    rows = good_rows(20)
    rows[4] = "pas-un-email,Jean,Bon,Dev,abc,300,juggling,E999"
    rows[7] = rows[6]
    response = upload(client, acme, csv_file(rows))
    body = response.content.decode()
    assert response.status_code == 400
    assert "Ligne 6 : adresse e-mail incorrecte « pas-un-email »" in body
    assert "Ligne 6 : TJM n’est pas un nombre" in body
    assert "Ligne 6 : compétence inconnue « juggling »" in body
    assert "Ligne 9 : doublon de la ligne 8 dans ce fichier" in body
    assert not ConsultantProfile.objects.exists()


def test_a_good_roster_is_previewed_then_written_whole_and_reimporting_changes_nothing(
    client, alice, acme, django_capture_on_commit_callbacks
):
    from django.core import mail

    client.force_login(alice)
    preview = upload(client, acme, csv_file(good_rows(20)))
    assert preview.status_code == 200
    assert not ConsultantProfile.objects.exists()  # a preview writes nothing
    with django_capture_on_commit_callbacks(execute=True):
        apply(client, acme, preview)
    assert ConsultantProfile.objects.filter(firm=acme).count() == 20
    assert Membership.objects.filter(organisation=acme, role=Role.CONSULTANT).count() == 20
    profile = ConsultantProfile.objects.get(employee_id="E003")
    assert profile.tjm_cents == 503_00
    assert set(profile.skills.values_list("skill__slug", flat=True)) == {"python", "frontend"}
    assert len(mail.outbox) == 20
    again = apply(client, acme, upload(client, acme, csv_file(good_rows(20))))
    assert again.status_code == 302
    imported = AuditEvent.objects.filter(action="roster.imported").order_by("at", "id")
    assert imported.count() == 2
    assert imported.last().details == {
        "rows": 20,
        "created": 0,
        "invited": 0,
        "awaiting": 0,
        "updated": 0,
        "unchanged": 20,
    }
    assert len(mail.outbox) == 20  # no second welcome
    assert User.objects.filter(email__endswith="@acme.example").count() == 20 + 1  # and Alice


def test_a_changed_row_updates_the_firms_data_but_never_the_persons_address_or_name(
    client, alice, acme
):
    client.force_login(alice)
    apply(client, acme, upload(client, acme, csv_file(good_rows(3))))
    rows = good_rows(3)
    rows[1] = "nouvelle.adresse@acme.example,Autre,Nom,Architecte,900,600,python,E001"
    preview = upload(client, acme, csv_file(rows))
    assert preview.status_code == 200
    plan = preview.context["plans"][1]
    assert plan.outcome == "updated"
    assert any("c1@acme.example" in note for note in plan.notes)  # the address stays, and why
    apply(client, acme, preview)
    profile = ConsultantProfile.objects.get(employee_id="E001")
    assert profile.job_title == "Architecte"
    assert profile.user.email == "c1@acme.example"
    assert (profile.user.first_name, profile.user.last_name) == ("Prénom1", "Nom1")
    assert not User.objects.filter(email="nouvelle.adresse@acme.example").exists()
    assert ConsultantProfile.objects.count() == 3


def test_an_xlsx_roster_is_read(client, alice, acme):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    sheet.append(["x@acme.example", "Xavier", "Ray", "Dev", 550, 350, "python", "X1"])
    data = io.BytesIO()
    book.save(data)
    client.force_login(alice)
    response = upload(client, acme, SimpleUploadedFile("roster.xlsx", data.getvalue()))
    assert response.status_code == 200
    assert len(response.context["check"].rows) == 1


def test_a_file_that_is_not_an_xlsx_is_refused(client, alice, acme):
    client.force_login(alice)
    response = upload(client, acme, SimpleUploadedFile("roster.xlsx", b"this is not a zip"))
    assert response.status_code == 400
    assert "n’est pas un classeur XLSX lisible" in response.content.decode()
    assert not ConsultantProfile.objects.exists()


def test_a_50_megabyte_file_is_refused(client, alice, acme):
    client.force_login(alice)
    big = SimpleUploadedFile("roster.csv", b"a" * (50 * 1024 * 1024))
    response = upload(client, acme, big)
    assert response.status_code == 400
    assert "la limite est de" in response.content.decode()
    assert not ConsultantProfile.objects.exists()


def test_a_tampered_preview_is_refused(client, alice, acme):
    client.force_login(alice)
    response = client.post(
        reverse("bench:roster_apply", kwargs={"organisation_pk": acme.pk}), {"payload": "forged"}
    )
    assert response.status_code == 302
    assert not ConsultantProfile.objects.exists()


def test_a_consultant_cannot_import_a_roster(client, bob, acme):
    client.force_login(bob)
    assert upload(client, acme, csv_file(good_rows(1))).status_code == 403
