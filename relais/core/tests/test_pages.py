from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from relais.accounts.demo import DEMO_ACCOUNTS, seed_demo
from relais.accounts.models import Membership, Organisation, Role, User

pytestmark = pytest.mark.django_db


def test_the_home_page_says_what_relais_is_and_how_to_start(client):
    body = client.get("/").content.decode()
    assert "Créer un compte" in body
    assert "intercontrat" in body


def test_a_user_without_organisation_is_told_where_to_start(client):
    from relais.accounts.tests.factories import UserFactory

    client.force_login(UserFactory())
    body = client.get(reverse("site:dashboard")).content.decode()
    assert "Vous n’appartenez encore à aucune organisation" in body
    assert reverse("accounts:organisation_create", kwargs={"kind": "firm"}) in body


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("alice", "Invitez vos consultant·es"),
        ("bob", "Pas encore de mission solidaire"),
        ("nadia", "Invitez le ou la référent·e terrain"),
        ("fabien", "Pas encore de projet à piloter"),
        ("operator_staff", "Ouvrir l’administration"),
    ],
)
def test_each_role_has_its_dashboard(client, request, persona, expected):
    client.force_login(request.getfixturevalue(persona))
    body = client.get(reverse("site:dashboard")).content.decode()
    assert expected in body


def test_the_dashboard_answers_in_few_queries_whatever_the_memberships(client, alice):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from relais.accounts.tests.factories import MembershipFactory

    def dashboard_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("site:dashboard"))
        assert response.status_code == 200
        return len(queries)

    client.force_login(alice)
    MembershipFactory(user=alice)
    few = dashboard_queries()
    for _ in range(30):
        MembershipFactory(user=alice)
    # The same count with 31 organisations as with 2; a bounded one: the session and the user,
    # memberships, projects, missions, bench periods, then one or two per app's to-dos (circles,
    # invoices and receipts, votes, suggestions).
    assert dashboard_queries() == few
    assert few <= 20


def test_error_pages_use_the_site_layout(client, charlie):
    client.force_login(charlie)
    body = client.get("/organisations/999999/").content.decode()
    assert "Page introuvable" in body
    assert "Aller au contenu" in body


def test_a_server_error_renders_the_styled_500_page():
    from django.views.defaults import server_error

    response = server_error(Client().get("/").wsgi_request)
    assert response.status_code == 500
    assert "Erreur du serveur" in response.content.decode()


def test_the_demo_data_is_deterministic_and_safe_to_run_twice():
    seed_demo()
    first = sorted(Organisation.objects.values_list("name", "siren", "rna", "city"))
    seed_demo()
    assert sorted(Organisation.objects.values_list("name", "siren", "rna", "city")) == first
    assert Organisation.objects.filter(kind="firm").count() == 3
    assert Organisation.objects.filter(kind="nonprofit").count() == 5
    assert Membership.objects.filter(role=Role.CONSULTANT).count() == 40
    for organisation in Organisation.objects.all():
        organisation.full_clean()
    for role, email in DEMO_ACCOUNTS.items():
        assert User.objects.get(email=email).memberships.filter(role=role).exists()


def test_the_full_demo_covers_every_side_and_loads_once():
    from django.core.management import call_command

    from relais.bench.models import Mission, Recall
    from relais.projects.models import Project
    from relais.work.models import Handover, Task

    call_command("seed_demo", verbosity=0)
    counts = (
        Project.objects.count(),
        Task.objects.count(),
        Mission.objects.count(),
        Recall.objects.count(),
    )
    call_command("seed_demo", verbosity=0)
    assert (
        Project.objects.count(),
        Task.objects.count(),
        Mission.objects.count(),
        Recall.objects.count(),
    ) == counts
    assert set(Project.objects.values_list("status", flat=True)) >= {
        "draft",
        "submitted",
        "changes_requested",
        "accepted",
        "active",
        "paused",
        "completed",
        "rejected",
        "withdrawn",
        "archived",
    }
    for project in Project.objects.filter(status="active"):
        assert project.tasks.count() >= 30
        assert project.tasks.filter(dependencies__isnull=False).exists()
        assert project.knowledge_pages.filter(is_start_here=True).exists()
        assert project.onboarding_steps.exists()
    assert Handover.objects.filter(drafted_automatically=False).exists()
    for firm in Organisation.objects.filter(kind="firm"):
        assert Mission.objects.filter(bench_period__firm=firm, status="active").exists()
        assert Recall.objects.filter(bench_period__firm=firm).exists()
    assert Handover.objects.filter(reason="recalled", drafted_automatically=True).count() == 3


def test_demo_accounts_can_sign_in_with_the_printed_password(client):
    from relais.accounts.demo import DEMO_PASSWORD

    seed_demo()
    response = client.post(
        reverse("account_login"),
        {"login": DEMO_ACCOUNTS[Role.FIRM_ADMIN], "password": DEMO_PASSWORD},
    )
    assert response.status_code == 302
    assert client.get(reverse("site:dashboard")).status_code == 200
