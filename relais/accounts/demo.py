"""Deterministic demo data: the operator, 3 firms with 40 consultants, 5 nonprofits.

Built with Faker fr_FR under a fixed seed and written with update-or-create keyed on emails and
identifiers, so running it twice gives the same database.
"""

from __future__ import annotations

import datetime as dt
from unittest.mock import patch

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import encrypt as mfa_encrypt
from django.contrib.auth.hashers import make_password
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from faker import Faker
from stdnum import luhn

from relais.accounts import services
from relais.accounts.models import (
    GeneralInterest,
    LegalForm,
    Organisation,
    OrganisationKind,
    Role,
    SponsorshipCategory,
    User,
)
from relais.core.models import Cause

# A minimal PDF standing for a demo nonprofit's statutes.
DEMO_STATUTES = b"%PDF-1.4\n% Statuts (demo)\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

DEMO_PASSWORD = "relais-demo-2026"
# The operator staff's authenticator-app secret (staff must sign in with two factors).
DEMO_TOTP_SECRET = "RELAISDEMOSTAFFTWOFACTORSECRET22"
DEMO_DOMAIN = "demo.relais.test"
SEED = 2026

FIRMS = [("Octave Conseil", 15), ("Numeris ESN", 13), ("Kerlan Digital", 12)]
NONPROFITS = [
    (
        "Les Jardins Partagés du Nord",
        LegalForm.ASSOCIATION,
        ["environment-climate", "poverty-inclusion"],
    ),
    ("Fondation Lire Ensemble", LegalForm.FOUNDATION, ["education", "culture"]),
    ("Réseau Santé Solidaire", LegalForm.ASSOCIATION, ["health", "poverty-inclusion"]),
    ("Voix Citoyennes", LegalForm.ASSOCIATION, ["democracy-civic-life", "digital-inclusion"]),
    ("Ponts Nord-Sud", LegalForm.ENDOWMENT_FUND, ["global-south", "education"]),
]


# One account per role, printed by `make run`.
DEMO_ACCOUNTS: dict[str, str] = {
    Role.OPERATOR_STAFF: f"operatrice@{DEMO_DOMAIN}",
    Role.FIRM_ADMIN: f"admin.esn1@{DEMO_DOMAIN}",
    Role.CONSULTANT: f"consultant1.01@{DEMO_DOMAIN}",
    Role.NONPROFIT_ADMIN: f"asso1@{DEMO_DOMAIN}",
    Role.FIELD_LEAD: f"referent1@{DEMO_DOMAIN}",
}


def _siren(fake: Faker) -> str:
    body = fake.numerify("########")
    return body + str(luhn.calc_check_digit(body))


def _user(email: str, first: str, last: str, password_hash: str) -> User:
    user, _created = User.objects.update_or_create(
        email=email, defaults={"first_name": first, "last_name": last, "password": password_hash}
    )
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


def joined_at() -> dt.datetime:
    """When the demo's organisations joined Relais and were verified: 1 October of last year,
    before the demo's history (billing's loan of last December, last month's)."""
    today = timezone.localdate()
    return timezone.make_aware(dt.datetime.combine(dt.date(today.year - 1, 10, 1), dt.time(9)))


def _organisation(kind: str, name: str, **fields: object) -> Organisation:
    organisation, _created = Organisation.objects.update_or_create(
        kind=kind, name=name, defaults={"created_at": joined_at(), **fields}
    )
    organisation.full_clean()
    return organisation


@transaction.atomic
def seed_demo() -> None:
    fake = Faker("fr_FR")
    fake.seed_instance(SEED)
    joined = joined_at()
    password_hash = make_password(DEMO_PASSWORD)  # hashed once: argon2 is slow on purpose

    operator = _organisation(
        OrganisationKind.OPERATOR, "Relais (opérateur)", siren=_siren(fake), city="Paris"
    )
    staff = _user(f"operatrice@{DEMO_DOMAIN}", "Camille", "Durand", password_hash)
    services.membership_add(organisation=operator, user=staff, role=Role.OPERATOR_STAFF)
    # Staff must use two-factor authentication: the demo's authenticator secret is public.
    Authenticator.objects.update_or_create(
        user=staff,
        type=Authenticator.Type.TOTP,
        defaults={"data": {"secret": mfa_encrypt(DEMO_TOTP_SECRET)}},
    )

    for index, (name, size) in enumerate(FIRMS, start=1):
        firm = _organisation(
            OrganisationKind.FIRM,
            name,
            siren=_siren(fake),
            address_line=fake.street_address(),
            postcode=fake.postcode(),
            city=fake.city(),
        )
        admin = _user(
            f"admin.esn{index}@{DEMO_DOMAIN}", fake.first_name(), fake.last_name(), password_hash
        )
        services.membership_add(organisation=firm, user=admin, role=Role.FIRM_ADMIN)
        # The demo's firms are verified, as operator staff do for a real one, when they joined.
        with patch("django.utils.timezone.now", lambda: joined):
            services.organisation_verify(staff=staff, organisation=firm)
        for number in range(1, size + 1):
            consultant = _user(
                f"consultant{index}.{number:02d}@{DEMO_DOMAIN}",
                fake.first_name(),
                fake.last_name(),
                password_hash,
            )
            services.membership_add(organisation=firm, user=consultant, role=Role.CONSULTANT)

    for index, (name, legal_form, cause_slugs) in enumerate(NONPROFITS, start=1):
        nonprofit = _organisation(
            OrganisationKind.NONPROFIT,
            name,
            legal_form=legal_form,
            rna=f"W{fake.numerify('75#######')}",
            general_interest=GeneralInterest.YES,
            address_line=fake.street_address(),
            postcode=fake.postcode(),
            city=fake.city(),
        )
        nonprofit.causes.set(Cause.objects.filter(slug__in=cause_slugs))
        admin = _user(
            f"asso{index}@{DEMO_DOMAIN}", fake.first_name(), fake.last_name(), password_hash
        )
        lead = _user(
            f"referent{index}@{DEMO_DOMAIN}", fake.first_name(), fake.last_name(), password_hash
        )
        services.membership_add(organisation=nonprofit, user=admin, role=Role.NONPROFIT_ADMIN)
        services.membership_add(organisation=nonprofit, user=lead, role=Role.FIELD_LEAD)
        # Each demo nonprofit sent its statutes and the Relais team verified that it may receive
        # skills sponsorship (art. 238 bis CGI); the first one feeds people in difficulty.
        if nonprofit.sponsorship_eligible_at is None:
            with patch("django.utils.timezone.now", lambda: joined):
                _sponsorship_verified(staff, admin, nonprofit, helps=index == 1)


def _sponsorship_verified(
    staff: User, admin: User, nonprofit: Organisation, *, helps: bool
) -> None:
    """The nonprofit's statutes sent and read: it may receive skills sponsorship."""
    services.organisation_sponsorship_evidence_set(
        admin=admin,
        organisation=nonprofit,
        category=SponsorshipCategory.GENERAL_INTEREST,
        evidence=ContentFile(DEMO_STATUTES, name="statuts.pdf"),
    )
    services.organisation_sponsorship_verify(
        staff=staff, organisation=nonprofit, helps_people_in_difficulty=helps
    )
