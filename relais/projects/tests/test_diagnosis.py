from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from relais.projects.diagnosis import QUESTIONS, RULES, Level, Verdict, evaluate
from relais.projects.models import Diagnosis

# Answers of a project that fits on every criterion.
GOOD = {
    "status": "general_interest",
    "effort_days": 400,
    "splittable": "yes",
    "field_lead": "dedicated",
    "field_lead_hours": 6,
    "tech_share": "most",
    "beneficiaries": "thousands",
    "impact": "measured",
    "documentation": "yes",
    "workspace": "repository",
    "reviewer": "yes",
    "licence": "open",
}

# Each rule, each answer it knows, and the level it must give (one case per rule outcome).
CASES = [
    ("status", "general_interest", Level.OK),
    ("status", "public_utility", Level.OK),
    ("status", "endowment_fund", Level.OK),
    ("status", "social_enterprise", Level.CONDITION),
    ("status", "other", Level.CONDITION),
    ("status", "unknown", Level.CONDITION),
    ("effort_days", 220, Level.OK),
    ("effort_days", 219, Level.CONDITION),
    ("effort_days", 100, Level.CONDITION),
    ("effort_days", 99, Level.BLOCKER),
    ("effort_days", 0, Level.BLOCKER),
    ("splittable", "yes", Level.OK),
    ("splittable", "partly", Level.CONDITION),
    ("splittable", "no", Level.BLOCKER),
    ("field_lead", "dedicated", Level.OK),
    ("field_lead", "occasional", Level.CONDITION),
    ("field_lead", "nobody", Level.BLOCKER),
    ("field_lead_hours", 4, Level.OK),
    ("field_lead_hours", 3, Level.CONDITION),
    ("field_lead_hours", 1, Level.BLOCKER),
    ("tech_share", "most", Level.OK),
    ("tech_share", "half", Level.CONDITION),
    ("tech_share", "little", Level.BLOCKER),
    ("beneficiaries", "thousands", Level.OK),
    ("beneficiaries", "hundreds", Level.OK),
    ("beneficiaries", "few", Level.CONDITION),
    ("impact", "measured", Level.OK),
    ("impact", "described", Level.OK),
    ("impact", "unclear", Level.CONDITION),
    ("documentation", "yes", Level.OK),
    ("documentation", "partly", Level.CONDITION),
    ("documentation", "no", Level.CONDITION),
    ("workspace", "repository", Level.OK),
    ("workspace", "shared_drive", Level.OK),
    ("workspace", "none", Level.CONDITION),
    ("reviewer", "yes", Level.OK),
    ("reviewer", "no", Level.BLOCKER),
    ("licence", "open", Level.OK),
    ("licence", "undecided", Level.CONDITION),
    ("licence", "proprietary", Level.CONDITION),
]


def line_for(result, question):
    index = [rule.question for rule in RULES].index(question)
    return result.lines[index]


@pytest.mark.parametrize(("question", "answer", "level"), CASES)
def test_each_rule_gives_its_level_and_a_reason(question, answer, level):
    result = evaluate({**GOOD, question: answer})
    line = line_for(result, question)
    assert line.level == level
    assert line.message
    expected = {Level.OK: Verdict.ELIGIBLE, Level.CONDITION: Verdict.CONDITIONS}
    assert result.verdict == expected.get(level, Verdict.NOT_NOW)


def test_every_answer_of_every_question_is_covered_by_a_case():
    covered = {(q, a) for q, a, _level in CASES}
    for question in QUESTIONS:
        for value, _label in question.choices:
            assert (question.key, value) in covered


def test_a_small_project_is_told_its_size_and_what_to_do():
    with translation.override("en"):
        line = line_for(evaluate({**GOOD, "effort_days": 40}), "effort_days")
    assert "40 person-days" in line.message
    assert "at least 220" in line.message
    assert "larger project or a shorter format" in line.message


def test_the_score_weighs_the_criteria():
    assert evaluate(GOOD).score == 100
    weak_size = evaluate({**GOOD, "effort_days": 50}).score
    weak_licence = evaluate({**GOOD, "licence": "proprietary"}).score
    assert weak_size < weak_licence < 100


@pytest.mark.django_db
def test_the_public_questionnaire_records_the_diagnosis_and_shows_the_verdict(client):
    response = client.post(reverse("projects:diagnosis"), {**GOOD, "effort_days": 40})
    diagnosis = Diagnosis.objects.get()
    assert response.status_code == 302
    assert diagnosis.organisation is None
    page = client.get(response["Location"]).content.decode()
    assert "Pas adapté pour l’instant" in page
    assert "Votre projet représente environ 40 jours-personnes" in page


@pytest.mark.django_db
def test_an_incomplete_questionnaire_is_refused_and_records_nothing(client):
    answers = {**GOOD, "effort_days": "-5"}
    del answers["reviewer"]
    response = client.post(reverse("projects:diagnosis"), answers)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Ce champ est obligatoire" in body
    assert "supérieure ou égale à 0" in body
    assert not Diagnosis.objects.exists()


@pytest.mark.django_db
def test_a_signed_in_nonprofit_admin_gets_the_diagnosis_saved_to_their_nonprofit(
    client, nadia, les_amis
):
    client.force_login(nadia)
    client.post(reverse("projects:diagnosis"), GOOD)
    assert Diagnosis.objects.get().organisation == les_amis


@pytest.mark.django_db
def test_a_diagnosis_of_a_nonprofit_is_private_to_it(client, nadia, les_amis, charlie):
    client.force_login(nadia)
    response = client.post(reverse("projects:diagnosis"), GOOD)
    client.force_login(charlie)
    assert client.get(response["Location"]).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("hours", [169, 61])
def test_a_week_of_more_hours_than_a_field_lead_can_give_is_refused(client, hours):
    response = client.post(reverse("projects:diagnosis"), {**GOOD, "field_lead_hours": hours})
    assert response.status_code in (200, 400)
    assert "field_lead_hours" in response.context["form"].errors
