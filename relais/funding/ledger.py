"""The double-entry ledger: the one way money moves in Relais.

A movement is one `LedgerTransaction` with two or more `LedgerEntry` rows whose amounts (integer
cents) sum to zero. Sign convention: an account's balance is the sum of its entries; moving `x`
from account A to account B writes −x on A and +x on B. So a pool's balance is the money it holds,
a firm's payable what is owed to the firm, and a member's account minus what they paid in.

Transactions are never updated or deleted; a correction is a new transaction that points at the
one it corrects. A circle's pool never goes below zero: `post` locks every pool it takes money
from (SELECT … FOR UPDATE, in the order of their ids so that two spends never deadlock) and
checks its balance inside the same database transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.core.errors import Conflict, Invalid
from relais.funding.models import (
    AccountKind,
    Circle,
    LedgerAccount,
    LedgerEntry,
    LedgerTransaction,
)

if TYPE_CHECKING:
    from relais.accounts.models import Organisation, User
    from relais.bench.models import Mission


class PoolTooLow(Conflict):
    """The circle's pool does not hold enough for this spend."""


def _account(kind: str, **owner: Any) -> LedgerAccount:
    account, _created = LedgerAccount.objects.get_or_create(kind=kind, **owner)
    return account


def pool_account(circle: Circle) -> LedgerAccount:
    return _account(AccountKind.POOL, circle=circle)


def member_account(circle: Circle, user: User) -> LedgerAccount:
    return _account(AccountKind.MEMBER, circle=circle, user=user)


def firm_payable_account(firm: Organisation) -> LedgerAccount:
    return _account(AccountKind.FIRM_PAYABLE, organisation=firm)


def operator_account(kind: str) -> LedgerAccount:
    if kind not in (AccountKind.OPERATOR_REVENUE, AccountKind.PM_FUND, AccountKind.BANK):
        raise ValueError(kind)
    return _account(kind)


def balance_cents(account: LedgerAccount) -> int:
    """The account's balance, derived from its entries."""
    return int(account.entries.aggregate(total=Sum("amount_cents"))["total"] or 0)


@transaction.atomic
def post(
    *,
    kind: str,
    description: str,
    reference: str,
    lines: Sequence[tuple[LedgerAccount, int]],
    booked_on: dt.date | None = None,
    mission: Mission | None = None,
    day: dt.date | None = None,
    corrects: LedgerTransaction | None = None,
    by: User | None = None,
) -> LedgerTransaction:
    """Book one balanced movement. Refuses an unbalanced one, a zero line, a reference already
    booked (so a job that runs twice books once) and any spend that would take a pool below zero."""
    amounts = [int(amount) for _account, amount in lines]
    if len(lines) < 2 or any(amount == 0 for amount in amounts):
        raise Invalid(_("A ledger movement needs at least two non-zero lines."))
    if sum(amounts) != 0:
        raise Invalid(_("A ledger movement must balance: its lines sum to zero."))
    if LedgerTransaction.objects.filter(reference=reference).exists():
        raise Conflict(_("This movement is already booked."))
    spent: dict[int, int] = {}
    for account, amount in lines:
        if account.kind == AccountKind.POOL and amount < 0:
            spent[account.pk] = spent.get(account.pk, 0) + amount
    # Lock the pools this movement takes from, always in the same order, then check each balance.
    for pool in LedgerAccount.objects.select_for_update().filter(pk__in=spent).order_by("pk"):
        if balance_cents(pool) + spent[pool.pk] < 0:
            raise PoolTooLow(_("The circle's pool does not hold enough for this."))
    try:
        with transaction.atomic():
            movement = LedgerTransaction.objects.create(
                kind=kind,
                description=description[:250],
                reference=reference,
                booked_on=booked_on or timezone.localdate(),
                mission=mission,
                day=day,
                corrects=corrects,
                created_by=by,
            )
    except IntegrityError as error:  # the same reference booked concurrently
        raise Conflict(_("This movement is already booked.")) from error
    LedgerEntry.objects.bulk_create(
        LedgerEntry(transaction=movement, account=account, amount_cents=int(amount))
        for account, amount in lines
    )
    return movement


def check() -> list[str]:
    """What is wrong with the ledger, in words (empty when every transaction balances and no pool
    is below zero). `manage.py ledger_check` prints it and exits non-zero when it is not empty."""
    problems: list[str] = []
    unbalanced = (
        LedgerEntry.objects.values("transaction")
        .annotate(total=Sum("amount_cents"))
        .exclude(total=0)
        .values_list("transaction", "total")
    )
    problems.extend(
        f"transaction {pk} does not balance (sum {total} cents)" for pk, total in unbalanced
    )
    empty = LedgerTransaction.objects.filter(entries__isnull=True).values_list("pk", flat=True)
    problems.extend(f"transaction {pk} has no entries" for pk in empty)
    negative = (
        LedgerEntry.objects.filter(account__kind=AccountKind.POOL)
        .values("account", "account__circle__name")
        .annotate(total=Sum("amount_cents"))
        .filter(total__lt=0)
    )
    problems.extend(
        f"the pool of circle {row['account__circle__name']!r} is negative ({row['total']} cents)"
        for row in negative
    )
    return problems
