"""A new nonprofit, from the home page to an accepted project, in headless chromium."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from relais.accounts import services as account_services
from relais.accounts.models import OrganisationKind, Role
from relais.accounts.tests.factories import OrganisationFactory, UserFactory
from relais.conftest import give_totp, totp_code
from relais.core.tests.browser import BROWSER_MARKS, PASSWORD, assert_accessible, link_in_last_email
from relais.projects.models import Project, ProjectStatus

pytestmark = BROWSER_MARKS


def sign_in(page, email, password, *, with_totp=False):
    page.goto("/accounts/login/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Mot de passe").fill(password)
    page.get_by_role("button", name="Connexion").click()
    if with_totp:
        page.wait_for_url(re.compile(r"/accounts/2fa/authenticate/"))
        page.get_by_label("Code").fill(totp_code())
        page.get_by_role("button", name="Connexion").click()
    page.wait_for_url(re.compile(r"/dashboard/"))


def test_a_nonprofit_takes_the_diagnosis_proposes_answers_changes_and_is_accepted(
    page,
    browser,
    live_server,
):
    staff = UserFactory(email="olga@relais.example", first_name="Olga")
    operator = OrganisationFactory(name="Relais", kind=OrganisationKind.OPERATOR)
    account_services.membership_add(organisation=operator, user=staff, role=Role.OPERATOR_STAFF)
    give_totp(staff)

    # The diagnosis, from the home page, without an account.
    page.goto("/")
    page.get_by_role("link", name=re.compile("autodiagnostic en cinq minutes")).click()
    assert_accessible(page)
    answers = {
        "Association ou fondation d’intérêt général": None,
        "Oui, en grande partie": None,
        "Un·e référent·e terrain qui connaît le problème de première main": None,
        "La plus grande partie": None,
        "Des milliers ou plus": None,
        "Oui, et nous le mesurons": None,
        "Un dépôt de code": None,
        "Une licence libre (logiciel libre, Creative Commons)": None,
    }
    for label in answers:
        page.get_by_label(label, exact=True).check()
    page.get_by_label(re.compile(r"en jours-personnes")).fill("450")
    page.get_by_label(re.compile(r"heures par semaine")).fill("6")
    for question in ("documenté par écrit", "relire une contribution"):
        page.get_by_role("group", name=re.compile(question)).get_by_label("Oui", exact=True).check()
    page.get_by_role("button", name="Voir le verdict").click()
    expect(page.get_by_text("Éligible", exact=True)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Commencer une proposition à partir de ce diagnostic").click()

    # Sign up, verify the address, register the nonprofit, come back to the proposal.
    page.get_by_role("link", name="enregistrer").click()
    page.get_by_label("E-mail").fill("lea@amis.example")
    page.get_by_label("Mot de passe :", exact=True).fill(PASSWORD)
    page.get_by_label("Mot de passe (confirmation)").fill(PASSWORD)
    page.get_by_role("button", name="Création de compte").click()
    page.goto(link_in_last_email(r"http://[^\s]+/accounts/confirm-email/[^\s]+"))
    page.get_by_role("button", name="Confirmer").click()
    # Back where the diagnosis led: a proposal needs a nonprofit first.
    page.wait_for_url(re.compile(r"/projects/new/\?diagnosis="))
    assert_accessible(page)
    page.get_by_role("link", name="Inscrire votre structure").click()
    page.get_by_label(re.compile(r"^Nom")).fill("Les Amis du Canal")
    page.get_by_label("Numéro RNA").fill("W751234567")
    page.get_by_role("button", name="Inscrire").click()

    page.wait_for_url(re.compile(r"/projects/new/\?diagnosis="))
    expect(page.get_by_text("À partir de votre autodiagnostic")).to_be_visible()
    assert_accessible(page)
    page.get_by_label(re.compile(r"^Titre")).fill("Carte des jardins du canal")
    page.get_by_label(re.compile(r"^Résumé")).fill(
        "Une carte ouverte des jardins partagés du canal."
    )
    page.get_by_label(re.compile(r"^Le problème")).fill(
        "Les habitants ne trouvent pas les parcelles libres."
    )
    page.get_by_label(re.compile(r"^Bénéficiaires")).fill("Les habitants sans jardin.")
    page.get_by_label(re.compile(r"^Livrables")).fill("Une application web libre.")
    page.get_by_label(re.compile(r"^Charge estimée")).fill("0")
    page.get_by_label("Environnement et climat").check()
    page.get_by_label("Français", exact=True).check()
    page.get_by_label(re.compile(r"^Référent·e terrain")).select_option(label="lea@amis.example")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("supérieure ou égale à 1")).to_be_visible()
    page.get_by_label(re.compile(r"^Charge estimée")).fill("450")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.get_by_text("Votre proposition est enregistrée comme brouillon.")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Soumettre pour examen").click()
    expect(page.get_by_text("Le projet est maintenant « Soumis ».")).to_be_visible()

    # Staff ask for changes.
    reviewer = browser.new_context(base_url=live_server.url, locale="fr-FR").new_page()
    reviewer.set_default_timeout(5000)
    sign_in(reviewer, staff.email, "correct-horse-battery-9", with_totp=True)
    reviewer.get_by_role("link", name="Revue").click()
    assert_accessible(reviewer)
    reviewer.get_by_role("link", name="Carte des jardins du canal").click()
    assert_accessible(reviewer)
    reviewer.get_by_label("Demander des modifications").check()
    reviewer.get_by_label(re.compile(r"^Commentaire pour la structure")).fill(
        "Précisez le découpage en tâches."
    )
    reviewer.get_by_role("button", name="Enregistrer la décision").click()
    expect(
        reviewer.get_by_text("Le projet est maintenant « Modifications demandées ».")
    ).to_be_visible()

    # The nonprofit reads the comment and answers.
    page.reload()
    # The request stands in the overview (and again in the history below).
    overview = page.get_by_role("region", name="Vue d’ensemble")
    expect(overview.get_by_text("Précisez le découpage en tâches.")).to_be_visible()
    page.get_by_label("Votre réponse à l’examen (facultatif)").fill("Voici 40 tâches de 2 jours.")
    page.get_by_role("button", name="Soumettre à nouveau").click()
    expect(page.get_by_text("Le projet est maintenant « Soumis ».")).to_be_visible()

    # Staff accept; the nonprofit sees it, and the project has its public page.
    reviewer.goto("/review/")
    reviewer.get_by_role("link", name="Carte des jardins du canal").click()
    expect(reviewer.get_by_text("Voici 40 tâches de 2 jours.")).to_be_visible()
    expect(reviewer.get_by_label(re.compile("Au moins une année-personne"))).to_be_visible()
    for box in reviewer.locator("form input[type=checkbox]").all():
        box.check()  # every point of the checklist is met: staff accept only then
    reviewer.get_by_label("Accepter").check()
    reviewer.get_by_role("button", name="Enregistrer la décision").click()
    page.reload()
    expect(page.locator(".muted .status")).to_have_text("Accepté")
    page.get_by_role("link", name="Page publique").click()
    expect(page.get_by_role("heading", name="Carte des jardins du canal")).to_be_visible()
    assert_accessible(page)
    page.goto("/projects/")
    expect(page.get_by_role("link", name="Carte des jardins du canal")).to_be_visible()
    assert_accessible(page)
    assert Project.objects.get().status == ProjectStatus.ACCEPTED
