"""Reading a roster file (CSV or XLSX) into checked rows, before anything is written.

Every bad row is reported with its number and reason; a file with any bad row, or that is not
a readable CSV or XLSX, is refused whole. Files are bounded before they are parsed: at most
MAX_ROWS rows (read as a stream that stops there), and an XLSX (a zip) that would unpack beyond
MAX_UNCOMPRESSED_BYTES is refused unread.
"""

from __future__ import annotations

import csv
import io
import logging
import zipfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from decimal import Decimal, InvalidOperation
from typing import IO, TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from relais.accounts.validators import has_control_characters
from relais.core.models import Skill
from relais.core.validators import file_size

if TYPE_CHECKING:
    from relais.accounts.models import Organisation

logger = logging.getLogger(__name__)

COLUMNS = [
    "email",
    "first_name",
    "last_name",
    "job_title",
    "tjm",
    "daily_cost",
    "skills",
    "employee_id",
    # The cost basis of a non-profit loan (L8241-1), optional: a column left out keeps what the
    # firm recorded.
    "gross_daily_salary",
    "charges_rate",
    "daily_expenses",
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
    "adresse e-mail": "email", "adresse email": "email", "adresse mail": "email",
    "email address": "email", "e-mail address": "email",
    "nom de famille": "last_name", "family name": "last_name", "surname": "last_name",
    "intitulé du poste": "job_title", "intitule du poste": "job_title", "titre": "job_title",
    "tjm (eur)": "tjm", "daily rate": "tjm", "tjm (€ ht)": "tjm",
    "coût journalier (€)": "daily_cost", "daily cost (€)": "daily_cost",
    "skill": "skills", "compétence": "skills", "competence": "skills",
    "numéro de matricule": "employee_id", "identifiant": "employee_id",
    "salaire brut journalier": "gross_daily_salary", "gross daily salary": "gross_daily_salary",
    "taux de charges patronales": "charges_rate", "charges patronales (%)": "charges_rate",
    "employer charges rate": "charges_rate", "charges rate (%)": "charges_rate",
    "frais professionnels par jour": "daily_expenses", "frais journaliers": "daily_expenses",
    "daily expenses": "daily_expenses",
}  # fmt: skip
# The downloadable template's header, in the language of the person who downloads it (both are
# read back: every header here is a column name or one of the aliases above).
TEMPLATE_HEADERS = {
    "en": ["email", "first name", "last name", "job title", "tjm", "daily cost", "skills",
           "employee id"],
    "fr": ["courriel", "prénom", "nom", "poste", "tjm", "coût journalier", "compétences",
           "matricule"],
}  # fmt: skip
TEMPLATE_EXAMPLE = [
    "camille.martin@example.com", "Camille", "Martin", "Développeuse", "550", "380",
    "python, accessibility", "E-0042",
]  # fmt: skip


def template_rows(language: str) -> list[list[str]]:
    """The roster template: its header in `language` (French or English) and one example row."""
    header = TEMPLATE_HEADERS.get(language, TEMPLATE_HEADERS["en"])
    return [header, TEMPLATE_EXAMPLE]


MAX_ROWS = 5000
# An XLSX of MAX_ROWS rows unpacks to a few megabytes; more is a zip bomb, not a roster.
MAX_UNCOMPRESSED_BYTES = 20 * 1024 * 1024
MAX_ZIP_MEMBERS = 200
MAX_COLUMNS = 50
# What the database stores (User.email, first and last names, ConsultantProfile fields).
MAX_LENGTHS = {
    "email": 254,
    "first_name": 150,
    "last_name": 150,
    "job_title": 150,
    "employee_id": 50,
    "skills": 1000,
}
MAX_DAILY_EUROS = 100_000


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
    # None: the file has no such column (or an empty cell), the firm's record is kept.
    daily_gross_salary_cents: int | None = None
    employer_charges_rate: str | None = None  # a percentage, as text (kept in a signed preview)
    daily_expenses_cents: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class RosterCheck:
    rows: list[RosterRow]
    errors: list[tuple[int, str]]


