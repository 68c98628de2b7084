"""Every change of circles, mandates, collections and the money they move: one function each.

Money moves only through `ledger.post` (balanced, immutable, a pool never below zero). Whoever
acts next is told by email (in their language, after the commit) and sees a to-do on their
dashboard (`selectors.funding_to_dos`)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import secrets
from collections import defaultdict
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.accounts.models import Organisation, OrganisationKind, Role
from relais.bench import selectors as bench_selectors
from relais.bench.models import ConsultantProfile, Mission, MissionStatus
from relais.bench.services import BenchError
from relais.core.errors import Conflict, Invalid, NotAllowed
from relais.core.mail import notify_on_commit
from relais.core.validators import refuse_implausible_dates
from relais.funding import access, ledger, payments, selectors
from relais.funding.models import (
    AccountKind,
    BillingPeriod,
    Circle,
    CircleInvitation,
    CircleLink,
    CircleMembership,
    CircleRole,
    CollectionRun,
    Debit,
    DebitStatus,
    LedgerEntry,
    LedgerTransaction,
    MembershipStatus,
    PainVersion,
    PoolAlert,
    RunStatus,
    SepaMandate,
    SubscriptionTier,
    TransactionKind,
)
from relais.funding.tasks import (
    circle_invitation_send,
    debit_returned_notify,
    debits_prenotify,
    pool_low_notify,
)

if TYPE_CHECKING:
    from relais.accounts.models import User as UserType


# --- Circles --------------------------------------------------------------------------------


def _require_consultant(user: UserType, firm: Organisation | None) -> None:
    """Only consultants join circles; a firm's circle only its own consultants."""
    if firm is not None and not user.has_role(firm.pk, [Role.CONSULTANT]):
        raise NotAllowed(
            _("This circle gathers the consultants of %(firm)s only.") % {"firm": firm.name}
        )
    if firm is None and not access.is_consultant(user):
        raise NotAllowed(_("Circles gather consultants of IT services firms."))


def _link_token() -> str:
    return secrets.token_urlsafe(24)


@transaction.atomic
def circle_create(
    *, creator: UserType, name: str, description: str = "", firm: Organisation | None = None
) -> Circle:
    """A consultant creates a circle, of one of their firms or across firms, and is its first
    admin."""
    name = name.strip()
    if not name:
        raise Invalid(_("Give the circle a name."), fields={"name": [_("This field is required.")]})
    if firm is not None and firm.kind != OrganisationKind.FIRM:
        raise Invalid(_("A circle belongs to an IT services firm, or to none."))
    _require_consultant(creator, firm)
    circle = Circle.objects.create(
        name=name[:150], description=description.strip(), firm=firm, created_by=creator
    )
    CircleLink.objects.create(circle=circle, token=_link_token())
    CircleMembership.objects.create(circle=circle, user=creator, role=CircleRole.ADMIN)
    ledger.pool_account(circle)
    return circle


def _member_locked(user: UserType, circle: Circle) -> CircleMembership | None:
    return (
        CircleMembership.objects.select_for_update()
        .filter(user=user, circle=circle)
        .exclude(status=MembershipStatus.LEFT)
        .first()
    )


@transaction.atomic
def circle_invite(*, inviter: UserType, circle: Circle, email: str) -> CircleInvitation:
    """A member invites a colleague by email; they join only if they accept it themselves."""
    if _member_locked(inviter, circle) is None:
        raise NotAllowed
    email = email.strip().lower()
    if not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email) or len(email) > 254:
        raise Invalid(
            _("Enter a valid email address."), fields={"email": [_("Enter a valid email address.")]}
        )
    already = CircleMembership.objects.filter(circle=circle, user__email__iexact=email).exclude(
        status=MembershipStatus.LEFT
    )
    if already.exists():
        raise Conflict(_("This person is already a member of the circle."))
    pending = CircleInvitation.objects.filter(
        circle=circle, email__iexact=email, accepted_at__isnull=True, declined_at__isnull=True
    ).first()
    if pending is not None:
        return pending
    invitation = CircleInvitation.objects.create(circle=circle, email=email, invited_by=inviter)
    notify_on_commit(circle_invitation_send, invitation_id=invitation.pk)
    return invitation


