from __future__ import annotations

from django.urls import path

from relais.impact import views

app_name = "impact"

urlpatterns = [
    path(".well-known/jwks.json", views.jwks, name="jwks"),
    path("impact/", views.public_dashboard, name="public"),
    path("impact/operator/", views.operator_dashboard, name="operator"),
    path("impact/issuer/", views.issuer, name="issuer"),
    path("impact/stories/", views.stories, name="stories"),
    path("impact/leaderboard/", views.leaderboard, name="leaderboard"),
    path("impact/challenges/", views.challenges, name="challenges"),
    path("impact/challenges/<int:challenge_pk>/", views.challenge_detail, name="challenge"),
    path("impact/kit/", views.kit, name="kit"),
    path("impact/kit/<str:token>/", views.argument, name="argument"),
    path("impact/kit/<str:token>/argument.pdf", views.argument_pdf, name="argument_pdf"),
    path("firms/<int:organisation_pk>/impact/", views.firm_dashboard, name="firm"),
    path("firms/<int:organisation_pk>/csr-report/", views.csr_report, name="csr_report"),
    path("firms/<int:organisation_pk>/csr-report.pdf", views.csr_report_pdf, name="csr_report_pdf"),
    path(
        "nonprofits/<int:organisation_pk>/impact/",
        views.nonprofit_dashboard,
        name="nonprofit",
    ),
    path("circles/<int:circle_pk>/impact/", views.circle_dashboard, name="circle"),
    path("credentials/verify/", views.credential_verify, name="verify"),
    path("credentials/status/revocation.json", views.status_list, name="status_list"),
    path("credentials/<uuid:credential_id>/", views.credential_public, name="credential"),
    path(
        "credentials/<uuid:credential_id>/revoke/",
        views.credential_revoke,
        name="credential_revoke",
    ),
    path("me/credentials/", views.my_credentials, name="my_credentials"),
    path("me/impact/", views.preferences, name="preferences"),
    path("me/impact/calendar/reset/", views.calendar_reset, name="calendar_reset"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar"),
    path("missions/<int:mission_pk>/credential/", views.credential_issue, name="credential_issue"),
    path(
        "missions/<int:mission_pk>/certificate.pdf",
        views.certificate_pdf,
        name="certificate_pdf",
    ),
    path("missions/<int:mission_pk>/words/", views.mission_words, name="mission_words"),
    path("me/led-missions/", views.lead_missions, name="lead_missions"),
    path("projects/<int:project_pk>/stories/new/", views.story_create, name="story_create"),
]
