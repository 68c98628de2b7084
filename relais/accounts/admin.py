from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import transaction
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from relais.accounts.audit import audit
from relais.accounts.models import (
    ApiToken,
    AuditEvent,
    Invitation,
    Membership,
    Organisation,
    User,
)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_active", "is_staff", "date_joined"]
    search_fields = ["email", "first_name", "last_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("first_name", "last_name")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)

    # Changes made here bypass the services: the audit log still records who changed what.
    _AUDITED = ("email", "is_active", "is_staff", "is_superuser")

    @transaction.atomic
    def save_model(self, request: HttpRequest, obj: User, form: ModelForm, change: bool) -> None:
        super().save_model(request, obj, form, change)
        changed = {
            name: form.cleaned_data.get(name) for name in self._AUDITED if name in form.changed_data
        }
        if change and changed:
            actor = request.user if isinstance(request.user, User) else None
            audit("admin.user_changed", actor=actor, target=obj.email, request=request, **changed)


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "siren", "rna", "city", "created_at"]
    list_filter = ["kind", "general_interest"]
    search_fields = ["name", "siren", "rna"]
    inlines = [MembershipInline]

    @transaction.atomic
    def save_formset(
        self, request: HttpRequest, form: ModelForm, formset: BaseInlineFormSet, change: bool
    ) -> None:
        # Memberships (roles) changed here bypass the services: record each one.
        super().save_formset(request, form, formset, change)
        if formset.model is not Membership:
            return
        actor = request.user if isinstance(request.user, User) else None
        for membership in formset.new_objects:
            audit(
                "admin.membership_added",
                actor=actor,
                organisation=form.instance,
                target=membership.user.email,
                request=request,
                role=membership.role,
            )
        for membership, fields in formset.changed_objects:
            audit(
                "admin.membership_changed",
                actor=actor,
                organisation=form.instance,
                target=membership.user.email,
                request=request,
                role=membership.role,
                fields=list(fields),
            )
        for membership in formset.deleted_objects:
            audit(
                "admin.membership_removed",
                actor=actor,
                organisation=form.instance,
                target=membership.user.email,
                request=request,
                role=membership.role,
            )


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "organisation", "role", "created_at", "accepted_at", "revoked_at"]
    list_filter = ["role"]
    search_fields = ["email", "organisation__name"]
    raw_id_fields = ["organisation", "invited_by", "accepted_by"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["digest", "prefix"]
    search_fields = ["user__email", "name"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit log is append-only, even for operator staff."""

    list_display = ["at", "action", "actor_label", "organisation", "target", "ip"]
    list_filter = ["action"]
    search_fields = ["actor_label", "target", "action"]
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
