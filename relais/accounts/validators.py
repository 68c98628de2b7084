"""Validators for French organisation identifiers (python-stdnum does the checksums)."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.fr import siren, siret, tva

# The RNA number (Répertoire national des associations) has no checksum and no stdnum module:
# "W" followed by nine digits, the first three being the department of the prefecture.
_RNA = re.compile(r"^W[0-9][0-9AB][0-9]{7}$")


def clean_siren(value: str) -> str:
    try:
        return str(siren.validate(value))
    except StdnumError:
        raise ValidationError(
            _("“%(value)s” is not a valid SIREN number (9 digits with a valid check digit)."),
            code="invalid_siren",
            params={"value": value},
        ) from None


def clean_siret(value: str) -> str:
    try:
        return str(siret.validate(value))
    except StdnumError:
        raise ValidationError(
            _("“%(value)s” is not a valid SIRET number (14 digits with a valid check digit)."),
            code="invalid_siret",
            params={"value": value},
        ) from None


def clean_vat_number(value: str) -> str:
    try:
        return "FR" + str(tva.validate(value))
    except StdnumError:
        raise ValidationError(
            _("“%(value)s” is not a valid French VAT number (FR followed by 11 characters)."),
            code="invalid_vat",
            params={"value": value},
        ) from None


def clean_rna(value: str) -> str:
    compact = value.replace(" ", "").upper()
    if not _RNA.match(compact):
        raise ValidationError(
            _("“%(value)s” is not a valid RNA number (W followed by 9 digits)."),
            code="invalid_rna",
            params={"value": value},
        )
    return compact


def compact_identifier(field: str, value: str) -> str:
    """Removes the spaces, dots and dashes people type in identifiers, before any check."""
    compactors = {"siren": siren.compact, "siret": siret.compact, "vat_number": tva.compact}
    value = value.strip()
    if field in compactors:
        compact = str(compactors[field](value))
        return "FR" + compact if field == "vat_number" and compact else compact
    return value.replace(" ", "").upper()


# Line breaks, tabs and the other C0/C1 control characters, and the Unicode line separators:
# a name or an address is one line, and it ends up in email subjects (which refuse new lines).
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def has_control_characters(value: str) -> bool:
    return bool(_CONTROL.search(value))


def validate_single_line(value: str) -> None:
    """Refuses a value with a line break or a control character (it would break an email)."""
    if has_control_characters(value):
        raise ValidationError(
            _("Write this on one line, without line breaks or control characters."),
            code="control_characters",
        )
