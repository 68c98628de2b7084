"""Forms of the impact app."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from relais.accounts.models import Organisation
from relais.bench.forms import EstimateForm
from relais.impact.models import Challenge, MissionWords, Preference, Story

JWS_MAX = 100_000


class WordsForm(forms.ModelForm):
    class Meta:
        model = MissionWords
        fields = ["text", "quotable"]
        widgets = {"text": forms.Textarea(attrs={"rows": 5})}


class PreferenceForm(forms.ModelForm):
    class Meta:
        model = Preference
        fields = ["on_leaderboards", "weekly_digest"]


class ChallengeForm(forms.ModelForm):
    class Meta:
        model = Challenge
        fields = ["title", "metric", "contenders", "start", "end"]
        widgets = {
            "start": forms.DateInput(attrs={"type": "date"}),
            "end": forms.DateInput(attrs={"type": "date"}),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("The end comes before the start."))
        return data


class StoryForm(forms.ModelForm):
    class Meta:
        model = Story
        fields = ["title", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 10})}


class VerifyForm(forms.Form):
    jws = forms.CharField(
        label=_("Credential (compact JWS)"),
        max_length=JWS_MAX,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
        help_text=_("Paste the credential as you received it: three parts separated by dots."),
    )


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("Reason (optional)"), max_length=200, required=False)


class ArgumentForm(EstimateForm):
    """The public estimate's figures, with the firm they describe: picked among the person's
    registered firms, or named."""

    firm = forms.ModelChoiceField(
        label=_("My firm on Relais"),
        queryset=Organisation.objects.none(),
        required=False,
        help_text=_("Pick it to show what your colleagues already do."),
    )
    firm_name = forms.CharField(
        label=_("Firm name"),
        max_length=150,
        required=False,
        help_text=_("If your firm is not on Relais yet."),
    )

    def __init__(self, *args: Any, firms: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        chosen = firms if firms is not None else Organisation.objects.none()
        self.fields["firm"].queryset = chosen  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("firm") and not data.get("firm_name", "").strip():
            self.add_error("firm_name", _("Pick your firm or write its name."))
        return data
