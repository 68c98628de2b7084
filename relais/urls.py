from __future__ import annotations

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from relais.accounts import views as accounts_views
from relais.api import api

# The admin signs in through allauth (email, throttling, two-factor), not its own form.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]
admin.site.site_header = "Relais"

urlpatterns = [
    path("", include("relais.site.urls")),
    path("", include("relais.accounts.urls")),
    path("", include("relais.projects.urls")),
    path("", include("relais.work.urls")),
    path("", include("relais.bench.urls")),
    path("", include("relais.funding.urls")),
    path("", include("relais.billing.urls")),
    path("", include("relais.matching.urls")),
    path("", include("relais.impact.urls")),
    path("", include("relais.campaigns.urls")),
    path("accounts/", include("allauth.urls")),
    # Django's language switcher, which also stores a signed-in person's choice.
    path("i18n/setlang/", accounts_views.language_set, name="set_language"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
]
