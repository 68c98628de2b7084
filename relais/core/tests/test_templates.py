"""No template compares a workflow state with a literal: the workflow tables (projects, work,
bench) decide which steps are offered, and views hand templates booleans or the allowed steps.
A comparison written in a template would be a second, silent copy of a state machine."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.apps import apps

RELAIS = Path(__file__).resolve().parents[2]

_LITERAL = r"(?:\"[^\"]*\"|'[^']*')"
_VARIABLE = r"[\w.]+(?:\|\w+(?::(?:" + _LITERAL + r"|[\w.]+))?)*"
_OPERATOR = r"(?:==|!=|not\s+in|in)"
_CONDITION = re.compile(r"{%-?\s*(?:el)?if\s+(.*?)\s*-?%}", re.DOTALL)
_COMPARISONS = (
    re.compile(rf"(?P<variable>{_VARIABLE})\s*{_OPERATOR}\s*(?P<literal>{_LITERAL})"),
    re.compile(rf"(?P<literal>{_LITERAL})\s*{_OPERATOR}\s*(?P<variable>{_VARIABLE})"),
)
# Names under which templates see a state: a `status`, or the two ends of a transition.
_STATE_NAMES = {"target", "source", "from_status", "to_status"}


def workflow_states() -> set[str]:
    """Every value a `status` field of a Relais model can take."""
    return {
        str(value)
        for model in apps.get_models()
        if model.__module__.startswith("relais.")
        for field in model._meta.fields
        if field.name.endswith("status") and field.choices
        for value, _label in field.flatchoices
    }


def status_comparisons(text: str, states: set[str]) -> list[str]:
    """The conditions of `{% if %}` / `{% elif %}` tags that compare a state with a literal."""
    found = []
    for condition in _CONDITION.finditer(text):
        for pattern in _COMPARISONS:
            for match in pattern.finditer(condition.group(1)):
                name = match["variable"].split("|")[0].split(".")[-1]
                literal = match["literal"][1:-1]
                if "status" in name or (name in _STATE_NAMES and literal in states):
                    found.append(condition.group(0))
    return found


def templates() -> list[Path]:
    return sorted(
        path
        for path in RELAIS.glob("*/templates/**/*")
        if path.is_file() and path.suffix in {".html", ".txt"}
    )


@pytest.mark.parametrize(
    "text",
    [
        '{% if task.status == "draft" %}',
        "{% elif period.status != 'open' and not period.recall %}",
        '{% if task.status in "draft ready" %}',
        '{% if "ready" == task.status %}',
        '{% if is_member and task.get_status|lower == "ready" %}',
        '{% if transition.target == "withdrawn" %}',
        '{% if event.to_status == "submitted" %}',
    ],
)
def test_the_check_sees_a_comparison_of_a_state_with_a_literal(text):
    assert status_comparisons(text, {"draft", "ready", "open", "withdrawn", "submitted"})


@pytest.mark.parametrize(
    "text",
    [
        "{% if can.publish %}",
        "{% if period.pk in can.recall %}",
        '{% if mission.mode == "fee" %}',
        '{% if tab == "board" %}',
        '{% if invitation.payload.source == "roster" %}',
        '<span class="status status-{{ task.status }}">{{ task.get_status_display }}</span>',
    ],
)
def test_the_check_leaves_what_is_not_a_state_alone(text):
    assert not status_comparisons(text, {"draft", "ready", "open", "withdrawn", "submitted"})


def test_the_states_come_from_every_workflow():
    states = workflow_states()
    # A state of each of the four workflows: projects, tasks, missions, bench periods.
    assert {"changes_requested", "in_review", "drawn_up", "requested"} <= states


def test_no_template_compares_a_state_with_a_literal():
    states = workflow_states()
    found = {
        f"{path.relative_to(RELAIS)}: {comparison}"
        for path in templates()
        for comparison in status_comparisons(path.read_text(encoding="utf-8"), states)
    }
    assert len(templates()) > 50
    assert not found, "Use the workflow table in the view instead:\n" + "\n".join(sorted(found))
