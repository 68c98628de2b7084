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
            _("Give my written agreement"),
            "mission.consented",
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
