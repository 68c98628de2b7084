"""The audit log of sensitive actions: sign-ins and failures, role and membership changes, roster
imports, agreement steps, recalls, exports, token use. Append-only; operator staff read it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from relais.accounts.models import AuditEvent, Organisation, User
from relais.core import net

if TYPE_CHECKING:
    from django.http import HttpRequest


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address as the trusted-proxy setting tells it (see `relais.core.net`)."""
    if request is None:
        return None
    return net.client_ip(request)


def audit(
    action: str,
    *,
    actor: User | None = None,
    organisation: Organisation | None = None,
    target: object = "",
    request: HttpRequest | None = None,
    **details: Any,
) -> AuditEvent:
    """Records one sensitive action; call it inside the transaction of the change it records."""
    if actor is not None and not actor.is_authenticated:
        actor = None
    return AuditEvent.objects.create(
        actor=actor,
        actor_label=actor.email if actor is not None else "",
        action=action,
        organisation=organisation,
        target=str(target)[:200],
        ip=client_ip(request),
        details=details,
    )
