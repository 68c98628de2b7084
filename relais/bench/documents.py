"""The loan agreement and the amendment to the employment contract: rendered to PDF once, at each
acceptance, and stored unchanged with their SHA-256. An accepted document is always served from
its stored file, never rendered again: renaming the consultant or editing the project later
changes nothing a party signed.

Both documents are legal texts: each PDF holds the French text (which prevails) followed by its
English translation, whatever the reader's language."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.utils import timezone

from relais.accounts.models import User
from relais.bench.models import AcceptanceParty, DocumentKind, Mission, MissionDocument

TEMPLATES = {
    DocumentKind.AGREEMENT: "bench/agreement.html",
    DocumentKind.AMENDMENT: "bench/amendment.html",
}
FILENAMES = {DocumentKind.AGREEMENT: "convention", DocumentKind.AMENDMENT: "avenant"}


def add_years(day: dt.date, years: int) -> dt.date:
    """The same day `years` later (28 February for a 29 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def last_day_allowed(start: dt.date) -> dt.date:
    """The last day of a loan that starts on `start`: three years at most (L8241-2)."""
    return add_years(start, 3) - dt.timedelta(days=1)


@dataclass(frozen=True)
class FeeBasis:
    """How the amount invoiced per day lent is determined: never above the cost of the day."""

    daily_gross_salary_cents: int | None
    employer_charges_cents: int | None
    daily_expenses_cents: int
    daily_cost_cents: int
    fee_per_day_cents: int


def fee_basis(mission: Mission) -> FeeBasis:
    """The mission's cost basis, from its snapshot fields: salary, social charges and expenses of
    a day lent, and the fee per day (capped at that cost: the loan is non-profit, L8241-1)."""
    salary = mission.daily_gross_salary_cents
    charges = (
        round(salary * mission.employer_charges_rate / 100)
        if salary is not None and mission.employer_charges_rate is not None
        else None
    )
    expenses = mission.daily_expenses_cents or 0
    cost = (
        salary + (charges or 0) + expenses
        if salary is not None
        else mission.daily_cost_cents + expenses
    )
    fee = 0
    if mission.mode == "fee":
        fee = min(round(mission.tjm_cents * mission.fee_rate / 100), cost)
    return FeeBasis(salary, charges, expenses, cost, fee)


def render(mission: Mission, kind: DocumentKind, *, draft: bool = False) -> bytes:
    """The document as a PDF, from the mission's data as it is now."""
    from weasyprint import HTML

    html = render_to_string(
        TEMPLATES[kind],
        {
            "mission": mission,
            "firm": mission.bench_period.firm,
            "beneficiary": mission.project.nonprofit,
            "basis": fee_basis(mission),
            "last_day": last_day_allowed(mission.start or timezone.localdate()),
            "draft": draft,
            "printed_on": timezone.localdate(),
        },
    )
    return bytes(HTML(string=html).write_pdf())


def freeze(
    mission: Mission,
    kind: DocumentKind,
    party: AcceptanceParty,
    *,
    user: User | None,
    at: dt.datetime,
    pdf: bytes | None = None,
) -> MissionDocument:
    """Stores the exact PDF a party accepts (rendered now unless given), with its SHA-256, for
    the mission's current document version."""
    pdf = render(mission, kind) if pdf is None else pdf
    digest = hashlib.sha256(pdf).hexdigest()
    name = (
        f"{FILENAMES[kind]}-{mission.agreement_number or mission.pk}"
        f"-v{mission.document_version}-{party}.pdf"
    )
    return MissionDocument.objects.create(
        mission=mission,
        kind=kind,
        version=mission.document_version,
        party=party,
        accepted_by=user,
        accepted_at=at,
        file=ContentFile(pdf, name=name),
        sha256=digest,
        language="fr+en",
    )


def latest(mission: Mission, kind: DocumentKind) -> MissionDocument | None:
    """The last stored acceptance of the document's latest version, or None if none is stored."""
    return (
        MissionDocument.objects.filter(mission=mission, kind=kind)
        .order_by("-version", "-accepted_at", "-id")
        .first()
    )


def stored_bytes(document: MissionDocument) -> bytes:
    """The stored file, exactly as it was accepted."""
    with document.file.open("rb") as handle:
        return bytes(handle.read())


def filename(document: MissionDocument) -> str:
    """The name a stored document is downloaded under."""
    prefix = FILENAMES[DocumentKind(document.kind)]
    return f"{prefix}-{document.mission.agreement_number}-v{document.version}.pdf"


def documents_of_erased_consultant_delete(*, consultant_id: int) -> int:
    """At erasure (refused while any signed document of the person must still be kept): the
    agreements and amendments of their missions go, files and rows, as the privacy notice says.
    Returns how many."""
    documents = list(MissionDocument.objects.filter(mission__consultant_id=consultant_id))
    for document in documents:
        document.file.delete(save=False)
        document.delete()
    return len(documents)
