"""Where a request comes from: the client's address, as far as the trusted proxies vouch for it.

Without a trusted proxy (`RELAIS_TRUSTED_PROXY_COUNT=0`, the default) the address is the one of
the connection and `X-Forwarded-For` is ignored: anyone can write that header. Behind N proxies,
each appending the address it received the request from, the client is the N-th entry from the
end of `X-Forwarded-For`; the entries before it are the client's own claims and are ignored.
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:
    from django.http import HttpRequest


def _address(value: str) -> str | None:
    """The value as a normalised IP address, or None when it is not one."""
    value = value.strip()
    if value.startswith("[") and "]" in value:  # "[2001:db8::1]:443"
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # "203.0.113.7:5123"
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: the connection's, or the one the trusted proxies recorded."""
    remote = _address(request.META.get("REMOTE_ADDR") or "")
    trusted = settings.TRUSTED_PROXY_COUNT
    if trusted <= 0:
        return remote
    forwarded = [
        entry.strip()
        for entry in (request.META.get("HTTP_X_FORWARDED_FOR") or "").split(",")
        if entry.strip()
    ]
    if not forwarded:
        return remote
    # Fewer entries than proxies: the outermost proxies added none, the first entry is the best
    # the trusted ones know.
    return _address(forwarded[-min(trusted, len(forwarded))]) or remote
