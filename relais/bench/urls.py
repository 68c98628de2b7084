from __future__ import annotations

from django.urls import path

from relais.bench import views

app_name = "bench"

urlpatterns = [
    path("firms/<int:organisation_pk>/", views.firm_dashboard, name="firm_dashboard"),
    path("firms/<int:organisation_pk>/terms/", views.terms_edit, name="terms"),
    path("firms/<int:organisation_pk>/roster/", views.roster_view, name="roster"),
    path("firms/<int:organisation_pk>/roster/apply/", views.roster_apply, name="roster_apply"),
    path(
        "firms/<int:organisation_pk>/roster/template.csv",
        views.roster_template,
        name="roster_template",
    ),
    path("firms/<int:organisation_pk>/bench/", views.bench_periods, name="bench_periods"),
    path(
        "firms/<int:organisation_pk>/roster/<int:profile_pk>/cost/",
        views.consultant_cost,
        name="consultant_cost",
    ),
    path("firms/<int:organisation_pk>/absences/", views.absences, name="absences"),
    path("firms/<int:organisation_pk>/fiscal-years/", views.fiscal_years, name="fiscal_years"),
    path("bench-periods/<int:period_pk>/decide/", views.bench_period_decide, name="decide"),
    path("bench-periods/<int:period_pk>/recall/", views.bench_period_recall, name="recall"),
    path("bench-periods/<int:period_pk>/correct/", views.bench_period_correct, name="correct"),
    path("bench-periods/<int:period_pk>/cancel/", views.bench_period_cancel, name="cancel"),
    path("projects/<int:project_pk>/invite/", views.mission_invite, name="mission_invite"),
    path("estimate/", views.estimate, name="estimate"),
    path("me/bench/", views.my_bench, name="my_bench"),
    path("me/profile/", views.my_profile, name="my_profile"),
    path("projects/<int:project_pk>/join/", views.mission_join, name="join"),
    path("missions/<int:mission_pk>/", views.mission_detail, name="mission"),
    path("missions/<int:mission_pk>/agreement/", views.mission_agreement, name="agreement"),
    path(
        "missions/<int:mission_pk>/agreement.pdf", views.mission_agreement_pdf, name="agreement_pdf"
    ),
    path(
        "missions/<int:mission_pk>/amendment.pdf", views.mission_amendment_pdf, name="amendment_pdf"
    ),
    path("missions/<int:mission_pk>/accept/", views.mission_accept, name="mission_accept"),
    path("missions/<int:mission_pk>/refuse/", views.mission_refuse, name="mission_refuse"),
    path("missions/<int:mission_pk>/consent/", views.mission_consent, name="consent"),
]
