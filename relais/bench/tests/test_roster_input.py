"""Bad roster files get a clear message and write nothing: bombs, absurd cells, odd encodings."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from relais.accounts.models import User
from relais.bench import roster
from relais.bench.models import ConsultantProfile

pytestmark = pytest.mark.django_db

HEADER = "email,first_name,last_name,job_title,tjm,daily_cost,skills,employee_id"


def upload(client, firm, name: str, data: bytes):
    return client.post(
        reverse("bench:roster", kwargs={"organisation_pk": firm.pk}),
        {"file": SimpleUploadedFile(name, data)},
    )


def errors_of(response) -> list[str]:
    return [reason for _line, reason in response.context["check"].errors]


def nothing_written() -> bool:
    return not ConsultantProfile.objects.exists() and User.objects.count() == 1  # Alice


def xlsx(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    data = io.BytesIO()
    book.save(data)
    return data.getvalue()


def with_sheet_xml(workbook: bytes, sheet_xml: bytes) -> bytes:
    """The same workbook with its first sheet's XML replaced."""
    source = zipfile.ZipFile(io.BytesIO(workbook))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            target.writestr(
                item, sheet_xml if item.filename == "xl/worksheets/sheet1.xml" else data
            )
    return out.getvalue()


def test_a_zip_bomb_is_refused_before_it_is_parsed(client, alice, acme, monkeypatch):
    rows = b"".join(
        b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>x</t></is></c></row>' % (n, n)
        for n in range(1, 2)
    )
    filler = b"<row/>" * (5 * 1024 * 1024)  # 30 MB once unpacked, a few kilobytes packed
    sheet = (
        b'<?xml version="1.0" encoding="UTF-8"?><worksheet '
        b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        + rows
        + filler
        + b"</sheetData></worksheet>"
    )
    bomb = with_sheet_xml(xlsx([HEADER.split(",")]), sheet)
    assert len(bomb) < 200 * 1024
    import openpyxl

    def never(*args, **kwargs):
        raise AssertionError("the bomb reached the XML parser")

    monkeypatch.setattr(openpyxl, "load_workbook", never)
    client.force_login(alice)
    response = upload(client, acme, "roster.xlsx", bomb)
    assert response.status_code == 400
    assert "plus de 20 Mo" in response.context["file_error"]
    assert nothing_written()


def test_a_roster_past_the_row_limit_is_refused(client, alice, acme, monkeypatch):
    monkeypatch.setattr(roster, "MAX_ROWS", 50)
    rows = [HEADER.split(",")] + [
        [f"c{n}@acme.example", "C", "N", "", "", "", "", ""] for n in range(60)
    ]
    client.force_login(alice)
    response = upload(client, acme, "roster.xlsx", xlsx(rows))
    assert response.status_code == 400
    assert "50" in response.context["file_error"]
    assert nothing_written()


def test_a_workbook_with_an_xml_entity_is_refused_as_unsafe(client, alice, acme):
    sheet = (
        b'<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY lol "lol">]>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol;</t></is></c></row>'
        b"</sheetData></worksheet>"
    )
    client.force_login(alice)
    response = upload(client, acme, "roster.xlsx", with_sheet_xml(xlsx([["email"]]), sheet))
    assert response.status_code == 400
    assert "DTD" in response.context["file_error"]
    assert nothing_written()


@pytest.mark.parametrize(
    "sheet",
    [b"<worksheet><sheetData><row>", b"not xml at all", b'<?xml version="1.0"?><other/>'],
)
def test_a_malformed_sheet_is_refused(client, alice, acme, sheet):
    client.force_login(alice)
    response = upload(client, acme, "roster.xlsx", with_sheet_xml(xlsx([["email"]]), sheet))
    assert response.status_code == 400
    assert response.context["file_error"]
    assert nothing_written()


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        ("x@acme.example,Jean,Bon,Dev,NaN,300,,", "NaN"),
        ("x@acme.example,Jean,Bon,Dev,Infinity,300,,", "Infinity"),
        ("x@acme.example,Jean,Bon,Dev,-Infinity,300,,", "-Infinity"),
        ("x@acme.example,Jean,Bon,Dev,1e30,300,,", "1e30"),
        ("x@acme.example,Jean,Bon,Dev,500,0.001,,", "0.001"),
        ("x@acme.example,Jean,Bon,Dev,-500,300,,", "TJM"),
        ("x@acme.example," + "J" * 151 + ",Bon,Dev,500,300,,", "150"),
        ("x@acme.example,Jean," + "B" * 151 + ",Dev,500,300,,", "150"),
        ("x@acme.example,Jean,Bon," + "D" * 151 + ",500,300,,", "150"),
        ("x@acme.example,Jean,Bon,Dev,500,300,," + "E" * 51, "50"),
        ("x" * 250 + "@acme.example,Jean,Bon,Dev,500,300,,", "254"),
        ('x@acme.example,"Jean\nBcc: y@evil.example",Bon,Dev,500,300,,', ""),
    ],
)
def test_an_absurd_cell_gets_a_message_on_its_row_and_nothing_is_written(
    client, alice, acme, cells, expected
):
    client.force_login(alice)
    response = upload(client, acme, "roster.csv", f"{HEADER}\n{cells}\n".encode())
    assert response.status_code == 400
    # The row number, and what is wrong in words that stay when translated (value, limit).
    assert [line for line, _reason in response.context["check"].errors] == [2]
    assert expected in " ".join(errors_of(response))
    assert nothing_written()


def test_money_cells_are_read_to_the_cent_and_absurd_ones_refused():
    assert roster._money("512,50 €", "TJM") == 512_50
    assert roster._money("1 200", "TJM") == 1200_00
    for absurd in ["NaN", "sNaN", "Infinity", "1e30", "0.001", "-3", "0", "abc"]:
        with pytest.raises(ValueError):
            roster._money(absurd, "TJM")


def test_a_csv_saved_by_french_excel_is_read(client, alice, acme):
    text = (
        "Courriel;Prénom;Nom;Poste;TJM (€);Coût journalier;Compétences;Matricule\r\n"
        "helene@acme.example;Hélène;Dupré;Développeuse;512,50;300;;E1\r\n"
    )
    client.force_login(alice)
    response = upload(client, acme, "roster.csv", text.encode("cp1252"))
    assert response.status_code == 200
    row = response.context["check"].rows[0]
    assert (row.first_name, row.last_name, row.tjm_cents) == ("Hélène", "Dupré", 512_50)


def test_a_csv_with_a_gigantic_cell_is_refused(client, alice, acme):
    client.force_login(alice)
    data = f'{HEADER}\nx@acme.example,"{"a" * 200_000}",B,,,,,\n'.encode()
    response = upload(client, acme, "roster.csv", data)
    assert response.status_code == 400
    assert response.context["file_error"]
    assert nothing_written()
