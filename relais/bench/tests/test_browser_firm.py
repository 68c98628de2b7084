"""A firm joins, loads its people, lends a consultant and recalls them — in headless chromium."""

from __future__ import annotations

import re
from decimal import Decimal
from urllib.parse import urlparse

from django.core import mail
from playwright.sync_api import expect

from relais.accounts import services as account_services
from relais.accounts.models import Organisation, Role
from relais.accounts.tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from relais.bench.models import ConsultantProfile, MissionDocument
from relais.bench.tests.loan import REPRESENTATIVE, mentions_form
from relais.core.tests.browser import BROWSER_MARKS, PASSWORD, assert_accessible, link_in_last_email
from relais.projects.models import ProjectStatus
from relais.projects.tests.factories import ProjectFactory
from relais.work import services as work_services
from relais.work.models import Handover, Task, TaskStatus

pytestmark = BROWSER_MARKS
# The French label of each mention of the agreement, by field.
MENTION_LABELS = {
    "place_of_work": "Lieu de travail",
    "working_hours": "Horaires de travail",
    "post_characteristics": "Caractéristiques du poste",
    "trial_period": "Période d’essai",
    "firm_representative": "Qui représente l’ESN",
    "planned_end": "Fin prévue",
    "cse_informed_on": "Représentants du personnel (CSE) informés le",
}
HEADER = "email,first_name,last_name,job_title,tjm,daily_cost,skills,employee_id"


def roster(bad_row: bool) -> dict:
    rows = [
        f"c{n}@octo.example,Prénom{n},Nom{n},Développeuse,{500 + n},{350 + n},python,E{n:02d}"
        for n in range(20)
    ]
    if bad_row:
        rows[10] = "c10-at-octo.example,Prénom10,Nom10,Développeuse,cinq cents,350,python,E10"
    return {
        "name": "roster.csv",
        "mimeType": "text/csv",
        "buffer": "\n".join([HEADER, *rows]).encode(),
    }


