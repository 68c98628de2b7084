from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "relais.accounts"
    label = "accounts"
    verbose_name = _("Accounts and organisations")

    def ready(self) -> None:
        # Connect the receivers: sign-ins, failures and second-factor changes go to the audit
        # log (signals); API tokens are revoked when the password changes (auth, pre_save).
        from relais.accounts import auth, signals  # noqa: F401
