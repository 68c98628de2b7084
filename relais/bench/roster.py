"""Reading a roster file (CSV or XLSX) into checked rows, before anything is written.

Every bad row is reported with its number and reason; a file with any bad row, or that is not
a readable CSV or XLSX, is refused whole.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from relais.core.models import Skill

COLUMNS = [
    "email",
    "first_name",
    "last_name",
    "job_title",
    "tjm",
    "daily_cost",
    "skills",
    "employee_id",
]
REQUIRED = {"email", "first_name", "last_name"}
# Headers people write, mapped to the columns above (French and English).
ALIASES = {
    "e-mail": "email", "courriel": "email", "mail": "email",
    "prénom": "first_name", "prenom": "first_name", "first name": "first_name",
    "nom": "last_name", "last name": "last_name",
    "poste": "job_title", "fonction": "job_title", "job title": "job_title",
    "tjm (€)": "tjm", "taux journalier": "tjm",
    "coût journalier": "daily_cost", "cout journalier": "daily_cost", "daily cost": "daily_cost",
    "coût journalier chargé": "daily_cost",
    "compétences": "skills", "competences": "skills",
    "matricule": "employee_id", "employee id": "employee_id",
}  # fmt: skip
MAX_ROWS = 5000


class RosterFileError(Exception):
    """The file as a whole cannot be read; the message is for the user."""


@dataclass
class RosterRow:
    line: int
    email: str
    first_name: str
    last_name: str
    job_title: str = ""
    tjm_cents: int = 0
    daily_cost_cents: int = 0
    skills: list[str] = field(default_factory=list)
    employee_id: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class RosterCheck:
    rows: list[RosterRow]
    errors: list[tuple[int, str]]


def _table(upload: IO[bytes], name: str) -> list[list[str]]:
    data = upload.read()
    if name.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, ValueError, OSError):
            raise RosterFileError(_("This file is not a readable XLSX workbook.")) from None
        sheet = book.worksheets[0]
        return [
            ["" if cell is None else str(cell).strip() for cell in row]
            for row in sheet.iter_rows(values_only=True)
        ]
    if name.lower().endswith(".csv"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise RosterFileError(_("This CSV file is not encoded in UTF-8.")) from None
        if "\x00" in text:
            raise RosterFileError(_("This file is not a CSV text file."))
        try:
            dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        return [[cell.strip() for cell in row] for row in csv.reader(io.StringIO(text), dialect)]
    raise RosterFileError(_("Send a .csv or .xlsx file."))


def _money(value: str, label: str) -> int:
    if not value:
        return 0
    try:
        amount = Decimal(
            value.replace("€", "").replace(" ", "").replace("\u202f", "").replace(",", ".")
        )
    except InvalidOperation:
        raise ValueError(
            _("%(label)s is not a number: “%(value)s”") % {"label": label, "value": value}
        ) from None
    if amount <= 0:
        raise ValueError(_("%(label)s must be a positive number") % {"label": label})
    return int((amount * 100).to_integral_value())


def check(upload: IO[bytes], name: str) -> RosterCheck:
    """Reads and checks every row; writes nothing."""
    table = [row for row in _table(upload, name) if any(cell for cell in row)]
    if not table:
        raise RosterFileError(_("The file is empty."))
    if len(table) > MAX_ROWS + 1:
        raise RosterFileError(_("A roster has at most %(max)s rows.") % {"max": MAX_ROWS})
    header = [ALIASES.get(h.strip().lower(), h.strip().lower()) for h in table[0]]
    missing = REQUIRED - set(header)
    if missing:
        raise RosterFileError(
            _("Columns missing from the first row: %(columns)s.")
            % {"columns": ", ".join(sorted(missing))}
        )
    known_skills = {s.slug: s.slug for s in Skill.objects.all()}
    known_skills.update({s.name_fr.lower(): s.slug for s in Skill.objects.all()})
    known_skills.update({s.name_en.lower(): s.slug for s in Skill.objects.all()})
    rows: list[RosterRow] = []
    errors: list[tuple[int, str]] = []
    seen_emails: dict[str, int] = {}
    seen_ids: dict[str, int] = {}
    for number, cells in enumerate(table[1:], start=2):
        values = {header[i]: cells[i] if i < len(cells) else "" for i in range(len(header))}
        problems = []
        email = values.get("email", "").lower()
        try:
            validate_email(email)
        except ValidationError:
            problems.append(_("bad email address “%(email)s”") % {"email": email or "—"})
        for name_field in ("first_name", "last_name"):
            if not values.get(name_field):
                problems.append(
                    _("%(field)s is missing")
                    % {"field": _("first name") if name_field == "first_name" else _("last name")}
                )
        try:
            tjm = _money(values.get("tjm", ""), _("TJM"))
        except ValueError as error:
            problems.append(str(error))
            tjm = 0
        try:
            cost = _money(values.get("daily_cost", ""), _("daily cost"))
        except ValueError as error:
            problems.append(str(error))
            cost = 0
        skills = []
        for raw in filter(
            None, (s.strip().lower() for s in values.get("skills", "").replace(";", ",").split(","))
        ):
            if raw in known_skills:
                skills.append(known_skills[raw])
            else:
                problems.append(_("unknown skill “%(skill)s”") % {"skill": raw})
        if email in seen_emails:
            problems.append(
                _("duplicate of row %(row)s in this file") % {"row": seen_emails[email]}
            )
        employee_id = values.get("employee_id", "")
        if employee_id and employee_id in seen_ids:
            problems.append(
                _("employee id already on row %(row)s") % {"row": seen_ids[employee_id]}
            )
        seen_emails.setdefault(email, number)
        if employee_id:
            seen_ids.setdefault(employee_id, number)
        if problems:
            errors.extend((number, problem) for problem in problems)
            continue
        rows.append(
            RosterRow(
                line=number,
                email=email,
                first_name=values["first_name"],
                last_name=values["last_name"],
                job_title=values.get("job_title", ""),
                tjm_cents=tjm,
                daily_cost_cents=cost,
                skills=skills,
                employee_id=employee_id,
            )
        )
    return RosterCheck(rows, errors)
