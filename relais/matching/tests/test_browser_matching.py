"""A consultant put on the bench finds a suggested task, with why, on their dashboard."""

from __future__ import annotations

import re

from django.utils.translation import gettext, override
from playwright.sync_api import expect

from relais.accounts.models import OrganisationKind, Role
from relais.accounts.tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from relais.core.tests.browser import BROWSER_MARKS, assert_accessible
from relais.matching.models import Suggestion
from relais.matching.tests.conftest import on_bench, skill
from relais.projects.models import ProjectStatus
from relais.projects.tests.factories import ProjectFactory
from relais.work import services as work_services

pytestmark = BROWSER_MARKS
PASSWORD = "correct-horse-battery-9"


def test_a_consultant_on_the_bench_sees_a_suggestion_with_its_explanation(browser, live_server):
    from decimal import Decimal

    lead = UserFactory(email="lea@amis.example", first_name="Léa")
    nonprofit = OrganisationFactory(kind="nonprofit", siren="", rna="W751234567", name="Les Amis")
    MembershipFactory(user=lead, organisation=nonprofit, role=Role.FIELD_LEAD)
    project = ProjectFactory(
        nonprofit=nonprofit, field_lead=lead, status=ProjectStatus.ACTIVE, title="Carte"
    )
    task = work_services.task_create(
        lead=lead,
        project=project,
        title="Écrire l'API",
        brief="Le contexte.",
        acceptance_criteria="Relu",
        estimate_hours=Decimal(6),
        skills=[skill("django")],
    )
    work_services.task_publish(lead=lead, task=task)
    firm = OrganisationFactory(kind=OrganisationKind.FIRM, name="Acme")
    anna = MembershipFactory(
        role=Role.CONSULTANT,
        organisation=firm,
        user__email="anna@esn.example",
        user__first_name="Anna",
    ).user
    # The firm opens her bench period: the round runs in the background (here, on commit).
    on_bench(anna, firm, {"django": 3})
    assert Suggestion.objects.filter(consultant=anna, task=task).exists()

    context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    context.set_default_timeout(5000)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.get_by_label("E-mail").fill(anna.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Connexion").click()
    page.wait_for_url(re.compile(r"/dashboard/"))
    card = page.locator("[data-suggestion]")
    expect(card).to_contain_text("Écrire l'API")
    with override("fr"):
        why = gettext("It needs skills you have: %(skills)s.") % {"skills": str(skill("django"))}
    expect(card.locator("ul.why")).to_contain_text(why)
    assert_accessible(page)
    card.get_by_role("link").first.click()
    page.wait_for_url(re.compile(rf"/tasks/{task.pk}/"))
