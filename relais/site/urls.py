from __future__ import annotations

from django.urls import path

from relais.site import views

app_name = "site"

urlpatterns = [
    path("", views.home, name="home"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("privacy/", views.privacy_notice, name="privacy"),
    path("legal/", views.legal_notice, name="legal"),
    path("staff/legal/", views.legal_pages, name="legal_pages"),
    path("staff/legal/<str:kind>/<str:language>/", views.legal_page_edit, name="legal_page_edit"),
    path("settings/data/", views.my_data, name="my_data"),
    path("settings/data/download/", views.my_data_download, name="my_data_download"),
    path("settings/erase/", views.account_erase, name="account_erase"),
]
