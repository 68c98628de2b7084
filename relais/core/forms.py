"""Helpers shared by the views of every app."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.core.exceptions import ValidationError
    from django.forms import BaseForm
    from django.http import HttpRequest

    from relais.accounts.models import User


def signed_in_user(request: HttpRequest) -> User:
    """The request's user, typed (views call it behind login_required)."""
    return request.user  # type: ignore[return-value]


def copy_errors(form: BaseForm, error: ValidationError) -> None:
    """Shows a service's ValidationError on the form: on its field when the form has it."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)