def _join(user: UserType, circle: Circle) -> CircleMembership:
    """Adds the person to the circle (again, if they left it), waiting for their mandate."""
    _require_consultant(user, circle.firm)
    membership = (
        CircleMembership.objects.select_for_update().filter(user=user, circle=circle).first()
    )
    if membership is None:
        try:
            with transaction.atomic():
                return CircleMembership.objects.create(circle=circle, user=user)
        except IntegrityError:
            membership = CircleMembership.objects.select_for_update().get(user=user, circle=circle)
    if membership.status != MembershipStatus.LEFT:
        return membership
    membership.status = MembershipStatus.PENDING
    membership.role = CircleRole.MEMBER
    membership.joined_at = timezone.now()
    membership.left_at = None
    membership.save(update_fields=["status", "role", "joined_at", "left_at"])
    return membership


@transaction.atomic
def circle_invitation_accept(*, user: UserType, invitation: CircleInvitation) -> CircleMembership:
    """The invited person accepts: they join the circle (their own action, never automatic)."""
    invitation = CircleInvitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.email.lower() != user.email.lower():
        raise NotAllowed
    if not invitation.is_pending:
        raise Conflict(_("This invitation was already answered."))
    membership = _join(user, invitation.circle)
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    return membership


@transaction.atomic
def circle_invitation_decline(*, user: UserType, invitation: CircleInvitation) -> None:
    invitation = CircleInvitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.email.lower() != user.email.lower():
        raise NotAllowed
    if not invitation.is_pending:
        raise Conflict(_("This invitation was already answered."))
    invitation.declined_at = timezone.now()
    invitation.save(update_fields=["declined_at"])


def circle_by_token(token: str) -> Circle | None:
    link = CircleLink.objects.select_related("circle__firm").filter(token=token[:64]).first()
    return link.circle if link is not None else None


@transaction.atomic
def circle_join_by_link(*, user: UserType, token: str) -> CircleMembership:
    """A person who received the circle's link joins it by their own action."""
    circle = circle_by_token(token)
    if circle is None:
        raise Conflict(_("This join link is not valid any more: ask the circle for a new one."))
    membership = _join(user, circle)
    CircleInvitation.objects.filter(
        circle=circle, email__iexact=user.email, accepted_at__isnull=True, declined_at__isnull=True
    ).update(accepted_at=timezone.now())
    return membership


@transaction.atomic
def circle_link_renew(*, admin: UserType, circle: Circle) -> CircleLink:
    """An admin replaces the join link: the old one stops working."""
    if not access.is_circle_admin(admin, circle):
        raise NotAllowed
    link, _created = CircleLink.objects.get_or_create(
        circle=circle, defaults={"token": _link_token()}
    )
    if not _created:
        link.token = _link_token()
        link.created_at = timezone.now()
        link.save(update_fields=["token", "created_at"])
    return link


