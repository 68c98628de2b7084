"""What a new firm trips on: the return estimate link in French, the estimate's headline and
years, the roster's French column names, its template, and skill names in the preview."""

from __future__ import annotations

import html
import re

import pytest
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db


def estimate_link(client, firm_pk: int) -> str:
    page = client.get(reverse("bench:firm_dashboard", kwargs={"organisation_pk": firm_pk}))
    assert page.status_code == 200
    match = re.search(r'href="(/estimate/\?[^"]+)"', page.content.decode())
    assert match, "no estimate link on the firm dashboard"
    return html.unescape(match.group(1))


def test_the_firms_return_estimate_opens_from_a_french_dashboard(client, alice, acme, terms):
    alice.language = "fr"
    alice.save()
    client.force_login(alice)
    link = estimate_link(client, acme.pk)
    assert "," not in link
    page = client.get(link)
    assert page.status_code == 200
    assert page.context["form"].errors == {}
    assert page.context["result"] is not None


def test_the_estimate_headline_says_what_the_money_is(client, terms):
    page = client.get(
        reverse("bench:estimate"),
        {
            "mode": "sponsorship",
            "headcount": 100,
            "bench_rate": "5",
            "tjm_cents": "500",
            "daily_cost_cents": "400",
            "turnover_cents": "10000000",
            "fee_rate": "1",
            "year": timezone.localdate().year,
        },
    )
    assert page.status_code == 200
    assert "Réduction d’impôt par an" in page.content.decode()


def test_the_estimate_refuses_a_year_far_ahead_with_a_message(client):
    page = client.get(
        reverse("bench:estimate"),
        {
            "mode": "fee",
            "headcount": 100,
            "bench_rate": "5",
            "tjm_cents": "500",
            "daily_cost_cents": "400",
            "turnover_cents": "10000000",
            "fee_rate": "1",
            "year": timezone.localdate().year + 5,
        },
    )
    assert page.context["result"] is None
    assert "Choisissez un exercice entre" in page.content.decode()


@pytest.fixture
def active_mission(dora, fabien, on_bench, active_project):
    """Dora's mission on Les Amis' project, started (its acceptances are tested elsewhere), and
    Dora on the project's team."""
    from relais.bench import services
    from relais.bench.models import Mission, MissionStatus
    from relais.work import services as work_services

    mission = services.mission_create(consultant=dora, project=active_project)
    now = timezone.now()
    Mission.objects.filter(pk=mission.pk).update(
        status=MissionStatus.ACTIVE,
        start=timezone.localdate(),
        agreement_generated_at=now,
        beneficiary_accepted_at=now,
        consultant_agreed_at=now,
    )
    work_services.team_member_add(lead=fabien, project=active_project, email=dora.email)
    return on_bench, mission


def two_claimed_tasks(project, lead, consultant) -> list:
    from decimal import Decimal

    from relais.work import services as work_services

    tasks = []
    for title in ("Écrire le guide", "Relire la carte"):
        task = work_services.task_create(
            lead=lead,
            project=project,
            title=title,
            brief="Le contexte.",
            acceptance_criteria="Relu",
            estimate_hours=Decimal(2),
        )
        work_services.task_publish(lead=lead, task=task)
        work_services.task_claim(consultant=consultant, task=task)
        tasks.append(task)
    return tasks


