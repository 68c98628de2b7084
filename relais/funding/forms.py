"""Forms of circles, mandates and collections: they parse and validate input; services write."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from relais.accounts.models import Organisation, OrganisationKind, Role, User
from relais.funding.models import (
    CIRCLE_DESCRIPTION_MAX,
    BillingPeriod,
    PainVersion,
    SubscriptionTier,
)

RETURNS_MAX_BYTES = 2 * 1024 * 1024


class CircleForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=CIRCLE_DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    firm = forms.ModelChoiceField(
        label=_("Open to"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("Consultants of every firm"),
        help_text=_("A circle of your firm admits its consultants only."),
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["firm"].queryset = Organisation.objects.filter(  # type: ignore[attr-defined]
            kind=OrganisationKind.FIRM, pk__in=user.organisation_ids(Role.CONSULTANT)
        ).order_by("name")


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Colleague's email address"), max_length=254)


class MandateForm(forms.Form):
    tier = forms.ModelChoiceField(
        label=_("Subscription (a year)"),
        queryset=SubscriptionTier.objects.filter(active=True),
        empty_label=None,
        widget=forms.RadioSelect,
    )
    billing = forms.ChoiceField(
        label=_("Paid"), choices=BillingPeriod.choices, widget=forms.RadioSelect
    )
    holder_name = forms.CharField(label=_("Account holder"), max_length=70)
    iban = forms.CharField(label=_("IBAN"), max_length=42)
    bic = forms.CharField(label=_("BIC"), max_length=15)
    rum = forms.CharField(
        label=_("Mandate reference (RUM)"),
        max_length=35,
        required=False,
        help_text=_("Leave empty: Relais gives your mandate its own reference."),
    )
    agree = forms.BooleanField(
        label=_(
            "I authorise the creditor above to send instructions to my bank to debit my account, "
            "and my bank to debit my account in accordance with those instructions."
        )
    )


class CollectionRunForm(forms.Form):
    period = forms.DateField(
        label=_("Month to collect (any day of it)"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    version = forms.ChoiceField(
        label=_("File format"),
        choices=PainVersion.choices,
        initial=PainVersion.V08,
        help_text=_(
            "pain.008.001.08 is the current EPC version; 001.02 for banks that still ask for it."
        ),
    )

    def clean_period(self) -> dt.date:
        value: dt.date = self.cleaned_data["period"]
        if value.year < 2000 or value > timezone.localdate() + dt.timedelta(days=366):
            raise forms.ValidationError(_("Choose a month near today."))
        return value


class ReturnsForm(forms.Form):
    file = forms.FileField(
        label=_("Bank returns (CSV)"),
        help_text=_("Columns: rum, end_to_end_id, amount, reason_code (e.g. AM04)."),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > RETURNS_MAX_BYTES:
            raise forms.ValidationError(_("This file is too large (2 MB at most)."))
        return upload
