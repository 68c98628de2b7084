"""Shared vocabularies used by several domains."""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Cause(models.Model):
    """A cause from the fixed taxonomy (stored as data, seeded by a data migration)."""

    slug = models.SlugField(_("code"), unique=True, max_length=50)
    name_fr = models.CharField(_("name in French"), max_length=100)
    name_en = models.CharField(_("name in English"), max_length=100)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "slug"]
        verbose_name = _("cause")
        verbose_name_plural = _("causes")

    def __str__(self) -> str:
        return self.name_en if (get_language() or "fr").startswith("en") else self.name_fr
