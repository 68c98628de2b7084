"""Collection runs, the pain.008 file, bank returns and the subscription movements."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone, translation

from relais.core.errors import Conflict, Invalid
from relais.funding import ledger, payments, services
from relais.funding.models import (
    AccountKind,
    CircleMembership,
    CollectionRun,
    Debit,
    DebitStatus,
    FundingRates,
    LedgerTransaction,
    MembershipStatus,
    RunStatus,
    SepaMandate,
    TransactionKind,
)
from relais.funding.selectors import funding_to_dos
from relais.funding.tests.conftest import (
    BIC_2,
    IBAN_2,
    balance,
    last_month,
    operator_balance,
    sign,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def members(circle, bob, emma, tier):
    """Bob pays 120 € a year monthly (10 €), Emma yearly (120 €)."""
    services.circle_join_by_link(user=emma, token=circle.link.token)
    sign(bob, circle, tier, billing="monthly")
    sign(emma, circle, tier, billing="yearly", iban=IBAN_2, bic=BIC_2)
    return bob, emma


def run_for(staff, day=None, **kwargs):
    return services.collection_run_create(
        staff=staff, period=day or timezone.localdate(), notify=False, **kwargs
    )


@pytest.mark.parametrize("version", ["pain.008.001.08", "pain.008.001.02"])
def test_a_run_debits_the_members_due_in_a_file_valid_by_its_xsd(members, operator_staff, version):
    run = run_for(operator_staff, version=version)
    amounts = dict(run.debits.values_list("membership__user__email", "amount_cents"))
    assert amounts == {"bob@acme.example": 10_00, "emma@acme.example": 120_00}
    assert run.total_cents == 130_00
    assert run.count == 2
    assert set(run.debits.values_list("sequence", flat=True)) == {"FRST"}
    payments.validate_against_xsd(run.document.encode(), version)
    assert f"urn:iso:std:iso:20022:tech:xsd:{version}" in run.document
    for debit in run.debits.select_related("mandate"):
        assert debit.mandate.rum in run.document
        assert debit.end_to_end_id in run.document
    assert run.collection_date == timezone.localdate() + dt.timedelta(days=14)


def test_the_pre_notification_tells_the_amount_and_date_in_the_members_language(
    members, operator_staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.collection_run_create(staff=operator_staff, period=timezone.localdate())
    emma_mail = next(m for m in mail.outbox if m.to == ["emma@acme.example"])
    debit = Debit.objects.get(membership__user__email="emma@acme.example")
    assert debit.mandate.rum in emma_mail.body
    assert "120.00" in emma_mail.body  # Emma reads English
    with translation.override("en"):
        from django.utils.formats import date_format

        assert date_format(debit.run.collection_date, "DATE_FORMAT") in emma_mail.body


def test_a_second_run_of_the_same_month_is_refused_and_changes_nothing(members, operator_staff):
    run = run_for(operator_staff)
    with pytest.raises(Conflict):
        run_for(operator_staff, day=timezone.localdate().replace(day=1))
    assert CollectionRun.objects.get() == run
    assert Debit.objects.count() == 2


def test_a_month_to_come_or_nothing_due_is_refused(members, operator_staff, circle):
    with pytest.raises(Invalid):
        run_for(operator_staff, day=timezone.localdate() + dt.timedelta(days=40))
    SepaMandate.objects.update(revoked_at=timezone.now())
    with pytest.raises(Conflict):
        run_for(operator_staff)
    assert not CollectionRun.objects.exists()


def test_only_operator_staff_make_runs(members, bob):
    from django.core.exceptions import PermissionDenied

    from relais.core.errors import NotAllowed

    with pytest.raises((PermissionDenied, NotAllowed)):
        run_for(bob)
    assert not CollectionRun.objects.exists()


def test_collected_subscriptions_go_to_the_pool_minus_the_operators_share(
    members, operator_staff, circle
):
    FundingRates.objects.create(
        valid_from=dt.date(2021, 1, 1), operator_share=Decimal("12.5"), sponsorship_rate=1
    )
    run = run_for(operator_staff)
    services.collection_run_mark_collected(staff=operator_staff, run=run)
    # 12.5 % of 10 € = 1.25 €, of 120 € = 15 €.
    assert balance(circle) == (10_00 - 1_25) + (120_00 - 15_00)
    assert operator_balance() == 1_25 + 15_00
    movement = LedgerTransaction.objects.filter(kind=TransactionKind.SUBSCRIPTION).first()
    assert sum(movement.entries.values_list("amount_cents", flat=True)) == 0
    assert set(SepaMandate.objects.values_list("first_collected_at", flat=True)) != {None}
    assert ledger.check() == []
    with pytest.raises(Conflict):
        services.collection_run_mark_collected(staff=operator_staff, run=run)
    assert LedgerTransaction.objects.filter(kind=TransactionKind.SUBSCRIPTION).count() == 2


def test_next_month_debits_monthly_members_again_in_rcur_and_yearly_ones_not(
    members, operator_staff
):
    today = timezone.localdate()
    first = run_for(operator_staff, day=last_month(today))
    services.collection_run_mark_collected(staff=operator_staff, run=first)
    second = run_for(operator_staff, day=today)
    debits = list(second.debits.values_list("membership__user__email", "sequence"))
    assert debits == [("bob@acme.example", "RCUR")]
    payments.validate_against_xsd(second.document.encode(), second.version)


# --- Returns ----------------------------------------------------------------------------------


@pytest.fixture
def collected(members, operator_staff):
    run = run_for(operator_staff)
    return services.collection_run_mark_collected(staff=operator_staff, run=run)


def returns_file(
    *rows: tuple[str, str, str, str],
    header: str = "rum,end_to_end_id,amount,reason_code",
    delimiter: str = ",",
):
    if delimiter != ",":
        header = header.replace(",", delimiter)
    return (header + "\n" + "\n".join(delimiter.join(r) for r in rows) + "\n").encode()


def emma_debit() -> Debit:
    return Debit.objects.select_related("mandate").get(membership__user__email="emma@acme.example")


def state():
    return (
        sorted(Debit.objects.values_list("pk", "status")),
        sorted(CircleMembership.objects.values_list("pk", "status")),
        LedgerTransaction.objects.count(),
    )


def test_a_returned_debit_is_booked_back_puts_the_member_past_due_and_tells_them(
    collected, operator_staff, circle, emma, django_capture_on_commit_callbacks
):
    debit = emma_debit()
    before_pool, before_revenue = balance(circle), operator_balance()
    with django_capture_on_commit_callbacks(execute=True):
        services.returns_import(
            staff=operator_staff,
            data=returns_file((debit.mandate.rum, debit.end_to_end_id, "120.00", "AM04")),
        )
    debit.refresh_from_db()
    assert debit.status == DebitStatus.RETURNED
    assert debit.return_reason == "AM04"
    assert CircleMembership.objects.get(user=emma).status == MembershipStatus.PAST_DUE
    # The pool gives back what it received (108 €), the operator its share (12 €).
    assert balance(circle) == before_pool - 108_00
    assert operator_balance() == before_revenue - 12_00
    back = LedgerTransaction.objects.get(kind=TransactionKind.RETURN)
    assert back.corrects.reference == f"subscription:debit:{debit.pk}"
    assert ledger.check() == []
    assert mail.outbox[-1].to == ["emma@acme.example"]
    assert "AM04" in mail.outbox[-1].body
    assert funding_to_dos(emma).past_due[0].circle == circle


def test_a_past_due_member_is_in_good_standing_again_after_the_next_successful_collection(
    collected, operator_staff, emma
):
    debit = emma_debit()
    services.returns_import(
        staff=operator_staff,
        data=returns_file(
            (debit.mandate.rum, debit.end_to_end_id, "120,00", "MD01"), delimiter=";"
        ),
        notify=False,
    )
    CollectionRun.objects.update(period=last_month(timezone.localdate()))
    run = run_for(operator_staff)
    assert run.debits.filter(membership__user=emma).exists()  # a returned yearly debit is due again
    services.collection_run_mark_collected(staff=operator_staff, run=run)
    assert CircleMembership.objects.get(user=emma).status == MembershipStatus.ACTIVE


def test_a_return_when_the_pool_already_spent_the_money_takes_the_rest_from_the_operator(
    collected, operator_staff, circle
):
    spender = ledger.firm_payable_account(circle.firm)
    ledger.post(
        kind=TransactionKind.FEE,
        description="x",
        reference="fee:test",
        lines=[(ledger.pool_account(circle), -balance(circle)), (spender, balance(circle))],
    )
    debit = emma_debit()
    revenue = operator_balance()
    services.returns_import(
        staff=operator_staff,
        data=returns_file((debit.mandate.rum, debit.end_to_end_id, "120", "AM04")),
        notify=False,
    )
    assert balance(circle) == 0
    assert operator_balance() == revenue - 120_00
    assert ledger.check() == []


@pytest.mark.parametrize(
    ("row", "header"),
    [
        (("RUM-INCONNUE", "{e2e}", "120.00", "AM04"), None),
        (("{rum}", "{e2e}", "cent vingt", "AM04"), None),
        (("{rum}", "{e2e}", "12.00", "AM04"), None),
        (("{rum}", "RELAIS-000000-0", "120.00", "AM04"), None),
        (("{rum}", "{e2e}", "120.00", "not a code"), None),
        (("{rum}", "{e2e}", "120.00", "AM04"), "rum;amount"),
    ],
)
def test_a_bad_returns_file_gets_a_clear_message_and_changes_nothing(
    collected, operator_staff, row, header
):
    debit = emma_debit()
    cells = tuple(c.format(rum=debit.mandate.rum, e2e=debit.end_to_end_id) for c in row)
    before = state()
    with pytest.raises(Invalid) as refused:
        services.returns_import(
            staff=operator_staff,
            data=returns_file(cells, header=header) if header else returns_file(cells),
        )
    assert refused.value.messages
    assert state() == before


def test_one_bad_line_refuses_the_good_ones_too(collected, operator_staff):
    debit = emma_debit()
    before = state()
    with pytest.raises(Invalid) as refused:
        services.returns_import(
            staff=operator_staff,
            data=returns_file(
                (debit.mandate.rum, debit.end_to_end_id, "120.00", "AM04"),
                ("RUM-INCONNUE", "X", "1.00", "AM04"),
            ),
        )
    assert any("3" in m for m in refused.value.fields["file"])  # the line is named
    assert state() == before


def test_a_duplicate_line_or_a_debit_already_returned_is_refused(collected, operator_staff):
    debit = emma_debit()
    line = (debit.mandate.rum, debit.end_to_end_id, "120.00", "AM04")
    before = state()
    with pytest.raises(Invalid):
        services.returns_import(staff=operator_staff, data=returns_file(line, line))
    assert state() == before
    services.returns_import(staff=operator_staff, data=returns_file(line), notify=False)
    after = state()
    with pytest.raises(Invalid):
        services.returns_import(staff=operator_staff, data=returns_file(line))
    assert state() == after


def test_a_return_before_the_run_is_collected_books_nothing_and_the_debit_is_skipped(
    members, operator_staff, circle
):
    run = run_for(operator_staff)
    debit = emma_debit()
    services.returns_import(
        staff=operator_staff,
        data=returns_file((debit.mandate.rum, debit.end_to_end_id, "120.00", "AC04")),
        notify=False,
    )
    assert not LedgerTransaction.objects.exists()
    services.collection_run_mark_collected(staff=operator_staff, run=run)
    assert LedgerTransaction.objects.filter(kind=TransactionKind.SUBSCRIPTION).count() == 1
    assert CollectionRun.objects.get().status == RunStatus.COLLECTED
    assert ledger.balance_cents(ledger.member_account(circle, debit.membership.user)) == 0
    assert AccountKind.POOL
