"""The continuity journey in headless chromium: a task changes hands through a handover."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from relais.accounts.models import Role
from relais.accounts.tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from relais.bench.tests.helpers import mission_started
from relais.core.tests.browser import BROWSER_MARKS, assert_accessible
from relais.projects.models import ProjectStatus
from relais.projects.tests.factories import ProjectFactory
from relais.work.models import Task, TaskStatus

pytestmark = BROWSER_MARKS
PASSWORD = "correct-horse-battery-9"


def signed_in(browser, live_server, email):
    context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    context.set_default_timeout(5000)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Connexion").click()
    page.wait_for_url(re.compile(r"/dashboard/"))
    return page


def test_a_task_changes_hands_through_a_handover_and_unblocks_the_next(browser, live_server):
    lead = UserFactory(email="lea@amis.example", first_name="Léa")
    nonprofit = OrganisationFactory(kind="nonprofit", siren="", rna="W751234567", name="Les Amis")
    MembershipFactory(user=lead, organisation=nonprofit, role=Role.FIELD_LEAD)
    project = ProjectFactory(
        nonprofit=nonprofit, field_lead=lead, status=ProjectStatus.ACTIVE, title="Carte"
    )
    anna = MembershipFactory(
        role=Role.CONSULTANT, user__email="anna@esn.example", user__first_name="Anna"
    ).user
    basile = MembershipFactory(
        role=Role.CONSULTANT, user__email="basile@esn.example", user__first_name="Basile"
    ).user
    for consultant in (anna, basile):
        mission_started(consultant, project)

    # The field lead writes two tasks, the second depending on the first.
    leader = signed_in(browser, live_server, lead.email)
    for title, depends in [("Écrire le schéma", None), ("Écrire l'API", "Écrire le schéma")]:
        leader.goto(f"/projects/{project.pk}/tasks/new/")
        assert_accessible(leader)
        leader.get_by_label(re.compile(r"^Titre")).fill(title)
        leader.get_by_label(re.compile(r"^Consigne")).fill("Voir la page **Commencer ici**.")
        leader.get_by_label(re.compile(r"^Critères d’acceptation")).fill("Relu\nDocumenté")
        leader.get_by_label(re.compile(r"^Estimation")).fill("60")
        if depends:
            leader.get_by_label(depends, exact=True).check()
        leader.get_by_role("button", name="Enregistrer").click()
        expect(leader.get_by_text("découpez-la en tâches plus petites")).to_be_visible()
        leader.get_by_label(re.compile(r"^Estimation")).fill("6")
        leader.get_by_role("button", name="Enregistrer").click()
        leader.get_by_role("button", name="Publier").click()
        expect(leader.get_by_text("La tâche est publiée.")).to_be_visible()
    expect(leader.locator(".muted .status")).to_have_text("En attente de ses dépendances")
    first = Task.objects.get(title="Écrire le schéma")
    second = Task.objects.get(title="Écrire l'API")
    leader.goto(f"/projects/{project.pk}/tasks/")
    assert_accessible(leader)

    # Anna takes the first, logs time, and releases it with a handover.
    a = signed_in(browser, live_server, anna.email)
    a.goto(f"/tasks/{first.pk}/")
    a.get_by_role("button", name="Prendre cette tâche").click()
    expect(a.get_by_text("La tâche est à vous.")).to_be_visible()
    assert_accessible(a)
    a.get_by_label(re.compile(r"^Heures")).fill("3")
    a.get_by_label("Ce que vous avez fait").fill("Entités dessinées")
    a.get_by_role("button", name="Saisir", exact=True).click()
    expect(a.get_by_text("Temps saisi.")).to_be_visible()
    a.get_by_role("link", name="Libérer avec une passation").click()
    assert_accessible(a)
    a.get_by_label(re.compile(r"^Ce qui a été fait")).fill("Les entités sont dessinées.")
    a.get_by_label(re.compile(r"^Où en sont les choses")).fill("Il manque les index.")
    a.get_by_label(re.compile(r"^Prochaine étape")).fill("Ajouter les index puis soumettre.")
    a.get_by_role("button", name="Libérer la tâche").click()
    expect(
        a.get_by_text("La tâche est revenue dans le backlog avec votre passation.")
    ).to_be_visible()

    # Basile opens it: the handover comes first; he finishes and submits.
    b = signed_in(browser, live_server, basile.email)
    b.goto(f"/tasks/{first.pk}/")
    sections = b.locator("main section h2").all_inner_texts()
    assert sections[0] == "Passations"
    expect(b.get_by_text("Ajouter les index puis soumettre.")).to_be_visible()
    b.get_by_role("button", name="Prendre cette tâche").click()
    b.get_by_role("button", name="Soumettre pour examen").click()
    expect(b.get_by_text("Soumise pour relecture.")).to_be_visible()

    # The field lead accepts; the second task becomes ready.
    leader.goto(f"/tasks/{first.pk}/")
    leader.get_by_role("button", name="Accepter le travail").click()
    expect(leader.get_by_text("La tâche est terminée.")).to_be_visible()
    leader.goto(f"/tasks/{second.pk}/")
    expect(leader.locator(".muted .status")).to_have_text("Prête")
    second.refresh_from_db()
    assert second.status == TaskStatus.READY
