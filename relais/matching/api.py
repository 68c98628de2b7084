"""API of matching: a consultant's suggestions (read, decline); staff: weights and rounds."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from relais.accounts.models import User
from relais.core.rest import Id, Pagination, errors
from relais.matching import access, selectors, services
from relais.matching.models import WEIGHT_FIELDS, Round, Suggestion, SuggestionStatus

router = Router(tags=["matching"])


class SuggestionOut(Schema):
    id: int
    task_id: int
    task_title: str
    project_id: int
    score: int
    parts: dict[str, int]
    reasons: list[str]
    status: str


class WeightsIn(Schema):
    skill_level: int | None = None
    skill_missing: int | None = None
    cause: int | None = None
    team: int | None = None
    follows: int | None = None
    knows_lead: int | None = None
    priority: int | None = None
    age_per_week: int | None = None
    age_cap_weeks: int | None = None
    language: int | None = None
    mission: int | None = None
    candidates_per_skill: int | None = None


class RoundOut(Schema):
    id: int
    status: str
    reason: str
    requested_at: dt.datetime
    finished_at: dt.datetime | None
    consultants: int
    tasks: int
    candidate_pairs: int
    pruned_pairs: int
    suggestions: int
    objective: int
    dual_objective: int
    min_pruned_slack: int | None
    iterations: int
    pairs_added_back: int
    certified: bool


def _me(request: HttpRequest) -> User:
    return request.auth  # type: ignore[attr-defined]


def _out(suggestion: Suggestion) -> dict[str, Any]:
    return {
        "id": suggestion.pk,
        "task_id": suggestion.task_id,
        "task_title": suggestion.task.title,
        "project_id": suggestion.task.project_id,
        "score": suggestion.score,
        "parts": {
            name: getattr(suggestion, name)
            for name in ("skills", "causes", "continuity", "priority", "age", "language", "mission")
        },
        "reasons": selectors.explain(suggestion),
        "status": suggestion.status,
    }


@router.get("/suggestions", response=list[SuggestionOut], summary="The task suggested to you")
def suggestion_list(request: HttpRequest) -> Any:
    return [_out(s) for s in selectors.offered_to(_me(request))[:1]]


@router.post(
    "/suggestions/{suggestion_id}/decline",
    response={200: SuggestionOut, **errors(404, 409)},
    summary="Decline a suggested task (never offered again)",
)
def suggestion_decline(request: HttpRequest, suggestion_id: Id) -> Any:
    user = _me(request)
    suggestion = access.suggestion_get_for_consultant(user, suggestion_id)
    declined = services.suggestion_decline(consultant=user, suggestion=suggestion)
    declined.task = suggestion.task
    return _out(declined)


def _weights(weights: Any) -> dict[str, int]:
    return {name: getattr(weights, name) for name in WEIGHT_FIELDS}


@router.get(
    "/matching/weights", response={200: dict, **errors(404)}, summary="The weights in force"
)
def weights_get(request: HttpRequest) -> Any:
    access.require_staff(_me(request))
    return _weights(selectors.current_weights())


@router.put(
    "/matching/weights",
    response={200: dict, **errors(404)},
    summary="Write a new version of the weights (operator staff)",
)
def weights_put(request: HttpRequest, payload: WeightsIn) -> Any:
    user = _me(request)
    access.require_staff(user)
    values = {k: v for k, v in payload.dict().items() if v is not None}
    return _weights(services.weights_set(staff=user, values=values))


@router.get(
    "/matching/rounds",
    response={200: list[RoundOut], **errors(404)},
    summary="Matching rounds, newest first (operator staff)",
)
@paginate(Pagination, page_size=50)
def round_list(request: HttpRequest) -> Any:
    access.require_staff(_me(request))
    return Round.objects.order_by("-requested_at", "-id")


__all__ = ["SuggestionStatus"]
