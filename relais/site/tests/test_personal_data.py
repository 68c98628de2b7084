"""Personal data (GDPR): a person downloads everything Relais holds about them and no one else's,
erases their account (pseudonymised, their work kept, refused while signed agreements must be
kept), and the retention job removes what nobody needs and nothing else."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from relais.accounts import services as account_services
from relais.accounts.audit import audit
from relais.accounts.models import ApiToken, AuditEvent, Invitation, Membership, Role, User
from relais.accounts.tests.factories import MembershipFactory, UserFactory
from relais.bench.models import (
    BenchPeriod,
    BenchStatus,
    ConsultantProfile,
    FirmTerms,
    Mission,
    MissionDocument,
    MissionStatus,
)
from relais.projects.models import ProjectStatus
from relais.projects.tests.factories import ProjectFactory
from relais.site import privacy
from relais.site.periodic import PERIODIC_JOBS
from relais.work.models import Claim, Comment, Handover, Task, TaskEvent, TeamMember, TimeEntry

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-9"
NOW = timezone.now()


def _profile(user: User, firm, **fields) -> ConsultantProfile:
    return ConsultantProfile.objects.create(
        user=user,
        firm=firm,
        employee_id="E-042",
        job_title="Développeuse",
        bio="J'aime les cartes.",
        tjm_cents=650_00,
        daily_cost_cents=410_00,
        daily_gross_salary_cents=180_00,
        employer_charges_rate=Decimal(45),
        **fields,
    )


def _mission(consultant: User, firm, project, *, signed_at: dt.datetime | None) -> Mission:
    """A mission of the consultant, ended, whose agreement was accepted on `signed_at`."""
    terms = FirmTerms.objects.create(
        firm=firm,
        valid_from=dt.date(2015, 1, 1),
        mode="fee",
        headcount=10,
        bench_rate=Decimal(5),
        average_tjm_cents=500_00,
        average_daily_cost_cents=400_00,
        turnover_cents=1_000_000_00,
    )
    period = BenchPeriod.objects.create(
        consultant=consultant, firm=firm, start=dt.date(2015, 1, 5), status=BenchStatus.ENDED
    )
    mission = Mission.objects.create(
        consultant=consultant,
        project=project,
        bench_period=period,
        terms=terms,
        mode="fee",
        fee_rate=Decimal(1),
        tjm_cents=650_00,
        daily_cost_cents=410_00,
        status=MissionStatus.ENDED if signed_at else MissionStatus.AWAITING,
        agreement_generated_at=signed_at,
        beneficiary_accepted_at=signed_at,
        consultant_agreed_at=signed_at,
    )
    if signed_at:
        MissionDocument.objects.create(
            mission=mission,
            kind="amendment",
            version=1,
            party="consultant",
            accepted_by=consultant,
            accepted_at=signed_at,
            file="mission-documents/x.pdf",
            sha256="0" * 64,
        )
    return mission


def _work(consultant: User, project) -> Claim:
    """A task the consultant holds on the project's team, with time, a comment and a handover."""
    TeamMember.objects.create(project=project, user=consultant)
    task = Task.objects.create(
        project=project,
        title="Carte des jardins",
        brief="b",
        acceptance_criteria="c",
        estimate_hours=Decimal(6),
        status="claimed",
    )
    old = Claim.objects.create(
        task=task, consultant=consultant, ended_at=NOW, end_reason="released"
    )
    Handover.objects.create(
        task=task, claim=old, author=consultant, reason="released", done="La moitié", state="s",
        next_step="n",
    )  # fmt: skip
    claim = Claim.objects.create(task=task, consultant=consultant)
    TimeEntry.objects.create(claim=claim, date=timezone.localdate(), hours=Decimal(3), note="Fond")
    Comment.objects.create(task=task, author=consultant, body="Une question sur les jardins")
    TaskEvent.objects.create(task=task, kind="claimed", actor=consultant)
    return claim


def _speaks_english(user: User) -> None:
    user.language = "en"
    user.save(update_fields=["language"])


@pytest.fixture
def project(les_amis, fabien):
    return ProjectFactory(nonprofit=les_amis, field_lead=fabien, status=ProjectStatus.ACTIVE)


