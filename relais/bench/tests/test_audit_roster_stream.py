"""Issue 8, hole 4 (audit): "stream rows and stop at the row limit". The existing tests show a long
roster is refused; these show the reader stops pulling rows from the file soon after the limit,
for CSV and XLSX alike, instead of reading every row first."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from relais.bench import roster
from relais.bench.models import ConsultantProfile

pytestmark = pytest.mark.django_db

HEADER = ["email", "first_name", "last_name", "job_title", "tjm", "daily_cost", "skills", "id"]
LIMIT = 20
ROWS = 2_000


def counting(monkeypatch, reader_name: str) -> list[int]:
    """Wraps one of the roster's row readers to count the rows pulled from it."""
    pulled = [0]
    reader = getattr(roster, reader_name)

    def counted(data: bytes):
        for row in reader(data):
            pulled[0] += 1
            yield row

    monkeypatch.setattr(roster, reader_name, counted)
    monkeypatch.setattr(roster, "MAX_ROWS", LIMIT)
    return pulled


def _rows() -> list[list[str]]:
    people = [[f"c{n}@acme.example", "C", f"N{n}", "", "", "", "", ""] for n in range(ROWS)]
    return [HEADER, *people]


def _upload(client, firm, name: str, data: bytes):
    return client.post(
        reverse("bench:roster", kwargs={"organisation_pk": firm.pk}),
        {"file": SimpleUploadedFile(name, data)},
    )


def _refused_after_reading_little(response, pulled: list[int]) -> None:
    assert response.status_code == 400
    assert str(LIMIT) in response.context["file_error"]
    # The limit, its header row, and the blank rows a spreadsheet may leave: never the file.
    assert pulled[0] <= 2 * (LIMIT + 1) + 1, pulled[0]
    assert not ConsultantProfile.objects.exists()


def test_a_long_csv_is_refused_after_reading_just_past_the_limit(client, alice, acme, monkeypatch):
    pulled = counting(monkeypatch, "_csv_rows")
    text = "\n".join(",".join(row) for row in _rows()) + "\n"
    client.force_login(alice)

    response = _upload(client, acme, "roster.csv", text.encode())

    _refused_after_reading_little(response, pulled)


def test_a_long_workbook_is_refused_after_reading_just_past_the_limit(
    client, alice, acme, monkeypatch
):
    pulled = counting(monkeypatch, "_xlsx_rows")
    book = Workbook()
    for row in _rows():
        book.active.append(row)
    data = io.BytesIO()
    book.save(data)
    client.force_login(alice)

    response = _upload(client, acme, "roster.xlsx", data.getvalue())

    _refused_after_reading_little(response, pulled)


def test_blank_rows_count_towards_the_limit_too(client, alice, acme, monkeypatch):
    pulled = counting(monkeypatch, "_csv_rows")
    blank = ",,,,,,,"
    text = ",".join(HEADER) + "\n" + (blank + "\n") * ROWS + "a@acme.example,A,B,,,,,\n"
    client.force_login(alice)

    response = _upload(client, acme, "roster.csv", text.encode())

    _refused_after_reading_little(response, pulled)
