"""Forms of billing: they parse and validate input; services do the writing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from relais.bench.forms import EurosField
from relais.billing.models import PERCENT, CostCategory, InvoicingMode
from relais.core.validators import plausible_date


class MonthField(forms.DateField):
    """A month typed as YYYY-MM (the browser's month input), kept as its first day."""

    input_formats = ["%Y-%m", "%Y-%m-%d"]
    default_validators = [plausible_date]
    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
    default_error_messages = {"invalid": _("Give a month as YYYY-MM, such as 2026-03.")}

    def to_python(self, value: Any) -> dt.date | None:
        day = super().to_python(value)
        return day.replace(day=1) if day else None


class BillingSettingsForm(forms.Form):
    mode = forms.ChoiceField(
        label=_("Who issues the invoices of the fees owed to the firm"),
        choices=InvoicingMode.choices,
        widget=forms.RadioSelect,
    )
    accept_self_billing = forms.BooleanField(
        label=_(
            "We accept that Relais issues our fee invoices in our name and on our behalf "
            "(self-billing, CGI art. 289 I-2); we can contest an invoice and it is then "
            "corrected by a credit note."
        ),
        required=False,
    )
    vat_rate = forms.DecimalField(
        label=_("VAT rate (%)"),
        required=False,
        max_digits=5,
        decimal_places=2,
        validators=PERCENT,
        help_text=_("Leave empty when the fees are exempt from VAT, and give the mention."),
    )
    vat_exemption = forms.CharField(
        label=_("VAT exemption mention"),
        required=False,
        max_length=200,
        help_text=_("For example: TVA non applicable, art. 293 B du CGI."),
    )
    payment_days = forms.IntegerField(
        label=_("Payment due after (days)"), min_value=0, max_value=60
    )
    late_penalty_rate = forms.DecimalField(
        label=_("Late-payment penalty rate (% a year)"),
        max_digits=5,
        decimal_places=2,
        validators=PERCENT,
        help_text=_("At least three times the legal interest rate (Code de commerce L441-10)."),
    )


class CreditNoteForm(forms.Form):
    amount = EurosField(
        label=_("Amount taken back, excluding VAT (€)"),
        required=False,
        min_value=Decimal("0.01"),
        help_text=_("Leave empty to credit all that is not credited yet."),
    )
    reason = forms.CharField(label=_("Reason"), max_length=300)


class ReceiptIssueForm(forms.Form):
    signatory = forms.CharField(
        label=_("Signatory (name and title)"),
        max_length=200,
        help_text=_("The person who signs the receipt in your organisation's name."),
    )
    confirm = forms.BooleanField(
        label=_(
            "I have checked the figures and certify that the gifts qualify for the reduction "
            "of art. 238 bis CGI."
        )
    )


class ReceiptsPrepareForm(forms.Form):
    year = forms.IntegerField(label=_("Year (over)"), min_value=2000, max_value=2100)


class OperatorCostForm(forms.Form):
    month = MonthField(label=_("Month"))
    category = forms.ChoiceField(label=_("Category"), choices=CostCategory.choices)
    amount = EurosField(label=_("Amount (€)"), min_value=Decimal("0.01"))
    label = forms.CharField(label=_("Label"), max_length=200)


class MonthRunForm(forms.Form):
    month = MonthField(label=_("Month to invoice"))


def this_month() -> dt.date:
    return timezone.localdate().replace(day=1)
