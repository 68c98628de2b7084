"""Forms of the projects app: they parse and validate input; services do the writing."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from relais.accounts.models import Organisation, Role, User
from relais.core.models import Cause, Language, Skill
from relais.core.validators import PROSE_MAX, detect_image, file_size
from relais.projects.diagnosis import QUESTIONS
from relais.projects.models import PUBLIC_STATUSES, Project, ProjectStatus
from relais.projects.workflow import REVIEW_CHECKLIST


class DiagnosisForm(forms.Form):
    """The questionnaire, built from the declarative table of questions."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for question in QUESTIONS:
            field: forms.Field
            if question.choices:
                field = forms.ChoiceField(
                    label=question.label, choices=question.choices, widget=forms.RadioSelect
                )
            else:
                field = forms.IntegerField(
                    label=question.label, min_value=0, max_value=question.maximum
                )
            field.help_text = str(question.help_text) if question.help_text else ""
            self.fields[question.key] = field


class ProjectForm(forms.ModelForm[Project]):
    effort_days = forms.IntegerField(
        label=_("Estimated effort (person-days)"),
        min_value=1,
        max_value=100_000,
        help_text=_("One person-year is about 220 person-days."),
    )

    repository_url = forms.URLField(label=_("Repository"), required=False, assume_scheme="https")
    documents_url = forms.URLField(label=_("Documents"), required=False, assume_scheme="https")

    class Meta:
        model = Project
        fields = [
            "title",
            "summary",
            "problem",
            "beneficiaries",
            "deliverables",
            "effort_days",
            "causes",
            "skills",
            "languages",
            "field_lead",
            "licence",
            "repository_url",
            "documents_url",
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3}),
            "problem": forms.Textarea(attrs={"rows": 4}),
            "beneficiaries": forms.Textarea(attrs={"rows": 3}),
            "deliverables": forms.Textarea(attrs={"rows": 4}),
            "causes": forms.CheckboxSelectMultiple,
            "skills": forms.CheckboxSelectMultiple,
            "languages": forms.CheckboxSelectMultiple,
        }

    def __init__(
        self, *args: Any, nonprofits: list[Organisation], user: User, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["causes"].queryset = Cause.objects.all()  # type: ignore[attr-defined]
        self.fields["skills"].queryset = Skill.objects.all()  # type: ignore[attr-defined]
        self.fields["languages"].queryset = Language.objects.all()  # type: ignore[attr-defined]
        if self.instance.pk is None:
            self.fields["nonprofit"] = forms.ModelChoiceField(
                label=_("Nonprofit"),
                queryset=Organisation.objects.filter(pk__in=[n.pk for n in nonprofits]),
                initial=nonprofits[0] if nonprofits else None,
            )
            self.order_fields(["nonprofit"])
            team = [n.pk for n in nonprofits]
        else:
            team = [self.instance.nonprofit_id]
        leads = self.fields["field_lead"]
        leads.queryset = User.objects.filter(  # type: ignore[attr-defined]
            memberships__organisation_id__in=team,
            memberships__role__in=[Role.FIELD_LEAD, Role.NONPROFIT_ADMIN],
        ).distinct()
        leads.help_text = _(
            "A member of your nonprofit who knows the problem first-hand. Invite them from your "
            "organisation's page if they are not listed."
        )


class DetectedImageField(forms.ImageField):
    """An image judged by its bytes, not by its name: the service stores it under the extension
    of what it really is (a GIF named .pdf becomes a .gif)."""

    default_validators: list[Any] = []

    def to_python(self, data: Any) -> Any:
        # Judged (pixels included) before Django decodes it: a bomb is refused unopened.
        if data not in self.empty_values and hasattr(data, "read"):
            try:
                detect_image(data)
            except forms.ValidationError as error:
                if error.code == "too_many_pixels":
                    raise
                raise forms.ValidationError(
                    self.error_messages["invalid_image"], code="invalid_image"
                ) from None
        return super().to_python(data)


class ProjectImageForm(forms.Form):
    image = DetectedImageField(label=_("Image"))
    alt_text = forms.CharField(
        label=_("Description of the image"),
        max_length=200,
        help_text=_("What the image shows, for people who cannot see it."),
    )

    def clean_image(self) -> Any:
        image = self.cleaned_data["image"]
        if image.size > settings.IMAGE_MAX_BYTES:
            raise forms.ValidationError(
                _("This image weighs %(size)s; the limit is %(limit)s."),
                params={
                    "size": file_size(image.size),
                    "limit": file_size(settings.IMAGE_MAX_BYTES),
                },
                code="too_large",
            )
        return image


class TransitionForm(forms.Form):
    target = forms.ChoiceField(choices=ProjectStatus.choices, widget=forms.HiddenInput)
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=PROSE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (ProjectStatus.ACCEPTED, _("Accept")),
            (ProjectStatus.CHANGES_REQUESTED, _("Request changes")),
            (ProjectStatus.REJECTED, _("Reject")),
        ],
        widget=forms.RadioSelect,
        help_text=_("To accept, tick every point of the checklist."),
    )
    comment = forms.CharField(
        label=_("Comment for the nonprofit"),
        required=False,
        max_length=PROSE_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Required to request changes or to reject."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, label in REVIEW_CHECKLIST:
            self.fields[f"check_{key}"] = forms.BooleanField(label=label, required=False)
        self.order_fields([f"check_{key}" for key, _label in REVIEW_CHECKLIST])

    def checklist(self) -> dict[str, bool]:
        return {key: self.cleaned_data.get(f"check_{key}", False) for key, _l in REVIEW_CHECKLIST}


class ProjectFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    cause = forms.ModelChoiceField(
        label=_("Cause"), queryset=Cause.objects.all(), required=False, to_field_name="slug"
    )
    skill = forms.ModelChoiceField(
        label=_("Skill"), queryset=Skill.objects.all(), required=False, to_field_name="slug"
    )
    language = forms.ModelChoiceField(
        label=_("Language"), queryset=Language.objects.all(), required=False, to_field_name="slug"
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        # "All" agrees with what it qualifies in French: "Tous" (statuts), "Toutes" (causes).
        choices=[("", pgettext_lazy("all statuses", "All"))]
        + [(s.value, s.label) for s in PUBLIC_STATUSES],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("cause", "skill", "language"):
            self.fields[name].empty_label = pgettext_lazy(  # type: ignore[attr-defined]
                "all causes, skills or languages", "All"
            )
