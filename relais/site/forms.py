"""Forms of the site app: they parse and validate input, services do the writing."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from relais.site.services import LEGAL_PAGE_MAX


class LegalPageForm(forms.Form):
    body = forms.CharField(
        label=_("Text (Markdown)"),
        max_length=LEGAL_PAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 30}),
        help_text=_("Replace every part in square brackets with the operator's own details."),
    )


class ErasureForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        max_length=4096,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label=_("I understand that my account will be erased and that this cannot be undone."),
    )