def test_a_firm_signs_up_imports_lends_and_recalls(page, browser, live_server, operator_staff):
    lead = UserFactory(email="lea@amis.example", first_name="Léa")
    nonprofit = OrganisationFactory(kind="nonprofit", siren="", rna="W751234567", name="Les Amis")
    MembershipFactory(user=lead, organisation=nonprofit, role=Role.FIELD_LEAD)
    owner = UserFactory(email="nadia@amis.example", first_name="Nadia", password=PASSWORD)
    MembershipFactory(user=owner, organisation=nonprofit, role=Role.NONPROFIT_ADMIN)
    project = ProjectFactory(
        nonprofit=nonprofit, field_lead=lead, status=ProjectStatus.ACTIVE, title="Carte des jardins"
    )
    task = work_services.task_create(
        lead=lead,
        project=project,
        title="Écrire le guide",
        brief="b",
        acceptance_criteria="c",
        estimate_hours=Decimal(6),
    )
    work_services.task_publish(lead=lead, task=task)

    # The firm admin signs up and registers the firm.
    page.goto("/accounts/signup/")
    page.get_by_label("E-mail").fill("rh@octo.example")
    page.get_by_label("Mot de passe :", exact=True).fill(PASSWORD)
    page.get_by_label("Mot de passe (confirmation)").fill(PASSWORD)
    page.get_by_role("button", name="Création de compte").click()
    page.goto(link_in_last_email(r"http://[^\s]+/accounts/confirm-email/[^\s]+"))
    page.get_by_role("button", name="Confirmer").click()
    page.get_by_role("link", name="Inscrire votre ESN").click()
    page.get_by_label(re.compile(r"^Nom")).fill("Octo Services")
    page.get_by_label("SIREN").fill("732 829 320")
    page.get_by_role("button", name="Inscrire").click()
    firm_url = page.url.replace("/organisations/", "/firms/")
    # Operator staff verify the new firm: before that, its consultants cannot join anything.
    account_services.organisation_verify(
        staff=operator_staff, organisation=Organisation.objects.get(name="Octo Services")
    )

    # Terms, then the roster: one bad row writes nothing; the fixed file brings 20 consultants.
    page.goto(firm_url + "terms/")
    assert_accessible(page)
    page.get_by_label("Prix symbolique").check()
    page.get_by_label(re.compile(r"^Consultant·es \(effectif\)")).fill("200")
    page.get_by_label(re.compile(r"^Taux d’intercontrat")).fill("6")
    page.get_by_label(re.compile(r"^TJM moyen")).fill("550")
    page.get_by_label(re.compile(r"^Coût journalier chargé moyen")).fill("400")
    page.get_by_label(re.compile(r"^Chiffre d’affaires annuel")).fill("20000000")
    page.get_by_role("button", name="Enregistrer les conditions").click()
    expect(page.get_by_text("Conditions enregistrées")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Consultant·es", exact=True).click()
    page.get_by_label(re.compile(r"^Fichier des consultant·es")).set_input_files(
        roster(bad_row=True)
    )
    page.get_by_role("button", name="Vérifier le fichier").click()
    expect(page.get_by_text("Ligne 12 : adresse e-mail incorrecte")).to_be_visible()
    expect(page.get_by_text("Ligne 12 : TJM n’est pas un nombre")).to_be_visible()
    assert_accessible(page)
    assert not ConsultantProfile.objects.exists()
    page.get_by_label(re.compile(r"^Fichier des consultant·es")).set_input_files(
        roster(bad_row=False)
    )
    page.get_by_role("button", name="Vérifier le fichier").click()
    page.get_by_role("button", name="Importer ces consultant·es").click()
    expect(page.get_by_text("Fichier importé : 20 ajouté(s)")).to_be_visible()
    assert ConsultantProfile.objects.count() == 20

    # A bench period for Prénom3.
    page.goto(firm_url + "bench/")
    page.get_by_label(re.compile(r"^Adresse e-mail du ou de la consultant")).fill("c3@octo.example")
    page.get_by_role("button", name="Ouvrir", exact=True).click()
    expect(page.get_by_text("Intercontrat ouvert.")).to_be_visible()
    assert_accessible(page)

    # The consultant chooses a password from the welcome email, joins the project, agrees.
    welcome = next(m for m in mail.outbox if m.to == ["c3@octo.example"])
    # The link carries the site's public address; here the live server answers elsewhere.
    reset_path = urlparse(re.search(r"http://\S+", welcome.body).group(0)).path
    consultant = browser.new_context(base_url=live_server.url, locale="fr-FR").new_page()
    consultant.set_default_timeout(5000)
    consultant.goto(reset_path)
    assert_accessible(consultant)
    consultant.get_by_label(re.compile(r"^Nouveau mot de passe")).first.fill(PASSWORD)
    consultant.get_by_label(re.compile(r"^Confirmation du nouveau mot de passe")).fill(PASSWORD)
    consultant.get_by_role("button", name="Enregistrer mon mot de passe").click()
    expect(consultant.get_by_text("Bienvenue sur Relais.")).to_be_visible()
    consultant.goto("/me/bench/")
    assert_accessible(consultant)
    consultant.get_by_role("button", name="Rejoindre Carte des jardins").click()
    expect(consultant.get_by_text("Mission demandée")).to_be_visible()
    mission_url = consultant.url

    # The firm states every mention of the agreement, then draws it up.
    page.goto(mission_url)
    for name, value in mentions_form().items():
        if value:
            page.get_by_label(re.compile("^" + re.escape(MENTION_LABELS[name]))).fill(value)
    page.get_by_role("button", name="Établir la convention de mise à disposition").click()
    expect(page.get_by_text("La convention de mise à disposition est établie.")).to_be_visible()
    stored = MissionDocument.objects.get(party="firm")
    expect(page.get_by_text(stored.sha256)).to_be_visible()
    assert_accessible(page)
    pdf = page.request.get(mission_url + "agreement.pdf")
    assert pdf.headers["content-type"] == "application/pdf"

    # The nonprofit that owns the project reads the agreement and accepts the mission.
    beneficiary = browser.new_context(base_url=live_server.url, locale="fr-FR").new_page()
    beneficiary.set_default_timeout(5000)
    beneficiary.goto("/accounts/login/")
    beneficiary.get_by_label("E-mail").fill(owner.email)
    beneficiary.get_by_label("Mot de passe").fill(PASSWORD)
    beneficiary.get_by_role("button", name="Connexion").click()
    beneficiary.get_by_role("link", name=re.compile(r"Prénom3 Nom3")).click()
    beneficiary.wait_for_url(mission_url)
    assert_accessible(beneficiary)
    assert beneficiary.request.get(mission_url + "agreement.pdf").ok
    consultant.goto(mission_url)
    expect(
        consultant.get_by_role("button", name="Accepter l’avenant à mon contrat de travail")
    ).to_have_count(0)
    beneficiary.get_by_label(re.compile(r"^Qui représente la structure")).fill(REPRESENTATIVE)
    beneficiary.get_by_role("button", name="Accepter la mission").click()
    expect(beneficiary.get_by_text("Mission acceptée.")).to_be_visible()
    expect(
        beneficiary.get_by_text(MissionDocument.objects.get(party="beneficiary").sha256)
    ).to_be_visible()
    assert_accessible(beneficiary)

    # The consultant reads the amendment to their employment contract, then accepts it.
    consultant.goto(mission_url)
    assert consultant.request.get(mission_url + "amendment.pdf").ok
    consultant.get_by_label(re.compile(r"^J’accepte l’avenant à mon contrat de travail")).check()
    consultant.get_by_role("button", name="Accepter l’avenant à mon contrat de travail").click()
    expect(consultant.get_by_text("Vous avez accepté l’avenant")).to_be_visible()
    expect(
        consultant.get_by_text(MissionDocument.objects.get(kind="amendment").sha256)
    ).to_be_visible()
    assert_accessible(consultant)
    consultant.goto(f"/tasks/{task.pk}/")
    consultant.get_by_role("button", name="Prendre cette tâche").click()
    expect(consultant.get_by_text("La tâche est à vous.")).to_be_visible()

    # The admin recalls: the task is back in the backlog with a drafted handover; both are told.
    mail.outbox.clear()
    page.goto(firm_url)
    assert_accessible(page)
    page.get_by_role("button", name="Rappeler Prénom3 Nom3").click()
    # A confirmation page first says what will happen; nothing changes until it is confirmed.
    expect(page.get_by_role("heading", name="Ce qui va se passer")).to_be_visible()
    expect(page.get_by_text("Écrire le guide — Carte des jardins")).to_be_visible()
    assert_accessible(page)
    assert Task.objects.get(pk=task.pk).status != TaskStatus.READY
    page.get_by_role("button", name="Confirmer le rappel").click()
    expect(page.get_by_text("est rappelé·e à partir du")).to_be_visible()
    task = Task.objects.get(pk=task.pk)
    assert task.status == TaskStatus.READY
    assert Handover.objects.get(task=task).drafted_automatically
    assert {m.to[0] for m in mail.outbox} == {"c3@octo.example", lead.email}
