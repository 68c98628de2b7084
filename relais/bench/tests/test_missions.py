"""The mission workflow: a firm verified by the operator, then three acceptances (the firm draws
up the agreement, the nonprofit that owns the project accepts it, the consultant agrees), each
step by the right person only, in the right state only, audited, and told to the next person."""

from __future__ import annotations

import json

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from relais.accounts import services as account_services
from relais.accounts.models import AuditEvent, Role
from relais.accounts.services import api_token_create
from relais.accounts.tests.factories import MembershipFactory, OrganisationFactory
from relais.bench import services
from relais.bench.models import Mission, MissionStatus
from relais.bench.tests.loan import REPRESENTATIVE, mentions
from relais.work.models import TeamMember

pytestmark = pytest.mark.django_db


@pytest.fixture
def requested(dora, on_bench, active_project):
    """Dora asked to join Les Amis' project."""
    return services.mission_create(consultant=dora, project=active_project)


@pytest.fixture
def drawn_up(requested, alice):
    return services.mission_agreement_draw_up(admin=alice, mission=requested, mentions=mentions())


@pytest.fixture
def accepted(drawn_up, nadia):
    return services.mission_beneficiary_accept(
        admin=nadia, mission=drawn_up, representative=REPRESENTATIVE
    )


@pytest.fixture
def other_nonprofit_admin(db):
    nonprofit = OrganisationFactory(kind="nonprofit", siren="", rna="W931234567", name="Autre")
    return MembershipFactory(organisation=nonprofit, role=Role.NONPROFIT_ADMIN).user


def actions(mission: Mission) -> list[str]:
    return list(
        AuditEvent.objects.filter(details__mission=mission.pk)
        .order_by("at", "id")
        .values_list("action", flat=True)
    )


def on_team(user, project) -> bool:
    return TeamMember.objects.filter(project=project, user=user, left_at__isnull=True).exists()


# --- Firm verification -----------------------------------------------------------------------


def test_the_consultant_of_an_unverified_firm_cannot_ask_to_join(
    alice, acme, dora, terms, active_project
):
    from django.utils import timezone

    services.bench_period_open(admin=alice, firm=acme, consultant=dora, start=timezone.localdate())
    with pytest.raises(services.BenchError, match="attend la vérification"):
        services.mission_create(consultant=dora, project=active_project)
    assert not Mission.objects.exists()


def test_only_operator_staff_verify_a_firm_and_its_admins_are_told(
    acme, alice, operator_staff, django_capture_on_commit_callbacks
):
    with pytest.raises(PermissionDenied):
        account_services.organisation_verify(staff=alice, organisation=acme)
    acme.refresh_from_db()
    assert acme.verified_at is None
    with django_capture_on_commit_callbacks(execute=True):
        account_services.organisation_verify(staff=operator_staff, organisation=acme)
    acme.refresh_from_db()
    assert acme.verified_at is not None
    assert acme.verified_by == operator_staff
    assert [m.to for m in mail.outbox] == [[alice.email]]
    assert AuditEvent.objects.filter(action="organisation.verified", organisation=acme).exists()
    with django_capture_on_commit_callbacks(execute=True):
        account_services.organisation_verify(staff=operator_staff, organisation=acme)
    assert len(mail.outbox) == 1  # verifying again changes nothing and tells nobody again


def test_only_firms_are_verified(les_amis, operator_staff):
    with pytest.raises(ValidationError):
        account_services.organisation_verify(staff=operator_staff, organisation=les_amis)
    les_amis.refresh_from_db()
    assert les_amis.verified_at is None


def test_staff_verify_firms_from_their_to_do_page(client, acme, alice, other_firm, operator_staff):
    client.force_login(operator_staff)
    dashboard = client.get(reverse("site:dashboard")).content.decode()
    assert reverse("accounts:firms_to_verify") in dashboard
    page = client.get(reverse("accounts:firms_to_verify"))
    assert page.status_code == 200
    assert acme.name in page.content.decode()
    assert other_firm.name in page.content.decode()
    verify_url = reverse("accounts:organisation_verify", kwargs={"organisation_pk": acme.pk})
    assert verify_url in page.content.decode()
    assert client.post(verify_url).status_code == 302
    acme.refresh_from_db()
    assert acme.verified_at is not None
    assert verify_url not in client.get(reverse("accounts:firms_to_verify")).content.decode()


def test_the_firms_to_verify_are_paginated(client, operator_staff):
    for n in range(30):
        OrganisationFactory(name=f"Firme {n:02d}")
    client.force_login(operator_staff)
    first = client.get(reverse("accounts:firms_to_verify")).content.decode()
    second = client.get(reverse("accounts:firms_to_verify") + "?page=2").content.decode()
    assert "Firme 00" in first
    assert "Firme 29" not in first
    assert "Firme 29" in second
    huge = client.get(reverse("accounts:firms_to_verify") + "?page=99999999999999999999999")
    assert huge.status_code == 200


