from __future__ import annotations

from django import forms

from relais.matching.models import WEIGHT_FIELDS, Weights


class WeightsForm(forms.ModelForm):
    class Meta:
        model = Weights
        fields = list(WEIGHT_FIELDS)
