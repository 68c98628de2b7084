from __future__ import annotations

from django.urls import path

from relais.accounts import views

app_name = "accounts"

urlpatterns = [
    path("organisations/new/<str:kind>/", views.organisation_create, name="organisation_create"),
    path(
        "organisations/<int:organisation_pk>/",
        views.organisation_detail,
        name="organisation_detail",
    ),
    path(
        "organisations/<int:organisation_pk>/edit/",
        views.organisation_edit,
        name="organisation_edit",
    ),
    path(
        "organisations/<int:organisation_pk>/invitations/",
        views.invitation_create,
        name="invitation_create",
    ),
    path(
        "organisations/<int:organisation_pk>/invitations/<int:invitation_pk>/revoke/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("welcome/<str:uidb64>/<str:token>/", views.welcome, name="welcome"),
    path("settings/", views.user_settings, name="settings"),
    path("settings/tokens/", views.api_token_create, name="api_token_create"),
    path("settings/tokens/<int:token_pk>/revoke/", views.api_token_revoke, name="api_token_revoke"),
    path("staff/audit/", views.audit_log, name="audit_log"),
    path("staff/firms/", views.firms_to_verify, name="firms_to_verify"),
    path(
        "staff/firms/<int:organisation_pk>/verify/",
        views.organisation_verify,
        name="organisation_verify",
    ),
    path(
        "organisations/<int:organisation_pk>/sponsorship/",
        views.sponsorship_evidence,
        name="sponsorship_evidence",
    ),
    path(
        "organisations/<int:organisation_pk>/sponsorship/document/",
        views.sponsorship_evidence_file,
        name="sponsorship_evidence_file",
    ),
    path("staff/sponsorship/", views.sponsorship_to_verify, name="sponsorship_to_verify"),
    path(
        "staff/sponsorship/<int:organisation_pk>/verify/",
        views.organisation_sponsorship_verify,
        name="organisation_sponsorship_verify",
    ),
]
