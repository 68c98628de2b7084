"""The loan agreement and the amendment: every mention the Code du travail asks for (L8241-1,
L8241-2), in French and in English; the exact PDF each party accepted stored with its SHA-256 and
never changed by later edits; a material change makes a new version to accept again; a loan
never longer than three years, never retroactive, with its CSE informed beforehand."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from relais.bench import documents, services
from relais.bench.models import FirmTerms, Mission, MissionDocument, MissionStatus
from relais.bench.tests.loan import REPRESENTATIVE, mentions, mentions_form
from relais.bench.tests.pdftext import pdf_text
from relais.core.tests.api import Api
from relais.projects.models import Project

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate


@pytest.fixture
def requested(dora, on_bench, active_project):
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
def started(accepted, dora):
    return services.mission_consent(consultant=dora, mission=accepted)


def stored(mission: Mission, kind: str) -> MissionDocument:
    document = documents.latest(mission, documents.DocumentKind(kind))
    assert document is not None
    return document


def text_of(mission: Mission, kind: str) -> str:
    return pdf_text(documents.stored_bytes(stored(mission, kind)))


# --- Every mention, in French and in English ---------------------------------------------------


def test_the_agreement_states_every_mention_in_french_and_in_english(started, dora, acme):
    text = text_of(started, "agreement")
    started.refresh_from_db()
    shared = [
        acme.name,
        "Les Amis",
        "Alice Martin, DRH",  # the firm's representative
        REPRESENTATIVE,  # the beneficiary's
        dora.get_full_name(),
        "Carte",  # the project: the purpose
        "Les Amis, 12 rue de la Paix, 75002 Paris, et télétravail",
        "Du lundi au vendredi, 9 h – 17 h 30",
        "Développeuse web, sans travaux dangereux",
        started.agreement_number,
        "L8241-1",
        "L8241-2",
        "coût d'un jour",
        "cost of a day",
    ]
    french = [
        "Convention de mise à disposition",
        "Qualification",
        "Lieu de travail",
        "Horaires de travail",
        "Caractéristiques du poste",
        f"Fin prévue : le {started.planned_end:%d/%m/%Y}",
        "trois ans",
        "salaires",
        "charges sociales",
        "frais professionnels",
        "n'excèdent jamais ce coût",
        "mise à disposition facturée",
        "à tout moment, sans préavis",
        "but non lucratif",
        f"informé de cette mise à disposition le {started.cse_informed_on:%d/%m/%Y}",
        f"Acceptée le {timezone.localtime(started.beneficiary_accepted_at):%d/%m/%Y}",
    ]
    english = [
        "Non-profit staff loan agreement",
        "Qualification",
        "Place of work",
        "Working hours",
        "Characteristics of the post",
        f"Planned end: {started.planned_end:%Y-%m-%d}",
        "at most three years",
        "social charges",
        "professional expenses",
        "never exceed that cost",
        "invoiced loan",
        "at any time, without notice",
        "non-profit",
        f"informed of this loan on {started.cse_informed_on:%Y-%m-%d}",
        f"Accepted on {timezone.localtime(started.beneficiary_accepted_at):%Y-%m-%d}",
    ]
    missing = [mention for mention in shared + french + english if mention not in text]
    assert missing == []
    assert "L8241-3" not in text
    assert "R8241-2" not in text


def test_the_amendment_states_every_mention_in_french_and_in_english(started, dora, acme):
    text = text_of(started, "amendment")
    started.refresh_from_db()
    mentions_fr = [
        "Avenant au contrat de travail",
        dora.get_full_name(),
        acme.name,
        "Carte",
        "Tâches",
        "Lieu de travail : Les Amis, 12 rue de la Paix",
        "Horaires de travail : Du lundi au vendredi",
        "Caractéristiques du poste : Développeuse web",
        "Aucune période probatoire",
        f"Début : le {started.start:%d/%m/%Y}",
        "conserve son contrat de travail",
        "rémunération",
        "poste équivalent",
        "sans que l'évolution de sa carrière ou de sa rémunération en soit affectée",
        "L8241-2",
        "accord exprès et écrit",
        f"le {timezone.localtime(started.consultant_agreed_at):%d/%m/%Y}",
    ]
    mentions_en = [
        "Amendment to the employment contract",
        "Tasks",
        "Place of work: Les Amis",
        "Working hours: Du lundi au vendredi",
        "Characteristics of the post: Développeuse web",
        "No trial period",
        f"Start: on {started.start:%Y-%m-%d}",
        "keeps their employment contract",
        "keeps paying them",
        "the same job or an equivalent job in the firm, without loss of pay or career",
        "written acceptance",
        f"on {timezone.localtime(started.consultant_agreed_at):%Y-%m-%d}",
    ]
    assert [m for m in mentions_fr + mentions_en if m not in text] == []


def test_a_trial_period_is_stated_when_there_is_one(requested, alice, nadia, dora):
    services.mission_agreement_draw_up(
        admin=alice, mission=requested, mentions=mentions(trial_period="Deux semaines")
    )
    services.mission_beneficiary_accept(
        admin=nadia, mission=requested, representative=REPRESENTATIVE
    )
    services.mission_consent(consultant=dora, mission=requested)
    text = text_of(requested, "amendment")
    assert "Période probatoire : Deux semaines" in text
    assert "Trial period: Deux semaines" in text


# --- Frozen at each acceptance -----------------------------------------------------------------


def test_each_acceptance_stores_the_pdf_it_accepted_with_its_sha256(started, alice, nadia, dora):
    rows = list(
        MissionDocument.objects.filter(mission=started)
        .order_by("accepted_at", "id")
        .values_list("kind", "party", "version", "accepted_by")
    )
    assert rows == [
        ("agreement", "firm", 1, alice.pk),
        ("agreement", "beneficiary", 1, nadia.pk),
        ("agreement", "consultant", 1, dora.pk),
        ("amendment", "consultant", 1, dora.pk),
    ]
    for document in MissionDocument.objects.filter(mission=started):
        assert hashlib.sha256(documents.stored_bytes(document)).hexdigest() == document.sha256
    by_party = {d.party: d for d in MissionDocument.objects.filter(kind="agreement")}
    # The consultant accepted the very agreement the beneficiary had accepted, byte for byte.
    assert by_party["consultant"].sha256 == by_party["beneficiary"].sha256
    # The firm's version had no beneficiary representative yet; the beneficiary's names it.
    assert REPRESENTATIVE not in pdf_text(documents.stored_bytes(by_party["firm"]))
    assert REPRESENTATIVE in pdf_text(documents.stored_bytes(by_party["beneficiary"]))


def test_renaming_the_consultant_or_editing_the_project_never_changes_a_stored_pdf(
    client, started, dora, alice
):
    before = {d.pk: (d.sha256, documents.stored_bytes(d)) for d in started.documents.all()}
    agreement_url = reverse("bench:agreement_pdf", kwargs={"mission_pk": started.pk})
    client.force_login(alice)
    served_before = client.get(agreement_url).content

    dora.first_name, dora.last_name = "Dorothée", "Renommée"
    dora.save()
    Project.objects.filter(pk=started.project_id).update(title="Autre titre", summary="Autre")

    after = {d.pk: (d.sha256, documents.stored_bytes(d)) for d in started.documents.all()}
    assert after == before
    served_after = client.get(agreement_url).content
    assert served_after == served_before
    assert "Autre titre" not in pdf_text(served_after)
    assert "Carte" in pdf_text(served_after)


def test_the_mission_page_shows_each_documents_sha256_and_a_download_link(client, started, nadia):
    client.force_login(nadia)
    page = client.get(reverse("bench:mission", kwargs={"mission_pk": started.pk})).content.decode()
    for document in started.documents.all():
        assert document.sha256 in page
    assert reverse("bench:agreement_pdf", kwargs={"mission_pk": started.pk}) in page
    assert reverse("bench:amendment_pdf", kwargs={"mission_pk": started.pk}) in page


# --- A material change: a new version, accepted again ------------------------------------------


def test_a_material_change_makes_version_2_that_needs_new_acceptances(accepted, alice, nadia, dora):
    first = stored(accepted, "agreement")
    new_end = TODAY() + dt.timedelta(days=50)  # within the 40 days a year
    services.mission_mentions_change(
        admin=alice,
        mission=accepted,
        mentions=mentions(working_hours="Le mardi et le jeudi", planned_end=new_end),
    )
    accepted.refresh_from_db()
    assert accepted.document_version == 2
    # Back to the beneficiary: its acceptance was of version 1.
    assert accepted.status == MissionStatus.DRAWN_UP
    assert accepted.beneficiary_accepted_at is None
    with pytest.raises(services.BenchError):
        services.mission_consent(consultant=dora, mission=accepted)
    second = stored(accepted, "agreement")
    assert (second.version, second.party) == (2, "firm")
    assert "Le mardi et le jeudi" in pdf_text(documents.stored_bytes(second))
    # Version 1 as accepted is kept unchanged.
    assert documents.stored_bytes(first) == documents.stored_bytes(
        MissionDocument.objects.get(pk=first.pk)
    )
    assert "Le mardi et le jeudi" not in pdf_text(documents.stored_bytes(first))

    services.mission_beneficiary_accept(
        admin=nadia, mission=accepted, representative=REPRESENTATIVE
    )
    services.mission_consent(consultant=dora, mission=accepted)
    accepted.refresh_from_db()
    assert accepted.status == MissionStatus.ACTIVE
    assert set(accepted.documents.filter(version=2).values_list("kind", "party")) == {
        ("agreement", "firm"),
        ("agreement", "beneficiary"),
        ("agreement", "consultant"),
        ("amendment", "consultant"),
    }


def test_the_same_mentions_again_make_no_new_version(accepted, alice):
    services.mission_mentions_change(admin=alice, mission=accepted, mentions=mentions())
    accepted.refresh_from_db()
    assert accepted.document_version == 1
    assert accepted.status == MissionStatus.ACCEPTED


def test_a_started_mission_cannot_change_its_agreement(started, alice):
    with pytest.raises(services.BenchError):
        services.mission_mentions_change(
            admin=alice, mission=started, mentions=mentions(working_hours="La nuit")
        )
    started.refresh_from_db()
    assert started.document_version == 1
    assert started.working_hours != "La nuit"


def test_the_firm_changes_the_agreement_from_the_mission_page(client, accepted, alice):
    client.force_login(alice)
    url = reverse("bench:agreement", kwargs={"mission_pk": accepted.pk})
    response = client.post(url, mentions_form(place_of_work="Lyon"))
    assert response.status_code == 302
    accepted.refresh_from_db()
    assert (accepted.document_version, accepted.place_of_work) == (2, "Lyon")
    assert accepted.status == MissionStatus.DRAWN_UP


# --- Duration, retroactivity, CSE ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"planned_end": TODAY() + dt.timedelta(days=3 * 366)}, "planned_end"),  # > 3 years
        ({"planned_end": TODAY() - dt.timedelta(days=1)}, "planned_end"),  # retroactive
        ({"planned_end": None}, "planned_end"),
        ({"cse_informed_on": TODAY() + dt.timedelta(days=1)}, "cse_informed_on"),  # future
        ({"cse_informed_on": None}, "cse_informed_on"),
        ({"place_of_work": "  "}, "place_of_work"),
        ({"working_hours": ""}, "working_hours"),
        ({"firm_representative": ""}, "firm_representative"),
        ({"post_characteristics": ""}, "post_characteristics"),
    ],
)
def test_a_wrong_mention_is_refused_and_changes_nothing(requested, alice, changes, field):
    with pytest.raises(ValidationError) as error:
        services.mission_agreement_draw_up(
            admin=alice, mission=requested, mentions=mentions(**changes)
        )
    assert field in error.value.message_dict
    requested.refresh_from_db()
    assert requested.status == MissionStatus.AWAITING
    assert requested.document_version == 0
    assert not MissionDocument.objects.exists()


def test_three_years_to_the_day_before_is_the_longest_loan(requested, alice):
    # Every working day of a year may be lent: only the three years limit the loan here.
    FirmTerms.objects.filter(firm=requested.bench_period.firm).update(max_bench_days_per_year=260)
    last = documents.add_years(TODAY(), 3) - dt.timedelta(days=1)
    services.mission_agreement_draw_up(
        admin=alice, mission=requested, mentions=mentions(planned_end=last)
    )
    requested.refresh_from_db()
    assert requested.planned_end == last


def test_the_form_says_what_is_wrong_in_the_users_words(client, requested, alice):
    client.force_login(alice)
    url = reverse("bench:agreement", kwargs={"mission_pk": requested.pk})
    too_long = (TODAY() + dt.timedelta(days=4 * 365)).isoformat()
    response = client.post(url, mentions_form() | {"planned_end": too_long})
    assert response.status_code == 400
    assert "au plus trois ans" in response.content.decode()
    requested.refresh_from_db()
    assert requested.status == MissionStatus.AWAITING


def test_the_mission_starts_on_its_last_acceptance_never_before(started):
    started.refresh_from_db()
    assert started.start == timezone.localdate(started.consultant_agreed_at)
    assert started.start >= timezone.localdate(started.beneficiary_accepted_at)
    assert started.start >= timezone.localdate(started.agreement_generated_at)


def test_the_database_refuses_a_start_before_an_acceptance(started):
    with pytest.raises(IntegrityError), transaction.atomic():
        Mission.objects.filter(pk=started.pk).update(start=TODAY() - dt.timedelta(days=10))


# --- Who may read them -------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["alice", "nadia", "dora", "operator_staff"])
@pytest.mark.parametrize("kind", ["agreement", "amendment"])
def test_each_party_and_operator_staff_get_the_stored_pdf_by_api(
    client, request, started, persona, kind
):
    response = Api(client, request.getfixturevalue(persona)).get(
        f"/api/v1/missions/{started.pk}/{kind}.pdf"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content == documents.stored_bytes(stored(started, kind))


@pytest.mark.parametrize("persona", ["fabien", "charlie", "bob"])
@pytest.mark.parametrize("kind", ["agreement", "amendment"])
def test_anyone_else_gets_a_404_by_api_and_on_the_web(client, request, started, persona, kind):
    person = request.getfixturevalue(persona)
    response = Api(client, person).get(f"/api/v1/missions/{started.pk}/{kind}.pdf")
    assert response.status_code == 404
    assert b"%PDF" not in response.content
    client.force_login(person)
    web = client.get(reverse(f"bench:{kind}_pdf", kwargs={"mission_pk": started.pk}))
    assert web.status_code == 404


def test_nothing_accepted_yet_is_a_conflict_by_api(client, requested, accepted, alice):
    response = Api(client, alice).get(f"/api/v1/missions/{accepted.pk}/amendment.pdf")
    assert response.status_code == 409


def test_the_consultant_reads_a_draft_amendment_before_accepting_it(client, accepted, dora):
    client.force_login(dora)
    response = client.get(reverse("bench:amendment_pdf", kwargs={"mission_pk": accepted.pk}))
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert "PROJET" in text
    assert "DRAFT" in text
    assert not MissionDocument.objects.filter(kind="amendment").exists()
