from __future__ import annotations

import factory
from allauth.account.models import EmailAddress
from stdnum import luhn

from relais.accounts.models import Membership, Organisation, OrganisationKind, User


def valid_siren(n: int) -> str:
    body = f"{n:08d}"
    return body + str(luhn.calc_check_digit(body))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = "Jeanne"
    last_name = factory.Sequence(lambda n: f"Martin{n}")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery-9")

    @factory.post_generation
    def verified(self, create: bool, extracted: object, **kwargs: object) -> None:
        if create:
            self.save()
            EmailAddress.objects.create(user=self, email=self.email, verified=True, primary=True)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    kind = OrganisationKind.FIRM
    name = factory.Sequence(lambda n: f"Organisation {n}")
    siren = factory.Sequence(lambda n: valid_siren(10_000_000 + n))
    city = "Lyon"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = "consultant"
