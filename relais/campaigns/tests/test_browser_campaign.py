"""A campaign from its opening to its results, in headless chromium: staff open it, a nonprofit's
projects apply, three members vote (one changes their ballot), the vote closes; the results page
shows the MES winners beside the standard method, and its .pb download re-counts (manage.py tally)
to the same winners."""

from __future__ import annotations

import datetime as dt
import json
import re
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from relais.campaigns import services
from relais.campaigns.models import Campaign
from relais.conftest import totp_code
from relais.core.tests.browser import BROWSER_MARKS, assert_accessible
from relais.projects.models import ProjectStatus
from relais.projects.tests.factories import ProjectFactory

pytestmark = BROWSER_MARKS
PASSWORD = "correct-horse-battery-9"


def sign_in(page, email: str, *, with_totp: bool = False) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Connexion").click()
    if with_totp:
        page.wait_for_url(re.compile(r"/accounts/2fa/authenticate/"))
        page.get_by_label("Code").fill(totp_code())
        page.get_by_role("button", name="Connexion").click()
    page.wait_for_url(re.compile(r"/dashboard/"))


def vote(browser, live_server, email: str, campaign: Campaign, entry_pks: list[int]) -> None:
    context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    page = context.new_page()
    sign_in(page, email)
    page.locator("[data-to-do=vote] a").click()  # the dashboard's to-do leads to the ballot
    page.wait_for_url(re.compile(rf"/campaigns/{campaign.pk}/$"))
    for box in page.locator("input[name=entries]").all():
        box.set_checked(int(box.get_attribute("value")) in entry_pks)
    page.locator("[data-cast]").click()
    page.wait_for_url(re.compile(rf"/campaigns/{campaign.pk}/$"))
    assert page.locator("[data-receipt-code]").inner_text().strip()
    context.close()


def test_staff_open_members_vote_and_the_results_recount(
    page, browser, live_server, operator_staff, circle, members, nadia, les_amis, tmp_path
):
    # Staff open the campaign.
    sign_in(page, operator_staff.email, with_totp=True)
    page.goto("/campaigns/")
    today = timezone.localdate()
    page.locator("#id_title").fill("Choisir nos projets")
    for name, days in (
        ("proposals_from", 0),
        ("review_from", 0),
        ("vote_from", 0),
        ("results_from", 7),
    ):
        page.locator(f"#id_{name}").fill((today + dt.timedelta(days=days)).isoformat())
    page.locator("#id_budget_days").fill("100")
    page.locator(f"input[name=circles][value='{circle.pk}']").check()
    page.locator("#id_title").locator("xpath=ancestor::form").locator("button[type=submit]").click()
    page.wait_for_url(re.compile(r"/campaigns/\d+/$"))
    campaign = Campaign.objects.get()
    page.locator("[data-advance=draft]").click()
    page.wait_for_url(re.compile(rf"/campaigns/{campaign.pk}/$"))
    entries = []
    for title, cost in (("Jardin", 60), ("Bibliothèque", 40), ("Atelier", 50)):
        project = ProjectFactory(nonprofit=les_amis, title=title, status=ProjectStatus.ACCEPTED)
        entries.append(
            services.project_apply(by=nadia, campaign=campaign, project=project, cost_days=cost)
        )
    jardin, biblio, atelier = (e.pk for e in entries)
    page.locator("[data-advance=proposals]").click()
    page.wait_for_url(re.compile(rf"/campaigns/{campaign.pk}/$"))
    page.locator("[data-advance=review]").click()
    page.wait_for_url(re.compile(rf"/campaigns/{campaign.pk}/$"))
    assert page.locator("[data-phase=vote]").count() == 1
    assert_accessible(page)

    # Three members vote; the third changes their ballot.
    vote(browser, live_server, members[0].email, campaign, [jardin, biblio])
    vote(browser, live_server, members[1].email, campaign, [jardin])
    vote(browser, live_server, members[2].email, campaign, [biblio])
    context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    third = context.new_page()
    sign_in(third, members[2].email)
    third.goto(f"/campaigns/{campaign.pk}/")
    third.locator(f"input[name=entries][value='{biblio}']").uncheck()
    third.locator(f"input[name=entries][value='{atelier}']").check()
    third.locator("[data-cast]").click()
    third.wait_for_url(re.compile(rf"/campaigns/{campaign.pk}/$"))
    assert_accessible(third)
    context.close()

    # The vote closes: MES funds Jardin only; the standard method would fund Jardin and the library.
    page.goto(f"/campaigns/{campaign.pk}/")
    page.locator("[data-advance=vote]").click()
    page.wait_for_url(re.compile(rf"/campaigns/{campaign.pk}/results/$"))
    selected = {
        int(r.get_attribute("data-entry")) for r in page.locator("tr[data-selected='1']").all()
    }
    greedy = {int(r.get_attribute("data-entry")) for r in page.locator("tr[data-greedy='1']").all()}
    assert selected == {jardin}
    assert greedy == {jardin, biblio}
    assert_accessible(page)
    with page.expect_download() as download:
        page.locator("[data-pb-download]").click()
    saved = tmp_path / "ballots.pb"
    download.value.save_as(saved)
    out = StringIO()
    call_command("tally", str(saved), "--rule", "mes", "--json", stdout=out)
    assert {int(x) for x in json.loads(out.getvalue())["selected"]} == selected