def test_nobody_but_staff_reaches_the_verification_pages(client, acme, alice, nadia):
    for person in (alice, nadia):
        client.force_login(person)
        assert client.get(reverse("accounts:firms_to_verify")).status_code == 404
        url = reverse("accounts:organisation_verify", kwargs={"organisation_pk": acme.pk})
        assert client.post(url).status_code == 404
    acme.refresh_from_db()
    assert acme.verified_at is None


def test_an_unverified_firm_is_told_what_waiting_blocks(client, acme, alice):
    client.force_login(alice)
    for url in (
        reverse("site:dashboard"),
        reverse("bench:firm_dashboard", kwargs={"organisation_pk": acme.pk}),
    ):
        body = client.get(url).content.decode()
        assert "vérification" in body or "verification" in body


# --- The three acceptances, each told to the next person --------------------------------------


def test_each_step_tells_the_next_person(
    alice, nadia, fabien, dora, on_bench, active_project, django_capture_on_commit_callbacks
):
    def step(call):
        mail.outbox.clear()
        with django_capture_on_commit_callbacks(execute=True):
            mission = call()
        return mission, sorted(address for m in mail.outbox for address in m.to)

    mission, told = step(lambda: services.mission_create(consultant=dora, project=active_project))
    assert told == [alice.email]
    _m, told = step(
        lambda: services.mission_agreement_draw_up(
            admin=alice, mission=mission, mentions=mentions()
        )
    )
    assert told == [nadia.email]
    _m, told = step(
        lambda: services.mission_beneficiary_accept(
            admin=nadia, mission=mission, representative=REPRESENTATIVE
        )
    )
    assert told == [dora.email]
    _m, told = step(lambda: services.mission_consent(consultant=dora, mission=mission))
    assert told == sorted([dora.email, fabien.email])
    assert actions(mission) == [
        "mission.requested",
        "mission.drawn_up",
        "mission.accepted_by_beneficiary",
        "mission.consented",
        "mission.started",
    ]


