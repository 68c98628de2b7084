"""API endpoints of the site app: a person's own data."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from relais.site import privacy

router = Router(tags=["accounts"])


@router.get(
    "/me/export",
    response=dict[str, Any],
    summary="Everything Relais holds about the signed-in user (GDPR access and portability)",
)
def me_export(request: HttpRequest) -> dict[str, object]:
    """The same JSON as Settings → Download my data: account, memberships, consultant profile
    (with what the firm recorded), bench periods, missions, claims, time entries, handovers,
    comments, page revisions, invitations, API tokens (names and prefixes only) and the audit
    events about the user. Each call is written to the audit log."""
    return privacy.personal_data_export(user=request.auth, request=request)  # type: ignore[attr-defined]
