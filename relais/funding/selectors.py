"""Reads of circles, memberships and pools."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from relais.funding.models import Circle, MembershipStatus

if TYPE_CHECKING:
    from relais.accounts.models import User


def members_in_good_standing(circles: Iterable[Circle] | QuerySet[Circle]) -> QuerySet[User]:
    """The people in good standing in any of these circles (each once): the electorate of a
    campaign, and those who hold the right to a mission during their next bench period."""
    return (
        get_user_model()
        .objects.filter(
            circle_memberships__circle__in=circles,
            circle_memberships__status=MembershipStatus.ACTIVE,
        )
        .distinct()
        .order_by("pk")
    )
