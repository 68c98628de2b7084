from __future__ import annotations

from django.contrib import admin

from relais.core.models import Cause, Language, Skill


@admin.register(Cause, Skill, Language)
class VocabularyAdmin(admin.ModelAdmin):
    list_display = ["slug", "name_fr", "name_en", "position"]
    search_fields = ["slug", "name_fr", "name_en"]