# --- Export -------------------------------------------------------------------------------


def test_the_export_holds_the_persons_data_with_what_the_firm_recorded(bob, alice, acme, project):
    _profile(bob, acme)
    audit("bench.recall", actor=alice, organisation=acme, target=bob.email)
    _mission(bob, acme, project, signed_at=NOW - dt.timedelta(days=30))
    _work(bob, project)
    account_services.api_token_create(user=bob, name="mon outil")

    data = privacy.personal_data_export(user=bob)

    assert data["account"]["email"] == "bob@acme.example"
    assert data["memberships"] == [
        {
            "organisation_id": acme.pk,
            "organisation": "Acme Conseil",
            "role": "consultant",
            "since": data["memberships"][0]["since"],
        }
    ]
    assert data["consultant_profile"]["daily_gross_salary_cents"] == 180_00
    assert data["consultant_profile"]["bio"] == "J'aime les cartes."
    assert len(data["bench_periods"]) == 1
    assert data["missions"][0]["daily_cost_cents"] == 410_00
    assert data["mission_documents"][0]["kind"] == "amendment"
    assert len(data["claims"]) == 2
    assert data["time_entries"][0]["note"] == "Fond"
    assert data["handovers"][0]["done"] == "La moitié"
    assert data["comments"][0]["body"] == "Une question sur les jardins"
    assert data["api_tokens"][0]["name"] == "mon outil"
    assert "digest" not in data["api_tokens"][0]
    assert ApiToken.objects.get().digest not in json.dumps(data, default=str)
    assert [e["action"] for e in data["audit_events"]] == ["bench.recall", "api_token.create"]
    assert "alice@acme.example" not in json.dumps(data, default=str)
    assert AuditEvent.objects.filter(action="privacy.export", actor=bob).count() == 1


def test_the_export_holds_nothing_of_anyone_else(bob, alice, acme, charlie, project):
    _profile(alice, acme)
    _work(alice, project)
    account_services.api_token_create(user=alice, name="outil d'alice")

    text = json.dumps(privacy.personal_data_export(user=bob), default=str)

    assert "alice@acme.example" not in text
    assert "charlie" not in text
    assert "outil d'alice" not in text
    assert "Carte des jardins" not in text
    assert "J'aime les cartes." not in text


def test_the_settings_page_links_to_the_download_and_the_file_is_json(client, bob):
    client.force_login(bob)

    settings_page = client.get(reverse("accounts:settings")).content.decode()
    response = client.get(reverse("site:my_data_download"))

    assert reverse("site:my_data") in settings_page
    assert reverse("site:account_erase") in settings_page
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert "attachment" in response["Content-Disposition"]
    assert json.loads(response.content)["account"]["email"] == "bob@acme.example"


def test_my_data_page_offers_the_download_and_the_erasure(client, bob):
    _speaks_english(bob)
    client.force_login(bob)

    page = client.get(reverse("site:my_data"), headers={"Accept-Language": "en"})

    assert page.status_code == 200
    assert reverse("site:my_data_download") in page.content.decode()
    assert reverse("site:account_erase") in page.content.decode()


def test_my_data_page_says_why_the_account_cannot_be_erased_yet(client, bob, acme, project):
    _mission(bob, acme, project, signed_at=timezone.now() - dt.timedelta(days=10))
    _speaks_english(bob)
    client.force_login(bob)

    page = client.get(reverse("site:my_data"), headers={"Accept-Language": "en"}).content.decode()

    assert "can be erased from" in page
    assert reverse("site:account_erase") not in page


