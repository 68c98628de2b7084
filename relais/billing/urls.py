from __future__ import annotations

from django.urls import path

from relais.billing import views

app_name = "billing"

urlpatterns = [
    path("firms/<int:organisation_pk>/billing/", views.firm_billing, name="firm_billing"),
    path(
        "firms/<int:organisation_pk>/billing/settings/",
        views.billing_settings,
        name="settings",
    ),
    path("invoices/<int:invoice_pk>/", views.invoice_detail, name="invoice"),
    path("invoices/<int:invoice_pk>/invoice.pdf", views.invoice_pdf, name="invoice_pdf"),
    path("invoices/<int:invoice_pk>/issue/", views.invoice_issue, name="invoice_issue"),
    path("invoices/<int:invoice_pk>/credit-note/", views.credit_note_issue, name="credit_note"),
    path("invoices/<int:invoice_pk>/paid/", views.invoice_mark_paid, name="invoice_paid"),
    path(
        "nonprofits/<int:organisation_pk>/receipts/",
        views.nonprofit_receipts,
        name="nonprofit_receipts",
    ),
    path("receipts/<int:receipt_pk>/", views.receipt_detail, name="receipt"),
    path("receipts/<int:receipt_pk>/receipt.pdf", views.receipt_pdf, name="receipt_pdf"),
    path("receipts/<int:receipt_pk>/issue/", views.receipt_issue, name="receipt_issue"),
    path("finance/", views.finance, name="finance"),
    path("finance/costs/", views.finance_cost_add, name="finance_cost_add"),
    path("finance/invoices/", views.finance_invoices_run, name="finance_invoices_run"),
]
