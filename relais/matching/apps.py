from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MatchingConfig(AppConfig):
    name = "relais.matching"
    label = "matching"
    verbose_name = _("Matching consultants and tasks")
