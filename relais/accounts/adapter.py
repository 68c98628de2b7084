"""How allauth identifies who is signing in from where, for its login throttling."""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from relais.core import net


class AccountAdapter(DefaultAccountAdapter):
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
