"""Operator staff verify that a beneficiary may receive skills sponsorship (art. 238 bis CGI)
from its supporting document; until then only loans with a fee are possible for its projects."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from relais.accounts import services
from relais.accounts.models import AuditEvent, Organisation
from relais.bench import services as bench_services
from relais.bench.models import LendingMode, Mission

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def pdf(name: str = "rescrit.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def png() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, "PNG")
    return SimpleUploadedFile("statuts.png", buffer.getvalue(), content_type="image/png")


def test_the_nonprofit_admin_sends_its_category_and_document(client, les_amis, nadia):
    client.force_login(nadia)
    url = reverse("accounts:sponsorship_evidence", kwargs={"organisation_pk": les_amis.pk})
    response = client.post(
        url, {"sponsorship_category": "general_interest", "sponsorship_evidence": pdf()}
    )
    assert response.status_code == 302
    les_amis.refresh_from_db()
    assert les_amis.sponsorship_category == "general_interest"
    assert les_amis.sponsorship_evidence.name.endswith(".pdf")
    assert les_amis.sponsorship_eligible_at is None
    assert AuditEvent.objects.filter(action="organisation.sponsorship_evidence").exists()


def test_an_image_is_judged_by_its_bytes_and_kept_with_its_true_extension(les_amis, nadia):
    upload = png()
    upload.name = "statuts.pdf"  # the name lies: the bytes are a PNG
    services.organisation_sponsorship_evidence_set(
        admin=nadia, organisation=les_amis, category="public_utility", evidence=upload
    )
    assert les_amis.sponsorship_evidence.name.endswith(".png")


def test_a_file_that_is_neither_a_pdf_nor_an_image_is_refused_with_a_message(
    client, les_amis, nadia
):
    client.force_login(nadia)
    url = reverse("accounts:sponsorship_evidence", kwargs={"organisation_pk": les_amis.pk})
    fake = SimpleUploadedFile(
        "rescrit.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf"
    )
    response = client.post(
        url, {"sponsorship_category": "general_interest", "sponsorship_evidence": fake}
    )
    assert response.status_code == 400
    assert "n’est ni un PDF ni une image" in response.content.decode()
    les_amis.refresh_from_db()
    assert not les_amis.sponsorship_evidence


def test_a_document_too_large_is_refused(les_amis, nadia):
    big = SimpleUploadedFile("rescrit.pdf", PDF + b"0" * (10 * 1024 * 1024))
    with pytest.raises(ValidationError, match="10 Mo"):
        services.organisation_sponsorship_evidence_set(
            admin=nadia, organisation=les_amis, category="general_interest", evidence=big
        )


def test_only_the_nonprofits_admins_send_the_document(client, les_amis, fabien, alice):
    for person, status in [(fabien, 403), (alice, 404)]:
        client.force_login(person)
        url = reverse("accounts:sponsorship_evidence", kwargs={"organisation_pk": les_amis.pk})
        response = client.post(
            url, {"sponsorship_category": "general_interest", "sponsorship_evidence": pdf()}
        )
        assert response.status_code == status
    les_amis.refresh_from_db()
    assert not les_amis.sponsorship_evidence


def test_staff_verify_eligibility_from_their_queue_and_the_admins_are_told(
    client, les_amis, nadia, operator_staff, django_capture_on_commit_callbacks
):
    services.organisation_sponsorship_evidence_set(
        admin=nadia, organisation=les_amis, category="general_interest", evidence=pdf()
    )
    client.force_login(operator_staff)
    assert (
        reverse("accounts:sponsorship_to_verify")
        in client.get(reverse("site:dashboard")).content.decode()
    )
    queue = client.get(reverse("accounts:sponsorship_to_verify")).content.decode()
    assert les_amis.name in queue
    document = client.get(
        reverse("accounts:sponsorship_evidence_file", kwargs={"organisation_pk": les_amis.pk})
    )
    assert document.status_code == 200
    assert b"".join(document.streaming_content) == PDF
    verify = reverse(
        "accounts:organisation_sponsorship_verify", kwargs={"organisation_pk": les_amis.pk}
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(verify, {"helps_people_in_difficulty": "on"})
    assert response.status_code == 302
    les_amis.refresh_from_db()
    assert les_amis.sponsorship_eligible_at is not None
    assert les_amis.sponsorship_eligible_by == operator_staff
    assert les_amis.helps_people_in_difficulty
    assert [m.to for m in mail.outbox] == [[nadia.email]]
    assert AuditEvent.objects.filter(action="organisation.sponsorship_verified").exists()
    assert verify not in client.get(reverse("accounts:sponsorship_to_verify")).content.decode()


def test_nobody_but_staff_verifies_and_nothing_is_verified_without_a_document(
    client, les_amis, nadia, operator_staff
):
    client.force_login(nadia)
    verify = reverse(
        "accounts:organisation_sponsorship_verify", kwargs={"organisation_pk": les_amis.pk}
    )
    assert client.post(verify).status_code == 404
    assert client.get(reverse("accounts:sponsorship_to_verify")).status_code == 404
    with pytest.raises(ValidationError, match="ni son justificatif"):
        services.organisation_sponsorship_verify(
            staff=operator_staff, organisation=les_amis, helps_people_in_difficulty=False
        )
    les_amis.refresh_from_db()
    assert les_amis.sponsorship_eligible_at is None


def test_an_outsider_never_downloads_the_document(client, les_amis, nadia, charlie):
    services.organisation_sponsorship_evidence_set(
        admin=nadia, organisation=les_amis, category="general_interest", evidence=pdf()
    )
    client.force_login(charlie)
    url = reverse("accounts:sponsorship_evidence_file", kwargs={"organisation_pk": les_amis.pk})
    assert client.get(url).status_code == 404


@pytest.fixture
def sponsorship_firm(alice, acme, operator_staff):
    """Acme, verified, lending as skills sponsorship; Dora on its bench."""
    from relais.accounts.tests.factories import MembershipFactory

    services.organisation_verify(staff=operator_staff, organisation=acme)
    bench_services.firm_terms_set(
        admin=alice,
        firm=acme,
        valid_from=timezone.localdate() - dt.timedelta(days=30),
        mode=LendingMode.SPONSORSHIP,
        fee_rate=Decimal(0),
        headcount=100,
        bench_rate=Decimal(5),
        average_tjm_cents=500_00,
        average_daily_cost_cents=400_00,
        turnover_cents=10_000_000_00,
    )
    dora = MembershipFactory(
        organisation=acme, role="consultant", user__email="dora@acme.example"
    ).user
    bench_services.bench_period_open(
        admin=alice, firm=acme, consultant=dora, start=timezone.localdate() - dt.timedelta(days=3)
    )
    return dora


def test_no_sponsorship_mission_for_a_beneficiary_not_verified(sponsorship_firm, les_amis, fabien):
    from relais.projects.tests.factories import ProjectFactory

    project = ProjectFactory(nonprofit=les_amis, field_lead=fabien, status="active")
    with pytest.raises(bench_services.BenchError, match="238 bis"):
        bench_services.mission_create(consultant=sponsorship_firm, project=project)
    assert not Mission.objects.exists()
    Organisation.objects.filter(pk=les_amis.pk).update(sponsorship_eligible_at=timezone.now())
    project.refresh_from_db()
    mission = bench_services.mission_create(consultant=sponsorship_firm, project=project)
    assert mission.mode == LendingMode.SPONSORSHIP
