"""Matching objects of the victims of the URL walk (relais/core/tests/test_access_walk.py)."""

from __future__ import annotations

from typing import Any

from relais.matching.models import Round, RoundStatus, Suggestion


def matching_victims(consultant: Any, task: Any) -> dict[str, list[int]]:
    """A task suggested to a victim consultant: outsiders may neither see nor decline it."""
    done = Round.objects.create(status=RoundStatus.DONE, reason="walk")
    suggestion = Suggestion.objects.create(
        round=done,
        consultant=consultant,
        task=task,
        score=10,
        skills=10,
        causes=0,
        continuity=0,
        priority=0,
        age=0,
        language=0,
        mission=0,
    )
    return {"suggestion_pk": [suggestion.pk], "suggestion_id": [suggestion.pk]}
