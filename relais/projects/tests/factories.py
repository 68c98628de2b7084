from __future__ import annotations

import factory

from relais.accounts.tests.factories import OrganisationFactory
from relais.core.models import Cause, Language
from relais.projects.models import Project


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project
        skip_postgeneration_save = True

    nonprofit = factory.SubFactory(
        OrganisationFactory,
        kind="nonprofit",
        siren="",
        rna=factory.Sequence(lambda n: f"W75{n:07d}"),
    )
    title = factory.Sequence(lambda n: f"Projet {n}")
    summary = "Une application libre pour les bénévoles du quartier."
    problem = "Tout passe par des tableurs."
    beneficiaries = "Les habitants."
    deliverables = "Une application."
    effort_days = 300

    @factory.post_generation
    def vocabularies(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            self.causes.set(Cause.objects.filter(slug="environment-climate"))
            self.languages.set(Language.objects.filter(slug="fr"))
