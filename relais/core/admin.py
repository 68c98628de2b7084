"""The Django admin's shared rules: what is changed there goes through the services, and a refusal
is shown on the form instead of breaking an invariant (or the page)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from relais.core.errors import ServiceError
from relais.core.forms import copy_errors
from relais.core.models import Cause, Language, Skill

if TYPE_CHECKING:
    from django.db.models import Model
    from django.forms import ModelForm
    from django.http import HttpRequest, HttpResponse

# What a service answers when it refuses a change made in the admin.
REFUSALS = (ServiceError, ValidationError, PermissionDenied)

_REFUSAL = "_relais_admin_refusal"


def admin_user(request: HttpRequest) -> Any:
    """The staff member using the admin (the admin requires a signed-in user)."""
    return request.user


class ServiceAdmin(admin.ModelAdmin):
    """A model admin whose save_model / save_related call the services: when a service refuses,
    nothing is saved (the admin's transaction is rolled back) and the form is shown again, with
    what was typed and the service's message on the field it names."""

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except REFUSALS as error:
            if request.method != "POST" or hasattr(request, _REFUSAL):
                raise
            # The first attempt is rolled back; the second one fails validation with the message.
            setattr(request, _REFUSAL, error)
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(
        self, request: HttpRequest, obj: Model | None = None, change: bool = False, **kwargs: Any
    ) -> type[ModelForm[Any]]:
        form = super().get_form(request, obj, change, **kwargs)
        found = getattr(request, _REFUSAL, None)
        if found is None:
            return form
        refusal: ValidationError | ServiceError = (
            ValidationError(_("You may not do this."))
            if isinstance(found, PermissionDenied)
            else found
        )

        class Refused(form):  # type: ignore[valid-type,misc]
            def clean(self) -> dict[str, Any]:
                cleaned: dict[str, Any] = super().clean()
                copy_errors(self, refusal)
                return cleaned

        return Refused

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        try:
            return super().delete_view(request, object_id, extra_context)
        except REFUSALS as error:
            refuse(request, error)
            return redirect(request.path)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        # One by one, so that delete_model (and the service it calls) sees every object.
        for obj in queryset:
            try:
                self.delete_model(request, obj)
            except REFUSALS as error:
                refuse(request, error)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown, never added, changed or deleted here: records the application writes itself
    (workflow states, signed documents, acceptances, logs)."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


def refuse(request: HttpRequest, error: Exception) -> None:
    """Shows a service's refusal of an admin action at the top of the list."""
    if isinstance(error, PermissionDenied):
        messages.error(request, _("You may not do this."))
        return
    text = " ".join(getattr(error, "messages", [str(error)]))
    messages.error(request, text)


@admin.register(Cause, Skill, Language)
class VocabularyAdmin(admin.ModelAdmin):
    list_display = ["slug", "name_fr", "name_en", "position"]
    search_fields = ["slug", "name_fr", "name_en"]
