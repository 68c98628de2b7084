"""Forms of campaigns: staff open one and designate its jury, nonprofits apply, jurors grade,
electors vote, anyone checks a receipt."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from relais.campaigns.models import CampaignProject, Grade, Rule
from relais.core.validators import plausible_date
from relais.funding.models import Circle
from relais.projects.models import Project


def _date(label: Any) -> forms.DateField:
    return forms.DateField(
        label=label,
        validators=[plausible_date],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class CampaignForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=150)
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea, max_length=5000, required=False
    )
    proposals_from = _date(_("Call for projects opens on"))
    review_from = _date(_("Review starts on"))
    vote_from = _date(_("Vote opens on"))
    results_from = _date(_("Results on (the vote closes that morning)"))
    jury_from = forms.DateField(
        label=_("Jury round opens on (optional)"),
        required=False,
        validators=[plausible_date],
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_(
            "Between the review and the vote, a jury grades the projects with Majority Judgment. "
            "Leave empty for no jury."
        ),
    )
    shortlist_size = forms.IntegerField(
        label=_("Projects the jury sends to the vote (optional)"),
        required=False,
        min_value=1,
        max_value=10_000,
        help_text=_("Only the best N projects by the jury go to the vote; empty: all of them."),
    )
    budget_days = forms.IntegerField(label=_("Budget (bench days)"), min_value=1, max_value=100_000)
    rule = forms.ChoiceField(label=_("Counting rule"), choices=Rule.choices, initial=Rule.MES)
    circles = forms.ModelMultipleChoiceField(
        label=_("Participating circles"),
        queryset=Circle.objects.order_by("name", "pk"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Their members in good standing when the vote opens form the electorate."),
    )


class RuleForm(forms.Form):
    rule = forms.ChoiceField(label=_("Counting rule"), choices=Rule.choices)
    budget_days = forms.IntegerField(label=_("Budget (bench days)"), min_value=1, max_value=100_000)


class ApplyForm(forms.Form):
    project = forms.ModelChoiceField(label=_("Project"), queryset=Project.objects.none())
    cost_days = forms.IntegerField(
        label=_("Cost (bench days)"),
        min_value=1,
        max_value=100_000,
        help_text=_("The bench days the project needs."),
    )

    def __init__(self, *args: Any, projects: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if projects is not None:
            self.fields["project"].queryset = projects  # type: ignore[attr-defined]


class BallotForm(forms.Form):
    entries = forms.ModelMultipleChoiceField(
        label=_("The projects I approve of"),
        queryset=CampaignProject.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Tick every project you would like funded, as many as you wish."),
    )

    def __init__(self, *args: Any, entries: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if entries is not None:
            field: Any = self.fields["entries"]
            field.queryset = entries
            field.label_from_instance = lambda e: (
                _("%(title)s — %(days)s bench days")
                % {
                    "title": e.project.title,
                    "days": e.cost_days,
                }
            )


class ReceiptForm(forms.Form):
    code = forms.CharField(label=_("Receipt code"), max_length=40)


class JurySettingsForm(forms.Form):
    jury_from = CampaignForm.base_fields["jury_from"]
    shortlist_size = CampaignForm.base_fields["shortlist_size"]


class JurorForm(forms.Form):
    # An email address, not a list of every account.
    email = forms.EmailField(
        label=_("Email address of the juror's account"),
        max_length=254,
        help_text=_("The person must have a Relais account."),
    )


def grade_field_name(entry_pk: int) -> str:
    return f"grade_{entry_pk}"


class JuryGradesForm(forms.Form):
    """One group of radio buttons per shortlisted project (a fieldset each); a project left
    without a choice keeps its grade, or stays ungraded."""

    def __init__(self, *args: Any, entries: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.entries = list(entries)
        for entry in self.entries:
            self.fields[grade_field_name(entry.pk)] = forms.TypedChoiceField(
                label=_("%(title)s (%(nonprofit)s)")
                % {"title": entry.project.title, "nonprofit": entry.project.nonprofit.name},
                choices=Grade.choices,
                coerce=int,
                required=False,
                empty_value=None,
                widget=forms.RadioSelect,
            )

    def grades(self) -> dict[int, int]:
        """The grades chosen: {entry id: grade}."""
        return {
            entry.pk: self.cleaned_data[grade_field_name(entry.pk)]
            for entry in self.entries
            if self.cleaned_data.get(grade_field_name(entry.pk)) is not None
        }
