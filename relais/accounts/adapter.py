"""How allauth identifies who is signing in from where (login throttling), the language a person
signing up gets (the one their browser asked for), and the language of allauth's emails (their
recipient's)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import get_language

from relais.core import net
from relais.core.mail import supported_language

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.forms import BaseForm


class AccountAdapter(DefaultAccountAdapter):
    def save_user(
        self, request: HttpRequest, user: AbstractBaseUser, form: BaseForm, commit: bool = True
    ) -> AbstractBaseUser:
        """Stores the language the sign-up page was shown in (the browser's, or the one chosen
        with the switcher) as the person's language."""
        language = getattr(request, "LANGUAGE_CODE", None) or get_language()
        user.language = supported_language(language)  # type: ignore[attr-defined]
        return super().save_user(request, user, form, commit=commit)

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        """Confirmation, password reset…: in the language of the account the address belongs to,
        else in the page's."""
        from relais.accounts.models import User

        user = context.get("user")
        if not isinstance(user, User):
            user = User.objects.filter(email__iexact=email).first()
        language = user.language if user is not None else get_language()
        with translation.override(supported_language(language)):
            super().send_mail(template_prefix, email, context)

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        # allauth keys the per-account counter on the request's host *and* the email: another
        # port in the Host header gave a fresh counter. The email alone names the account.
        login = credentials.get("email", credentials.get("username", ""))
        return f"login:{str(login).strip().lower()}"

    def get_client_ip(self, request: HttpRequest) -> str:
        """The address the per-IP counters use: the trusted-proxy rule of `relais.core.net`."""
        ip = net.client_ip(request)
        if not ip:
            raise PermissionDenied("Unable to determine the client's address")
        return ip