def _too_many_rows() -> RosterFileError:
    return RosterFileError(
        _("A roster has at most %(max)s rows: split the file.") % {"max": MAX_ROWS}
    )


def _check_zip_sizes(data: bytes) -> None:
    """Refuses a workbook whose parts would unpack beyond MAX_UNCOMPRESSED_BYTES (a zip bomb),
    by the sizes the zip declares and by the bytes it actually inflates to."""
    too_big = RosterFileError(
        _(
            "This workbook unpacks to more than %(max)s: it cannot be a roster. "
            "Save it again from your spreadsheet, or export it as CSV."
        )
        % {"max": file_size(MAX_UNCOMPRESSED_BYTES)}
    )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
        if len(members) > MAX_ZIP_MEMBERS:
            raise too_big
        if sum(member.file_size for member in members) > MAX_UNCOMPRESSED_BYTES:
            raise too_big
        inflated = 0
        for member in members:
            with archive.open(member) as part:
                while chunk := part.read(1024 * 1024):
                    inflated += len(chunk)
                    if inflated > MAX_UNCOMPRESSED_BYTES:
                        raise too_big
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, EOFError):
        raise RosterFileError(_("This file is not a readable XLSX workbook.")) from None
    except RuntimeError:  # an encrypted member
        raise RosterFileError(
            _("This workbook is protected by a password: remove the protection and send it again.")
        ) from None


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        value = int(value)
    return str(value).strip()


def _xlsx_rows(data: bytes) -> Iterator[list[str]]:
    """Streams the first sheet's rows (openpyxl's read-only mode, which parses with defusedxml)."""
    from defusedxml import DefusedXmlException
    from openpyxl import load_workbook

    _check_zip_sizes(data)
    unreadable = RosterFileError(_("This file is not a readable XLSX workbook."))
    unsafe = RosterFileError(
        _(
            "This workbook contains XML declarations (a DTD or entities) that Relais refuses "
            "for safety. Save it again from your spreadsheet, or export it as CSV."
        )
    )
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        if not book.worksheets:
            raise unreadable
        sheet = book.worksheets[0]
        for row in sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True):
            yield [_cell(value) for value in row]
    except RosterFileError:
        raise
    except Exception as error:  # a malformed workbook fails in many ways inside openpyxl
        cause: BaseException | None = error
        while cause is not None:  # openpyxl wraps the parser's refusal in a ValueError
            if isinstance(cause, DefusedXmlException):
                raise unsafe from None
            cause = cause.__cause__ or cause.__context__
        logger.info("Unreadable XLSX roster", exc_info=True)
        raise unreadable from None


