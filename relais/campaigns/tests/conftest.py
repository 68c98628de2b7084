from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from relais.accounts.tests.factories import UserFactory
from relais.campaigns import services
from relais.campaigns.models import Campaign
from relais.funding.models import Circle, CircleMembership, MembershipStatus
from relais.projects.models import ProjectStatus
from relais.projects.tests.factories import ProjectFactory


@pytest.fixture
def circle(db: None) -> Circle:
    return Circle.objects.create(name="Cercle Acme")


@pytest.fixture
def members(circle: Circle) -> list:
    people = [UserFactory(email=f"voter{i}@example.org", first_name=f"V{i}") for i in range(3)]
    for person in people:
        CircleMembership.objects.create(circle=circle, user=person, status=MembershipStatus.ACTIVE)
    return people


@pytest.fixture
def lapsed(circle: Circle):
    person = UserFactory(email="lapsed@example.org")
    CircleMembership.objects.create(circle=circle, user=person, status=MembershipStatus.PAST_DUE)
    return person


def make_campaign(staff, circle, **extra) -> Campaign:
    today = timezone.localdate()
    values = {
        "title": "Choisir nos projets 2027",
        "description": "",
        "proposals_from": today,
        "review_from": today,
        "vote_from": today,
        "results_from": today + dt.timedelta(days=10),
        "budget_days": 100,
        "rule": "mes",
        "circles": [circle],
    }
    values.update(extra)
    return services.campaign_create(by=staff, **values)


@pytest.fixture
def campaign(operator_staff, circle) -> Campaign:
    return make_campaign(operator_staff, circle)


@pytest.fixture
def voting(operator_staff, campaign, members, nadia, les_amis):
    """A campaign in its vote, with three projects (costs 60, 40, 50)."""
    services.campaign_advance(by=operator_staff, campaign=campaign)
    entries = []
    for title, cost in (("Jardin", 60), ("Bibliothèque", 40), ("Atelier", 50)):
        project = ProjectFactory(nonprofit=les_amis, title=title, status=ProjectStatus.ACCEPTED)
        entries.append(
            services.project_apply(by=nadia, campaign=campaign, project=project, cost_days=cost)
        )
    services.campaign_advance(by=operator_staff, campaign=campaign)
    services.campaign_advance(by=operator_staff, campaign=campaign)
    campaign.refresh_from_db()
    return campaign, entries


@pytest.fixture
def jurors(db: None) -> list:
    return [UserFactory(email=f"jure{i}@example.org", first_name=f"J{i}") for i in range(3)]


@pytest.fixture
def jury_review(operator_staff, circle, members, jurors, nadia, les_amis):
    """A campaign with a jury round (shortlist size 2) in its review: three projects (Jardin,
    Bibliothèque, Atelier) and three jurors designated."""
    today = timezone.localdate()
    campaign = make_campaign(operator_staff, circle, jury_from=today, shortlist_size=2)
    services.campaign_advance(by=operator_staff, campaign=campaign)
    entries = []
    for title, cost in (("Jardin", 60), ("Bibliothèque", 40), ("Atelier", 50)):
        project = ProjectFactory(nonprofit=les_amis, title=title, status=ProjectStatus.ACCEPTED)
        entries.append(
            services.project_apply(by=nadia, campaign=campaign, project=project, cost_days=cost)
        )
    services.campaign_advance(by=operator_staff, campaign=campaign)
    for juror in jurors:
        services.jury_member_add(by=operator_staff, campaign=campaign, email=juror.email)
    campaign.refresh_from_db()
    return campaign, entries


@pytest.fixture
def grading(operator_staff, jury_review):
    """The same campaign in its jury round."""
    campaign, entries = jury_review
    services.campaign_advance(by=operator_staff, campaign=campaign)
    campaign.refresh_from_db()
    return campaign, entries
