from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "relais.billing"
    label = "billing"
    verbose_name = _("Invoices and tax receipts")