def _decode_csv(data: bytes) -> str:
    """UTF-8 (with or without a BOM), else Windows-1252, which French Excel writes."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise RosterFileError(
                _(
                    "This CSV file is neither UTF-8 nor Windows-1252 text. In your spreadsheet, "
                    "save it as “CSV UTF-8”."
                )
            ) from None
    if "\x00" in text:
        raise RosterFileError(_("This file is not a CSV text file."))
    return text


def _csv_rows(data: bytes) -> Iterator[list[str]]:
    text = _decode_csv(data)
    first = next((line for line in text.splitlines() if line.strip()), "")
    # The header names the columns: the separator is the one it uses most (French Excel: “;”).
    delimiter = max(",;\t", key=first.count)
    try:
        for row in csv.reader(io.StringIO(text), delimiter=delimiter):
            yield [cell.strip() for cell in row[:MAX_COLUMNS]]
    except csv.Error:
        raise RosterFileError(
            _("This CSV file is malformed (a cell is too long or a quote is not closed).")
        ) from None


def _table(upload: IO[bytes], name: str) -> list[list[str]]:
    """The non-empty rows of the file, read as a stream that stops past the row limit."""
    data = upload.read()
    lowered = name.lower()
    if lowered.endswith(".xlsx"):
        rows = _xlsx_rows(data)
    elif lowered.endswith(".csv"):
        rows = _csv_rows(data)
    else:
        raise RosterFileError(_("Send a .csv or .xlsx file."))
    table: list[list[str]] = []
    for read, row in enumerate(rows, start=1):
        # Blank rows count too, with room for the blank rows spreadsheets leave behind.
        if read > 2 * (MAX_ROWS + 1):
            raise _too_many_rows()
        if any(row):
            table.append(row)
            if len(table) > MAX_ROWS + 1:
                raise _too_many_rows()
    return table


def _shown(value: str) -> str:
    """A cell quoted back in a message, cut short."""
    return value if len(value) <= 60 else value[:57] + "…"


def _money(value: str, label: str) -> int:
    """An amount in euros typed in a cell, in integer cents: finite, positive, whole cents."""
    if not value:
        return 0
    cleaned = value.replace("€", "").replace(" ", "").replace("\u202f", "").replace("\xa0", "")
    try:
        amount = Decimal(cleaned.replace(",", "."))
    except InvalidOperation:
        amount = Decimal("NaN")
    if not amount.is_finite():
        raise ValueError(
            _("%(label)s is not a number: “%(value)s”") % {"label": label, "value": _shown(value)}
        )
    if amount <= 0:
        raise ValueError(_("%(label)s must be a positive number") % {"label": label})
    if amount > MAX_DAILY_EUROS:
        raise ValueError(
            _("%(label)s of %(value)s € is beyond %(max)s € a day")
            % {"label": label, "value": _shown(value), "max": MAX_DAILY_EUROS}
        )
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise ValueError(
            _("%(label)s has more than two decimals: “%(value)s”")
            % {"label": label, "value": _shown(value)}
        )
    return int(cents)


def _text_problems(values: dict[str, str]) -> list[str]:
    """Cells longer than what is stored, or holding line breaks or control characters."""
    problems = []
    for column, limit in MAX_LENGTHS.items():
        value = values.get(column, "")
        if len(value) > limit:
            problems.append(
                _("%(column)s is longer than %(max)s characters")
                % {"column": _column_label(column), "max": limit}
            )
        elif has_control_characters(value):
            problems.append(
                _("%(column)s contains a line break or a control character")
                % {"column": _column_label(column)}
            )
    return problems


def _column_label(column: str) -> str:
    labels = {
        "email": _("email address"),
        "first_name": _("first name"),
        "last_name": _("last name"),
        "job_title": _("job title"),
        "employee_id": _("employee id"),
        "skills": _("skills"),
    }
    return labels.get(column, column)


def check(upload: IO[bytes], name: str) -> RosterCheck:
    """Reads and checks every row; writes nothing."""
    table = _table(upload, name)
    if not table:
        raise RosterFileError(_("The file is empty."))
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
        problems = _text_problems(values)
        email = values.get("email", "").lower()
        if not problems:
            try:
                validate_email(email)
            except ValidationError:
                problems.append(
                    _("bad email address “%(email)s”") % {"email": _shown(email) or "—"}
                )
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
        cost_basis = _cost_basis(values, problems)
        skills = []
        for raw in filter(
            None,
            (
                s.strip().lower()
                for s in values.get("skills", "")[: MAX_LENGTHS["skills"]]
                .replace(";", ",")
                .split(",")
            ),
        ):
            if raw in known_skills:
                skills.append(known_skills[raw])
            else:
                problems.append(_("unknown skill “%(skill)s”") % {"skill": _shown(raw)})
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
                skills=sorted(set(skills)),
                employee_id=employee_id,
                **cost_basis,
            )
        )
    return RosterCheck(rows, errors)


def _cost_basis(values: dict[str, str], problems: list[str]) -> dict[str, Any]:
    """The optional cost columns of a row: gross daily salary and charges rate (both or
    neither), expenses per day; an empty cell keeps the firm's record."""
    basis: dict[str, Any] = {}
    gross, rate = values.get("gross_daily_salary", ""), values.get("charges_rate", "")
    if bool(gross) != bool(rate):
        problems.append(_("give the gross daily salary and the charges rate together"))
    elif gross:
        try:
            basis["daily_gross_salary_cents"] = _money(gross, _("gross daily salary"))
        except ValueError as error:
            problems.append(str(error))
        try:
            percent = Decimal(rate.replace("%", "").replace(",", ".").strip())
        except InvalidOperation:
            percent = Decimal("NaN")
        if not percent.is_finite() or not 0 <= percent <= 100 or percent != round(percent, 2):
            problems.append(
                _("charges rate is not a percentage: “%(value)s”") % {"value": _shown(rate)}
            )
        else:
            basis["employer_charges_rate"] = str(percent)
    if values.get("daily_expenses"):
        try:
            basis["daily_expenses_cents"] = _money(values["daily_expenses"], _("daily expenses"))
        except ValueError as error:
            problems.append(str(error))
    return basis


