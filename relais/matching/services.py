"""Every state change of matching: the weights, a round (requested, then run), declining."""

from __future__ import annotations

import time
import tracemalloc
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.core.errors import Conflict
from relais.core.mail import notify_on_commit
from relais.matching import engine
from relais.matching.models import (
    WEIGHT_FIELDS,
    Round,
    RoundStatus,
    Suggestion,
    SuggestionStatus,
    Weights,
)
from relais.matching.selectors import current_weights, load_instance

if TYPE_CHECKING:
    from relais.accounts.models import User


@transaction.atomic
def weights_set(*, staff: User, values: dict[str, Any]) -> Weights:
    """Operator staff write a new version of the weights; the next round uses it."""
    if not staff.is_operator_staff:
        raise PermissionDenied
    current = current_weights()
    fields = {name: values.get(name, getattr(current, name)) for name in WEIGHT_FIELDS}
    weights = Weights(created_by=staff, **fields)
    weights.full_clean(exclude=["created_by"])
    weights.save()
    return weights


def round_request(*, reason: str) -> Round:
    """Asks for a round; a burst of events gathers into the one round waiting to run (debounce),
    and only the first of the burst enqueues the job, once the events are committed."""
    pending = Round.objects.filter(status=RoundStatus.PENDING).first()
    if pending is not None:
        Round.objects.filter(pk=pending.pk).update(events=F("events") + 1)
        return pending
    try:
        with transaction.atomic():
            created = Round.objects.create(reason=reason[:40])
    except IntegrityError:
        # Another event created it at the same moment: its job will run it.
        joined = Round.objects.filter(status=RoundStatus.PENDING).first()
        return joined or Round.objects.order_by("-requested_at", "-id").first() or Round()
    from relais.matching.tasks import round_run_job

    notify_on_commit(round_run_job, round_id=created.pk)
    return created


def round_run(*, round_id: int | None = None, notify: bool = True) -> Round:
    """Runs a round: scores the candidate pairs, matches exactly, certifies, and replaces the
    offered suggestions with the new ones; a round already taken by another worker is skipped."""
    taken: Round | None
    with transaction.atomic():
        if round_id is None:
            taken = Round.objects.create(status=RoundStatus.RUNNING, reason="manual")
        else:
            taken = Round.objects.select_for_update(skip_locked=True).filter(pk=round_id).first()
            if taken is None or taken.status != RoundStatus.PENDING:
                return taken or Round.objects.get(pk=round_id)
            taken.status = RoundStatus.RUNNING
        assert taken is not None
        taken.started_at = timezone.now()
        taken.save(update_fields=["status", "started_at"])
    figures: dict[str, Any] = {}
    try:
        clock = time.perf_counter()
        weights = current_weights()
        instance = load_instance()
        figures["load_s"] = round(time.perf_counter() - clock, 3)
        clock = time.perf_counter()
        result = engine.match(instance, engine.Weights.of(weights))
        figures["match_s"] = round(time.perf_counter() - clock, 3)
    except Exception:
        # Recorded for staff (the rounds page); the job's log keeps the traceback.
        Round.objects.filter(pk=taken.pk).update(
            status=RoundStatus.FAILED, finished_at=timezone.now()
        )
        raise
    clock = time.perf_counter()
    with transaction.atomic():
        new = suggestions_store(taken, instance, result)
        taken.weights = weights if weights.pk else None
        taken.status = RoundStatus.DONE
        taken.finished_at = timezone.now()
        taken.consultants = instance.n_consultants
        taken.tasks = instance.n_tasks
        taken.candidate_pairs = result.figures["candidate_pairs"]
        taken.pruned_pairs = max(0, result.figures["pruned_pairs"])
        taken.suggestions = len(result.consultants)
        taken.objective = result.objective
        taken.dual_objective = result.figures["dual_objective"]
        taken.min_pruned_slack = result.figures.get("min_pruned_slack")
        taken.iterations = result.figures["iterations"]
        taken.pairs_added_back = result.figures["pairs_added_back"]
        taken.certified = result.figures["certified"]
        figures["store_s"] = round(time.perf_counter() - clock, 3)
        taken.figures = figures
        taken.save()
        if notify and new:
            from relais.matching.tasks import suggestions_notify

            notify_on_commit(suggestions_notify, suggestion_ids=new)
    return taken


def suggestions_store(taken: Round, instance: engine.Instance, result: engine.Result) -> list[int]:
    """Replaces the offered suggestions; returns the ids of those that changed (to notify)."""
    consultants = instance.consultant_ids[result.consultants].tolist()
    tasks = instance.task_ids[result.tasks].tolist()
    before = dict(
        Suggestion.objects.filter(status=SuggestionStatus.OFFERED).values_list(
            "consultant_id", "task_id"
        )
    )
    Suggestion.objects.filter(status=SuggestionStatus.OFFERED).update(
        status=SuggestionStatus.SUPERSEDED
    )
    now = timezone.now()
    parts = {name: values.tolist() for name, values in result.parts.items()}
    scores, flags = result.scores.tolist(), result.flags.tolist()
    if connection.vendor == "postgresql":
        # COPY: 20,000 rows in a fraction of the time of INSERTs; the ids are read back.
        columns = ["round_id", "consultant_id", "task_id", "score", "flags", "status"]
        columns += [*engine.PARTS, "created_at"]
        table = Suggestion._meta.db_table
        with (
            connection.cursor() as cursor,
            cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
        ):
            for i, (consultant, task) in enumerate(zip(consultants, tasks, strict=True)):
                row = [taken.pk, consultant, task, scores[i], flags[i], SuggestionStatus.OFFERED]
                row += [parts[name][i] for name in engine.PARTS]
                copy.write_row([*row, now])
        created = list(
            Suggestion.objects.filter(round=taken).only("id", "consultant_id", "task_id")
        )
    else:
        rows = [
            Suggestion(
                round=taken,
                consultant_id=consultant,
                task_id=task,
                score=scores[i],
                flags=flags[i],
                created_at=now,
                **{name: parts[name][i] for name in engine.PARTS},
            )
            for i, (consultant, task) in enumerate(zip(consultants, tasks, strict=True))
        ]
        created = Suggestion.objects.bulk_create(rows, batch_size=5000)
    return [s.pk for s in created if before.get(s.consultant_id) != s.task_id]


def round_request_daily() -> Round | None:
    """Once a day, a round even without events: bench periods that start today (opened earlier)
    make their consultants available. A second call the same day changes nothing."""
    if Round.objects.filter(requested_at__date=timezone.localdate()).exists():
        return None
    return round_request(reason="daily")


@transaction.atomic
def suggestion_decline(*, consultant: User, suggestion: Suggestion) -> Suggestion:
    """The consultant declines a suggested task: it is never offered to them again."""
    locked = Suggestion.objects.select_for_update().get(pk=suggestion.pk)
    if locked.consultant_id != consultant.pk:
        raise PermissionDenied
    if locked.status != SuggestionStatus.OFFERED:
        raise Conflict(_("This suggestion is no longer offered."))
    locked.status = SuggestionStatus.DECLINED
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "decided_at"])
    round_request(reason="declined")
    return locked


def measure(function: Any) -> tuple[Any, float, int]:
    """Runs `function()`; returns its result, the seconds and the peak of Python memory."""
    tracemalloc.start()
    clock = time.perf_counter()
    try:
        value = function()
    finally:
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return value, time.perf_counter() - clock, peak
