"""Forms of the firm side: they parse and validate input; services do the writing."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from relais.accounts.models import Organisation, Role, User
from relais.bench.models import LendingMode, SkillLevel
from relais.core.models import Cause, Language, Skill
from relais.core.validators import file_size, plausible_date, plausible_past_date


class EurosField(forms.DecimalField):
    """An amount in euros typed by a person, kept in integer cents."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", Decimal(0))
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Any:
        if isinstance(value, str):
            value = value.replace(" ", "").replace("\u202f", "").replace("€", "").replace(",", ".")
        return super().to_python(value)

    def clean(self, value: Any) -> int | None:
        amount = super().clean(value)
        return None if amount is None else int(amount * 100)


class TermsForm(forms.Form):
    mode = forms.ChoiceField(label=_("Mode"), choices=LendingMode.choices, widget=forms.RadioSelect)
    fee_rate = forms.DecimalField(
        label=_("Fee rate (% of the daily rate)"),
        min_value=Decimal(0),
        max_value=Decimal(100),
        decimal_places=2,
        initial=Decimal(1),
        help_text=_(
            "Symbolic fee mode: the fee is this share of the TJM per bench day. 1 % by default."
        ),
    )
    max_bench_days_per_year = forms.IntegerField(
        label=_("Bench days lent per consultant and year, at most"),
        min_value=1,
        max_value=260,
        initial=40,
    )
    preferred_causes = forms.ModelMultipleChoiceField(
        label=_("Preferred causes"),
        queryset=Cause.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    headcount = forms.IntegerField(
        label=_("Consultants (headcount)"), min_value=1, max_value=1_000_000
    )
    bench_rate = forms.DecimalField(
        label=_("Bench rate (% of the time)"),
        min_value=Decimal(0),
        max_value=Decimal(100),
        decimal_places=2,
        help_text=_(
            "For 10 to 20 consultants on client missions, about one is on the bench: 5 to 10 %."
        ),
    )
    average_tjm_cents = EurosField(label=_("Average daily rate (TJM, €)"))
    average_daily_cost_cents = EurosField(
        label=_("Average loaded daily cost (€)"),
        help_text=_("Gross salary and employer charges for one working day."),
    )
    turnover_cents = EurosField(label=_("Yearly turnover excluding tax (€)"))


class EstimateForm(forms.Form):
    mode = forms.ChoiceField(
        label=_("Mode"),
        choices=LendingMode.choices,
        widget=forms.RadioSelect,
        initial=LendingMode.FEE,
    )
    headcount = forms.IntegerField(
        label=_("Consultants (headcount)"), min_value=1, max_value=1_000_000
    )
    bench_rate = forms.DecimalField(
        label=_("Bench rate (% of the time)"),
        min_value=Decimal(0),
        max_value=Decimal(100),
        decimal_places=2,
    )
    tjm_cents = EurosField(label=_("Average daily rate (TJM, €)"))
    daily_cost_cents = EurosField(label=_("Average loaded daily cost (€)"))
    turnover_cents = EurosField(label=_("Yearly turnover excluding tax (€)"))
    fee_rate = forms.DecimalField(
        label=_("Fee rate (% of the daily rate)"),
        min_value=Decimal(0),
        max_value=Decimal(100),
        decimal_places=2,
        initial=Decimal(1),
    )
    year = forms.IntegerField(label=_("Fiscal year"), min_value=2025, max_value=2100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year

    def clean_year(self) -> int:
        """Only years whose tax parameters are known: last year, this year and the next."""
        year: int = self.cleaned_data["year"]
        this_year = timezone.localdate().year
        if not this_year - 1 <= year <= this_year + 1:
            raise forms.ValidationError(
                _("Choose a fiscal year between %(first)s and %(last)s.")
                % {"first": this_year - 1, "last": this_year + 1}
            )
        return year


class RosterUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Roster file (CSV or XLSX)"),
        help_text=_(
            "Columns, in English or French: email (courriel), first name (prénom), last name "
            "(nom), job title (poste), tjm, daily cost (coût journalier), skills (compétences), "
            "employee id (matricule). A CSV saved by Excel is accepted."
        ),
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > settings.ROSTER_MAX_BYTES:
            raise forms.ValidationError(
                _("This file weighs %(size)s; the limit is %(limit)s."),
                params={
                    "size": file_size(upload.size),
                    "limit": file_size(settings.ROSTER_MAX_BYTES),
                },
            )
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError(_("Send a .csv or .xlsx file."))
        return upload


class BenchPeriodForm(forms.Form):
    # An email address, not a list of every consultant: a firm may have thousands.
    consultant_email = forms.EmailField(
        label=_("Consultant's email address"),
        max_length=254,
        help_text=_("The address the consultant signs in with, as on your roster."),
    )
    start = forms.DateField(
        validators=[plausible_date],
        label=_("Start"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    expected_end = forms.DateField(
        validators=[plausible_date],
        label=_("Expected end"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args: Any, firm: Organisation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.firm = firm
        self.fields["start"].initial = timezone.localdate()

    def clean_consultant_email(self) -> User:
        email = self.cleaned_data["consultant_email"]
        consultant = User.objects.filter(
            email__iexact=email,
            memberships__organisation=self.firm,
            memberships__role=Role.CONSULTANT,
        ).first()
        if consultant is None:
            raise forms.ValidationError(
                _("No consultant of %(firm)s has this email address."),
                params={"firm": self.firm.name},
                code="unknown",
            )
        return consultant

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("expected_end") and data["expected_end"] < data["start"]:
            self.add_error("expected_end", _("A bench period cannot end before it starts."))
        return data

    def period_fields(self) -> dict[str, Any]:
        """What `services.bench_period_open` takes, from the valid form."""
        data = self.cleaned_data
        return {
            "consultant": data["consultant_email"],
            "start": data["start"],
            "expected_end": data.get("expected_end"),
        }


class BenchRequestForm(forms.Form):
    start = forms.DateField(
        validators=[plausible_date],
        label=_("From"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    expected_end = forms.DateField(
        validators=[plausible_date],
        label=_("Until (expected)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("expected_end") and data["expected_end"] < data["start"]:
            self.add_error("expected_end", _("A bench period cannot end before it starts."))
        return data


class BenchPeriodDatesForm(forms.Form):
    """The corrected dates of a period that has not begun."""

    start = forms.DateField(
        validators=[plausible_date],
        label=_("Start"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    expected_end = forms.DateField(
        validators=[plausible_date],
        label=_("Expected end"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class RecallForm(forms.Form):
    effective_date = forms.DateField(
        validators=[plausible_date],
        label=_("Effective date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Today if left empty."),
    )


class ProfileForm(forms.Form):
    bio = forms.CharField(
        label=_("Short bio"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    causes = forms.ModelMultipleChoiceField(
        label=_("Causes I care about"),
        queryset=Cause.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    languages = forms.ModelMultipleChoiceField(
        label=_("Languages I work in"),
        queryset=Language.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    matching_opt_out = forms.BooleanField(label=_("Do not suggest me to projects"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        levels = [("", _("—"))] + [(str(v), label) for v, label in SkillLevel.choices]
        for skill in Skill.objects.all():
            self.fields[f"skill_{skill.slug}"] = forms.TypedChoiceField(
                label=str(skill), choices=levels, required=False, coerce=int, empty_value=None
            )

    def skill_levels(self) -> dict[str, int]:
        return {
            name.removeprefix("skill_"): value
            for name, value in self.cleaned_data.items()
            if name.startswith("skill_") and value
        }


def _date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MissionMentionsForm(forms.Form):
    """The mentions the firm states when it draws up (or changes) the loan agreement."""

    place_of_work = forms.CharField(label=_("Place of work"), max_length=250)
    working_hours = forms.CharField(
        label=_("Working hours"),
        max_length=250,
        help_text=_("For instance: Monday to Friday, 9:00–17:30, 7 hours a day."),
    )
    post_characteristics = forms.CharField(
        label=_("Characteristics of the post"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    trial_period = forms.CharField(
        label=_("Trial period (if any)"),
        max_length=250,
        required=False,
        help_text=_("Leave empty if there is none."),
    )
    firm_representative = forms.CharField(
        label=_("Who represents the firm (name and title)"), max_length=200
    )
    planned_end = forms.DateField(
        label=_("Planned end"),
        widget=_date_widget(),
        help_text=_("At most three years after the start; the loan starts on its last acceptance."),
    )
    cse_informed_on = forms.DateField(
        label=_("Staff representatives (CSE) informed on"),
        validators=[plausible_past_date],
        widget=_date_widget(),
        help_text=_("The day your CSE was informed of this loan, up to today."),
    )


class MissionAcceptForm(forms.Form):
    """The beneficiary's acceptance: who represents it."""

    representative = forms.CharField(
        label=_("Who represents the nonprofit (name and title)"), max_length=200
    )


class MissionConsentForm(forms.Form):
    """The consultant's written acceptance of the amendment to their employment contract."""

    agree = forms.BooleanField(
        label=_(
            "I accept the amendment to my employment contract, which I have read, and to be "
            "lent under the loan agreement. I know my firm may recall me at any time."
        ),
        error_messages={
            "required": _("Tick the box to accept the amendment to your employment contract.")
        },
    )


class ConsultantCostForm(forms.Form):
    """What a consultant costs the firm a day (L8241-1: the fee never exceeds it)."""

    daily_gross_salary_cents = EurosField(
        label=_("Gross daily salary (€)"),
        required=False,
        help_text=_("With the employer charges rate; or leave both empty and give a loaded cost."),
    )
    employer_charges_rate = forms.DecimalField(
        label=_("Employer social charges (% of the gross salary)"),
        required=False,
        min_value=Decimal(0),
        max_value=Decimal(100),
        decimal_places=2,
    )
    daily_cost_cents = EurosField(
        label=_("Loaded daily cost (€)"),
        required=False,
        help_text=_("Salary and employer charges of a working day, if you do not split them."),
    )
    daily_expenses_cents = EurosField(
        label=_("Professional expenses reimbursed per day (€)"), required=False
    )
    alsace_moselle = forms.BooleanField(
        label=_("Works under Alsace-Moselle local law (Good Friday and 26 December off)"),
        required=False,
    )


class _ConsultantChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


class AbsenceForm(forms.Form):
    consultant = _ConsultantChoice(label=_("Consultant"), queryset=User.objects.none())
    start = forms.DateField(
        label=_("From"), validators=[plausible_date], widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("To (included)"),
        validators=[plausible_date],
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    reason = forms.CharField(label=_("Reason (optional)"), max_length=200, required=False)

    def __init__(self, *args: Any, consultants: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["consultant"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = consultants


class FiscalYearForm(forms.Form):
    year = forms.IntegerField(
        label=_("Fiscal year (the year it closes)"), min_value=2000, max_value=2100
    )
    turnover_cents = EurosField(label=_("Turnover excluding tax (€)"))
    other_gifts_cents = EurosField(
        label=_("Other sponsorship gifts of the year (€)"),
        required=False,
        help_text=_("Gifts outside Relais that share the cap of art. 238 bis CGI."),
    )


class FiscalYearEndForm(forms.Form):
    fiscal_year_end_month = forms.IntegerField(
        label=_("Fiscal year closing month (1–12)"), min_value=1, max_value=12
    )
    fiscal_year_end_day = forms.IntegerField(
        label=_("Fiscal year closing day (1–31)"), min_value=1, max_value=31
    )