# --- What an import would do ---------------------------------------------------------------
#
# A roster import never changes an existing account's identity (email, names, password). Per row:
# - a consultant of this firm (found by employee id, then email) has the firm's data updated
#   (job title, rates, skills, employee id); a different address in the file is reported and
#   left alone: the person changes their address themselves, confirmed from the new one;
# - an address without an account gets a new account and a welcome email;
# - an address with an account gets an invitation from the firm: the person is linked (membership
#   and profile from the row) only when they accept it, signed in;
# - staff accounts and consultants of another firm cannot be added by a roster: the row is refused
#   with one message that says neither which.


class Outcome:
    CREATED = "created"
    INVITED = "invited"
    AWAITING = "awaiting"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    REFUSED = "refused"


@dataclass
class RowPlan:
    row: RosterRow
    outcome: str
    notes: list[str] = field(default_factory=list)
    error: str = ""
    profile_id: int | None = None
    user_id: int | None = None
    invitation_id: int | None = None

    @property
    def label(self) -> str:
        return {
            Outcome.CREATED: _("New account, welcome email sent"),
            Outcome.INVITED: _("Has an account: invitation emailed, linked once they accept"),
            Outcome.AWAITING: _("Already invited: waiting for their answer (no new email)"),
            Outcome.UPDATED: _("Updated"),
            Outcome.UNCHANGED: _("Unchanged"),
            Outcome.REFUSED: _("Refused"),
        }[self.outcome]


def roster_payload(row: RosterRow) -> dict[str, Any]:
    """What an invitation keeps of a roster row, applied only when the person accepts."""
    return {
        "source": "roster",
        "employee_id": row.employee_id,
        "job_title": row.job_title,
        "tjm_cents": row.tjm_cents,
        "daily_cost_cents": row.daily_cost_cents,
        "skills": sorted(row.skills),
        **_given_cost_basis(row),
    }


def _given_cost_basis(row: RosterRow) -> dict[str, Any]:
    """The cost columns the file gives (None: not given, the firm's record is kept)."""
    given: dict[str, Any] = {}
    if row.daily_gross_salary_cents is not None:
        given["daily_gross_salary_cents"] = row.daily_gross_salary_cents
        given["employer_charges_rate"] = row.employer_charges_rate
    if row.daily_expenses_cents is not None:
        given["daily_expenses_cents"] = row.daily_expenses_cents
    return given


def cannot_be_added_message() -> str:
    """One message for staff accounts and consultants of other firms: it tells neither."""
    return _(
        "this address cannot be added by a roster import. Invite the person from the members "
        "page (they decide whether to accept), or use another address."
    )


