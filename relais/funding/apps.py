from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundingConfig(AppConfig):
    name = "relais.funding"
    label = "funding"
    verbose_name = _("Circles, subscriptions and the ledger")

    def ready(self) -> None:
        from relais.bench.services import MISSION_START_CHECKS
        from relais.funding.services import mission_start_check

        # A mission is not confirmed when the consultant's circle cannot pay one of its days.
        MISSION_START_CHECKS["funding_pool"] = mission_start_check
