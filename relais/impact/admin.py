from __future__ import annotations

from django.contrib import admin

from relais.core.admin import ReadOnlyAdmin
from relais.impact.models import Challenge, Credential, SigningKey, Story


@admin.register(Credential)
class CredentialAdmin(ReadOnlyAdmin):
    """Read-only: a credential is issued and revoked through the services (`credential_revoke`
    keeps its audit event and the public status), never edited or deleted here."""

    list_display = ["public_id", "consultant", "mission", "issued_at", "revoked_at"]
    list_filter = ["mission_ended"]
    readonly_fields = [f.name for f in Credential._meta.fields]


@admin.register(SigningKey)
class SigningKeyAdmin(ReadOnlyAdmin):
    """Read-only: a deleted key would leave the credentials it signed unverifiable."""

    list_display = ["kid", "created_at", "retired_at"]
    exclude = ["private_key_encrypted"]


@admin.register(Challenge)
class ChallengeAdmin(admin.ModelAdmin):
    list_display = ["title", "metric", "contenders", "start", "end"]


@admin.register(Story)
class StoryAdmin(admin.ModelAdmin):
    list_display = ["title", "project", "created_at"]
    raw_id_fields = ["project", "author"]