@transaction.atomic
def membership_make_admin(*, admin: UserType, membership: CircleMembership) -> CircleMembership:
    """An admin makes another member admin too (a circle may have several)."""
    actor = _member_locked(admin, membership.circle)
    if actor is None or actor.role != CircleRole.ADMIN:
        raise NotAllowed
    membership = CircleMembership.objects.select_for_update().get(pk=membership.pk)
    if membership.status == MembershipStatus.LEFT:
        raise Conflict(_("This person left the circle."))
    membership.role = CircleRole.ADMIN
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def membership_leave(*, user: UserType, circle: Circle) -> CircleMembership:
    """A member leaves: their mandate is revoked, no debit follows. The last admin cannot leave
    (they make another member admin first)."""
    # Every membership of the circle locked, in one order: two admins leaving at once serialise.
    rows = list(CircleMembership.objects.select_for_update().filter(circle=circle).order_by("pk"))
    membership = next(
        (m for m in rows if m.user_id == user.pk and m.status != MembershipStatus.LEFT), None
    )
    if membership is None:
        raise NotAllowed
    admins = [m for m in rows if m.role == CircleRole.ADMIN and m.status != MembershipStatus.LEFT]
    if membership.role == CircleRole.ADMIN and len(admins) == 1:
        raise Conflict(
            _("You are the circle's last admin: make another member admin before you leave.")
        )
    now = timezone.now()
    membership.status = MembershipStatus.LEFT
    membership.left_at = now
    membership.save(update_fields=["status", "left_at"])
    SepaMandate.objects.filter(membership=membership, revoked_at__isnull=True).update(
        revoked_at=now
    )
    return membership


# --- Mandates -------------------------------------------------------------------------------


def new_rum(membership: CircleMembership) -> str:
    """A fresh mandate reference: RELAIS-<circle>-<member>-<random>, never an IBAN inside."""
    return f"RELAIS-{membership.circle_id}-{membership.pk}-{secrets.token_hex(4).upper()}"


def _check_rum(rum: str, iban: str) -> str:
    rum = rum.strip()
    if not payments.RUM_PATTERN.fullmatch(rum):
        raise Invalid(
            _(
                "A mandate reference has 1 to 35 characters: letters, digits, spaces and "
                "+ ? / - : ( ) . , '"
            ),
            fields={"rum": [_("This mandate reference is not valid.")]},
        )
    compact = rum.replace(" ", "").upper()
    if iban and (iban in compact or iban[4:] in compact):
        raise Invalid(
            _("A mandate reference may not contain the IBAN."),
            fields={"rum": [_("A mandate reference may not contain the IBAN.")]},
        )
    if SepaMandate.objects.filter(rum__iexact=rum).exists():
        raise Invalid(
            _("This mandate reference is already used: each mandate has its own."),
            fields={"rum": [_("This mandate reference is already used.")]},
        )
    return rum


@transaction.atomic
def mandate_sign(
    *,
    user: UserType,
    circle: Circle,
    tier: SubscriptionTier,
    billing: str,
    iban: str,
    bic: str,
    holder_name: str,
    rum: str = "",
    signed_on: dt.date | None = None,
) -> SepaMandate:
    """A member chooses their subscription and signs a SEPA mandate (IBAN and BIC checked, a
    unique reference, the operator's creditor identifier): they are then in good standing, unless
    a returned debit is still unpaid (the next successful collection settles it)."""
    membership = _member_locked(user, circle)
    if membership is None:
        raise NotAllowed
    if not tier.active:
        raise Invalid(
            _("This subscription is not offered any more."),
            fields={"tier": [_("Choose another subscription.")]},
        )
    if billing not in BillingPeriod.values:
        raise Invalid(
            _("Choose monthly or yearly."), fields={"billing": [_("Choose monthly or yearly.")]}
        )
    holder_name = " ".join(holder_name.split())
    if not holder_name or len(holder_name) > 70:
        raise Invalid(
            _("Give the account holder's name (at most 70 characters)."),
            fields={"holder_name": [_("Give the account holder's name (at most 70 characters).")]},
        )
    iban = payments.normalised_iban(iban)
    bic = payments.normalised_bic(bic)
    creditor = payments.creditor()
    with transaction.atomic():
        reference = _check_rum(rum, iban) if rum.strip() else new_rum(membership)
        now = timezone.now()
        SepaMandate.objects.filter(membership=membership, revoked_at__isnull=True).update(
            revoked_at=now
        )
        try:
            with transaction.atomic():
                mandate = SepaMandate.objects.create(
                    membership=membership,
                    rum=reference,
                    iban=iban,
                    bic=bic,
                    holder_name=holder_name,
                    creditor_id=creditor.identifier,
                    signed_on=signed_on or timezone.localdate(),
                )
        except IntegrityError:
            raise Invalid(
                _("This mandate reference is already used: each mandate has its own."),
                fields={"rum": [_("This mandate reference is already used.")]},
            ) from None
    membership.tier = tier
    membership.billing = billing
    fields = ["tier", "billing"]
    if membership.status == MembershipStatus.PENDING:
        membership.status = MembershipStatus.ACTIVE
        fields.append("status")
    membership.save(update_fields=fields)
    return mandate


