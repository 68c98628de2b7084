"""The look on a phone: every role's main pages, on the demo data, fit a 375 px screen (nothing
scrolls sideways, tables scroll inside their own box) and pass axe, colour contrast included."""

from __future__ import annotations

import io
import re

from django.core.management import call_command
from django.urls import reverse

from relais.accounts.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, DEMO_TOTP_SECRET
from relais.accounts.models import Organisation, OrganisationKind, Role
from relais.bench.models import Mission
from relais.conftest import totp_code
from relais.core.tests.browser import BROWSER_MARKS, assert_accessible
from relais.projects.models import Project, ProjectStatus
from relais.work.models import Claim, KnowledgePage, Task

pytestmark = BROWSER_MARKS

PHONE = {"width": 375, "height": 740}
VISITOR = "visitor"


def main_pages(role: str) -> list[str]:
    """The pages a person in this role opens first, found in the demo data."""
    if role == VISITOR:
        public = next(p for p in Project.objects.order_by("pk") if p.is_public)
        return [
            "/",
            reverse("projects:project_list"),
            reverse("projects:project_detail", kwargs={"project_pk": public.pk}),
            reverse("projects:diagnosis"),
            reverse("bench:estimate"),
            reverse("account_login"),
        ]
    email = DEMO_ACCOUNTS[role]
    pages = [reverse("site:dashboard"), reverse("accounts:settings")]
    if role == Role.CONSULTANT:
        claim = Claim.objects.filter(consultant__email=email).order_by("pk").first()
        mission = Mission.objects.filter(consultant__email=email).order_by("pk").first()
        pages += [reverse("bench:my_bench"), reverse("bench:my_profile")]
        if mission:
            pages += [
                reverse("bench:mission", kwargs={"mission_pk": mission.pk}),
                reverse("work:board", kwargs={"project_pk": mission.project_id}),
            ]
        if claim:
            pages.append(reverse("work:task_detail", kwargs={"task_pk": claim.task_id}))
    elif role == Role.FIRM_ADMIN:
        firm = Organisation.objects.get(
            kind=OrganisationKind.FIRM, memberships__user__email=email
        ).pk
        pages += [
            reverse("bench:firm_dashboard", kwargs={"organisation_pk": firm}),
            reverse("bench:roster", kwargs={"organisation_pk": firm}),
            reverse("bench:bench_periods", kwargs={"organisation_pk": firm}),
            reverse("bench:terms", kwargs={"organisation_pk": firm}),
            reverse("accounts:organisation_detail", kwargs={"organisation_pk": firm}),
        ]
        mission = Mission.objects.filter(terms__firm_id=firm).order_by("pk").first()
        if mission:
            pages.append(reverse("bench:mission", kwargs={"mission_pk": mission.pk}))
    elif role in (Role.NONPROFIT_ADMIN, Role.FIELD_LEAD):
        projects = Project.objects.filter(nonprofit__memberships__user__email=email)
        if role == Role.FIELD_LEAD:
            projects = projects.filter(field_lead__email=email)
        project = projects.filter(tasks__isnull=False).order_by("pk").first()
        pages.append(reverse("projects:project_list"))
        if project:
            pk = {"project_pk": project.pk}
            pages += [
                reverse("projects:workspace", kwargs=pk),
                reverse("projects:project_detail", kwargs=pk),
                reverse("work:board", kwargs=pk),
                reverse("work:team", kwargs=pk),
                reverse("work:onboarding", kwargs=pk),
                reverse("work:pages", kwargs=pk),
            ]
            task = Task.objects.filter(project=project).order_by("pk").first()
            if task:
                pages.append(reverse("work:task_detail", kwargs={"task_pk": task.pk}))
            page = KnowledgePage.objects.filter(project=project).order_by("pk").first()
            if page:
                pages.append(reverse("work:page", kwargs={**pk, "slug": page.slug}))
            mission = Mission.objects.filter(project=project).order_by("pk").first()
            if mission:
                pages.append(reverse("bench:mission", kwargs={"mission_pk": mission.pk}))
    elif role == Role.OPERATOR_STAFF:
        pages += [
            reverse("projects:review_queue"),
            reverse("accounts:firms_to_verify"),
            reverse("accounts:audit_log"),
        ]
        project = Project.objects.filter(status=ProjectStatus.SUBMITTED).order_by("pk").first()
        if project:
            pages.append(reverse("projects:review", kwargs={"project_pk": project.pk}))
    return pages


def sign_in(page, role: str) -> None:
    """Signs the demo account of the role in (staff also type their authenticator's code)."""
    page.goto(reverse("account_login"))
    page.locator("input[name=login]").fill(DEMO_ACCOUNTS[role])
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    if role == Role.OPERATOR_STAFF:
        page.locator("input[name=code]").fill(totp_code(DEMO_TOTP_SECRET))
        page.locator("main form button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/dashboard/"))


def sideways_scroll(page) -> int:
    """How many pixels the page is wider than the screen (0: nothing scrolls sideways)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def test_every_roles_main_pages_fit_a_phone_and_pass_axe(browser, live_server, settings):
    settings.RELAIS_TASKS_BACKEND = "immediate"
    call_command("seed_demo", stdout=io.StringIO())
    overflowing: list[tuple[str, int]] = []
    opened = 0
    for role in [VISITOR, *DEMO_ACCOUNTS]:
        context = browser.new_context(base_url=live_server.url, locale="fr-FR", viewport=PHONE)
        context.set_default_timeout(10000)
        page = context.new_page()
        if role != VISITOR:
            sign_in(page, role)
        for path in main_pages(role):
            response = page.goto(path)
            assert response is not None, (role, path)
            assert response.status == 200, (role, path)
            opened += 1
            if (extra := sideways_scroll(page)) > 0:
                overflowing.append((path, extra))
            assert_accessible(page)
        context.close()
    assert overflowing == []
    assert opened >= 35
