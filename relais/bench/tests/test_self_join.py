"""Hole 2 of the security issue, replayed through the web: anyone who signs up, registers a firm,
puts themselves in its roster, sets terms, opens their own bench period and joins a project used to
land in its private workspace without the nonprofit ever being asked. Now the firm must be
verified by operator staff first, and the mission needs the nonprofit's acceptance."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from relais.accounts.models import Organisation, User
from relais.bench.models import Mission, MissionStatus
from relais.bench.tests.loan import REPRESENTATIVE, mentions_form
from relais.work import services as work_services
from relais.work.models import TeamMember

pytestmark = pytest.mark.django_db
PASSWORD = "Un-mot-de-passe-42"
ATTACKER = "mallory@intrus.example"


def link_in_mail(pattern: str) -> str:
    for message in reversed(mail.outbox):
        match = re.search(pattern, message.body)
        if match:
            return match.group(0)
    raise AssertionError(f"no email holds {pattern}")


@pytest.fixture
def private_work(active_project, fabien):
    """Les Amis' active project with a published task and a knowledge-base page."""
    task = work_services.task_create(
        lead=fabien,
        project=active_project,
        title="Écrire le guide",
        brief="Le guide interne des bénévoles",
        acceptance_criteria="Relu",
        estimate_hours=Decimal(6),
    )
    work_services.task_publish(lead=fabien, task=task)
    page = work_services.page_save(
        author=fabien, project=active_project, title="Accès internes", body="Mot de passe du wifi"
    )
    return active_project, task, page


def private_urls(project, task, page) -> list[str]:
    # The consultants' side of a project (its nonprofit's own workspace page is for insiders).
    return [
        reverse("work:board", kwargs={"project_pk": project.pk}),
        reverse("work:pages", kwargs={"project_pk": project.pk}),
        reverse("work:page", kwargs={"project_pk": project.pk, "slug": page.slug}),
        reverse("work:task_detail", kwargs={"task_pk": task.pk}),
    ]


def shut_out(client: Client, attacker: User, project, task, page) -> None:
    """The attacker is not on the team, reads nothing private and cannot claim the task."""
    assert not TeamMember.objects.filter(project=project, user=attacker).exists()
    for url in private_urls(project, task, page):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("work:task_claim", kwargs={"task_pk": task.pk})).status_code == 404
    task.refresh_from_db()
    assert task.status == "ready"


def test_a_self_made_firm_cannot_lend_itself_into_a_private_workspace(
    client, private_work, nadia, operator_staff, django_capture_on_commit_callbacks
):
    project, task, page = private_work

    def go(method: str, url: str, data: dict | None = None, c: Client = client):
        with django_capture_on_commit_callbacks(execute=True):
            return getattr(c, method)(url, data or {})

    # Sign up, confirm the address, register a firm with a valid SIREN.
    go(
        "post",
        "/accounts/signup/",
        {"email": ATTACKER, "password1": PASSWORD, "password2": PASSWORD},
    )
    go("post", link_in_mail(r"/accounts/confirm-email/[^\s]+"))
    attacker = User.objects.get(email=ATTACKER)
    go("post", "/organisations/new/firm/", {"name": "Intrus Conseil", "siren": "732829320"})
    firm = Organisation.objects.get(name="Intrus Conseil")
    assert firm.verified_at is None

    # Put yourself in the roster (an existing account gets an invitation: accept it yourself).
    roster = "email,first_name,last_name,job_title,tjm,daily_cost,skills,employee_id\n"
    roster += f"{ATTACKER},Mal,Lory,Développeuse,500,350,python,E01\n"
    upload = go(
        "post",
        reverse("bench:roster", kwargs={"organisation_pk": firm.pk}),
        {"file": _file("roster.csv", roster)},
    )
    assert upload.status_code == 200, upload.content.decode()
    go(
        "post",
        reverse("bench:roster_apply", kwargs={"organisation_pk": firm.pk}),
        {"payload": upload.context["payload"]},
    )
    if not attacker.memberships.filter(organisation=firm, role="consultant").exists():
        go("post", link_in_mail(r"/invitations/[^\s/]+/"))
    assert attacker.memberships.filter(organisation=firm, role="consultant").exists()

    # Terms, then your own bench period from today.
    go(
        "post",
        reverse("bench:terms", kwargs={"organisation_pk": firm.pk}),
        {
            "mode": "fee",
            "fee_rate": "1",
            "max_bench_days_per_year": "40",
            "headcount": "10",
            "bench_rate": "5",
            "average_tjm_cents": "500",
            "average_daily_cost_cents": "400",
            "turnover_cents": "1000000",
        },
    )
    go(
        "post",
        reverse("bench:bench_periods", kwargs={"organisation_pk": firm.pk}),
        {"consultant_email": attacker.email, "start": timezone.localdate().isoformat()},
    )
    assert attacker.bench_periods.filter(status="open").exists()

    # 1. The firm is not verified: joining is refused, nothing is created.
    join_url = reverse("bench:join", kwargs={"project_pk": project.pk})
    go("post", join_url)
    assert not Mission.objects.exists()
    shut_out(client, attacker, project, task, page)

    # Operator staff verify the firm.
    staff = Client()
    staff.force_login(operator_staff)
    go(
        "post",
        reverse("accounts:organisation_verify", kwargs={"organisation_pk": firm.pk}),
        c=staff,
    )
    firm.refresh_from_db()
    assert firm.verified_at is not None

    # 2. Join, draw up the agreement yourself, consent: the nonprofit has not accepted.
    go("post", join_url)
    mission = Mission.objects.get(consultant=attacker, project=project)
    mission_url = reverse("bench:mission", kwargs={"mission_pk": mission.pk})
    go("post", reverse("bench:agreement", kwargs={"mission_pk": mission.pk}), mentions_form())
    go("post", reverse("bench:consent", kwargs={"mission_pk": mission.pk}), {"agree": "yes"})
    mission.refresh_from_db()
    assert mission.status == MissionStatus.DRAWN_UP
    assert mission.consultant_agreed_at is None
    shut_out(client, attacker, project, task, page)
    # Nor can the attacker accept for the nonprofit.
    accept_url = reverse("bench:mission_accept", kwargs={"mission_pk": mission.pk})
    assert client.post(accept_url).status_code == 403
    mission.refresh_from_db()
    assert mission.beneficiary_accepted_at is None

    # The nonprofit's admin was told, reads the mission and its agreement, and accepts.
    assert any(nadia.email in m.to and mission_url in m.body for m in mail.outbox)
    beneficiary = Client()
    beneficiary.force_login(nadia)
    assert mission_url in beneficiary.get(reverse("site:dashboard")).content.decode()
    assert beneficiary.get(mission_url).status_code == 200
    go("post", accept_url, {"representative": REPRESENTATIVE}, c=beneficiary)
    shut_out(client, attacker, project, task, page)

    # 3. Only once the consultant agrees after the nonprofit does is the workspace open.
    go("post", reverse("bench:consent", kwargs={"mission_pk": mission.pk}), {"agree": "yes"})
    mission.refresh_from_db()
    assert mission.status == MissionStatus.ACTIVE
    assert TeamMember.objects.filter(project=project, user=attacker, added_by=nadia).exists()
    for url in private_urls(project, task, page):
        assert client.get(url).status_code == 200, url
    assert client.post(reverse("work:task_claim", kwargs={"task_pk": task.pk})).status_code == 302
    task.refresh_from_db()
    assert task.status == "claimed"


def _file(name: str, content: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content.encode(), content_type="text/csv")