def test_anonymous_visitors_are_sent_to_sign_in_for_their_data(client):
    for name in ("site:my_data", "site:my_data_download", "site:account_erase"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert reverse("account_login") in response["Location"]


# --- Erasure ------------------------------------------------------------------------------


def test_erasure_pseudonymises_the_person_and_keeps_their_work(bob, acme, project):
    _profile(bob, acme)
    claim = _work(bob, project)
    account_services.api_token_create(user=bob, name="mon outil")

    privacy.account_erase(user=bob, password=PASSWORD)

    bob.refresh_from_db()
    assert bob.email == f"former-member-{bob.pk}@erased.invalid"
    assert bob.display_name == f"Former member #{bob.pk}"
    assert not bob.has_usable_password()
    assert not bob.is_active
    assert not Membership.objects.filter(user=bob).exists()
    assert not EmailAddress.objects.filter(user=bob).exists()
    assert ApiToken.objects.get(user=bob).revoked_at is not None
    profile = ConsultantProfile.objects.get(user=bob)
    assert (profile.bio, profile.job_title, profile.employee_id) == ("", "", "")
    assert profile.daily_cost_cents == 410_00  # the firm's figures for past missions stay
    # The work stays, attached to the pseudonym.
    assert Handover.objects.filter(author=bob, done="La moitié").exists()
    assert TimeEntry.objects.filter(claim__consultant=bob).count() == 1
    assert Comment.objects.filter(author=bob).exists()
    assert TaskEvent.objects.filter(actor=bob).exists()
    # What they held returned to the backlog with a drafted handover; they left the team.
    claim.refresh_from_db()
    assert claim.ended_at is not None
    assert Handover.objects.filter(claim=claim).exists()
    assert not TeamMember.objects.filter(user=bob, left_at__isnull=True).exists()
    event = AuditEvent.objects.get(action="privacy.erased")
    assert event.target == f"#{bob.pk}"
    assert event.details["memberships"] == 1
    assert "bob@acme.example" not in json.dumps(privacy.personal_data(bob)["account"])


def test_erasure_needs_the_password_and_changes_nothing_without_it(bob):
    with translation.override("en"), pytest.raises(Exception, match="not your password"):
        privacy.account_erase(user=bob, password="wrong")

    bob.refresh_from_db()
    assert bob.email == "bob@acme.example"
    assert bob.is_active


def test_erasure_is_refused_within_five_years_of_a_signed_agreement(bob, acme, project):
    signed = timezone.now() - dt.timedelta(days=365)
    _mission(bob, acme, project, signed_at=signed)

    with translation.override("en"), pytest.raises(privacy.ErasureRefused) as refused:
        privacy.account_erase(user=bob, password=PASSWORD)

    until = timezone.localdate(signed).replace(year=timezone.localdate(signed).year + 5)
    assert str(until.year) in str(refused.value)
    assert "5 years" in str(refused.value)
    bob.refresh_from_db()
    assert bob.email == "bob@acme.example"
    assert AuditEvent.objects.filter(action="privacy.erasure_refused").count() == 1


def test_erasure_is_allowed_once_the_signed_documents_are_older_than_five_years(bob, acme, project):
    mission = _mission(bob, acme, project, signed_at=timezone.now() - dt.timedelta(days=5 * 366))

    privacy.account_erase(user=bob, password=PASSWORD)

    bob.refresh_from_db()
    assert bob.email.endswith("@erased.invalid")
    # Past their retention, the signed documents go with the account, files included.
    assert not MissionDocument.objects.filter(mission=mission).exists()


def test_the_last_operator_staff_member_cannot_erase_themselves(operator_staff):
    with translation.override("en"), pytest.raises(privacy.ErasureRefused, match="last member"):
        privacy.account_erase(user=operator_staff, password=PASSWORD)

    operator_staff.refresh_from_db()
    assert operator_staff.is_active


def test_a_staff_member_with_a_colleague_may_erase_themselves(operator_staff):
    operator = Membership.objects.get(user=operator_staff).organisation
    colleague = UserFactory(email="olivier@relais.example")
    account_services.membership_add(organisation=operator, user=colleague, role=Role.OPERATOR_STAFF)

    privacy.account_erase(user=operator_staff, password=PASSWORD)

    operator_staff.refresh_from_db()
    assert not operator_staff.is_staff
    assert not operator_staff.is_operator_staff


def test_the_erasure_page_erases_signs_out_and_the_old_address_no_longer_signs_in(client, bob):
    other_device = Client()
    other_device.force_login(bob)
    client.force_login(bob)

    response = client.post(reverse("site:account_erase"), {"password": PASSWORD, "confirm": "on"})

    assert response.status_code == 302
    assert client.get(reverse("site:dashboard")).status_code == 302  # signed out
    assert other_device.get(reverse("site:dashboard")).status_code == 302  # everywhere
    login = client.post(
        reverse("account_login"), {"login": "bob@acme.example", "password": PASSWORD}
    )
    assert login.status_code == 200  # the form again: no such account any more
    assert not User.objects.filter(email="bob@acme.example").exists()


def test_the_erasure_page_with_a_wrong_password_says_so_and_erases_nothing(client, bob):
    _speaks_english(bob)
    client.force_login(bob)

    response = client.post(
        reverse("site:account_erase"),
        {"password": "wrong", "confirm": "on"},
        headers={"Accept-Language": "en"},
    )

    assert response.status_code == 200
    assert "This is not your password." in response.content.decode()
    assert User.objects.filter(email="bob@acme.example", is_active=True).exists()


def test_the_erasure_page_says_until_when_the_account_is_kept(client, bob, acme, project):
    _mission(bob, acme, project, signed_at=timezone.now() - dt.timedelta(days=10))
    _speaks_english(bob)
    client.force_login(bob)

    page = client.get(reverse("site:account_erase"), headers={"Accept-Language": "en"})
    post = client.post(reverse("site:account_erase"), {"password": PASSWORD, "confirm": "on"})

    assert "can be erased from" in page.content.decode()
    assert post.status_code == 200
    assert User.objects.filter(email="bob@acme.example", is_active=True).exists()


# --- Retention ----------------------------------------------------------------------------


def _invitation(acme, alice, email: str, *, age_days: int, **fields) -> Invitation:
    return Invitation.objects.create(
        organisation=acme,
        email=email,
        role=Role.CONSULTANT,
        invited_by=alice,
        created_at=NOW - dt.timedelta(days=age_days),
        **fields,
    )


def test_the_retention_job_removes_stale_invitations_and_nothing_else(alice, acme):
    old_expired = _invitation(acme, alice, "old@x.example", age_days=7 + 91)
    recent_expired = _invitation(acme, alice, "recent@x.example", age_days=7 + 80)
    pending = _invitation(acme, alice, "pending@x.example", age_days=2)
    old_revoked = _invitation(
        acme, alice, "rev@x.example", age_days=200, revoked_at=NOW - dt.timedelta(days=100)
    )
    recent_revoked = _invitation(
        acme, alice, "rev2@x.example", age_days=200, revoked_at=NOW - dt.timedelta(days=10)
    )
    accepted = _invitation(
        acme, alice, "acc@x.example", age_days=400, accepted_at=NOW - dt.timedelta(days=399)
    )

    counts = privacy.personal_data_retention()

    left = set(Invitation.objects.values_list("pk", flat=True))
    assert left == {recent_expired.pk, pending.pk, recent_revoked.pk, accepted.pk}
    assert old_expired.pk not in left
    assert old_revoked.pk not in left
    assert counts == {"invitations": 2, "accounts": 0, "roster_rows": 0, "audit_events": 0}
    assert AuditEvent.objects.get(action="privacy.retention").details == counts
    assert privacy.personal_data_retention() == {
        "invitations": 0,
        "accounts": 0,
        "roster_rows": 0,
        "audit_events": 0,
    }


def test_the_retention_job_removes_accounts_never_confirmed_after_30_days(alice):
    def signed_up(email: str, days: int, **fields) -> User:
        user = User.objects.create_user(email, PASSWORD, **fields)
        User.objects.filter(pk=user.pk).update(date_joined=NOW - dt.timedelta(days=days))
        EmailAddress.objects.create(user=user, email=email, verified=False, primary=True)
        return user

    stale = signed_up("stale@x.example", 31)
    fresh = signed_up("fresh@x.example", 29)
    used = signed_up("used@x.example", 60, last_login=NOW - dt.timedelta(days=50))
    confirmed = signed_up("ok@x.example", 60)
    EmailAddress.objects.filter(user=confirmed).update(verified=True)
    # A roster account waiting for its welcome link has a membership: kept.
    roster = MembershipFactory(user__email="roster@x.example", role=Role.CONSULTANT).user
    User.objects.filter(pk=roster.pk).update(date_joined=NOW - dt.timedelta(days=60))
    EmailAddress.objects.filter(user=roster).update(verified=False)

    counts = privacy.personal_data_retention()

    assert not User.objects.filter(pk=stale.pk).exists()
    assert set(User.objects.filter(pk__in=[fresh.pk, used.pk, confirmed.pk, roster.pk])) == {
        fresh,
        used,
        confirmed,
        roster,
    }
    assert alice in User.objects.all()
    assert counts["accounts"] == 1


def test_the_retention_job_removes_roster_rows_unused_for_a_year(alice, acme, project):
    def roster_row(email: str, days: int) -> User:
        user = MembershipFactory(organisation=acme, user__email=email, role=Role.CONSULTANT).user
        User.objects.filter(pk=user.pk).update(date_joined=NOW - dt.timedelta(days=days))
        ConsultantProfile.objects.create(user=user, firm=acme)
        return user

    unused = roster_row("unused@acme.example", 400)
    young = roster_row("young@acme.example", 300)
    lent = roster_row("lent@acme.example", 400)
    _mission(lent, acme, project, signed_at=None)
    on_bench = roster_row("bench@acme.example", 400)
    BenchPeriod.objects.create(
        consultant=on_bench, firm=acme, start=dt.date(2025, 1, 6), status=BenchStatus.OPEN
    )
    signed_in = roster_row("seen@acme.example", 400)
    User.objects.filter(pk=signed_in.pk).update(last_login=NOW - dt.timedelta(days=200))

    counts = privacy.personal_data_retention()

    assert not User.objects.filter(pk=unused.pk).exists()
    assert not ConsultantProfile.objects.filter(user_id=unused.pk).exists()
    assert (
        ConsultantProfile.objects.filter(user__in=[young, lent, on_bench, signed_in]).count() == 4
    )
    assert counts == {"invitations": 0, "accounts": 1, "roster_rows": 1, "audit_events": 0}
    assert Membership.objects.filter(user=alice, organisation=acme).exists()


def test_the_retention_job_runs_with_the_periodic_jobs():
    assert PERIODIC_JOBS["personal_data_retention"]() == {
        "invitations": 0,
        "accounts": 0,
        "roster_rows": 0,
        "audit_events": 0,
    }


def test_the_security_log_keeps_each_event_a_year_then_lets_it_go(alice):
    from relais.accounts.audit import audit

    today = audit("account.login", actor=alice, target=alice.email)
    # The log refuses updates: events of other dates are written with their date.
    old_at = NOW - dt.timedelta(days=privacy.AUDIT_EVENT_KEPT_DAYS + 1)
    recent_at = NOW - dt.timedelta(days=privacy.AUDIT_EVENT_KEPT_DAYS - 1)
    aged = AuditEvent.objects.create(action="account.login", actor=alice, at=old_at)
    kept = AuditEvent.objects.create(action="account.login", actor=alice, at=recent_at)

    counts = privacy.personal_data_retention()

    assert counts["audit_events"] == 1
    assert not AuditEvent.objects.filter(pk=aged.pk).exists()
    assert set(AuditEvent.objects.filter(pk__in=[kept.pk, today.pk])) == {kept, today}
    # Still append-only otherwise: an event is never changed nor deleted by hand.
    with pytest.raises(ValueError, match="append-only"):
        AuditEvent.objects.filter(pk=kept.pk).delete()


def test_erasing_deletes_the_signed_documents_past_their_retention_files_included(
    bob, acme, project, settings, tmp_path
):
    from django.core.files.base import ContentFile

    settings.MEDIA_ROOT = tmp_path
    mission = _mission(bob, acme, project, signed_at=timezone.now() - dt.timedelta(days=5 * 366))
    document = MissionDocument.objects.get(mission=mission)
    document.file.save("signed.pdf", ContentFile(b"%PDF-1.7 signed"), save=True)
    stored = tmp_path / document.file.name
    assert stored.exists()

    privacy.account_erase(user=bob, password=PASSWORD)

    assert not MissionDocument.objects.filter(mission=mission).exists()
    assert not stored.exists()
