"""The self-diagnosis: its questions, its scoring rules and thresholds, in one declarative table.

Each rule reads one answer and says, for that criterion, whether the project fits (OK), fits if
something is done (CONDITION), or does not fit now (BLOCKER), with a line saying why and what to
do. The verdict follows from the worst level; the readiness score weighs every criterion.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise as Promise

# Relais serves projects of at least one person-year of work.
MIN_EFFORT_DAYS = 220


class Level(IntEnum):
    OK = 0
    CONDITION = 1
    BLOCKER = 2


class Verdict:
    ELIGIBLE = "eligible"
    CONDITIONS = "eligible_with_conditions"
    NOT_NOW = "not_a_fit_now"

    LABELS: dict[str, Promise] = {
        ELIGIBLE: _("Eligible"),
        CONDITIONS: _("Eligible with conditions"),
        NOT_NOW: _("Not a fit now"),
    }


@dataclass(frozen=True)
class Question:
    key: str
    label: Promise
    choices: tuple[tuple[str, Promise], ...] = ()  # empty: a whole number
    help_text: Promise | str = ""
    unit: Promise | str = ""
    maximum: int = 100_000  # for a whole number: the largest sensible answer


@dataclass(frozen=True)
class Outcome:
    level: Level
    message: Promise


@dataclass(frozen=True)
class Rule:
    """One criterion: outcome per answer (choices) or per lowest threshold reached (numbers)."""

    question: str
    criterion: Promise
    weight: int
    by_answer: tuple[tuple[str, Outcome], ...] = ()
    thresholds: tuple[tuple[int, Outcome], ...] = ()  # (minimum value, outcome), highest first

    def outcome(self, value: Any) -> Outcome:
        if self.thresholds:
            for minimum, outcome in self.thresholds:
                if int(value) >= minimum:
                    return outcome
            raise ValueError(f"no threshold for {value!r}")
        return dict(self.by_answer)[value]


def ok(message: Promise) -> Outcome:
    return Outcome(Level.OK, message)


def condition(message: Promise) -> Outcome:
    return Outcome(Level.CONDITION, message)


def blocker(message: Promise) -> Outcome:
    return Outcome(Level.BLOCKER, message)


QUESTIONS: tuple[Question, ...] = (
    Question(
        "status",
        _("What is your organisation's status?"),
        (
            ("general_interest", _("Association or foundation of general interest")),
            ("public_utility", _("Association or foundation recognised of public utility")),
            ("endowment_fund", _("Endowment fund")),
            ("social_enterprise", _("Social enterprise (ESUS approval)")),
            ("other", _("Another status")),
            ("unknown", _("I don't know")),
        ),
        _("Skills sponsorship (art. 238 bis CGI) needs an organisation of general interest."),
    ),
    Question(
        "effort_days",
        _("How much work does the project need, in person-days?"),
        help_text=_("A rough estimate: one person-year is about 220 person-days."),
        unit=_("person-days"),
    ),
    Question(
        "splittable",
        _("Can the work be cut into many tasks of less than 48 hours each?"),
        (
            ("yes", _("Yes, most of it")),
            ("partly", _("Partly")),
            ("no", _("No, it needs long continuous work")),
        ),
    ),
    Question(
        "field_lead",
        _("Who will pilot the project and explain the problem to consultants?"),
        (
            ("dedicated", _("A field lead who knows the problem first-hand")),
            ("occasional", _("Someone, occasionally")),
            ("nobody", _("Nobody yet")),
        ),
    ),
    Question(
        "field_lead_hours",
        _("How many hours a week can the field lead give to the project?"),
        unit=_("hours a week"),
        maximum=60,
    ),
    Question(
        "tech_share",
        _("What share of the work is technology (software, data, infrastructure)?"),
        (
            ("most", _("Most of it")),
            ("half", _("About half")),
            ("little", _("A small part")),
        ),
    ),
    Question(
        "beneficiaries",
        _("How many people will the project serve?"),
        (
            ("thousands", _("Thousands or more")),
            ("hundreds", _("Hundreds")),
            ("few", _("Fewer than a hundred")),
        ),
    ),
    Question(
        "impact",
        _("Can you describe the social or environmental impact you expect?"),
        (
            ("measured", _("Yes, and we measure it")),
            ("described", _("Yes, in words")),
            ("unclear", _("Not yet")),
        ),
    ),
    Question(
        "documentation",
        _("Is the project documented in writing (goals, existing systems, decisions)?"),
        (("yes", _("Yes")), ("partly", _("Partly")), ("no", _("No"))),
    ),
    Question(
        "workspace",
        _("Where does the work live, so that a newcomer finds it?"),
        (
            ("repository", _("A code repository")),
            ("shared_drive", _("A shared drive")),
            ("none", _("Nowhere shared yet")),
        ),
    ),
    Question(
        "reviewer",
        _("Can someone review a contribution within a few days?"),
        (("yes", _("Yes")), ("no", _("No"))),
    ),
    Question(
        "licence",
        _("Under which licence will what gets built be published?"),
        (
            ("open", _("An open licence (free software, Creative Commons)")),
            ("undecided", _("Not decided")),
            ("proprietary", _("It will stay proprietary")),
        ),
    ),
)

RULES: tuple[Rule, ...] = (
    Rule(
        "status",
        _("Status"),
        weight=2,
        by_answer=(
            ("general_interest", ok(_("You can receive skills sponsorship and issue receipts."))),
            ("public_utility", ok(_("You can receive skills sponsorship and issue receipts."))),
            ("endowment_fund", ok(_("You can receive skills sponsorship and issue receipts."))),
            (
                "social_enterprise",
                condition(_("Consultants can come at a symbolic fee, not as skills sponsorship.")),
            ),
            (
                "other",
                condition(_("Consultants can come at a symbolic fee, not as skills sponsorship.")),
            ),
            (
                "unknown",
                condition(
                    _(
                        "Check your general-interest status (a tax ruling, rescrit, settles it): "
                        "it decides whether firms can lend consultants as skills sponsorship."
                    )
                ),
            ),
        ),
    ),
    Rule(
        "effort_days",
        _("Size of the work"),
        weight=3,
        thresholds=(
            (MIN_EFFORT_DAYS, ok(_("Your project is large enough for many short contributions."))),
            (
                100,
                condition(
                    _(
                        "Your project is about %(value)s person-days; Relais serves projects of at "
                        "least 220: widen its scope or group it with others."
                    )
                ),
            ),
            (
                0,
                blocker(
                    _(
                        "Your project is about %(value)s person-days; Relais serves projects of at "
                        "least 220: consider joining a larger project or a shorter format."
                    )
                ),
            ),
        ),
    ),
    Rule(
        "splittable",
        _("Tasks under 48 hours"),
        weight=3,
        by_answer=(
            ("yes", ok(_("Consultants who stay two or three weeks can finish tasks."))),
            (
                "partly",
                condition(
                    _("Cut the rest into tasks of less than 48 hours before consultants come.")
                ),
            ),
            (
                "no",
                blocker(
                    _(
                        "Consultants can be recalled at any moment: work that cannot be cut into "
                        "short tasks would be left half done."
                    )
                ),
            ),
        ),
    ),
    Rule(
        "field_lead",
        _("Field lead"),
        weight=3,
        by_answer=(
            ("dedicated", ok(_("A field lead makes consultants feel the real problem quickly."))),
            (
                "occasional",
                condition(_("Name one field lead who answers consultants' questions every week.")),
            ),
            (
                "nobody",
                blocker(_("Relais needs a field lead who knows the problem first-hand: find one.")),
            ),
        ),
    ),
    Rule(
        "field_lead_hours",
        _("Field lead's time"),
        weight=2,
        thresholds=(
            (4, ok(_("Enough time to welcome newcomers and review their work."))),
            (
                2,
                condition(
                    _("%(value)s hours a week is short: plan at least 4 to welcome and review.")
                ),
            ),
            (
                0,
                blocker(
                    _("%(value)s hours a week is not enough to welcome newcomers: plan at least 4.")
                ),
            ),
        ),
    ),
    Rule(
        "tech_share",
        _("Technology share"),
        weight=2,
        by_answer=(
            ("most", ok(_("The work matches what IT consultants do best."))),
            ("half", condition(_("Keep the non-technical part with your own team or volunteers."))),
            (
                "little",
                blocker(
                    _("Relais brings IT skills: a project that is mostly not technical fits less.")
                ),
            ),
        ),
    ),
    Rule(
        "beneficiaries",
        _("Beneficiaries"),
        weight=1,
        by_answer=(
            ("thousands", ok(_("A wide reach: firms and consultants will want to help."))),
            ("hundreds", ok(_("A clear group of beneficiaries."))),
            (
                "few",
                condition(_("Explain why the project matters beyond its first users.")),
            ),
        ),
    ),
    Rule(
        "impact",
        _("Expected impact"),
        weight=1,
        by_answer=(
            ("measured", ok(_("Measured impact convinces consultants and firms."))),
            ("described", ok(_("Described impact is enough to start."))),
            ("unclear", condition(_("Describe the change you expect: consultants choose on it."))),
        ),
    ),
    Rule(
        "documentation",
        _("Documentation"),
        weight=2,
        by_answer=(
            ("yes", ok(_("Newcomers can start from what is written."))),
            ("partly", condition(_("Write a start-here page before the first consultants come."))),
            (
                "no",
                condition(
                    _("Write down the goals and existing systems: every newcomer starts there.")
                ),
            ),
        ),
    ),
    Rule(
        "workspace",
        _("Shared workspace"),
        weight=1,
        by_answer=(
            ("repository", ok(_("A repository keeps every contribution and its history."))),
            ("shared_drive", ok(_("A shared drive lets newcomers find the work."))),
            ("none", condition(_("Open a shared repository or drive before the first task."))),
        ),
    ),
    Rule(
        "reviewer",
        _("Review"),
        weight=2,
        by_answer=(
            ("yes", ok(_("Contributions will not wait for weeks."))),
            (
                "no",
                blocker(
                    _("Contributions need a reviewer within a few days: consultants leave soon.")
                ),
            ),
        ),
    ),
    Rule(
        "licence",
        _("Licence"),
        weight=1,
        by_answer=(
            ("open", ok(_("Open results can be reused by other nonprofits."))),
            ("undecided", condition(_("Choose an open licence before the work starts."))),
            (
                "proprietary",
                condition(
                    _("Work given by consultants should stay reusable: consider an open licence.")
                ),
            ),
        ),
    ),
)

QUESTION_BY_KEY = {q.key: q for q in QUESTIONS}


@dataclass(frozen=True)
class Line:
    criterion: Promise
    level: Level
    message: str


@dataclass(frozen=True)
class Result:
    verdict: str
    score: int  # readiness, 0 to 100
    lines: tuple[Line, ...]

    @property
    def verdict_label(self) -> Promise:
        return Verdict.LABELS[self.verdict]


def evaluate(answers: dict[str, Any]) -> Result:
    """The verdict, the readiness score and one line per criterion for a full set of answers."""
    lines = []
    earned = total = 0
    for rule in RULES:
        value = answers[rule.question]
        outcome = rule.outcome(value)
        lines.append(Line(rule.criterion, outcome.level, str(outcome.message) % {"value": value}))
        total += rule.weight * 2
        earned += rule.weight * (2 - outcome.level)
    worst = max(line.level for line in lines)
    verdict = {
        Level.OK: Verdict.ELIGIBLE,
        Level.CONDITION: Verdict.CONDITIONS,
        Level.BLOCKER: Verdict.NOT_NOW,
    }[worst]
    return Result(verdict, round(100 * earned / total), tuple(lines))
