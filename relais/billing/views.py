"""HTML views of billing: parse, check access, call a service, render."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from relais.accounts.access import organisation_get_for_user
from relais.accounts.models import OrganisationKind, Role
from relais.bench import returns
from relais.bench.access import firm_get_for_admin
from relais.billing import access, documents, selectors, services
from relais.billing.forms import (
    BillingSettingsForm,
    CreditNoteForm,
    MonthRunForm,
    OperatorCostForm,
    ReceiptIssueForm,
    ReceiptsPrepareForm,
)
from relais.billing.models import Invoice, InvoiceStatus, OperatorCost, ReceiptStatus, TaxReceipt
from relais.core.errors import Invalid, ServiceError
from relais.core.forms import copy_errors, flash_error, signed_in_user

PAGE_SIZE = 25


def _pdf(request: HttpRequest, document: Invoice | TaxReceipt) -> HttpResponse:
    content = services.document_download(
        actor=signed_in_user(request), document=document, request=request
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{documents.filename(document)}"'
    return response


# --- Firms --------------------------------------------------------------------------------


@login_required
@require_GET
def firm_billing(request: HttpRequest, organisation_pk: int) -> HttpResponse:
    """A firm's money side: what is owed to it (from the ledger), its invoices and credit notes,
    and the tax receipts it received."""
    user = signed_in_user(request)
    firm = firm_get_for_admin(user, organisation_pk, read=True)
    invoices = Paginator(
        access.invoices_for(user).filter(firm=firm).select_related("credits"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    receipts = (
        access.receipts_for(user)
        .filter(firm=firm, status=ReceiptStatus.ISSUED)
        .select_related("beneficiary")[:50]
    )
    return render(
        request,
        "billing/firm_billing.html",
        {
            "firm": firm,
            "payable_cents": selectors.firm_payable_cents(firm),
            "settings": services.billing_settings_for(firm),
            "page": invoices,
            "receipts": receipts,
            "is_admin": user.has_role(firm.pk, [Role.FIRM_ADMIN]),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def billing_settings(request: HttpRequest, organisation_pk: int) -> HttpResponse:
    user = signed_in_user(request)
    firm = firm_get_for_admin(user, organisation_pk)
    current = services.billing_settings_for(firm)
    form = BillingSettingsForm(
        request.POST or None,
        initial={
            "mode": current.mode,
            "vat_rate": current.vat_rate,
            "vat_exemption": current.vat_exemption,
            "payment_days": current.payment_days,
            "late_penalty_rate": current.late_penalty_rate,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.billing_settings_set(admin=user, firm=firm, **form.cleaned_data)
        except ServiceError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Billing settings saved: the next invoices take them."))
            return redirect("billing:firm_billing", organisation_pk=firm.pk)
    return render(
        request,
        "billing/settings.html",
        {"firm": firm, "form": form, "current": current},
        status=400 if form.errors else 200,
    )


# --- Invoices -----------------------------------------------------------------------------


def _invoice_page(
    request: HttpRequest, invoice: Invoice, credit_form: CreditNoteForm | None = None
) -> HttpResponse:
    user = signed_in_user(request)
    return render(
        request,
        "billing/invoice.html",
        {
            "invoice": invoice,
            "lines": invoice.lines.all(),
            "credit_notes": invoice.credit_notes.order_by("id"),
            "credited_cents": selectors.credited_cents(invoice),
            "can_issue": invoice.status == InvoiceStatus.DRAFT
            and user.has_role(invoice.issuer_id, [Role.FIRM_ADMIN]),
            "can_correct": not invoice.is_credit_note
            and invoice.status != InvoiceStatus.DRAFT
            and access.may_correct(user, invoice),
            "can_mark_paid": user.is_operator_staff
            and invoice.status == InvoiceStatus.ISSUED
            and not invoice.is_credit_note,
            "credit_form": credit_form or CreditNoteForm(),
        },
        status=400 if credit_form is not None and credit_form.errors else 200,
    )


@login_required
@require_GET
def invoice_detail(request: HttpRequest, invoice_pk: int) -> HttpResponse:
    invoice = access.invoice_get_for_user(signed_in_user(request), invoice_pk)
    return _invoice_page(request, invoice)


@login_required
@require_GET
def invoice_pdf(request: HttpRequest, invoice_pk: int) -> HttpResponse:
    invoice = access.invoice_get_for_user(signed_in_user(request), invoice_pk)
    if invoice.status == InvoiceStatus.DRAFT:
        raise Http404
    return _pdf(request, invoice)


@login_required
@require_POST
def invoice_issue(request: HttpRequest, invoice_pk: int) -> HttpResponse:
    user = signed_in_user(request)
    invoice = access.invoice_get_for_user(user, invoice_pk)
    try:
        invoice = services.invoice_issue(invoice=invoice, admin=user)
    except ServiceError as error:
        flash_error(request, error)
    else:
        messages.success(
            request, _("Invoice %(number)s issued: it is frozen.") % {"number": invoice.number}
        )
    return redirect("billing:invoice", invoice_pk=invoice.pk)


@login_required
@require_POST
def credit_note_issue(request: HttpRequest, invoice_pk: int) -> HttpResponse:
    user = signed_in_user(request)
    invoice = access.invoice_get_for_user(user, invoice_pk)
    form = CreditNoteForm(request.POST)
    if form.is_valid():
        try:
            note = services.credit_note_issue(
                invoice=invoice,
                by=user,
                reason=form.cleaned_data["reason"],
                amount_ht_cents=form.cleaned_data["amount"],
            )
        except ServiceError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Credit note %(number)s issued.") % {"number": note.number})
            return redirect("billing:invoice", invoice_pk=note.pk)
    return _invoice_page(request, invoice, form)


@login_required
@require_POST
def invoice_mark_paid(request: HttpRequest, invoice_pk: int) -> HttpResponse:
    user = signed_in_user(request)
    invoice = access.invoice_get_for_user(user, invoice_pk)
    try:
        services.invoice_mark_paid(invoice=invoice, staff=user)
    except ServiceError as error:
        flash_error(request, error)
    else:
        messages.success(request, _("Invoice marked paid."))
    return redirect("billing:invoice", invoice_pk=invoice.pk)


# --- Receipts -----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def nonprofit_receipts(request: HttpRequest, organisation_pk: int) -> HttpResponse:
    """A nonprofit's tax receipts: to issue and issued; and the receipts of a closed year
    prepared on demand."""
    user = signed_in_user(request)
    nonprofit = organisation_get_for_user(user, organisation_pk)
    if nonprofit.kind != OrganisationKind.NONPROFIT:
        raise Http404
    is_admin = user.has_role(nonprofit.pk, [Role.NONPROFIT_ADMIN])
    if not (is_admin or user.is_operator_staff):
        raise PermissionDenied
    form = ReceiptsPrepareForm(
        request.POST or None, initial={"year": timezone.localdate().year - 1}
    )
    if request.method == "POST" and form.is_valid():
        try:
            made = services.receipts_prepare(
                year=form.cleaned_data["year"], by=user, beneficiary=nonprofit
            )
        except ServiceError as error:
            copy_errors(form, error)
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)s receipt to issue prepared.",
                    "%(count)s receipts to issue prepared.",
                    len(made),
                )
                % {"count": len(made)},
            )
            return redirect("billing:nonprofit_receipts", organisation_pk=nonprofit.pk)
    page = Paginator(
        access.receipts_for(user).filter(beneficiary=nonprofit).select_related("firm"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "billing/nonprofit_receipts.html",
        {"nonprofit": nonprofit, "page": page, "form": form, "is_admin": is_admin},
        status=400 if form.errors else 200,
    )


def _receipt_page(
    request: HttpRequest, receipt: TaxReceipt, form: ReceiptIssueForm | None = None
) -> HttpResponse:
    user = signed_in_user(request)
    figures = error = None
    if receipt.status == ReceiptStatus.READY:
        try:
            figures = selectors.receipt_figures(receipt.firm, receipt.beneficiary, receipt.year)
        except returns.TaxYearMissing as missing:
            error = str(missing)
    can_issue = receipt.status == ReceiptStatus.READY and user.has_role(
        receipt.beneficiary_id, [Role.NONPROFIT_ADMIN]
    )
    return render(
        request,
        "billing/receipt.html",
        {
            "receipt": receipt,
            "issued": receipt.status == ReceiptStatus.ISSUED,
            "figures": figures,
            "words": selectors.amount_in_words(figures.amount_cents) if figures else "",
            "error": error,
            "can_issue": can_issue,
            "form": form or ReceiptIssueForm(),
        },
        status=400 if form is not None and form.errors else 200,
    )


@login_required
@require_GET
def receipt_detail(request: HttpRequest, receipt_pk: int) -> HttpResponse:
    receipt = access.receipt_get_for_user(signed_in_user(request), receipt_pk)
    return _receipt_page(request, receipt)


@login_required
@require_GET
def receipt_pdf(request: HttpRequest, receipt_pk: int) -> HttpResponse:
    receipt = access.receipt_get_for_user(signed_in_user(request), receipt_pk)
    if receipt.status != ReceiptStatus.ISSUED:
        raise Http404
    return _pdf(request, receipt)


@login_required
@require_POST
def receipt_issue(request: HttpRequest, receipt_pk: int) -> HttpResponse:
    user = signed_in_user(request)
    receipt = access.receipt_get_for_user(user, receipt_pk)
    form = ReceiptIssueForm(request.POST)
    if form.is_valid():
        try:
            receipt = services.receipt_issue(
                receipt=receipt, admin=user, signatory=form.cleaned_data["signatory"]
            )
        except Invalid as error:
            copy_errors(form, error)
        except ServiceError as error:  # already issued, or not this person's to sign
            flash_error(request, error)
            return redirect("billing:receipt", receipt_pk=receipt.pk)
        else:
            messages.success(
                request,
                _("Receipt %(number)s issued: the firm is told and can download it.")
                % {"number": receipt.number},
            )
            return redirect("billing:receipt", receipt_pk=receipt.pk)
    return _receipt_page(request, receipt, form)


# --- The operator's finance view ----------------------------------------------------------


def _require_staff(request: HttpRequest) -> Any:
    user = signed_in_user(request)
    if not user.is_operator_staff:
        raise Http404
    return user


def _year(request: HttpRequest) -> int:
    today = timezone.localdate()
    raw = request.GET.get("year", "")
    if raw.isdigit() and 2000 <= int(raw) <= today.year:
        return int(raw)
    return today.year


def _finance_page(
    request: HttpRequest,
    cost_form: OperatorCostForm | None = None,
    run_form: MonthRunForm | None = None,
) -> HttpResponse:
    year = _year(request)
    figures = selectors.finance(year)
    costs = Paginator(
        OperatorCost.objects.filter(month__year=year).select_related("entered_by"), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    failed = (cost_form is not None and cost_form.errors) or (
        run_form is not None and run_form.errors
    )
    return render(
        request,
        "billing/finance.html",
        {
            "year": year,
            "years": list(range(timezone.localdate().year, 2023, -1)),
            "finance": figures,
            "costs": costs,
            "extra": f"&year={year}",
            "cost_form": cost_form or OperatorCostForm(),
            "run_form": run_form or MonthRunForm(auto_id=RUN_FORM_ID),
            "to_pay": Invoice.objects.filter(status=InvoiceStatus.ISSUED, kind="invoice")
            .select_related("firm")
            .order_by("due_on", "id")[:50],
        },
        status=400 if failed else 200,
    )


@login_required
@require_GET
def finance(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    return _finance_page(request)


@login_required
@require_POST
def finance_cost_add(request: HttpRequest) -> HttpResponse:
    staff = _require_staff(request)
    form = OperatorCostForm(request.POST)
    if form.is_valid():
        try:
            data = form.cleaned_data
            services.operator_cost_add(
                staff=staff,
                month=data["month"],
                category=data["category"],
                amount_cents=data["amount"],
                label=data["label"],
            )
        except ServiceError as error:
            copy_errors(form, error)
        else:
            messages.success(request, _("Cost recorded."))
            return redirect("billing:finance")
    return _finance_page(request, cost_form=form)


# The finance page holds two forms with a month: the ids of this one's fields differ.
RUN_FORM_ID = "id_run_%s"


@login_required
@require_POST
def finance_invoices_run(request: HttpRequest) -> HttpResponse:
    staff = _require_staff(request)
    form = MonthRunForm(request.POST, auto_id=RUN_FORM_ID)
    if form.is_valid():
        month: dt.date = form.cleaned_data["month"]
        try:
            made = services.invoices_issue_month(month=month, by=staff)
        except ServiceError as error:
            copy_errors(form, error)
        else:
            messages.success(
                request,
                ngettext("%(count)s invoice made.", "%(count)s invoices made.", len(made))
                % {"count": len(made)},
            )
            return redirect("billing:finance")
    return _finance_page(request, run_form=form)
