"""Issue 9, "a safe admin" (audit): "(later) ledger rows are read-only there". The admin test's
READ_ONLY table stops at the first five apps; this one checks the money, signed and legal records
of the apps that came after (funding, billing, impact): no field of theirs can be typed into in
the admin, and none can be added or deleted there."""

from __future__ import annotations

import re

import pytest
from django.contrib import admin
from django.urls import reverse

from relais.billing.models import BillingSettings, Invoice, OperatorCost, TaxReceipt
from relais.core.tests.test_access_walk import victims  # noqa: F401 (a fixture)
from relais.core.tests.test_admin import staff_client, world  # noqa: F401 (fixtures)
from relais.funding.models import (
    Circle,
    CollectionRun,
    LedgerEntry,
    LedgerTransaction,
    SepaMandate,
)
from relais.impact.models import Credential, SigningKey

pytestmark = pytest.mark.django_db

# Written by the application only: the ledger, mandates signed by members, collection files,
# invoices and receipts (legal documents), billing settings and operator costs (entered through
# the finance pages), Open Badges credentials and their signing keys.
RECORDS = [
    LedgerTransaction,
    SepaMandate,
    CollectionRun,
    Circle,
    Invoice,
    TaxReceipt,
    BillingSettings,
    OperatorCost,
    Credential,
    SigningKey,
]


def _fields(model: type) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if not f.primary_key]  # type: ignore[attr-defined]


def _inputs(html: str, names: list[str]) -> list[str]:
    return [n for n in names if re.search(rf'name="{re.escape(n)}(_\d)?"', html)]


def _url(model: type, view: str, *args: object) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)  # type: ignore[attr-defined]


def test_the_records_are_all_in_the_admin():
    assert set(RECORDS) <= set(admin.site._registry)


@pytest.mark.parametrize("model", RECORDS, ids=lambda m: m.__name__)
def test_no_field_of_a_money_or_signed_record_can_be_typed_into(world, staff_client, model):  # noqa: F811
    obj = model._default_manager.first()
    assert obj is not None, f"the admin test's world holds no {model.__name__}"

    response = staff_client.get(_url(model, "change", obj.pk))

    assert response.status_code == 200
    assert _inputs(response.content.decode(), _fields(model)) == []


def test_the_ledger_entries_shown_with_their_transaction_cannot_be_typed_into(
    world,  # noqa: F811
    staff_client,  # noqa: F811
):
    entry = LedgerEntry.objects.select_related("transaction").first()
    assert entry is not None

    html = staff_client.get(_url(LedgerTransaction, "change", entry.transaction_id)).content
    # Inline rows are named <prefix>-<n>-<field>.
    typed = re.findall(r'name="[\w]+-\d+-(amount_cents|account)"', html.decode())

    assert typed == []


# An issued credential is withdrawn by `credential_revoke` (with its audit event), never
# deleted; a signing key stays to verify what it signed.
@pytest.mark.parametrize("model", RECORDS, ids=lambda m: m.__name__)
def test_a_money_or_signed_record_can_be_neither_added_nor_deleted_in_the_admin(
    world,  # noqa: F811
    staff_client,  # noqa: F811
    model,
):
    obj = model._default_manager.first()
    count = model._default_manager.count()

    added = staff_client.get(_url(model, "add"))
    deleted = staff_client.post(_url(model, "delete", obj.pk), {"post": "yes"})

    assert model._default_manager.count() == count
    assert (added.status_code, deleted.status_code) == (403, 403)
