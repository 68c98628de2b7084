from __future__ import annotations

from django.urls import path

from relais.campaigns import views

app_name = "campaigns"

urlpatterns = [
    path("campaigns/", views.campaigns, name="list"),
    path("campaigns/<int:campaign_pk>/", views.campaign_detail, name="detail"),
    path("campaigns/<int:campaign_pk>/ballot/", views.ballot, name="ballot"),
    path("campaigns/<int:campaign_pk>/apply/", views.apply, name="apply"),
    path("campaigns/<int:campaign_pk>/advance/", views.advance, name="advance"),
    path("campaigns/<int:campaign_pk>/rule/", views.rule, name="rule"),
    path(
        "campaigns/<int:campaign_pk>/entries/<int:entry_pk>/eligible/",
        views.entry_eligible,
        name="entry_eligible",
    ),
    path("campaigns/<int:campaign_pk>/jury/", views.jury, name="jury"),
    path("campaigns/<int:campaign_pk>/jury/members/", views.jury_members, name="jury_members"),
    path("campaigns/<int:campaign_pk>/jury/settings/", views.jury_settings, name="jury_settings"),
    path(
        "campaigns/<int:campaign_pk>/jury/members/<int:juror_pk>/remove/",
        views.jury_member_remove,
        name="jury_member_remove",
    ),
    path("campaigns/<int:campaign_pk>/results/", views.results, name="results"),
    path("campaigns/<int:campaign_pk>/ballots.pb", views.ballots_file, name="ballots_file"),
    path("campaigns/<int:campaign_pk>/receipts/", views.receipts, name="receipts"),
]
