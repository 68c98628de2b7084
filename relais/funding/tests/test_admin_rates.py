"""The operator's rates and tiers in the admin: a rate row in force and a tier members are on
have been used to move money, so they are shown, never typed into or deleted; a row from a
date to come and a tier nobody is on stay editable."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from relais.funding.models import FundingRates, SubscriptionTier
from relais.funding.tests.conftest import sign

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, operator_staff):
    client.force_login(operator_staff)
    return client


def _rates(days_from_today: int) -> FundingRates:
    return FundingRates.objects.create(
        valid_from=timezone.localdate() + dt.timedelta(days=days_from_today),
        operator_share=Decimal(10),
        sponsorship_rate=Decimal(1),
    )


def _url(obj, view: str) -> str:
    return reverse(f"admin:funding_{obj._meta.model_name}_{view}", args=[obj.pk])


def _inputs(html: str, names: list[str]) -> list[str]:
    return [n for n in names if re.search(rf'name="{re.escape(n)}"', html)]


RATE_FIELDS = ["valid_from", "operator_share", "sponsorship_rate"]


@pytest.mark.parametrize("days", [0, -400], ids=["from today", "from last year"])
def test_a_rate_row_in_force_can_be_neither_changed_nor_deleted(staff_client, days):
    rates = _rates(days)

    page = staff_client.get(_url(rates, "change"))
    staff_client.post(
        _url(rates, "change"),
        {
            "valid_from": rates.valid_from.isoformat(),
            "operator_share": "50",
            "sponsorship_rate": "9",
        },
    )
    deleted = staff_client.post(_url(rates, "delete"), {"post": "yes"})

    assert page.status_code == 200
    assert _inputs(page.content.decode(), RATE_FIELDS) == []
    rates.refresh_from_db()
    assert (rates.operator_share, rates.sponsorship_rate) == (Decimal(10), Decimal(1))
    assert deleted.status_code == 403
    assert FundingRates.objects.filter(pk=rates.pk).exists()


def test_a_rate_row_from_a_date_to_come_can_still_be_corrected_or_deleted(staff_client):
    rates = _rates(30)

    page = staff_client.get(_url(rates, "change"))
    staff_client.post(
        _url(rates, "change"),
        {
            "valid_from": rates.valid_from.isoformat(),
            "operator_share": "12",
            "sponsorship_rate": "1",
        },
    )

    assert _inputs(page.content.decode(), RATE_FIELDS) == RATE_FIELDS
    rates.refresh_from_db()
    assert rates.operator_share == Decimal(12)
    staff_client.post(_url(rates, "delete"), {"post": "yes"})
    assert not FundingRates.objects.filter(pk=rates.pk).exists()


def test_the_amount_of_a_tier_members_are_on_cannot_be_changed_nor_the_tier_deleted(
    staff_client, tier, circle, bob
):
    sign(bob, circle, tier)
    amount = tier.yearly_amount_cents

    page = staff_client.get(_url(tier, "change"))
    staff_client.post(
        _url(tier, "change"),
        {"name": "Autre", "yearly_amount_cents": "1", "active": "", "position": "7"},
    )
    deleted = staff_client.post(_url(tier, "delete"), {"post": "yes"})

    html = page.content.decode()
    assert _inputs(html, ["name", "yearly_amount_cents"]) == []
    tier.refresh_from_db()
    assert tier.yearly_amount_cents == amount
    assert tier.name != "Autre"
    # It may still stop being offered to new members, or move in the list.
    assert (tier.active, tier.position) == (False, 7)
    assert deleted.status_code == 403
    assert SubscriptionTier.objects.filter(pk=tier.pk).exists()


def test_a_tier_nobody_is_on_can_still_be_corrected(staff_client, tier):
    staff_client.post(
        _url(tier, "change"),
        {"name": tier.name, "yearly_amount_cents": "13000", "active": "on", "position": "0"},
    )

    tier.refresh_from_db()
    assert tier.yearly_amount_cents == 130_00


@pytest.mark.parametrize("days", [0, -30], ids=["from today", "from last month"])
def test_new_rates_cannot_be_dated_in_the_past(staff_client, days):
    day = timezone.localdate() + dt.timedelta(days=days)
    before = FundingRates.objects.count()

    page = staff_client.post(
        reverse("admin:funding_fundingrates_add"),
        {"valid_from": day.isoformat(), "operator_share": "12", "sponsorship_rate": "2"},
    )

    assert page.status_code == 200, "the form comes back with the error"
    assert "tomorrow at the earliest" in page.content.decode() or "demain au plus tôt" in (
        page.content.decode()
    )
    assert FundingRates.objects.count() == before


def test_new_rates_from_tomorrow_are_added(staff_client):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    staff_client.post(
        reverse("admin:funding_fundingrates_add"),
        {"valid_from": tomorrow.isoformat(), "operator_share": "12", "sponsorship_rate": "2"},
    )
    assert FundingRates.objects.filter(valid_from=tomorrow, operator_share=12).exists()
