"""Forms of the accounts app: they parse and validate input, services do the writing."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from relais.accounts.models import (
    ROLES_BY_KIND,
    Organisation,
    OrganisationKind,
    SponsorshipCategory,
    User,
)
from relais.accounts.validators import compact_identifier, validate_single_line
from relais.core.models import Cause

IDENTIFIERS = {"siren", "siret", "vat_number", "rna"}
_COMMON = ["name", "address_line", "postcode", "city"]
FIELDS_BY_KIND: dict[OrganisationKind, list[str]] = {
    OrganisationKind.FIRM: [*_COMMON[:1], "siren", "siret", "vat_number", *_COMMON[1:]],
    OrganisationKind.NONPROFIT: [
        *_COMMON[:1],
        "legal_form",
        "siren",
        "rna",
        "general_interest",
        *_COMMON[1:],
        "causes",
    ],
    OrganisationKind.OPERATOR: [*_COMMON[:1], "siren", *_COMMON[1:]],
}


class OrganisationForm(forms.ModelForm[Organisation]):
    """The details of a firm or a nonprofit; which fields show depends on the kind."""

    class Meta:
        model = Organisation
        fields = sorted({f for fields in FIELDS_BY_KIND.values() for f in fields})
        widgets = {"causes": forms.CheckboxSelectMultiple}
        help_texts = {
            "siren": _("9 digits, as on the Kbis or the INSEE notice."),
            "siret": _("14 digits: the SIREN followed by the establishment number."),
            "vat_number": _("For example FR44732829320."),
            "rna": _("W followed by 9 digits, as on the prefecture's receipt."),
        }

    def __init__(self, *args: Any, kind: OrganisationKind, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instance.kind = kind
        for name in list(self.fields):
            if name not in FIELDS_BY_KIND[kind]:
                del self.fields[name]
        self.order_fields(FIELDS_BY_KIND[kind])
        if "causes" in self.fields:
            self.fields["causes"].queryset = Cause.objects.all()  # type: ignore[attr-defined]
        if kind == OrganisationKind.FIRM:
            self.fields["siren"].required = True
        elif {"siren", "rna"} <= self.fields.keys():
            # One of the two is required: say so on both (the model checks it).
            for name in ("siren", "rna"):
                self.fields[name].label = _("%(label)s (SIREN or RNA required)") % {
                    "label": self.fields[name].label
                }
        for name in IDENTIFIERS & self.fields.keys():
            # People type identifiers with spaces: allow them in, compact them in _clean_identifier.
            self.fields[name].widget.attrs.pop("maxlength", None)
            self.fields[name].validators = []

    def clean_siren(self) -> str:
        return compact_identifier("siren", self.cleaned_data["siren"])

    def clean_siret(self) -> str:
        return compact_identifier("siret", self.cleaned_data["siret"])

    def clean_vat_number(self) -> str:
        return compact_identifier("vat_number", self.cleaned_data["vat_number"])

    def clean_rna(self) -> str:
        return compact_identifier("rna", self.cleaned_data["rna"])

    def service_fields(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("name", None)
        return data


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("Email address"), max_length=254)
    role = forms.ChoiceField(label=_("Role"))

    def __init__(self, *args: Any, organisation: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        roles = ROLES_BY_KIND[OrganisationKind(organisation.kind)]
        self.fields["role"].choices = [(r.value, r.label) for r in roles]  # type: ignore[attr-defined]
        if roles:
            self.fields["role"].initial = roles[-1].value


class AcceptWithNewAccountForm(forms.Form):
    first_name = forms.CharField(
        label=_("First name"), max_length=150, validators=[validate_single_line]
    )
    last_name = forms.CharField(
        label=_("Last name"), max_length=150, validators=[validate_single_line]
    )
    password1 = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        strip=False,
    )
    password2 = forms.CharField(
        label=_("Password (again)"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        strip=False,
    )

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords differ."))
        elif p1:
            probe = User(
                email=self.email,
                first_name=data.get("first_name", ""),
                last_name=data.get("last_name", ""),
            )
            try:
                password_validation.validate_password(p1, probe)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class ProfileForm(forms.Form):
    first_name = forms.CharField(
        label=_("First name"), max_length=150, required=False, validators=[validate_single_line]
    )
    last_name = forms.CharField(
        label=_("Last name"), max_length=150, required=False, validators=[validate_single_line]
    )
    language = forms.ChoiceField(
        label=_("Language"),
        choices=settings.LANGUAGES,
        required=False,
        help_text=_("The language of the site once you are signed in, and of the emails you get."),
    )


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=100,
        help_text=_("What will use it, for example “staffing tool”."),
    )
    lifetime_days = forms.TypedChoiceField(
        label=_("Valid for"),
        coerce=int,
        choices=[(30, _("30 days")), (90, _("90 days")), (365, _("365 days"))],
        initial=90,
        required=False,
        empty_value=90,  # type: ignore[arg-type]
        help_text=_("The token stops working after this; changing your password revokes it too."),
    )


class SponsorshipEvidenceForm(forms.Form):
    """A nonprofit's category of art. 238 bis CGI and its supporting document."""

    sponsorship_category = forms.ChoiceField(
        label=_("General-interest category (art. 238 bis CGI)"),
        choices=[("", "—"), *SponsorshipCategory.choices],
    )
    sponsorship_evidence = forms.FileField(
        label=_("Supporting document"),
        help_text=_(
            "The tax ruling (rescrit) or, failing one, your statutes: a PDF or a picture, 10 MB "
            "at most. The Relais team reads it before firms may lend you consultants as skills "
            "sponsorship."
        ),
    )


class SponsorshipVerifyForm(forms.Form):
    helps_people_in_difficulty = forms.BooleanField(
        label=_("Helps people in difficulty (free meals, care, housing)"), required=False
    )
