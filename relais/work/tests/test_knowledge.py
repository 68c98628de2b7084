from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from relais.work import services
from relais.work.models import Claim, KnowledgeRevision, TeamMember
from relais.work.selectors import continuity

pytestmark = pytest.mark.django_db


def test_every_version_of_a_page_is_kept_with_who_and_what_changed(client, project, fabien, ana):
    page = services.page_save(
        author=fabien,
        project=project,
        title="Commencer ici",
        body="Ligne A\nLigne B",
        is_start_here=True,
    )
    services.page_save(
        author=ana,
        project=project,
        title="Commencer ici",
        body="Ligne A\nLigne C",
        summary="B devient C",
        page=page,
        is_start_here=True,
    )
    revisions = list(KnowledgeRevision.objects.filter(page=page).order_by("number"))
    assert [(r.number, r.author) for r in revisions] == [(1, fabien), (2, ana)]
    client.force_login(fabien)
    history = client.get(
        reverse("work:page_history", kwargs={"project_pk": project.pk, "slug": page.slug})
    ).content.decode()
    assert "B devient C" in history
    diff = client.get(
        reverse(
            "work:page_revision", kwargs={"project_pk": project.pk, "slug": page.slug, "number": 2}
        )
    )
    assert [line for kind, line in diff.context["lines"] if kind == "removed"] == ["-Ligne B"]
    assert [line for kind, line in diff.context["lines"] if kind == "added"] == ["+Ligne C"]


def test_saving_an_unchanged_page_adds_no_version(project, fabien):
    page = services.page_save(author=fabien, project=project, title="T", body="x")
    services.page_save(author=fabien, project=project, title="T", body="x", page=page)
    assert page.revisions.count() == 1


def test_a_project_has_one_start_here_page(project, fabien):
    first = services.page_save(
        author=fabien, project=project, title="Un", body="x", is_start_here=True
    )
    second = services.page_save(
        author=fabien, project=project, title="Deux", body="y", is_start_here=True
    )
    first.refresh_from_db()
    assert not first.is_start_here
    assert second.is_start_here


def test_newcomers_tick_the_onboarding_kit_and_the_lead_sees_who_is_where(
    client, project, fabien, ana, ben
):
    step = services.onboarding_step_add(
        lead=fabien, project=project, kind="read", title="Lire la page"
    )
    services.onboarding_step_add(lead=fabien, project=project, kind="run", title="Lancer le projet")
    client.force_login(ana)
    client.post(
        reverse("work:onboarding_toggle", kwargs={"project_pk": project.pk, "step_pk": step.pk})
    )
    client.force_login(fabien)
    response = client.get(reverse("work:onboarding", kwargs={"project_pk": project.pk}))
    rows = {row.member.user.email: row.done for row in response.context["rows"]}
    assert rows == {ana.email: {step.pk}, ben.email: set()}


def test_only_leads_write_the_onboarding_kit(client, project, ana):
    client.force_login(ana)
    response = client.post(
        reverse("work:onboarding", kwargs={"project_pk": project.pk}),
        {"kind": "read", "title": "x"},
    )
    assert response.status_code == 404
    assert not project.onboarding_steps.exists()


def test_the_continuity_figures(make_task, fabien, ana, ben, project):
    joined = timezone.now() - dt.timedelta(days=4)
    TeamMember.objects.filter(project=project).update(joined_at=joined)
    # A task started by Ana and finished by Ben, with a written handover.
    first = make_task("A")
    services.task_claim(consultant=ana, task=first)
    services.task_release(consultant=ana, task=first, done="d", state="s", next_step="n")
    services.task_claim(consultant=ben, task=first)
    services.task_submit(consultant=ben, task=first)
    services.task_accept(lead=fabien, task=first)
    # A task Ana finishes herself.
    second = make_task("B")
    services.task_claim(consultant=ana, task=second)
    services.task_submit(consultant=ana, task=second)
    services.task_accept(lead=fabien, task=second)
    # A claim that lapses, with a drafted handover.
    third = make_task("C")
    claim = services.task_claim(consultant=ben, task=third)
    Claim.objects.filter(pk=claim.pk).update(last_activity_at=timezone.now() - dt.timedelta(days=9))
    services.claims_lapse()

    figures = continuity(project)
    assert figures.median_days_to_first_submission == pytest.approx(4, abs=0.1)
    assert figures.finished_by_another_share == 50
    assert (figures.handovers_written, figures.handovers_drafted) == (1, 1)
    assert (figures.claims_lapsed, figures.claims_ended) == (1, 4)


def test_continuity_is_for_the_leads(client, project, ana, fabien):
    client.force_login(ana)
    assert (
        client.get(reverse("work:continuity", kwargs={"project_pk": project.pk})).status_code == 403
    )
    client.force_login(fabien)
    assert (
        client.get(reverse("work:continuity", kwargs={"project_pk": project.pk})).status_code == 200
    )


def test_a_lead_adds_only_consultants_to_the_team(project, fabien, nadia):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.team_member_add(lead=fabien, project=project, email=nadia.email)
    assert not TeamMember.objects.filter(user=nadia).exists()
