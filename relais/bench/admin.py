from __future__ import annotations

from django.contrib import admin

from relais.bench.models import BenchPeriod, ConsultantProfile, FirmTerms, Mission, Recall, TaxYear
from relais.core.admin import ReadOnlyAdmin


@admin.register(TaxYear)
class TaxYearAdmin(admin.ModelAdmin):
    """The dated sponsorship parameters: operator staff add next year's here."""

    list_display = ["year", "pass_cents", "reduction_rate", "threshold_cents", "floor_cents"]


@admin.register(BenchPeriod)
class BenchPeriodAdmin(ReadOnlyAdmin):
    """Opened, decided and ended on Relais (overlaps checked, recalls applied): read-only here,
    and never deleted (its missions and recalls hang on it)."""

    list_display = ["consultant", "firm", "start", "expected_end", "end", "status"]
    list_filter = ["status"]


@admin.register(Mission)
class MissionAdmin(ReadOnlyAdmin):
    """The loan agreement, its money (fee rate, daily rate, daily cost) and the three
    acceptances are given on Relais by the people concerned, never edited or deleted here."""

    list_display = ["consultant", "project", "mode", "status", "start", "end", "agreement_number"]
    list_filter = ["status", "mode"]


@admin.register(Recall)
class RecallAdmin(ReadOnlyAdmin):
    """The audit log of recalls: who, when, what they released."""

    list_display = [
        "bench_period",
        "effective_date",
        "requested_by",
        "channel",
        "created_at",
        "applied_at",
    ]


@admin.register(FirmTerms)
class FirmTermsAdmin(ReadOnlyAdmin):
    """A version of a firm's lending terms, as it was signed: a new version is made on Relais,
    and missions keep pointing at the one they were made under."""

    list_display = ["firm", "valid_from", "mode", "fee_rate", "created_by", "created_at"]
    list_filter = ["mode"]


@admin.register(ConsultantProfile)
class ConsultantProfileAdmin(ReadOnlyAdmin):
    """Written by the firm's roster and by the consultant themselves (daily rate and cost
    included): read-only here."""

    list_display = ["user", "firm", "employee_id", "job_title"]
    search_fields = ["user__email", "employee_id"]
