"""Who may see and do what in matching: a consultant their own suggestions; operator staff the
weights and the rounds; nobody else learns these pages exist."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import Http404

from relais.matching.models import Suggestion

if TYPE_CHECKING:
    from relais.accounts.models import User


def suggestion_get_for_consultant(user: User, pk: int) -> Suggestion:
    found = Suggestion.objects.filter(pk=pk, consultant=user).select_related("task").first()
    if found is None:
        raise Http404
    return found


def require_staff(user: User) -> None:
    if not user.is_operator_staff:
        raise Http404
