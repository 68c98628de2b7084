from __future__ import annotations

from django.contrib import admin

from relais.core.models import Cause


@admin.register(Cause)
class CauseAdmin(admin.ModelAdmin):
    list_display = ["slug", "name_fr", "name_en", "position"]
