"""How API requests authenticate: a personal token, the browser session, or (public reads) none."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer

from relais.accounts import services
from relais.accounts.models import User


class TokenAuth(HttpBearer):
    """A personal API token sent as `Authorization: Bearer rls_…`."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = services.api_token_authenticate(raw=token, request=request)
        if user is not None:
            request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The browser session, for the interactive docs; unsafe methods need the CSRF token."""

    param_name = "sessionid"

    def _get_key(self, request: HttpRequest) -> str | None:
        # Without a session cookie there is nothing to protect from forgery: the answer is 401.
        if not request.COOKIES.get(self.param_name):
            return None
        try:
            return super()._get_key(request)
        except HttpError:
            raise HttpError(
                403, _("CSRF check failed: send the X-CSRFToken header with the session cookie.")
            ) from None

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            return user
        return None


def anonymous(request: HttpRequest) -> AnonymousUser:
    """Lets a request through without credentials, for reads that are public anyway."""
    return AnonymousUser()


AUTH = [TokenAuth(), SessionAuth()]
OPTIONAL_AUTH = [TokenAuth(), SessionAuth(), anonymous]


@receiver(pre_save, sender=User, dispatch_uid="api_tokens_die_with_the_password")
def revoke_tokens_when_the_password_changes(
    sender: type[User], instance: User, update_fields: frozenset[str] | None = None, **kwargs: Any
) -> None:
    """Whatever changes a password (the person, a reset link, the admin, `changepassword`), the
    API tokens made with the old one stop working. A rehash on sign-in is not a change."""
    if instance.pk is None or (update_fields is not None and "password" not in update_fields):
        return
    # set_password() keeps the raw value until the save; set_unusable_password() does not.
    if getattr(instance, "_password", None) is None and instance.has_usable_password():
        return
    before = User.objects.filter(pk=instance.pk).values_list("password", flat=True).first()
    if before is not None and before != instance.password:
        services.api_tokens_revoke_all(user=instance, reason="password_changed")
