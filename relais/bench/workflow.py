"""The mission workflow as an explicit table: which step exists, from which states, who takes it,
and what it records in the audit log. A mission starts only with three acceptances, each dated
(Code du travail L8241-2): the firm draws up the loan agreement, the nonprofit that owns the
project accepts it, the consultant gives their written agreement. Services enforce this table;
views only offer what it allows."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from relais.bench.models import BenchStatus as B
from relais.bench.models import MissionStatus as S

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise as Promise


class MissionActor(StrEnum):
    CONSULTANT = "consultant"  # the consultant who is lent
    FIRM = "firm"  # an admin of the consultant's firm
    BENEFICIARY = "beneficiary"  # an admin of the nonprofit that owns the project


class MissionStep(StrEnum):
    DRAW_UP = "draw_up"
    ACCEPT = "accept"
    REFUSE = "refuse"
    CONSENT = "consent"
    CHANGE = "change"


@dataclass(frozen=True)
class Step:
    name: MissionStep
    sources: frozenset[S]
    target: S
    actor: MissionActor
    label: Promise
    audit_action: str
    needs_reason: bool = False


STEPS: dict[MissionStep, Step] = {
    step.name: step
    for step in (
        Step(
            MissionStep.DRAW_UP,
            frozenset({S.AWAITING}),
            S.DRAWN_UP,
            MissionActor.FIRM,
            _("Draw up the loan agreement"),
            "mission.drawn_up",
        ),
        Step(
            MissionStep.ACCEPT,
            frozenset({S.DRAWN_UP}),
            S.ACCEPTED,
            MissionActor.BENEFICIARY,
            _("Accept the mission"),
            "mission.accepted_by_beneficiary",
        ),
        Step(
            MissionStep.REFUSE,
            frozenset({S.AWAITING, S.DRAWN_UP}),
            S.REFUSED,
            MissionActor.BENEFICIARY,
            _("Refuse the mission"),
            "mission.refused",
            needs_reason=True,
        ),
        Step(
            MissionStep.CONSENT,
            frozenset({S.ACCEPTED}),
            S.ACTIVE,
            MissionActor.CONSULTANT,
            _("Accept the amendment to my employment contract"),
            "mission.consented",
        ),
        # A material change before the start: a new document version the firm accepts by making
        # it; the beneficiary's acceptance of the old one lapses, so the mission waits for it again.
        Step(
            MissionStep.CHANGE,
            frozenset({S.DRAWN_UP, S.ACCEPTED}),
            S.DRAWN_UP,
            MissionActor.FIRM,
            _("Change the agreement (a new version to accept again)"),
            "mission.changed",
        ),
    )
}

# Whose move it is while a mission waits: the to-do on their dashboard.
WAITING_FOR: dict[S, MissionActor] = {
    S.AWAITING: MissionActor.FIRM,
    S.DRAWN_UP: MissionActor.BENEFICIARY,
    S.ACCEPTED: MissionActor.CONSULTANT,
}

# Why a step cannot be taken in a state: the message shown to the person who tried.
WHY_NOT: dict[S, Promise] = {
    S.AWAITING: _("The firm has not drawn up the loan agreement yet."),
    S.DRAWN_UP: _("The nonprofit has not accepted this mission yet."),
    S.ACCEPTED: _("The nonprofit has already accepted this mission."),
    S.ACTIVE: _("This mission has already started."),
    S.REFUSED: _("The nonprofit refused this mission."),
    S.ENDED: _("This mission has ended."),
}


def steps_for(status: str, actor: MissionActor) -> list[Step]:
    """The steps an actor may take on a mission in this state."""
    return [s for s in STEPS.values() if s.actor == actor and S(status) in s.sources]


# --- Bench periods ------------------------------------------------------------------------
# A period is opened by the firm, or requested by the consultant and then approved or refused
# by the firm. A period on the bench is recalled by the firm (or by Relais for it): the recall is
# recorded at once and applied on its date, which ends the period.


class BenchActor(StrEnum):
    CONSULTANT = "consultant"  # the consultant of the period
    FIRM = "firm"  # an admin of the consultant's firm
    SYSTEM = "system"  # Relais itself: applying a recall on its date


class BenchStep(StrEnum):
    OPEN = "open"
    REQUEST = "request"
    APPROVE = "approve"
    REFUSE = "refuse"
    RECALL = "recall"
    END = "end"
    CORRECT = "correct"
    CANCEL = "cancel"


@dataclass(frozen=True)
class BenchPeriodStep:
    name: BenchStep
    sources: frozenset[B]  # empty: the step creates the period
    target: B | None  # a recall leaves the period open (it ends when applied); None: unchanged
    actors: frozenset[BenchActor]
    label: Promise
    refused: Promise  # why the step cannot be taken from another state
    before_start: bool = False  # only before the period's first day


BENCH_STEPS: dict[BenchStep, BenchPeriodStep] = {
    step.name: step
    for step in (
        BenchPeriodStep(
            BenchStep.OPEN,
            frozenset(),
            B.OPEN,
            frozenset({BenchActor.FIRM}),
            _("Open a bench period"),
            _("This request has already been answered."),
        ),
        BenchPeriodStep(
            BenchStep.REQUEST,
            frozenset(),
            B.REQUESTED,
            frozenset({BenchActor.CONSULTANT}),
            _("Ask for a bench period"),
            _("This request has already been answered."),
        ),
        BenchPeriodStep(
            BenchStep.APPROVE,
            frozenset({B.REQUESTED}),
            B.OPEN,
            frozenset({BenchActor.FIRM}),
            _("Approve"),
            _("This request has already been answered."),
        ),
        BenchPeriodStep(
            BenchStep.REFUSE,
            frozenset({B.REQUESTED}),
            B.REFUSED,
            frozenset({BenchActor.FIRM}),
            _("Refuse"),
            _("This request has already been answered."),
        ),
        BenchPeriodStep(
            BenchStep.RECALL,
            frozenset({B.OPEN}),
            B.OPEN,
            frozenset({BenchActor.FIRM, BenchActor.SYSTEM}),
            _("Recall"),
            _("Only a period on the bench can be recalled: this one is “%(status)s”."),
        ),
        BenchPeriodStep(
            BenchStep.END,
            frozenset({B.OPEN}),
            B.ENDED,
            frozenset({BenchActor.SYSTEM}),
            _("Ended"),
            _("Only a period on the bench can be recalled: this one is “%(status)s”."),
        ),
        # A period not begun yet can have its dates corrected, or be cancelled, by its firm.
        BenchPeriodStep(
            BenchStep.CORRECT,
            frozenset({B.REQUESTED, B.OPEN}),
            None,
            frozenset({BenchActor.FIRM}),
            _("Correct the dates"),
            _("Only a period not begun yet can be corrected: this one is “%(status)s”."),
            before_start=True,
        ),
        BenchPeriodStep(
            BenchStep.CANCEL,
            frozenset({B.REQUESTED, B.OPEN}),
            B.CANCELLED,
            frozenset({BenchActor.FIRM}),
            _("Cancel"),
            _("Only a period not begun yet can be cancelled: this one is “%(status)s”."),
            before_start=True,
        ),
    )
}

# The state of a period during which the consultant is on the bench (between its dates).
ON_BENCH: frozenset[B] = frozenset({B.OPEN})
# The states of the periods a new one may not overlap.
OCCUPYING: frozenset[B] = frozenset({B.REQUESTED, B.OPEN, B.ENDED})


def bench_steps_for(
    status: str, actors: set[BenchActor], *, recalled: bool = False, started: bool = True
) -> list[BenchPeriodStep]:
    """The steps these roles may take on a period in this state (a recall pending for a date to
    come may still be brought forward by a recall for an earlier date; corrections and
    cancellations only before the period's first day)."""
    return [
        s
        for s in BENCH_STEPS.values()
        if s.actors & actors
        and B(status) in s.sources
        and not (s.before_start and (started or recalled))
    ]


def bench_can(
    status: str, actors: set[BenchActor], *, recalled: bool = False, started: bool = True
) -> dict[str, bool]:
    """Each step's name → whether these roles may take it now: what a period's row offers."""
    allowed = {s.name for s in bench_steps_for(status, actors, recalled=recalled, started=started)}
    return {str(name): name in allowed for name in BenchStep}
