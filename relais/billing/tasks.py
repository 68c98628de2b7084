"""Background jobs of billing: they take ids and send the emails, each in its recipient's
language."""

from __future__ import annotations

from django.core.mail import send_mass_mail
from django.urls import reverse
from django_tasks import task

from relais.accounts.models import Role, User
from relais.billing.models import Invoice, TaxReceipt
from relais.core.mail import absolute_url, by_language, render_email

# Who hears of each event of an invoice: the next person to act, and those it concerns.
_INVOICE_RECIPIENTS = {
    "to_issue": ("firm_admins",),  # the firm issues its own invoice: a draft waits for it
    "issued_for_you": ("firm_admins",),  # the operator self-billed it in the firm's name
    "to_pay": ("operator_staff",),  # the operator, the buyer, pays it
    "credit_note": ("firm_admins", "operator_staff"),
}


def _admins(organisation_id: int, role: str) -> set[User]:
    return set(
        User.objects.filter(
            memberships__organisation_id=organisation_id, memberships__role=role, is_active=True
        )
    )


def _send(recipients: set[User], subject: str, body: str, context: dict[str, object]) -> None:
    messages = []
    for language, emails in by_language(recipients).items():
        rendered_subject, rendered_body = render_email(subject, body, context, language=language)
        messages += [(rendered_subject, rendered_body, None, [email]) for email in emails]
    if messages:
        send_mass_mail(messages)


@task()
def invoice_notify(*, invoice_id: int, event: str) -> None:
    """Tells the firm's admins or the operator's staff what an invoice now asks of them."""
    invoice = Invoice.objects.select_related("firm", "credits").get(pk=invoice_id)
    recipients: set[User] = set()
    for group in _INVOICE_RECIPIENTS[event]:
        if group == "firm_admins":
            recipients |= _admins(invoice.firm_id, Role.FIRM_ADMIN)
        else:
            recipients |= _admins(invoice.buyer_id, Role.OPERATOR_STAFF)
    context = {
        "invoice": invoice,
        "event": event,
        "url": absolute_url(reverse("billing:invoice", kwargs={"invoice_pk": invoice.pk})),
    }
    _send(
        recipients,
        "billing/email/invoice_subject.txt",
        f"billing/email/invoice_{event}.txt",
        context,
    )


@task()
def receipt_notify(*, receipt_id: int, event: str) -> None:
    """Tells the beneficiary's admins a receipt is ready to issue, or the donor firm's admins
    that it is issued."""
    receipt = TaxReceipt.objects.select_related("firm", "beneficiary").get(pk=receipt_id)
    if event == "ready":
        recipients = _admins(receipt.beneficiary_id, Role.NONPROFIT_ADMIN)
    else:
        recipients = _admins(receipt.firm_id, Role.FIRM_ADMIN)
    context = {
        "receipt": receipt,
        "event": event,
        "url": absolute_url(reverse("billing:receipt", kwargs={"receipt_pk": receipt.pk})),
    }
    _send(
        recipients,
        "billing/email/receipt_subject.txt",
        f"billing/email/receipt_{event}.txt",
        context,
    )
