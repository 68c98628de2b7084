from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from relais.accounts import services
from relais.accounts.audit import audit
from relais.accounts.models import (
    ApiToken,
    AuditEvent,
    Invitation,
    Membership,
    Organisation,
    User,
)
from relais.core.admin import REFUSALS, ReadOnlyAdmin, ServiceAdmin, refuse


def _actor(request: HttpRequest) -> User | None:
    return request.user if isinstance(request.user, User) else None


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
    readonly_fields = ["last_login", "date_joined"]

    # Changes made here bypass the services: the audit log still records who changed what.
    _AUDITED = ("email", "is_active", "is_staff", "is_superuser")

    @transaction.atomic
    def save_model(self, request: HttpRequest, obj: User, form: ModelForm, change: bool) -> None:
        super().save_model(request, obj, form, change)
        changed = {
            name: form.cleaned_data.get(name) for name in self._AUDITED if name in form.changed_data
        }
        if change and changed:
            audit(
                "admin.user_changed",
                actor=_actor(request),
                target=obj.email,
                request=request,
                **changed,
            )


class MembershipInline(admin.TabularInline):
    """Roles are given through the service, which checks that the role exists for the kind."""

    model = Membership
    extra = 0
    raw_id_fields = ["user"]
    readonly_fields = ["created_at"]


@admin.register(Organisation)
class OrganisationAdmin(ServiceAdmin):
    list_display = ["name", "kind", "siren", "rna", "city", "created_at", "verified_at"]
    list_filter = ["kind", "general_interest"]
    search_fields = ["name", "siren", "rna"]
    inlines = [MembershipInline]
    actions = ["verify"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # The kind decides which roles exist: it is chosen once. A firm is verified by the action;
        # a nonprofit's sponsorship eligibility by staff on their page, through the service.
        fixed = [
            "created_at",
            "verified_at",
            "verified_by",
            "sponsorship_category",
            "sponsorship_evidence",
            "sponsorship_eligible_at",
            "sponsorship_eligible_by",
            "helps_people_in_difficulty",
        ]
        return [*fixed, "kind"] if obj is not None else fixed

    def save_model(
        self, request: HttpRequest, obj: Organisation, form: ModelForm, change: bool
    ) -> None:
        if change:
            services.organisation_update(organisation=obj)
        else:
            super().save_model(request, obj, form, change)

    def save_formset(
        self, request: HttpRequest, form: ModelForm, formset: BaseInlineFormSet, change: bool
    ) -> None:
        if formset.model is not Membership:
            super().save_formset(request, form, formset, change)
            return
        # Each role goes through membership_add (the role must exist for the organisation's
        # kind); a refusal rolls the whole page back. Every change is recorded.
        actor = _actor(request)
        organisation = form.instance
        formset.save(commit=False)
        for membership in formset.deleted_objects:
            membership.delete()
            audit(
                "admin.membership_removed",
                actor=actor,
                organisation=organisation,
                target=membership.user.email,
                request=request,
                role=membership.role,
            )
        for membership, fields in formset.changed_objects:
            Membership.objects.filter(pk=membership.pk).delete()
            services.membership_add(
                organisation=organisation, user=membership.user, role=membership.role, actor=actor
            )
            audit(
                "admin.membership_changed",
                actor=actor,
                organisation=organisation,
                target=membership.user.email,
                request=request,
                role=membership.role,
                fields=list(fields),
            )
        for membership in formset.new_objects:
            services.membership_add(
                organisation=organisation, user=membership.user, role=membership.role, actor=actor
            )
            audit(
                "admin.membership_added",
                actor=actor,
                organisation=organisation,
                target=membership.user.email,
                request=request,
                role=membership.role,
            )

    @admin.action(description=_("Verify the selected firms"))
    def verify(self, request: HttpRequest, queryset: QuerySet[Organisation]) -> None:
        staff = _actor(request)
        for organisation in queryset:
            try:
                if staff is None:
                    raise PermissionDenied
                services.organisation_verify(
                    staff=staff, organisation=organisation, request=request
                )
            except REFUSALS as error:
                refuse(request, error)


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    """Invitations are sent and accepted on Relais; here they are read, or withdrawn."""

    list_display = ["email", "organisation", "role", "created_at", "accepted_at", "revoked_at"]
    list_filter = ["role"]
    search_fields = ["email", "organisation__name"]
    actions = ["revoke"]

    @admin.action(description=_("Withdraw the selected invitations"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[Invitation]) -> None:
        for invitation in queryset:
            services.invitation_revoke(invitation=invitation, actor=_actor(request))


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    """Tokens are made by their owner (the secret is shown once); here they are read, or revoked."""

    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    search_fields = ["user__email", "name"]
    exclude = ["digest"]
    actions = ["revoke"]

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        for token in queryset:
            services.api_token_revoke(token=token, request=request)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """Read-only: the audit log is append-only, even for operator staff."""

    list_display = ["at", "action", "actor_label", "organisation", "target", "ip"]
    list_filter = ["action"]
    search_fields = ["actor_label", "target", "action"]
    date_hierarchy = "at"
