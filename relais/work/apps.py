from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkConfig(AppConfig):
    name = "relais.work"
    label = "work"
    verbose_name = _("Tasks and knowledge")
