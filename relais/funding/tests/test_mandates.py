"""SEPA mandates: IBAN and BIC checked, a unique reference without the IBAN, good standing."""

from __future__ import annotations

import re

import pytest

from relais.core.errors import Invalid
from relais.funding import services
from relais.funding.models import CircleMembership, MembershipStatus, SepaMandate
from relais.funding.payments import RUM_PATTERN
from relais.funding.selectors import members_in_good_standing
from relais.funding.tests.conftest import BIC, IBAN, IBAN_2, sign

pytestmark = pytest.mark.django_db


def test_a_valid_mandate_puts_the_member_in_good_standing(circle, bob, tier, settings):
    mandate = sign(bob, circle, tier, iban="fr76 3000 6000 0112 3456 7890 189", bic="agrifrpp")
    membership = CircleMembership.objects.get(user=bob)
    assert membership.status == MembershipStatus.ACTIVE
    assert membership.tier == tier
    assert mandate.iban == IBAN
    assert mandate.bic == BIC
    assert mandate.creditor_id == settings.SEPA_CREDITOR_ID
    assert mandate.sequence == "FRST"
    assert RUM_PATTERN.fullmatch(mandate.rum)
    assert len(mandate.rum) <= 35
    assert IBAN not in mandate.rum
    assert IBAN[4:] not in mandate.rum
    assert list(members_in_good_standing([circle])) == [bob]


@pytest.mark.parametrize("iban", ["FR7630006000011234567890180", "XX00123", "", "FR76"])
def test_an_invalid_iban_is_refused_and_nothing_changes(circle, bob, tier, iban):
    with pytest.raises(Invalid) as refused:
        sign(bob, circle, tier, iban=iban)
    assert "iban" in refused.value.fields
    assert not SepaMandate.objects.exists()
    assert CircleMembership.objects.get(user=bob).status == MembershipStatus.PENDING


def test_an_invalid_bic_is_refused(circle, bob, tier):
    with pytest.raises(Invalid) as refused:
        sign(bob, circle, tier, bic="NOT A BIC")
    assert "bic" in refused.value.fields
    assert not SepaMandate.objects.exists()


def test_a_reused_mandate_reference_is_refused_and_nothing_changes(circle, bob, emma, tier):
    services.circle_join_by_link(user=emma, token=circle.link.token)
    sign(bob, circle, tier, rum="ACME-0001")
    with pytest.raises(Invalid) as refused:
        sign(emma, circle, tier, iban=IBAN_2, bic="COBADEFFXXX", rum="acme-0001")
    assert "rum" in refused.value.fields
    assert SepaMandate.objects.count() == 1
    assert CircleMembership.objects.get(user=emma).status == MembershipStatus.PENDING


@pytest.mark.parametrize("rum", [f"X{IBAN}", "A" * 36, "RUM_WITH_UNDERSCORE", "RUM#1"])
def test_a_reference_with_the_iban_or_not_allowed_characters_is_refused(circle, bob, tier, rum):
    with pytest.raises(Invalid):
        sign(bob, circle, tier, rum=rum)
    assert not SepaMandate.objects.exists()


def test_a_new_mandate_replaces_the_old_one(circle, bob, tier):
    first = sign(bob, circle, tier)
    second = sign(bob, circle, tier, iban=IBAN_2, bic="COBADEFFXXX", billing="yearly")
    first.refresh_from_db()
    assert first.revoked_at is not None
    assert services.valid_mandate(CircleMembership.objects.get(user=bob)) == second
    assert re.match(r"RELAIS-\d+-\d+-[0-9A-F]{8}$", second.rum)
