"""The Django admin keeps the invariants: states, signed documents, money and logs are read-only
there, and what stays editable is saved through the services."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from django import forms
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks_db.models import DBTaskResult

from relais.accounts.models import AuditEvent, Invitation, Membership, Organisation, Role
from relais.bench import services as bench_services
from relais.bench.models import (
    BenchPeriod,
    ConsultantProfile,
    FirmTerms,
    Mission,
    Recall,
)
from relais.core.tests.test_access_walk import victims  # noqa: F401 (a fixture)
from relais.projects.models import Diagnosis, Project, ProjectImage
from relais.site.models import LegalPage, PeriodicSchedule, WorkerHeartbeat
from relais.work import services as work_services
from relais.work.models import (
    Claim,
    Handover,
    KnowledgePage,
    OnboardingStep,
    Task,
    TeamMember,
)

pytestmark = pytest.mark.django_db


def _all_fields(model: type) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if not f.primary_key]  # type: ignore[attr-defined]


# The fields an operator must not be able to type into, model by model.
READ_ONLY = {
    Organisation: ["kind", "verified_at", "verified_by", "created_at"],
    Invitation: _all_fields(Invitation),
    AuditEvent: _all_fields(AuditEvent),
    Project: ["status", "nonprofit", "created_by", "diagnosis"],
    ProjectImage: _all_fields(ProjectImage),
    Diagnosis: _all_fields(Diagnosis),
    Task: ["status", "project", "position", "created_by"],
    Claim: _all_fields(Claim),
    Handover: _all_fields(Handover),
    TeamMember: _all_fields(TeamMember),
    KnowledgePage: ["slug", "project", "created_at"],
    OnboardingStep: _all_fields(OnboardingStep),
    BenchPeriod: _all_fields(BenchPeriod),
    Mission: _all_fields(Mission),
    Recall: _all_fields(Recall),
    FirmTerms: _all_fields(FirmTerms),
    ConsultantProfile: _all_fields(ConsultantProfile),
    WorkerHeartbeat: _all_fields(WorkerHeartbeat),
    PeriodicSchedule: _all_fields(PeriodicSchedule),
    LegalPage: _all_fields(LegalPage),
}

# Where a delete would break an invariant, the admin offers none.
UNDELETABLE = [Mission, Recall, Claim, Handover, FirmTerms, AuditEvent, BenchPeriod]


def _is_input(html: str, field: str) -> bool:
    return re.search(rf'name="{re.escape(field)}(_\d)?"', html) is not None


@pytest.fixture
def world(victims, operator_staff, acme, alice):  # noqa: F811 (the imported fixture)
    """One object of every model the admin shows."""
    period = BenchPeriod.objects.get(firm=acme)  # the other one is the work fixture's mission
    bench_services.bench_period_recall(
        actor=alice, period=period, effective_date=timezone.localdate() + dt.timedelta(days=10)
    )
    Group.objects.create(name="Relecteurs")
    EmailAddress.objects.get_or_create(user=alice, email=alice.email)
    now = timezone.now()
    WorkerHeartbeat.objects.create(
        worker_id="w1", pid=1, hostname="relais", started_at=now, seen_at=now
    )
    PeriodicSchedule.objects.create(name="claims_lapse", armed_at=now)
    LegalPage.objects.create(
        kind="legal", language="fr", body="Éditeur : Relais.", updated_by=operator_staff
    )
    DBTaskResult.objects.create(
        id=uuid.uuid4(),
        args_kwargs={"args": [], "kwargs": {}},
        task_path="relais.site.tasks.periodic_run",
        backend_name="default",
        run_after=now,
        exception_class_path="",
        traceback="",
    )
    AuditEvent.objects.get_or_create(action="test.event", defaults={"target": "x"})
    # Money, impact: a firm's billing settings, an operator cost, a credential (and the signing
    # key it makes), a challenge and a story.
    from relais.billing.models import BillingSettings, CostCategory, OperatorCost
    from relais.impact import services as impact_services

    BillingSettings.objects.get_or_create(firm=acme, defaults={"vat_rate": Decimal(20)})
    OperatorCost.objects.create(
        month=timezone.localdate().replace(day=1),
        category=CostCategory.values[0],
        amount_cents=100_00,
        label="Hébergement",
        entered_by=operator_staff,
    )
    mission = Mission.objects.filter(status="active").select_related("project").first()
    impact_services.credential_issue(consultant=mission.consultant, mission=mission)
    today = timezone.localdate()
    impact_services.challenge_create(
        staff=operator_staff,
        title="Défi d’hiver",
        metric="tasks_done",
        contenders="firms",
        start=today,
        end=today + dt.timedelta(days=30),
    )
    impact_services.story_create(
        lead=mission.project.field_lead, project=mission.project, title="Récit", body="Merci."
    )
    return victims


@pytest.fixture
def staff_client(client, operator_staff):
    # force_login skips the sign-in, and with it the second factor allauth asks for: the MFA
    # middleware only checks that staff have an authenticator app, which operator_staff has.
    client.force_login(operator_staff)
    return client


def test_every_model_of_the_admin_opens_and_keeps_its_guarded_fields_read_only(world, staff_client):
    for model in admin.site._registry:
        obj = model._default_manager.first()
        assert obj is not None, f"build one {model.__name__} in the world fixture"
        url = reverse(
            f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[obj.pk]
        )

        response = staff_client.get(url)

        assert response.status_code == 200, model.__name__
        if model.__module__.startswith("relais."):
            # (The task queue's own list resolves each task through the queue's backend, which
            # the tests replace.)
            name = f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"
            assert staff_client.get(reverse(name)).status_code == 200, model.__name__
        html = response.content.decode()
        typed = [name for name in READ_ONLY.get(model, []) if _is_input(html, name)]
        assert not typed, f"{model.__name__}: {typed} can be typed into"


def test_the_check_finds_the_fields_that_stay_editable(world, staff_client):
    task = Task.objects.get()

    html = staff_client.get(reverse("admin:work_task_change", args=[task.pk])).content.decode()

    assert _is_input(html, "title")
    assert _is_input(html, "dependencies")
    assert not _is_input(html, "status")


def test_signed_documents_states_and_logs_cannot_be_deleted_in_the_admin(world, staff_client):
    for model in UNDELETABLE:
        obj = model._default_manager.first()
        url = reverse(
            f"admin:{model._meta.app_label}_{model._meta.model_name}_delete", args=[obj.pk]
        )

        response = staff_client.post(url, {"post": "yes"})

        assert response.status_code == 403, model.__name__
        assert model._default_manager.filter(pk=obj.pk).exists()


def _form_data(client, url: str) -> dict[str, object]:
    """What the admin's change form would post back unchanged."""
    form = client.get(url).context["adminform"].form
    data: dict[str, object] = {}
    for name, field in form.fields.items():
        value = form[name].value()
        # A browser sends no file back when none is chosen: an empty file input is left out.
        if value is None or isinstance(field, forms.FileField):
            continue
        data[name] = [str(v) for v in value] if isinstance(value, list | tuple) else value
    return data


