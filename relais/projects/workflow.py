"""The project workflow as an explicit state machine: which transition exists, who may make it,
and whether it needs a comment. Services enforce it; views only offer what it allows."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise as Promise

from relais.projects.models import ProjectStatus as S


class Actor(StrEnum):
    OWNER = "owner"  # an admin of the project's nonprofit
    FIELD_LEAD = "field_lead"  # the project's field lead
    STAFF = "staff"  # operator staff


@dataclass(frozen=True)
class Transition:
    source: S
    target: S
    actors: frozenset[Actor]
    label: Promise
    needs_comment: bool = False


def _t(
    source: S, target: S, actors: set[Actor], label: Promise, *, needs_comment: bool = False
) -> Transition:
    return Transition(source, target, frozenset(actors), label, needs_comment)


OWNER, LEAD, STAFF = Actor.OWNER, Actor.FIELD_LEAD, Actor.STAFF

TRANSITIONS: tuple[Transition, ...] = (
    _t(S.DRAFT, S.SUBMITTED, {OWNER}, _("Submit for review")),
    _t(S.SUBMITTED, S.CHANGES_REQUESTED, {STAFF}, _("Request changes"), needs_comment=True),
    _t(S.CHANGES_REQUESTED, S.SUBMITTED, {OWNER}, _("Submit again")),
    _t(S.SUBMITTED, S.ACCEPTED, {STAFF}, _("Accept")),
    _t(S.SUBMITTED, S.REJECTED, {STAFF}, _("Reject"), needs_comment=True),
    _t(S.ACCEPTED, S.ACTIVE, {OWNER, STAFF}, _("Start the project")),
    _t(S.ACTIVE, S.PAUSED, {OWNER, LEAD, STAFF}, _("Pause")),
    _t(S.PAUSED, S.ACTIVE, {OWNER, LEAD, STAFF}, _("Resume")),
    _t(S.ACTIVE, S.COMPLETED, {OWNER, STAFF}, _("Mark as completed")),
    _t(S.DRAFT, S.WITHDRAWN, {OWNER}, _("Withdraw")),
    _t(S.SUBMITTED, S.WITHDRAWN, {OWNER}, _("Withdraw")),
    _t(S.CHANGES_REQUESTED, S.WITHDRAWN, {OWNER}, _("Withdraw")),
    _t(S.REJECTED, S.ARCHIVED, {STAFF}, _("Archive")),
    _t(S.WITHDRAWN, S.ARCHIVED, {STAFF}, _("Archive")),
    _t(S.COMPLETED, S.ARCHIVED, {STAFF}, _("Archive")),
)

_BY_PAIR = {(t.source, t.target): t for t in TRANSITIONS}

# States in which the owner may still change the proposal (not while staff review it).
EDITABLE = {S.DRAFT, S.CHANGES_REQUESTED, S.ACCEPTED, S.ACTIVE, S.PAUSED}

# What staff check before accepting; stored with the decision.
REVIEW_CHECKLIST: tuple[tuple[str, Promise], ...] = (
    ("size", _("At least one person-year of work (about 220 person-days)")),
    ("splittable", _("Can be cut into many tasks of less than 48 hours")),
    ("field_lead", _("A field lead who knows the problem first-hand, available every week")),
    ("technology", _("Mostly technology work")),
    ("general_interest", _("General interest and a clear social or environmental impact")),
)


def transition_for(source: str, target: str) -> Transition | None:
    return _BY_PAIR.get((S(source), S(target)))


def transitions_from(source: str) -> list[Transition]:
    return [t for t in TRANSITIONS if t.source == source]
