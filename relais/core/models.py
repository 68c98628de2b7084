"""Shared vocabularies used by several domains, stored as data (seeded by data migrations and
extensible by operator staff in the admin)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Vocabulary(models.Model):
    slug = models.SlugField(_("code"), unique=True, max_length=50)
    name_fr = models.CharField(_("name in French"), max_length=100)
    name_en = models.CharField(_("name in English"), max_length=100)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        abstract = True
        ordering = ["position", "slug"]

    def __str__(self) -> str:
        return self.name_en if (get_language() or "fr").startswith("en") else self.name_fr


class Cause(Vocabulary):
    """A cause from the fixed taxonomy."""

    class Meta(Vocabulary.Meta):
        verbose_name = _("cause")
        verbose_name_plural = _("causes")


class Skill(Vocabulary):
    """A skill of the shared vocabulary used by projects, tasks and consultants."""

    class Meta(Vocabulary.Meta):
        verbose_name = _("skill")
        verbose_name_plural = _("skills")


class Language(Vocabulary):
    """A language people can work in (the slug is the ISO 639-1 code)."""

    class Meta(Vocabulary.Meta):
        verbose_name = _("language")
        verbose_name_plural = _("languages")
