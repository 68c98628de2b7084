"""How subscriptions are collected: one small protocol, and its default implementation, SEPA
direct debit by file (a pain.008 the operator hands to its bank, no card provider needed).

Another provider (a payment API) would implement the same two methods; the services only call
`provider()`."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from django.conf import settings
from django.utils.translation import gettext as _
from schwifty import BIC, IBAN
from schwifty.exceptions import SchwiftyException
from stdnum.eu import at_02

from relais.core.errors import Conflict, Invalid

# The characters the SEPA rulebook allows in a mandate reference (RUM), at most 35.
RUM_PATTERN = re.compile(r"^[A-Za-z0-9+?/\-:().,' ]{1,35}$")


@dataclass(frozen=True)
class DebitLine:
    """One debit to collect: who, how much (cents), under which mandate."""

    end_to_end_id: str
    amount_cents: int
    sequence: str  # FRST or RCUR
    rum: str
    signed_on: dt.date
    holder_name: str
    iban: str
    bic: str
    description: str


@dataclass(frozen=True)
class Creditor:
    identifier: str
    name: str
    iban: str
    bic: str


class PaymentProvider(Protocol):
    """What Relais asks of a way to collect subscriptions."""

    def export(self, *, lines: list[DebitLine], collection_date: dt.date, version: str) -> bytes:
        """The document (file) that asks the bank to collect these debits, already checked."""
        ...

    def message_id(self, document: bytes) -> str:
        """The identifier the document carries (to find it again)."""
        ...


def normalised_iban(value: str) -> str:
    """The IBAN without spaces, upper-case, checked (country, length, check digits)."""
    try:
        return str(IBAN(value.strip()).compact)
    except (SchwiftyException, ValueError):
        raise Invalid(
            _("This IBAN is not valid: check its country code, length and check digits."),
            fields={"iban": [_("This IBAN is not valid.")]},
        ) from None


def normalised_bic(value: str) -> str:
    try:
        return str(BIC(value.strip()).compact)
    except (SchwiftyException, ValueError):
        raise Invalid(
            _("This BIC is not valid: 8 or 11 letters and digits."),
            fields={"bic": [_("This BIC is not valid.")]},
        ) from None


def creditor() -> Creditor:
    """The operator as SEPA creditor, from the settings, each value checked."""
    identifier = settings.SEPA_CREDITOR_ID.replace(" ", "").upper()
    if not at_02.is_valid(identifier):
        raise Conflict(
            _("The creditor identifier (RELAIS_SEPA_CREDITOR_ID) is not a valid SEPA identifier.")
        )
    try:
        iban = str(IBAN(settings.SEPA_CREDITOR_IBAN).compact)
        bic = str(BIC(settings.SEPA_CREDITOR_BIC).compact)
    except (SchwiftyException, ValueError):
        raise Conflict(
            _("The creditor's account (RELAIS_SEPA_CREDITOR_IBAN, _BIC) is not valid.")
        ) from None
    return Creditor(identifier, settings.SEPA_CREDITOR_NAME[:70], iban, bic)


def validate_against_xsd(document: bytes, version: str) -> None:
    """Checks the file against the XSD of its version shipped with sepaxml; refuses it if not."""
    import sepaxml
    import xmlschema

    path = Path(sepaxml.__file__).parent / "schemas" / f"{version}.xsd"
    schema = xmlschema.XMLSchema(str(path))
    errors = [str(e.reason) for e in schema.iter_errors(document.decode())]
    if errors:
        raise Conflict(
            _("The collection file does not pass its XSD check: %(errors)s")
            % {"errors": "; ".join(errors[:3])}
        )


class SepaFileProvider:
    """SEPA direct debit (CORE, recurrent) exported as pain.008 with sepaxml."""

    def export(self, *, lines: list[DebitLine], collection_date: dt.date, version: str) -> bytes:
        from sepaxml import SepaDD

        who = creditor()
        config = {
            "name": who.name,
            "IBAN": who.iban,
            "BIC": who.bic,
            "batch": True,
            "creditor_id": who.identifier,
            "currency": "EUR",
            "instrument": "CORE",
        }
        sepa = SepaDD(config, schema=version, clean=True)
        for line in lines:
            sepa.add_payment(
                {
                    "name": line.holder_name,
                    "IBAN": line.iban,
                    "BIC": line.bic,
                    "amount": line.amount_cents,
                    "type": line.sequence,
                    "collection_date": collection_date,
                    "mandate_id": line.rum,
                    "mandate_date": line.signed_on,
                    "description": line.description,
                    "endtoend_id": line.end_to_end_id,
                }
            )
        document: bytes = sepa.export(validate=False)
        validate_against_xsd(document, version)
        return document

    def message_id(self, document: bytes) -> str:
        match = re.search(rb"<MsgId>([^<]+)</MsgId>", document)
        return match.group(1).decode() if match else ""


def provider() -> PaymentProvider:
    """The way subscriptions are collected (SEPA files by default)."""
    return SepaFileProvider()
