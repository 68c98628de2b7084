"""The recall email goes to each person in their own language, dates included (the "done when" of
language per person; the other language tests are in relais/accounts/tests/test_language.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.utils import timezone, translation

from relais.bench import services
from relais.work import services as work_services

pytestmark = pytest.mark.django_db

FRENCH_MONTHS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]
# Django's English DATE_FORMAT ("N j, Y") abbreviates months the Associated Press way.
ENGLISH_MONTHS = [
    "Jan.",
    "Feb.",
    "March",
    "April",
    "May",
    "June",
    "July",
    "Aug.",
    "Sept.",
    "Oct.",
    "Nov.",
    "Dec.",
]


def test_a_french_consultant_and_an_english_field_lead_each_get_the_recall_in_their_language(
    on_mission, alice, fabien, django_capture_on_commit_callbacks
):
    period, mission = on_mission
    dora = mission.consultant
    fabien.language = "en"
    fabien.save(update_fields=["language"])
    # The firm admin acts from an English page: her language is not the recipients'.
    alice.language = "en"
    alice.save(update_fields=["language"])
    task = work_services.task_create(
        lead=fabien,
        project=mission.project,
        title="Écrire le guide",
        brief="b",
        acceptance_criteria="c",
        estimate_hours=Decimal(6),
    )
    work_services.task_publish(lead=fabien, task=task)
    work_services.task_claim(consultant=dora, task=task)
    recalled_on = timezone.localdate() - dt.timedelta(days=2)

    mail.outbox.clear()
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        services.bench_period_recall(actor=alice, period=period, effective_date=recalled_on)

    assert dora.language == "fr"
    to_dora = next(m for m in mail.outbox if m.to == [dora.email])
    to_fabien = next(m for m in mail.outbox if m.to == [fabien.email])
    french_date = f"{recalled_on.day} {FRENCH_MONTHS[recalled_on.month - 1]} {recalled_on.year}"
    english_date = f"{ENGLISH_MONTHS[recalled_on.month - 1]} {recalled_on.day}, {recalled_on.year}"
    numeric_date = recalled_on.strftime("%d/%m/%Y")

    assert to_dora.subject == f"[Relais] {dora.display_name} est rappelé·e par son ESN"
    assert "Bonjour" in to_dora.body
    assert f"Acme Conseil vous a rappelé·e le {french_date}" in to_dora.body
    assert "Ces tâches sont revenues dans le backlog" in to_dora.body
    assert "Écrire le guide" in to_dora.body

    assert to_fabien.subject == f"[Relais] {dora.display_name} is recalled by their firm"
    assert "Hello" in to_fabien.body
    assert f"{dora.display_name} was recalled by their firm on {english_date}." in to_fabien.body
    assert "These tasks are back in the backlog" in to_fabien.body
    assert "Écrire le guide" in to_fabien.body
    assert numeric_date not in to_fabien.body
    assert "Bonjour" not in to_fabien.body