def _chunks(items: list[str], size: int = 500) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def plan(firm: Organisation, rows: list[RosterRow]) -> list[RowPlan]:
    """What importing these rows into the firm would do, row by row; reads only."""
    import datetime as dt

    from django.conf import settings
    from django.db.models.functions import Lower
    from django.utils import timezone

    from relais.accounts.models import Invitation, Role, User
    from relais.bench.models import ConsultantProfile

    profiles = list(
        ConsultantProfile.objects.filter(firm=firm)
        .select_related("user")
        .prefetch_related("skills__skill")
    )
    by_employee_id = {p.employee_id: p for p in profiles if p.employee_id}
    by_email = {p.user.email.lower(): p for p in profiles}
    emails = sorted({row.email for row in rows})
    users: dict[str, User] = {}
    for chunk in _chunks(emails):
        for found in (
            User.objects.annotate(email_lower=Lower("email"))
            .filter(email_lower__in=chunk)
            .prefetch_related("memberships")
        ):
            users[found.email.lower()] = found
    user_ids = [known.pk for known in users.values()]
    with_profile = set(
        ConsultantProfile.objects.filter(user_id__in=user_ids).values_list("user_id", flat=True)
    )
    oldest = timezone.now() - dt.timedelta(days=settings.INVITATION_MAX_AGE_DAYS)
    pending: dict[str, Invitation] = {}
    for chunk in _chunks(emails):
        for waiting in Invitation.objects.filter(
            organisation=firm,
            role=Role.CONSULTANT,
            email__in=chunk,
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            created_at__gte=oldest,
        ).order_by("created_at"):
            pending[waiting.email.lower()] = waiting

    plans: list[RowPlan] = []
    claimed: dict[int, int] = {}  # profile id → the row that designates it
    for row in rows:
        profile = by_employee_id.get(row.employee_id) if row.employee_id else None
        profile = profile or by_email.get(row.email)
        if profile is not None:
            if profile.pk in claimed:
                plans.append(
                    RowPlan(
                        row,
                        Outcome.REFUSED,
                        error=_("designates the same consultant as row %(row)s")
                        % {"row": claimed[profile.pk]},
                    )
                )
                continue
            claimed[profile.pk] = row.line
            plans.append(_plan_existing(row, profile))
            continue
        user = users.get(row.email)
        if user is None:
            plans.append(RowPlan(row, Outcome.CREATED))
            continue
        roles = {(m.organisation_id, m.role) for m in user.memberships.all()}
        is_staff = (
            user.is_staff
            or user.is_superuser
            or any(role == Role.OPERATOR_STAFF for _org, role in roles)
        )
        if is_staff or user.pk in with_profile:
            plans.append(RowPlan(row, Outcome.REFUSED, error=cannot_be_added_message()))
            continue
        if (firm.pk, Role.CONSULTANT) in roles:
            # Already a consultant of this firm (they accepted an invitation): the firm's data
            # is recorded; their account is not touched.
            plans.append(RowPlan(row, Outcome.UPDATED, user_id=user.pk))
            continue
        invitation = pending.get(row.email)
        if invitation is not None:
            plans.append(
                RowPlan(row, Outcome.AWAITING, user_id=user.pk, invitation_id=invitation.pk)
            )
            continue
        plans.append(RowPlan(row, Outcome.INVITED, user_id=user.pk))
    return plans


def _plan_existing(row: RosterRow, profile: Any) -> RowPlan:
    user = profile.user
    notes = []
    if user.email.lower() != row.email:
        notes.append(
            _(
                "The file gives %(file)s but the account's address is %(account)s: the address "
                "is not changed by an import. The person changes it in their settings, and "
                "confirms it from the new address."
            )
            % {"file": row.email, "account": user.email}
        )
    if (user.first_name, user.last_name) != (row.first_name, row.last_name):
        notes.append(
            _("Name kept as the person wrote it (%(name)s): only they change it.")
            % {"name": user.get_full_name() or user.email}
        )
    current = {
        "job_title": profile.job_title,
        "tjm_cents": profile.tjm_cents,
        "daily_cost_cents": profile.daily_cost_cents,
        "employee_id": profile.employee_id,
        "skills": sorted(s.skill.slug for s in profile.skills.all()),
    }
    wanted = {
        "job_title": row.job_title,
        "tjm_cents": row.tjm_cents,
        "daily_cost_cents": row.daily_cost_cents,
        "employee_id": row.employee_id,
        "skills": sorted(row.skills),
    }
    for name, value in _given_cost_basis(row).items():
        recorded = getattr(profile, name)
        current[name] = str(recorded) if name == "employer_charges_rate" else recorded
        wanted[name] = value
    outcome = Outcome.UNCHANGED if current == wanted else Outcome.UPDATED
    return RowPlan(row, outcome, notes=notes, profile_id=profile.pk, user_id=user.pk)
