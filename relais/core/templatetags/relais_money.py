"""Amounts kept in integer cents, shown in euros the French way (or the English one)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def euros(cents: int | None) -> str:
    if cents is None:
        return "—"
    amount = (Decimal(cents) / 100).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"{number_format(amount, decimal_pos=2, use_l10n=True, force_grouping=True)} €"


@register.filter
def cents_to_units(cents: int) -> str:
    return str((Decimal(cents) / 100).quantize(Decimal("0.01")))


@register.filter
def fee_per_day(tjm_cents: int, rate: Decimal) -> int:
    return int(
        (Decimal(tjm_cents) * Decimal(rate) / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    )
