"""The funding objects the URL-walking access test (core/tests/test_access_walk.py) points its
outsiders at: Acme's circle with Bob's mandate, an invitation, a collection run."""

from __future__ import annotations

from typing import Any
from unittest.mock import patch

from django.utils import timezone

from relais.funding import services
from relais.funding.models import (
    CircleInvitation,
    CircleMembership,
    CollectionRun,
    Debit,
    LedgerTransaction,
    SepaMandate,
    SubscriptionTier,
)

SECRET_CIRCLE = "Cercle secret d'Acme"


def funding_victims(bob: Any, acme: Any) -> dict[str, list[Any]]:
    circle = services.circle_create(creator=bob, name=SECRET_CIRCLE, firm=acme)
    tier = SubscriptionTier.objects.order_by("pk").first()
    services.mandate_sign(
        user=bob,
        circle=circle,
        tier=tier,
        billing="monthly",
        iban="FR7630006000011234567890189",
        bic="AGRIFRPP",
        holder_name="Bob",
    )
    invitation = services.circle_invite(
        inviter=bob, circle=circle, email="emma.secret@acme.example"
    )
    # Made as operator staff would (the walk's world has its own operator, made later).
    with patch("relais.funding.access.require_staff", lambda user: None):
        run = services.collection_run_create(staff=bob, period=timezone.localdate(), notify=False)
        services.collection_run_mark_collected(staff=bob, run=run)
    membership = CircleMembership.objects.get(circle=circle, user=bob)
    return {
        "circle_pk": [circle.pk],
        "circle_id": [circle.pk],
        "membership_pk": [membership.pk],
        "circle_invitation_pk": [invitation.pk],
        "circle_invitation_id": [invitation.pk],
        "run_pk": [run.pk],
        "run_id": [run.pk],
    }


def funding_fingerprint() -> tuple[object, ...]:
    return (
        sorted(CircleMembership.objects.values_list("pk", "status", "role")),
        sorted(CircleInvitation.objects.values_list("pk", "accepted_at", "declined_at")),
        sorted(SepaMandate.objects.values_list("pk", "revoked_at")),
        sorted(CollectionRun.objects.values_list("pk", "status")),
        sorted(Debit.objects.values_list("pk", "status")),
        LedgerTransaction.objects.count(),
    )
