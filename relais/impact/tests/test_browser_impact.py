"""The public impact dashboard and a firm's, in headless chromium: the figures match the
database, and the charts pass axe (text alternatives, tables beside them)."""

from __future__ import annotations

import re

from relais.bench.tests.helpers import mission_started
from relais.core.tests.browser import BROWSER_MARKS, PASSWORD, assert_accessible
from relais.impact.tests.conftest import finish_task
from relais.projects.models import ProjectStatus
from relais.projects.tests.factories import ProjectFactory
from relais.work.models import Task, TaskStatus

pytestmark = BROWSER_MARKS


def figure(page, name: str) -> int:
    return int(re.sub(r"\D", "", page.locator(f'[data-figure="{name}"]').inner_text()))


def test_the_public_and_the_firm_dashboards_show_the_database_figures(
    page, live_server, alice, bob, acme, les_amis, fabien, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    project = ProjectFactory(
        nonprofit=les_amis, field_lead=fabien, status=ProjectStatus.ACTIVE, title="Carte"
    )
    mission = mission_started(bob, project)
    finish_task(fabien, bob, project)
    done = Task.objects.filter(status=TaskStatus.DONE).count()

    page.goto("/impact/")
    assert figure(page, "tasks_done") == done == 1
    assert figure(page, "projects") == 1
    assert page.locator('svg[role="img"][aria-labelledby]').count() == 3
    assert page.locator(".impact-chart table").count() == 3
    assert_accessible(page)

    alice.set_password(PASSWORD)
    alice.save()
    page.goto("/accounts/login/")
    page.get_by_label("E-mail").fill(alice.email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Connexion").click()
    page.wait_for_url(re.compile(r"/dashboard/"))
    page.goto(f"/firms/{acme.pk}/impact/")
    assert figure(page, "tasks_done") == 1
    assert figure(page, "consultants") == 1
    assert mission.project.title in page.locator("main").inner_text()
    assert_accessible(page)
    page.set_viewport_size({"width": 375, "height": 800})
    overflow = page.evaluate("document.documentElement.scrollWidth > 375")
    assert not overflow