def valid_mandate(membership: CircleMembership) -> SepaMandate | None:
    return SepaMandate.objects.filter(membership=membership, revoked_at__isnull=True).first()


# --- Collection runs ------------------------------------------------------------------------


def _month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _months_before(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 - months
    return dt.date(index // 12, index % 12 + 1, 1)


def debits_due(period: dt.date) -> list[tuple[CircleMembership, SepaMandate, int]]:
    """Who is debited in a month: members with a subscription and a valid mandate, in good
    standing or past due; monthly ones every month, yearly ones once in twelve months."""
    memberships = list(
        CircleMembership.objects.filter(
            status__in=[MembershipStatus.ACTIVE, MembershipStatus.PAST_DUE],
            tier__isnull=False,
            mandates__revoked_at__isnull=True,
        )
        .select_related("tier", "user", "circle")
        .order_by("pk")
        .distinct()
    )
    mandates = {
        m.membership_id: m
        for m in SepaMandate.objects.filter(membership__in=memberships, revoked_at__isnull=True)
    }
    recent_yearly = set(
        Debit.objects.filter(
            membership__in=[m for m in memberships if m.billing == BillingPeriod.YEARLY],
            run__period__gt=_months_before(period, 12),
            status__in=[DebitStatus.PENDING, DebitStatus.COLLECTED],
        ).values_list("membership_id", flat=True)
    )
    due = []
    for membership in memberships:
        mandate = mandates.get(membership.pk)
        if mandate is None or membership.pk in recent_yearly:
            continue
        due.append((membership, mandate, selectors.debit_amount_cents(membership)))
    return due


def collection_run_create(
    *,
    staff: UserType,
    period: dt.date,
    version: str = PainVersion.V08,
    notify: bool = True,
    today: dt.date | None = None,
) -> CollectionRun:
    """Operator staff collect the subscriptions due in a month: one run per month (a second is
    refused), a pain.008 file checked against its XSD, and every debtor pre-notified (amount
    and date) the number of days the setting says before the collection date."""
    access.require_staff(staff)
    today = today or timezone.localdate()
    refuse_implausible_dates(period=period)
    period = _month(period)
    if period > _month(today):
        raise Invalid(
            _("A month to come cannot be collected yet."),
            fields={"period": [_("Choose this month or an earlier one.")]},
        )
    if version not in PainVersion.values:
        raise Invalid(_("Unknown file format."), fields={"version": [_("Unknown file format.")]})
    refused = Conflict(_("The subscriptions of this month are already collected by another run."))
    try:
        with transaction.atomic():
            if CollectionRun.objects.filter(period=period).exists():
                raise refused
            run = CollectionRun.objects.create(
                period=period,
                collection_date=today + dt.timedelta(days=settings.SEPA_PRENOTIFICATION_DAYS),
                version=version,
                message_id=f"RELAIS-{period:%Y%m}-{secrets.token_hex(6).upper()}",
                created_by=staff,
            )
            _fill_run(run)
    except IntegrityError:
        # The same month asked at the same instant: the other request made the run.
        raise refused from None
    if notify:
        ids = list(run.debits.values_list("pk", flat=True))
        notify_on_commit(debits_prenotify, debit_ids=ids)
    return run


def _fill_run(run: CollectionRun) -> None:
    due = debits_due(run.period)
    if not due:
        raise Conflict(_("No subscription is due this month: there is nothing to collect."))
    debits = [
        Debit(
            run=run,
            membership=membership,
            mandate=mandate,
            amount_cents=amount,
            sequence=mandate.sequence,
            end_to_end_id=f"RELAIS-{run.pk}-{membership.pk}",
        )
        for membership, mandate, amount in due
    ]
    Debit.objects.bulk_create(debits)
    lines = [
        payments.DebitLine(
            end_to_end_id=debit.end_to_end_id,
            amount_cents=debit.amount_cents,
            sequence=debit.sequence,
            rum=debit.mandate.rum,
            signed_on=debit.mandate.signed_on,
            holder_name=debit.mandate.holder_name,
            iban=debit.mandate.iban,
            bic=debit.mandate.bic,
            description=f"Relais {debit.membership.circle.name} {run.period:%m/%Y}",
        )
        for debit in debits
    ]
    provider = payments.provider()
    document = provider.export(
        lines=lines, collection_date=run.collection_date, version=run.version
    )
    run.document = document.decode()
    run.message_id = provider.message_id(document)[:35] or run.message_id
    run.total_cents = sum(d.amount_cents for d in debits)
    run.count = len(debits)
    run.save(update_fields=["document", "message_id", "total_cents", "count"])


@transaction.atomic
def collection_run_mark_collected(*, staff: UserType, run: CollectionRun) -> CollectionRun:
    """The bank collected the run: each debit not returned books its subscription (the member's
    money into the circle's pool, minus the operator's share), mandates go on to RCUR, and a
    past-due member who paid is in good standing again."""
    access.require_staff(staff)
    run = CollectionRun.objects.select_for_update().get(pk=run.pk)
    if run.status == RunStatus.COLLECTED:
        raise Conflict(_("This run is already marked as collected."))
    now = timezone.now()
    rates = selectors.rates_at(run.collection_date)
    revenue = ledger.operator_account(AccountKind.OPERATOR_REVENUE)
    debits = list(
        run.debits.filter(status=DebitStatus.PENDING).select_related(
            "membership__circle", "membership__user", "mandate"
        )
    )
    for debit in debits:
        membership = debit.membership
        share = selectors.share_cents(debit.amount_cents, rates.operator_share)
        lines: list[tuple[Any, int]] = [
            (ledger.member_account(membership.circle, membership.user), -debit.amount_cents)
        ]
        if debit.amount_cents - share:
            lines.append((ledger.pool_account(membership.circle), debit.amount_cents - share))
        if share:
            lines.append((revenue, share))
        ledger.post(
            kind=TransactionKind.SUBSCRIPTION,
            description=f"{membership.circle.name}: {debit.end_to_end_id}",
            reference=f"subscription:debit:{debit.pk}",
            lines=lines,
            booked_on=run.collection_date,
            by=staff,
        )
        PoolAlert.objects.filter(circle=membership.circle).delete()
    Debit.objects.filter(pk__in=[d.pk for d in debits]).update(status=DebitStatus.COLLECTED)
    SepaMandate.objects.filter(
        pk__in=[d.mandate_id for d in debits], first_collected_at__isnull=True
    ).update(first_collected_at=now)
    CircleMembership.objects.filter(
        pk__in=[d.membership_id for d in debits], status=MembershipStatus.PAST_DUE
    ).update(status=MembershipStatus.ACTIVE)
    run.status = RunStatus.COLLECTED
    run.collected_at = now
    run.save(update_fields=["status", "collected_at"])
    return run


# --- Bank returns ---------------------------------------------------------------------------

RETURN_COLUMNS = ["rum", "end_to_end_id", "amount", "reason_code"]
MAX_RETURN_LINES = 5000


def _amount_cents(text: str) -> int | None:
    text = text.strip().replace(" ", "").replace("€", "")
    if "," in text and "." not in text:
        text = text.replace(",", ".")
    if not re.fullmatch(r"\d+(\.\d{1,2})?", text):
        return None
    try:
        return int((Decimal(text) * 100).to_integral_value())
    except InvalidOperation:
        return None


def returns_parse(data: bytes) -> list[tuple[Debit, str]]:
    """The returned debits a bank's CSV names (columns rum, end_to_end_id, amount, reason_code),
    each line checked; any problem refuses the whole file with every message, line by line."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise Invalid(_("The file is not UTF-8 text.")) from None
    if "\x00" in text:
        raise Invalid(_("The file is not a CSV file."))
    lines = text.splitlines()
    if not lines:
        raise Invalid(_("The file is empty."))
    delimiter = ";" if lines[0].count(";") > lines[0].count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip().lower() for h in next(reader, [])]
    if header != RETURN_COLUMNS:
        raise Invalid(
            _("The first line must name the columns: %(columns)s.")
            % {"columns": ", ".join(RETURN_COLUMNS)}
        )
    rows = [(n, row) for n, row in enumerate(reader, start=2) if any(c.strip() for c in row)]
    if not rows:
        raise Invalid(_("The file names no returned debit."))
    if len(rows) > MAX_RETURN_LINES:
        raise Invalid(_("At most %(count)s lines per file.") % {"count": MAX_RETURN_LINES})
    ids = [row[1].strip() for _n, row in rows if len(row) == 4]
    debits = {
        d.end_to_end_id: d
        for d in Debit.objects.filter(end_to_end_id__in=ids).select_related(
            "mandate", "membership__user", "membership__circle", "run"
        )
    }
    known_rums = set(
        SepaMandate.objects.filter(rum__in=[row[0].strip() for _n, row in rows if row]).values_list(
            "rum", flat=True
        )
    )
    problems: list[str] = []
    found: list[tuple[Debit, str]] = []
    seen: set[str] = set()
    for number, row in rows:
        if len(row) != 4:
            problems.append(_("Line %(line)s: 4 columns expected.") % {"line": number})
            continue
        rum, end_to_end_id, amount_text, reason = (c.strip() for c in row)
        if rum not in known_rums:
            problems.append(
                _("Line %(line)s: no mandate has the reference %(rum)s.")
                % {"line": number, "rum": rum[:40]}
            )
            continue
        debit = debits.get(end_to_end_id)
        if debit is None or debit.mandate.rum != rum:
            problems.append(
                _("Line %(line)s: no debit %(id)s under the mandate %(rum)s.")
                % {"line": number, "id": end_to_end_id[:40], "rum": rum}
            )
            continue
        amount = _amount_cents(amount_text)
        if amount is None:
            problems.append(
                _("Line %(line)s: the amount “%(amount)s” is not a number (write 10.00).")
                % {"line": number, "amount": amount_text[:20]}
            )
            continue
        if amount != debit.amount_cents:
            problems.append(
                _("Line %(line)s: the amount %(amount)s does not match the debit (%(expected)s).")
                % {
                    "line": number,
                    "amount": f"{amount / 100:.2f}",
                    "expected": f"{debit.amount_cents / 100:.2f}",
                }
            )
            continue
        if not re.fullmatch(r"[A-Z0-9]{4}", reason.upper()):
            problems.append(
                _("Line %(line)s: the reason code must have 4 letters or digits (e.g. AM04).")
                % {"line": number}
            )
            continue
        if end_to_end_id in seen:
            problems.append(
                _("Line %(line)s: this debit is already named above.") % {"line": number}
            )
            continue
        if debit.status == DebitStatus.RETURNED:
            problems.append(_("Line %(line)s: this debit is already returned.") % {"line": number})
            continue
        seen.add(end_to_end_id)
        found.append((debit, reason.upper()))
    if problems:
        raise Invalid(
            _("Nothing was imported: correct the file and send it again."),
            fields={"file": problems},
        )
    return found


def returns_import(*, staff: UserType, data: bytes, notify: bool = True) -> list[Debit]:
    """Operator staff import the bank's returns, all or nothing: each returned debit is booked
    back in the ledger (if it was booked), its member is past due and told (email and dashboard),
    in their language."""
    access.require_staff(staff)
    with transaction.atomic():
        found = returns_parse(data)
        locked = {
            d.pk: d
            for d in Debit.objects.select_for_update().filter(pk__in=[d.pk for d, _r in found])
        }
        if any(d.status == DebitStatus.RETURNED for d in locked.values()):
            raise Conflict(_("Some of these debits were returned meanwhile: nothing was imported."))
        now = timezone.now()
        for debit, reason in found:
            if locked[debit.pk].status == DebitStatus.COLLECTED:
                _book_return(debit, reason, staff)
            Debit.objects.filter(pk=debit.pk).update(
                status=DebitStatus.RETURNED, return_reason=reason, returned_at=now
            )
        CircleMembership.objects.filter(pk__in=[d.membership_id for d, _r in found]).exclude(
            status=MembershipStatus.LEFT
        ).update(status=MembershipStatus.PAST_DUE)
        ids = [d.pk for d, _r in found]
        if notify:
            notify_on_commit(debit_returned_notify, debit_ids=ids)
    return [d for d, _r in found]


def _book_return(debit: Debit, reason: str, staff: UserType) -> LedgerTransaction:
    """The reverse of the subscription: the pool gives back what it received, as far as it still
    holds it; the operator's revenue gives back its share and bears what the pool already spent."""
    membership = debit.membership
    pool = ledger.pool_account(membership.circle)
    # Locked first, so that the balance read here is the one `post` checks.
    ledger.LedgerAccount.objects.select_for_update().filter(pk=pool.pk).first()
    revenue = ledger.operator_account(AccountKind.OPERATOR_REVENUE)
    received = LedgerEntry.objects.filter(
        transaction__reference=f"subscription:debit:{debit.pk}", account=pool
    ).first()
    from_pool = min(received.amount_cents if received else 0, max(ledger.balance_cents(pool), 0))
    lines: list[tuple[Any, int]] = [
        (ledger.member_account(membership.circle, membership.user), debit.amount_cents)
    ]
    if from_pool:
        lines.append((pool, -from_pool))
    if debit.amount_cents - from_pool:
        lines.append((revenue, -(debit.amount_cents - from_pool)))
    original = LedgerTransaction.objects.filter(reference=f"subscription:debit:{debit.pk}").first()
    return ledger.post(
        kind=TransactionKind.RETURN,
        description=f"{membership.circle.name}: {debit.end_to_end_id} ({reason})",
        reference=f"return:debit:{debit.pk}",
        lines=lines,
        corrects=original,
        by=staff,
    )


# --- Fees and sponsorship: the pool pays for its members' bench days ------------------------

# How far back the job looks for days not booked yet (a day the pool could not pay is booked
# when money comes in, within this window).
LOOK_BACK_DAYS = 92


def _raise_alert(circle: Circle, needed: int, notify: bool) -> None:
    _alert, created = PoolAlert.objects.get_or_create(
        circle=circle, defaults={"needed_cents": needed}
    )
    if created and notify:
        notify_on_commit(pool_low_notify, circle_id=circle.pk)


def day_book(*, mission: Mission, day: dt.date, circle: Circle) -> LedgerTransaction | None:
    """Books one mission day from the circle's pool: in fee mode rate × TJM to the firm's
    payable, in sponsorship mode to the operator's project-management fund. Refused (PoolTooLow)
    when the pool does not hold enough; idempotent by its reference."""
    kind, amount = selectors.mission_daily_cents(mission, day)
    if amount <= 0:
        return None
    target = (
        ledger.firm_payable_account(mission.bench_period.firm)
        if kind == TransactionKind.FEE
        else ledger.operator_account(AccountKind.PM_FUND)
    )
    return ledger.post(
        kind=kind,
        description=f"{mission.project.title} — {day.isoformat()}",
        reference=f"{kind}:mission:{mission.pk}:{day.isoformat()}",
        lines=[(ledger.pool_account(circle), -amount), (target, amount)],
        booked_on=day,
        mission=mission,
        day=day,
    )


def fees_accrue(*, today: dt.date | None = None, notify: bool = True) -> dict[str, int]:
    """The periodic job: for each mission day lent (the loan's true days: working days, absences
    out, nothing after a recall's date or the mission's end) not booked yet, the consultant's
    circle's pool pays the day (from the day they joined it). A pool that cannot pay stops there
    and its admins are told once. Consultants in no circle (or not in good standing) accrue
    nothing."""
    today = today or timezone.localdate()
    since = today - dt.timedelta(days=LOOK_BACK_DAYS)
    missions = list(
        Mission.objects.filter(
            status__in=[MissionStatus.ACTIVE, MissionStatus.ENDED],
            start__isnull=False,
            start__lte=today,
        )
        .filter(Q(end__isnull=True) | Q(end__gte=since))
        .select_related("project", "bench_period__firm")
        .order_by("consultant_id", "start", "pk")
    )
    funding = selectors.funding_memberships({m.consultant_id for m in missions})
    booked = set(
        LedgerTransaction.objects.filter(
            mission__in=missions, kind__in=[TransactionKind.FEE, TransactionKind.SPONSORSHIP]
        ).values_list("mission_id", "day")
    )
    by_consultant: dict[int, list[Mission]] = defaultdict(list)
    for mission in missions:
        by_consultant[mission.consultant_id].append(mission)
    alsace = set(
        ConsultantProfile.objects.filter(
            user_id__in=list(by_consultant), alsace_moselle=True
        ).values_list("user_id", flat=True)
    )
    outcome = {"booked": 0, "refused": 0}
    stopped: set[int] = set()
    for consultant_id, own in by_consultant.items():
        membership = funding.get(consultant_id)
        if membership is None:
            continue
        circle = membership.circle
        # The circle pays the days from the day its member joined, never before.
        joined = timezone.localdate(membership.joined_at)
        days = bench_selectors.consultant_days(
            own, since, today, alsace_moselle=consultant_id in alsace
        )
        pending = sorted(
            (day, mission.pk)
            for mission in own
            for day in days.get(mission.pk, set())
            if (mission.pk, day) not in booked and day >= joined
        )
        missions_by_pk = {m.pk: m for m in own}
        for day, mission_pk in pending:
            if circle.pk in stopped:
                break
            mission = missions_by_pk[mission_pk]
            try:
                if day_book(mission=mission, day=day, circle=circle) is not None:
                    outcome["booked"] += 1
            except ledger.PoolTooLow:
                outcome["refused"] += 1
                stopped.add(circle.pk)
                _raise_alert(circle, selectors.mission_daily_cents(mission, day)[1], notify)
    return outcome


def mission_start_check(mission: Mission) -> None:
    """Before a mission starts: when the consultant's circle's pool cannot pay one day of it,
    the mission is not confirmed and the circle's admins are told. Without a circle, nothing
    is checked (the mission proceeds; nothing accrues)."""
    circle = selectors.funding_circles([mission.consultant_id]).get(mission.consultant_id)
    if circle is None:
        return
    _kind, amount = selectors.mission_daily_cents(mission, timezone.localdate())
    if amount <= 0:
        return
    if selectors.pool_balance_cents(circle) >= amount:
        return
    # The refusal rolls the transaction back: the admins are told at once, outside it.
    pool_low_notify.call(circle_id=circle.pk)
    raise BenchError(
        _(
            "The pool of your circle %(circle)s cannot pay a day of this mission yet: its admins "
            "are told. The mission can start once the next subscriptions are collected."
        )
        % {"circle": circle.name}
    )
