from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.core.admin import ReadOnlyAdmin
from relais.funding.models import (
    Circle,
    CollectionRun,
    FundingRates,
    LedgerEntry,
    LedgerTransaction,
    SepaMandate,
    SubscriptionTier,
)


@admin.register(SubscriptionTier)
class SubscriptionTierAdmin(admin.ModelAdmin):
    """The yearly amounts offered to circle members (operator data); a tier in use is never
    deleted, only no longer offered."""

    list_display = ["name", "yearly_amount_cents", "active", "position"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # Members subscribed at this amount under a signed mandate: it may stop being offered
        # or move in the list, and a new amount is a new tier.
        if obj is not None and obj.memberships.exists():
            return ["name", "yearly_amount_cents"]
        return []

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None or not obj.memberships.exists()


class FundingRatesForm(forms.ModelForm):
    """A new or future row starts tomorrow at the earliest: a row dated in the past would change
    the rates of days already split and funded."""

    class Meta:
        model = FundingRates
        fields = ["valid_from", "operator_share", "sponsorship_rate"]

    def clean_valid_from(self) -> dt.date:
        day: dt.date = self.cleaned_data["valid_from"]
        if day <= timezone.localdate():
            raise ValidationError(
                _(
                    "New rates start tomorrow at the earliest: the rates of past days stay as "
                    "they were used."
                )
            )
        return day


@admin.register(FundingRates)
class FundingRatesAdmin(admin.ModelAdmin):
    """The operator's dated rates: add a row from a date on; past rows stay as they were used."""

    form = FundingRatesForm
    list_display = ["valid_from", "operator_share", "sponsorship_rate"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # A row in force has been used to split collections and fund days: a change is a new
        # row from a later date.
        if _in_force(obj):
            return ["valid_from", "operator_share", "sponsorship_rate"]
        return []

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return not _in_force(obj)


def _in_force(rates: FundingRates | None) -> bool:
    return rates is not None and rates.valid_from <= timezone.localdate()


@admin.register(Circle)
class CircleAdmin(ReadOnlyAdmin):
    """Created and run by its members on Relais."""

    list_display = ["name", "firm", "created_at"]


@admin.register(SepaMandate)
class SepaMandateAdmin(ReadOnlyAdmin):
    """Signed by the member on Relais; never edited here."""

    list_display = ["rum", "holder_name", "signed_on", "revoked_at"]
    exclude = ["iban"]


@admin.register(CollectionRun)
class CollectionRunAdmin(ReadOnlyAdmin):
    list_display = ["period", "collection_date", "count", "total_cents", "status"]
    exclude = ["document"]


class EntryInline(admin.TabularInline):
    model = LedgerEntry
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(LedgerTransaction)
class LedgerTransactionAdmin(ReadOnlyAdmin):
    """The ledger: balanced, immutable movements; a correction is a new transaction."""

    list_display = ["booked_on", "kind", "description", "reference"]
    list_filter = ["kind"]
    inlines = [EntryInline]