def test_a_consultant_on_a_mission_sees_their_bench_time_mission_and_tasks(
    client, dora, fabien, active_mission, active_project
):
    tasks = two_claimed_tasks(active_project, fabien, dora)
    dora.language = "fr"
    dora.save()
    client.force_login(dora)
    page = client.get(reverse("site:dashboard"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "Pas encore de mission" not in text
    assert "No solidarity mission yet" not in text
    assert "Carte" in text  # the mission's project
    for task in tasks:
        assert reverse("work:task_detail", kwargs={"task_pk": task.pk}) in text
        assert task.title in text
    assert page.context["my_periods"] == [active_mission[0]]


def test_a_consultant_asked_to_agree_sees_it_as_a_to_do(client, dora, on_bench, active_project):
    from relais.bench import services
    from relais.bench.models import Mission, MissionStatus

    mission = services.mission_create(consultant=dora, project=active_project)
    client.force_login(dora)
    assert client.get(reverse("site:dashboard")).context["to_agree"] == []
    Mission.objects.filter(pk=mission.pk).update(status=MissionStatus.ACCEPTED)
    page = client.get(reverse("site:dashboard"))
    assert [m.pk for m in page.context["to_agree"]] == [mission.pk]
    assert "lire et approuver votre convention de mise à disposition" in page.content.decode()


def test_a_nonprofit_admin_is_asked_to_start_an_accepted_project(client, nadia, les_amis):
    from relais.projects.models import ProjectStatus
    from relais.projects.tests.factories import ProjectFactory

    project = ProjectFactory(nonprofit=les_amis, status=ProjectStatus.ACCEPTED, title="Potager")
    client.force_login(nadia)
    page = client.get(reverse("site:dashboard"))
    assert page.status_code == 200
    assert "lancer vos projets acceptés" in page.content.decode()
    assert page.context["entries"][0]["to_start"] == [project]


def test_a_firm_admin_sees_bench_period_requests_as_a_to_do(client, alice, acme, dora, terms):
    from relais.bench.models import BenchPeriod, BenchStatus

    BenchPeriod.objects.create(
        consultant=dora, firm=acme, start=timezone.localdate(), status=BenchStatus.REQUESTED
    )
    client.force_login(alice)
    page = client.get(reverse("site:dashboard"))
    assert "intercontrats demandés par vos consultant·es" in page.content.decode()
    assert "Dora" in page.content.decode()


def test_no_link_a_team_consultant_sees_on_project_pages_answers_404(
    client, dora, fabien, active_mission, active_project
):
    tasks = two_claimed_tasks(active_project, fabien, dora)
    client.force_login(dora)
    pages = [
        reverse("work:board", kwargs={"project_pk": active_project.pk}),
        reverse("work:team", kwargs={"project_pk": active_project.pk}),
        reverse("work:pages", kwargs={"project_pk": active_project.pk}),
        reverse("work:onboarding", kwargs={"project_pk": active_project.pk}),
        reverse("work:task_detail", kwargs={"task_pk": tasks[0].pk}),
        reverse("site:dashboard"),
    ]
    seen: set[str] = set()
    for url in pages:
        page = client.get(url)
        assert page.status_code == 200, url
        for link in re.findall(r'href="(/[^"#?]*)', page.content.decode()):
            if link in seen or link.startswith(("/static/", "/accounts/logout", "/admin/")):
                continue
            seen.add(link)
            assert client.get(link).status_code != 404, f"{link} (on {url})"


def roster_page(client, acme, content: bytes, name: str = "equipe.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        reverse("bench:roster", kwargs={"organisation_pk": acme.pk}),
        {"file": SimpleUploadedFile(name, content, content_type="text/csv")},
    )


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_roster_template_downloads_and_reads_back_in_each_language(
    client, alice, acme, language
):
    alice.language = language
    alice.save()
    client.force_login(alice)
    roster = client.get(reverse("bench:roster", kwargs={"organisation_pk": acme.pk}))
    template_url = reverse("bench:roster_template", kwargs={"organisation_pk": acme.pk})
    assert template_url in roster.content.decode()
    download = client.get(template_url)
    assert download.status_code == 200
    assert download["Content-Type"].startswith("text/csv")
    header = download.content.decode("utf-8-sig").splitlines()[0]
    assert ("courriel" in header) == (language == "fr")
    preview = roster_page(client, acme, download.content)
    assert preview.status_code == 200, preview.context["check"].errors
    assert len(preview.context["plans"]) == 1


def test_french_column_names_are_read_and_the_preview_shows_skill_names(client, alice, acme):
    alice.language = "en"
    alice.save()
    client.force_login(alice)
    content = (
        "Courriel;Prénom;Nom;Poste;TJM;Coût journalier;Compétences;Matricule\n"
        "lea@acme.example;Léa;Roux;Développeuse;500;300;python, gis;E-1\n"
    ).encode("cp1252")
    preview = roster_page(client, acme, content)
    assert preview.status_code == 200
    text = preview.content.decode()
    assert "Mapping (GIS)" in text
    assert "python, gis" not in text


def test_a_project_already_joined_is_not_offered_again(client, dora, on_bench, active_project):
    from relais.bench import services

    join_url = reverse("bench:join", kwargs={"project_pk": active_project.pk})
    client.force_login(dora)
    assert join_url in client.get(reverse("bench:my_bench")).content.decode()
    services.mission_create(consultant=dora, project=active_project)
    assert join_url not in client.get(reverse("bench:my_bench")).content.decode()


def test_an_accepted_project_not_started_is_shown_with_why_it_cannot_be_joined(
    client, dora, on_bench, les_amis
):
    from relais.projects.models import ProjectStatus
    from relais.projects.tests.factories import ProjectFactory

    project = ProjectFactory(nonprofit=les_amis, status=ProjectStatus.ACCEPTED, title="Potager")
    client.force_login(dora)
    text = client.get(reverse("bench:my_bench")).content.decode()
    assert "Potager" in text
    assert "dès que leur structure les lance" in text
    assert reverse("bench:join", kwargs={"project_pk": project.pk}) not in text
