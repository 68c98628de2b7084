from __future__ import annotations

from django.contrib import admin

from relais.impact.models import Challenge, Credential, SigningKey, Story


@admin.register(Credential)
class CredentialAdmin(admin.ModelAdmin):
    """Read-only: a credential is issued and revoked through the services, never edited."""

    list_display = ["public_id", "consultant", "mission", "issued_at", "revoked_at"]
    list_filter = ["mission_ended"]
    readonly_fields = [f.name for f in Credential._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(SigningKey)
class SigningKeyAdmin(admin.ModelAdmin):
    list_display = ["kid", "created_at", "retired_at"]
    exclude = ["private_key_encrypted"]

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False


@admin.register(Challenge)
class ChallengeAdmin(admin.ModelAdmin):
    list_display = ["title", "metric", "contenders", "start", "end"]


@admin.register(Story)
class StoryAdmin(admin.ModelAdmin):
    list_display = ["title", "project", "created_at"]
    raw_id_fields = ["project", "author"]