def test_a_role_that_does_not_exist_for_the_kind_is_refused_in_the_admin(staff_client, acme, bob):
    url = reverse("admin:accounts_organisation_change", args=[acme.pk])
    data = _form_data(staff_client, url)
    membership = Membership.objects.get(user=bob, organisation=acme)
    data.update(
        {
            "memberships-TOTAL_FORMS": "2",
            "memberships-INITIAL_FORMS": "1",
            "memberships-MIN_NUM_FORMS": "0",
            "memberships-MAX_NUM_FORMS": "1000",
            "memberships-0-id": str(membership.pk),
            "memberships-0-organisation": str(acme.pk),
            "memberships-0-user": str(bob.pk),
            "memberships-0-role": Role.CONSULTANT,
            "memberships-1-organisation": str(acme.pk),
            "memberships-1-user": str(bob.pk),
            "memberships-1-role": Role.NONPROFIT_ADMIN,
        }
    )

    response = staff_client.post(url, data)

    assert response.status_code == 200
    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        role = str(Role.NONPROFIT_ADMIN.label)
    assert role in " ".join(response.context["adminform"].form.non_field_errors())
    assert set(Membership.objects.filter(user=bob).values_list("role", flat=True)) == {
        Role.CONSULTANT
    }


def test_a_role_that_exists_for_the_kind_is_given_in_the_admin(staff_client, acme, bob):
    url = reverse("admin:accounts_organisation_change", args=[acme.pk])
    data = _form_data(staff_client, url)
    membership = Membership.objects.get(user=bob, organisation=acme)
    data.update(
        {
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "1",
            "memberships-MIN_NUM_FORMS": "0",
            "memberships-MAX_NUM_FORMS": "1000",
            "memberships-0-id": str(membership.pk),
            "memberships-0-organisation": str(acme.pk),
            "memberships-0-user": str(bob.pk),
            "memberships-0-role": Role.FIRM_ADMIN,
        }
    )

    response = staff_client.post(url, data)

    assert response.status_code == 302
    assert set(Membership.objects.filter(user=bob).values_list("role", flat=True)) == {
        Role.FIRM_ADMIN
    }
    assert AuditEvent.objects.filter(action="membership.added", target=bob.email).exists()