def test_a_refusal_tells_the_consultant_and_the_firm_why(
    drawn_up, nadia, alice, dora, active_project, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.mission_beneficiary_refuse(
            admin=nadia, mission=drawn_up, reason="Nous avons déjà une développeuse."
        )
    drawn_up.refresh_from_db()
    assert drawn_up.status == MissionStatus.REFUSED
    assert drawn_up.beneficiary_refused_by == nadia
    assert sorted(a for m in mail.outbox for a in m.to) == sorted([alice.email, dora.email])
    assert all("Nous avons déjà une développeuse." in m.body for m in mail.outbox)
    assert actions(drawn_up)[-1] == "mission.refused"
    with pytest.raises(services.BenchError):
        services.mission_consent(consultant=dora, mission=drawn_up)
    with pytest.raises(services.BenchError):
        services.mission_beneficiary_accept(
            admin=nadia, mission=drawn_up, representative=REPRESENTATIVE
        )
    assert not on_team(dora, active_project)


def test_a_refusal_needs_a_reason_and_changes_nothing_without_one(drawn_up, nadia):
    for reason in ("", "   ", "x" * 1001):
        with pytest.raises(ValidationError):
            services.mission_beneficiary_refuse(admin=nadia, mission=drawn_up, reason=reason)
    drawn_up.refresh_from_db()
    assert drawn_up.status == MissionStatus.DRAWN_UP
    assert drawn_up.beneficiary_refused_at is None


# --- Wrong person, wrong state -----------------------------------------------------------------


def test_only_the_firms_admin_draws_up_the_agreement(requested, bob, charlie, nadia, dora):
    for person in (bob, charlie, nadia, dora):
        with pytest.raises(PermissionDenied):
            services.mission_agreement_draw_up(admin=person, mission=requested, mentions=mentions())
    requested.refresh_from_db()
    assert requested.agreement_generated_at is None


def test_only_an_admin_of_the_projects_nonprofit_accepts_or_refuses(
    drawn_up, alice, fabien, dora, charlie, other_nonprofit_admin
):
    for person in (alice, fabien, dora, charlie, other_nonprofit_admin):
        with pytest.raises(PermissionDenied):
            services.mission_beneficiary_accept(
                admin=person, mission=drawn_up, representative=REPRESENTATIVE
            )
        with pytest.raises(PermissionDenied):
            services.mission_beneficiary_refuse(admin=person, mission=drawn_up, reason="Non")
    drawn_up.refresh_from_db()
    assert drawn_up.status == MissionStatus.DRAWN_UP


def test_only_the_consultant_gives_their_agreement(accepted, alice, nadia, bob):
    for person in (alice, nadia, bob):
        with pytest.raises(PermissionDenied):
            services.mission_consent(consultant=person, mission=accepted)
    accepted.refresh_from_db()
    assert accepted.status == MissionStatus.ACCEPTED
    assert accepted.consultant_agreed_at is None


def test_the_nonprofit_cannot_accept_before_the_agreement_exists(requested, nadia):
    with pytest.raises(services.BenchError):
        services.mission_beneficiary_accept(
            admin=nadia, mission=requested, representative=REPRESENTATIVE
        )
    requested.refresh_from_db()
    assert requested.beneficiary_accepted_at is None


def test_an_accepted_mission_can_no_longer_be_refused(accepted, nadia):
    with pytest.raises(services.BenchError):
        services.mission_beneficiary_refuse(admin=nadia, mission=accepted, reason="Finalement non")
    accepted.refresh_from_db()
    assert accepted.status == MissionStatus.ACCEPTED


def test_the_consultant_joins_the_team_only_when_the_mission_starts(
    accepted, dora, nadia, active_project
):
    assert not on_team(dora, active_project)
    services.mission_consent(consultant=dora, mission=accepted)
    member = TeamMember.objects.get(project=active_project, user=dora, left_at__isnull=True)
    assert member.added_by == nadia


def test_a_mission_agreed_before_the_amendment_existed_waits_for_the_amendments_acceptance(
    drawn_up, dora, nadia, active_project
):
    """A consent given before the amendment existed was to no amendment: once the nonprofit
    accepts, the consultant must still accept the amendment before the mission starts."""
    from django.utils import timezone

    Mission.objects.filter(pk=drawn_up.pk).update(consultant_agreed_at=timezone.now())
    services.mission_beneficiary_accept(
        admin=nadia, mission=drawn_up, representative=REPRESENTATIVE
    )
    drawn_up.refresh_from_db()
    assert drawn_up.status == MissionStatus.ACCEPTED
    assert not on_team(dora, active_project)
    services.mission_consent(consultant=dora, mission=drawn_up)
    drawn_up.refresh_from_db()
    assert drawn_up.status == MissionStatus.ACTIVE
    assert drawn_up.documents.filter(kind="amendment", party="consultant").exists()
    assert on_team(dora, active_project)


def test_the_migration_never_takes_an_old_mission_as_accepted_by_its_nonprofit(requested):
    import importlib

    from django.apps import apps
    from django.utils import timezone

    migration = importlib.import_module(
        "relais.bench.migrations.0003_mission_beneficiary_acceptance"
    )
    Mission.objects.filter(pk=requested.pk).update(agreement_generated_at=timezone.now())
    migration.await_the_beneficiary(apps, None)
    requested.refresh_from_db()
    assert requested.status == MissionStatus.DRAWN_UP
    assert requested.beneficiary_accepted_at is None


def test_the_migration_takes_back_the_access_a_self_joined_mission_gave(
    client, requested, dora, active_project
):
    """Before the fix a mission put its consultant on the team with no nonprofit's word; former
    members keep reading a project, so such a place is removed, even once the mission ended."""
    import importlib

    from django.apps import apps
    from django.utils import timezone

    now = timezone.now()
    Mission.objects.filter(pk=requested.pk).update(
        status=MissionStatus.ENDED, agreement_generated_at=now, consultant_agreed_at=now
    )
    TeamMember.objects.create(project=active_project, user=dora, added_by=None, left_at=now)
    board = reverse("work:board", kwargs={"project_pk": active_project.pk})
    client.force_login(dora)
    assert client.get(board).status_code == 200

    migration = importlib.import_module(
        "relais.bench.migrations.0003_mission_beneficiary_acceptance"
    )
    migration.await_the_beneficiary(apps, None)

    assert not TeamMember.objects.filter(project=active_project, user=dora).exists()
    assert client.get(board).status_code == 404


# --- Pages: who sees what, the to-dos -----------------------------------------------------------


def test_the_nonprofit_admin_reads_the_mission_and_its_agreement_to_decide(
    client, drawn_up, nadia, other_nonprofit_admin
):
    mission_url = reverse("bench:mission", kwargs={"mission_pk": drawn_up.pk})
    pdf_url = reverse("bench:agreement_pdf", kwargs={"mission_pk": drawn_up.pk})
    client.force_login(nadia)
    page = client.get(mission_url)
    assert page.status_code == 200
    assert reverse("bench:mission_accept", kwargs={"mission_pk": drawn_up.pk}) in (
        page.content.decode()
    )
    assert client.get(pdf_url)["Content-Type"] == "application/pdf"
    client.force_login(other_nonprofit_admin)
    assert client.get(mission_url).status_code == 404
    assert client.get(pdf_url).status_code == 404
    accept_url = reverse("bench:mission_accept", kwargs={"mission_pk": drawn_up.pk})
    assert client.post(accept_url).status_code == 404
    drawn_up.refresh_from_db()
    assert drawn_up.status == MissionStatus.DRAWN_UP


def test_the_nonprofit_accepts_and_refuses_from_the_mission_page(
    client, drawn_up, nadia, dora, active_project
):
    client.force_login(nadia)
    refuse_url = reverse("bench:mission_refuse", kwargs={"mission_pk": drawn_up.pk})
    response = client.post(refuse_url, {"reason": "  "})
    assert response.status_code == 400
    drawn_up.refresh_from_db()
    assert drawn_up.status == MissionStatus.DRAWN_UP
    accept_url = reverse("bench:mission_accept", kwargs={"mission_pk": drawn_up.pk})
    assert client.post(accept_url).status_code == 400  # who represents the nonprofit?
    drawn_up.refresh_from_db()
    assert drawn_up.status == MissionStatus.DRAWN_UP
    assert client.post(accept_url, {"representative": REPRESENTATIVE}).status_code == 302
    drawn_up.refresh_from_db()
    assert drawn_up.status == MissionStatus.ACCEPTED
    assert drawn_up.beneficiary_representative == REPRESENTATIVE
    assert not on_team(dora, active_project)


def test_each_person_finds_their_step_on_their_dashboard(client, drawn_up, alice, nadia, dora):
    mission_url = reverse("bench:mission", kwargs={"mission_pk": drawn_up.pk})
    client.force_login(nadia)
    assert mission_url in client.get(reverse("site:dashboard")).content.decode()
    client.force_login(dora)
    assert mission_url in client.get(reverse("site:dashboard")).content.decode()
    client.force_login(alice)  # the agreement is drawn up: nothing waits on the firm
    assert mission_url not in client.get(reverse("site:dashboard")).content.decode()


def test_the_firm_admin_finds_a_request_to_answer_on_their_dashboard(client, requested, alice):
    client.force_login(alice)
    body = client.get(reverse("site:dashboard")).content.decode()
    assert reverse("bench:mission", kwargs={"mission_pk": requested.pk}) in body


# --- API -----------------------------------------------------------------------------------------


def _post(client, url, user, body=None):
    token = api_token_create(user=user, name="outil").raw
    return client.post(
        url,
        json.dumps(body or {}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )


def test_the_nonprofit_accepts_by_api(client, drawn_up, nadia, alice, charlie):
    url = f"/api/v1/missions/{drawn_up.pk}/accept"
    body = {"representative": REPRESENTATIVE}
    assert _post(client, url, alice, body).status_code == 403
    assert _post(client, url, charlie, body).status_code == 404
    assert _post(client, url, nadia).status_code == 422  # who represents the nonprofit?
    response = _post(client, url, nadia, body)
    assert response.status_code == 200
    assert response.json()["status"] == "accepted"
    again = _post(client, f"/api/v1/missions/{drawn_up.pk}/refuse", nadia, {"reason": "Non"})
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "conflict"


def test_the_nonprofit_refuses_by_api_with_a_reason(client, drawn_up, nadia):
    url = f"/api/v1/missions/{drawn_up.pk}/refuse"
    assert _post(client, url, nadia, {"reason": ""}).status_code == 422
    response = _post(client, url, nadia, {"reason": "Projet en pause"})
    assert response.status_code == 200
    assert response.json()["refusal_reason"] == "Projet en pause"
    assert response.json()["status"] == "refused"


def test_accepting_before_the_agreement_is_a_conflict_by_api(client, requested, nadia):
    response = _post(
        client, f"/api/v1/missions/{requested.pk}/accept", nadia, {"representative": "N. D."}
    )
    assert response.status_code == 409
    requested.refresh_from_db()
    assert requested.beneficiary_accepted_at is None


def test_staff_verify_a_firm_by_api(client, acme, alice, charlie, operator_staff):
    url = f"/api/v1/firms/{acme.pk}/verification"
    assert _post(client, url, alice).status_code == 403
    assert _post(client, url, charlie).status_code == 404
    acme.refresh_from_db()
    assert acme.verified_at is None
    response = _post(client, url, operator_staff)
    assert response.status_code == 200
    assert response.json()["verified_at"] is not None


def test_the_schema_documents_the_answers_of_the_new_operations(client):
    schema = client.get("/api/v1/openapi.json").json()
    accept = schema["paths"]["/api/v1/missions/{mission_id}/accept"]["post"]["responses"]
    refuse = schema["paths"]["/api/v1/missions/{mission_id}/refuse"]["post"]["responses"]
    assert {"200", "403", "404", "409"} <= set(accept)
    assert {"200", "403", "404", "409", "422"} <= set(refuse)
