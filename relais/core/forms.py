"""Helpers shared by the views of every app, and the project's form rendering."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib import messages
from django.forms.renderers import DjangoTemplates

from relais.core.errors import ServiceError

if TYPE_CHECKING:
    from django.core.exceptions import ValidationError
    from django.forms import BaseForm
    from django.http import HttpRequest

    from relais.accounts.models import User


class FormRenderer(DjangoTemplates):
    """Renders `{{ field.as_field_group }}` with the project's field template (the look of every
    form, with help text and errors linked to their input by Django's ids)."""

    field_template_name = "core/forms/field.html"


def signed_in_user(request: HttpRequest) -> User:
    """The request's user, typed (views call it behind login_required)."""
    return request.user  # type: ignore[return-value]


def copy_errors(form: BaseForm, error: ValidationError | ServiceError) -> None:
    """Shows a service's refusal (ValidationError or ServiceError) on the form: on its field when
    the form has it, above the form otherwise."""
    if isinstance(error, ServiceError):
        fields = error.fields or {"__all__": [str(error)]}
        for name, field_messages in fields.items():
            form.add_error(name if name in form.fields else None, field_messages)
        return
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


def error_messages(error: ValidationError | ServiceError) -> list[str]:
    """Every message of a service's refusal, for the user."""
    return list(error.messages)


def flash_error(request: HttpRequest, error: ValidationError | ServiceError) -> None:
    """Shows a service's refusal at the top of the next page the user sees."""
    messages.error(request, " ".join(error_messages(error)))