def test_a_dependency_cycle_is_refused_in_the_admin(world, staff_client, operator_staff):
    first = Task.objects.get()
    second = work_services.task_create(
        lead=operator_staff,
        project=first.project,
        title="Relire la carte",
        brief="b",
        acceptance_criteria="c",
        estimate_hours=Decimal(2),
        dependencies=[first],
    )
    url = reverse("admin:work_task_change", args=[first.pk])
    data = _form_data(staff_client, url)
    data["dependencies"] = [str(second.pk)]

    response = staff_client.post(url, data)

    assert response.status_code == 200
    # The message names the cycle, task by task.
    assert "Relire la carte" in " ".join(response.context["adminform"].form.errors["dependencies"])
    assert not first.dependencies.exists()


def test_the_dependencies_of_a_task_in_progress_cannot_change_in_the_admin(
    world, staff_client, operator_staff
):
    task = Task.objects.get()
    other = work_services.task_create(
        lead=operator_staff,
        project=task.project,
        title="Relire la carte",
        brief="b",
        acceptance_criteria="c",
        estimate_hours=Decimal(2),
    )
    work_services.task_claim(consultant=TeamMember.objects.get().user, task=task)
    url = reverse("admin:work_task_change", args=[task.pk])
    data = _form_data(staff_client, url)
    data["dependencies"] = [str(other.pk)]

    response = staff_client.post(url, data)

    assert response.status_code == 200
    with translation.override(response.wsgi_request.LANGUAGE_CODE):
        expected = translation.gettext("The dependencies of a task in progress cannot change.")
    assert expected in response.context["adminform"].form.non_field_errors()
    assert not task.dependencies.exists()


def test_a_knowledge_page_edited_in_the_admin_gets_a_revision(world, staff_client, operator_staff):
    page = KnowledgePage.objects.get()
    url = reverse("admin:work_knowledgepage_change", args=[page.pk])
    data = _form_data(staff_client, url)
    data["body"] = "Le nouveau contenu de la page."

    response = staff_client.post(url, data)

    assert response.status_code == 302
    page.refresh_from_db()
    assert page.body == "Le nouveau contenu de la page."
    revision = page.revisions.order_by("-number").first()
    assert revision.number == 2
    assert revision.body == "Le nouveau contenu de la page."
    assert revision.author == operator_staff


def test_a_knowledge_page_added_in_the_admin_has_its_first_revision(
    world, staff_client, operator_staff
):
    project = KnowledgePage.objects.get().project
    url = reverse("admin:work_knowledgepage_add")

    response = staff_client.post(
        url,
        {"project": str(project.pk), "title": "Installer le poste", "body": "Étape par étape."},
    )

    assert response.status_code == 302
    page = KnowledgePage.objects.get(title="Installer le poste")
    assert page.slug == "installer-le-poste"
    assert page.revisions.get().author == operator_staff
