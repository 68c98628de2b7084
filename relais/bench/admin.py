from __future__ import annotations

from django.contrib import admin

from relais.bench.models import BenchPeriod, ConsultantProfile, FirmTerms, Mission, Recall, TaxYear


@admin.register(TaxYear)
class TaxYearAdmin(admin.ModelAdmin):
    """The dated sponsorship parameters: operator staff add next year's here."""

    list_display = ["year", "pass_cents", "reduction_rate", "threshold_cents", "floor_cents"]


@admin.register(BenchPeriod)
class BenchPeriodAdmin(admin.ModelAdmin):
    list_display = ["consultant", "firm", "start", "expected_end", "end", "status"]
    list_filter = ["status"]
    readonly_fields = ["status", "end"]


@admin.register(Mission)
class MissionAdmin(admin.ModelAdmin):
    list_display = ["consultant", "project", "mode", "status", "start", "end", "agreement_number"]
    list_filter = ["status", "mode"]
    # The three acceptances are given on Relais by the people concerned, never edited here.
    readonly_fields = [
        "status",
        "agreement_generated_at",
        "agreement_drawn_up_by",
        "beneficiary_accepted_at",
        "beneficiary_accepted_by",
        "beneficiary_refused_at",
        "beneficiary_refused_by",
        "refusal_reason",
        "consultant_agreed_at",
    ]


@admin.register(Recall)
class RecallAdmin(admin.ModelAdmin):
    """The audit log of recalls: who, when, what they released."""

    list_display = [
        "bench_period",
        "effective_date",
        "requested_by",
        "channel",
        "created_at",
        "applied_at",
    ]
    readonly_fields = [f.name for f in Recall._meta.fields]


admin.site.register(FirmTerms)
admin.site.register(ConsultantProfile)
