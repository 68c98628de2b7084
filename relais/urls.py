from __future__ import annotations

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from relais.api import api

# The admin signs in through allauth (email, throttling, two-factor), not its own form.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]
admin.site.site_header = "Relais"

urlpatterns = [
    path("", include("relais.core.urls")),
    path("", include("relais.accounts.urls")),
    path("", include("relais.projects.urls")),
    path("", include("relais.work.urls")),
    path("", include("relais.bench.urls")),
    path("accounts/", include("allauth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]
