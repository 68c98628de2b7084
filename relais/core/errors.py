"""The one family of errors a service raises when it refuses a change.

Every app's refusals derive from ServiceError; the API maps them once (relais/api.py: 403, 409
or 422 in its error format) and the views once (relais.core.forms.copy_errors / flash_error).
Django's own ValidationError and PermissionDenied keep their meaning beside them."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import ClassVar

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class ServiceError(Exception):
    """A service refused a change; the message is for the user, in their language."""

    status: ClassVar[int] = 409
    code: ClassVar[str] = "conflict"
    default_message: ClassVar[str | Promise] = _("This cannot be done now.")

    def __init__(self, message: object = None) -> None:
        self.message = str(self.default_message if message is None else message)
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message

    @property
    def fields(self) -> dict[str, list[str]]:
        """Messages by field name ("__all__" for the whole request); empty but for Invalid."""
        return {}

    @property
    def messages(self) -> list[str]:
        """Every message of the refusal, the general one first."""
        field_messages = [m for ms in self.fields.values() for m in ms if m != self.message]
        return [self.message, *field_messages]


class NotAllowed(ServiceError):
    """The person may not do this (HTTP 403)."""

    status = 403
    code = "forbidden"
    default_message = _("You may not do this.")


class Conflict(ServiceError):
    """The change cannot be made in the current state of things (HTTP 409)."""

    status = 409
    code = "conflict"
    default_message = _("This cannot be done now.")


class Invalid(ServiceError):
    """What was asked is not valid, possibly field by field, like Django's ValidationError
    (HTTP 422)."""

    status = 422
    code = "invalid"
    default_message = _("Some fields are not valid.")

    def __init__(
        self,
        message: object = None,
        *,
        fields: Mapping[str, Iterable[object]] | None = None,
    ) -> None:
        super().__init__(message)
        self._fields = {
            name: [str(m) for m in messages] for name, messages in (fields or {}).items()
        }

    @property
    def fields(self) -> dict[str, list[str]]:
        return {name: list(messages) for name, messages in self._fields.items()}
