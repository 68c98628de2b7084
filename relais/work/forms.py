"""Forms of the work app: they parse and validate input; services do the writing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from relais.core.models import Skill
from relais.core.validators import NOTE_MAX, PAGE_MAX, PROSE_MAX, plausible_date
from relais.projects.models import Project
from relais.work.models import (
    KnowledgePage,
    OnboardingStepKind,
    Priority,
    Task,
    TaskStatus,
)
from relais.work.services import check_estimate


class TaskForm(forms.ModelForm[Task]):
    estimate_hours = forms.DecimalField(
        label=_("Estimate (hours)"),
        min_value=Decimal("0.5"),
        max_digits=5,
        decimal_places=1,
        help_text=_("Less than 48 hours of work; split larger tasks."),
    )
    labels_text = forms.CharField(
        label=_("Labels"),
        required=False,
        max_length=NOTE_MAX,
        help_text=_("Separated by commas, for example “good first task, front-end”."),
    )

    class Meta:
        model = Task
        fields = [
            "title",
            "brief",
            "acceptance_criteria",
            "estimate_hours",
            "priority",
            "skills",
            "dependencies",
            "pages",
        ]
        widgets = {
            "brief": forms.Textarea(attrs={"rows": 8}),
            "acceptance_criteria": forms.Textarea(attrs={"rows": 4}),
            "skills": forms.CheckboxSelectMultiple,
            "dependencies": forms.CheckboxSelectMultiple,
            "pages": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["skills"].queryset = Skill.objects.all()  # type: ignore[attr-defined]
        others = project.tasks.exclude(status=TaskStatus.CANCELLED)
        if self.instance.pk:
            others = others.exclude(pk=self.instance.pk)
            self.initial["labels_text"] = ", ".join(
                label.name for label in self.instance.labels.all()
            )
        self.fields["dependencies"].queryset = others  # type: ignore[attr-defined]
        self.fields["dependencies"].help_text = _("Tasks that must be done before this one.")
        self.fields["pages"].queryset = KnowledgePage.objects.filter(project=project)  # type: ignore[attr-defined]

    def clean_estimate_hours(self) -> Decimal:
        hours: Decimal = self.cleaned_data["estimate_hours"]
        try:
            check_estimate(hours)
        except forms.ValidationError as error:
            raise forms.ValidationError(error.message_dict["estimate_hours"]) from None
        return hours

    def label_names(self) -> list[str]:
        return [n for n in self.cleaned_data.get("labels_text", "").split(",") if n.strip()]


class HandoverForm(forms.Form):
    done = forms.CharField(
        label=_("What was done"), max_length=PROSE_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )
    state = forms.CharField(
        label=_("Where things stand"),
        max_length=PROSE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    next_step = forms.CharField(
        label=_("Next step"), max_length=PROSE_MAX, widget=forms.Textarea(attrs={"rows": 2})
    )
    links = forms.CharField(
        label=_("Links"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Branches, documents, tickets: one per line."),
    )


class TimeEntryForm(forms.Form):
    date = forms.DateField(
        label=_("Date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        validators=[plausible_date],
    )
    hours = forms.DecimalField(
        label=_("Hours"), min_value=Decimal("0.25"), max_value=Decimal(24), decimal_places=2
    )
    note = forms.CharField(label=_("What you did"), required=False, max_length=NOTE_MAX)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate()


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Comment"), max_length=PROSE_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )


class ReturnForm(forms.Form):
    comment = forms.CharField(
        label=_("What to change"), max_length=PROSE_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )


class SubmitForm(forms.Form):
    note = forms.CharField(
        label=_("Note for the reviewer"),
        required=False,
        max_length=PROSE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class InviteForm(forms.Form):
    """A lead invites a consultant to the project: a mission request for the consultant's firm."""

    email = forms.EmailField(label=_("Consultant's email address"), max_length=254)


class PageForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    body = forms.CharField(
        label=_("Content"),
        max_length=PAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text=_("Markdown: # titles, **bold**, - lists, [links](https://…)."),
    )
    is_start_here = forms.BooleanField(label=_("This is the start-here page"), required=False)
    summary = forms.CharField(label=_("What changed"), max_length=200, required=False)


class OnboardingStepForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=OnboardingStepKind.choices)
    title = forms.CharField(label=_("Step"), max_length=200)
    details = forms.CharField(
        label=_("Details"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    page = forms.ModelChoiceField(
        label=_("Page to read"), queryset=KnowledgePage.objects.none(), required=False
    )

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["page"].queryset = KnowledgePage.objects.filter(project=project)  # type: ignore[attr-defined]


class BoardFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", pgettext_lazy("all states", "All")), *list(TaskStatus.choices)],
    )
    skill = forms.ModelChoiceField(
        label=_("Skill"),
        queryset=Skill.objects.all(),
        required=False,
        to_field_name="slug",
        empty_label=pgettext_lazy("all skills", "All"),
    )
    label = forms.CharField(label=_("Label"), required=False, max_length=40)
    priority = forms.TypedChoiceField(
        label=_("Priority"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", pgettext_lazy("all priorities", "All")), *list(Priority.choices)],
    )
