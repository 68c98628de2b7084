"""Navigation by role, computed from the user's memberships (one query per request)."""

from __future__ import annotations

from django.http import HttpRequest


def navigation(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_is_operator": False}
    return {"nav_is_operator": user.is_operator_staff}
