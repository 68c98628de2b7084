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
    """Replaces the offered suggestions that changed (another task, or another score or reason)
    and keeps the others as they are; returns the ids of those whose task changed (to notify)."""
    consultants = instance.consultant_ids[result.consultants].tolist()
    tasks = instance.task_ids[result.tasks].tolist()
    parts = [result.parts[name].tolist() for name in engine.PARTS]
    fields = [tasks, result.scores.tolist(), result.flags.tolist(), *parts]
    wanted = dict(zip(consultants, zip(*fields, strict=True), strict=True))
    before = _fetch(
        Suggestion.objects.filter(status=SuggestionStatus.OFFERED)
        .order_by()
        .values_list("id", "consultant_id", "task_id", "score", "flags", *engine.PARTS)
    )
    task_before = {row[1]: row[2] for row in before}
    kept = {row[1] for row in before if wanted.get(row[1]) == tuple(row[2:])}
    stale = [row[0] for row in before if row[1] not in kept]
    table = Suggestion._meta.db_table
    superseded = SuggestionStatus.SUPERSEDED.value
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET status = %s WHERE id = ANY(%s)",  # noqa: S608
                [superseded, stale],
            )
    else:
        for at in range(0, len(stale), 500):
            Suggestion.objects.filter(pk__in=stale[at : at + 500]).update(status=superseded)
    now = timezone.now()
    fresh = [(c, row) for c, row in wanted.items() if c not in kept]
    if connection.vendor == "postgresql":
        # COPY: 20,000 rows in a fraction of the time of INSERTs; the ids are read back.
        columns = ["round_id", "consultant_id", "task_id", "score", "flags", *engine.PARTS]
        columns += ["status", "created_at"]
        head = f"{taken.pk}\t"
        tail = f"\t{SuggestionStatus.OFFERED.value}\t{now.isoformat()}\n"
        block = "".join(f"{head}{c}\t" + "\t".join(map(str, row)) + tail for c, row in fresh)
        with (
            connection.cursor() as cursor,
            cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
        ):
            copy.write(block)
        # The ids read back raw, as tuples (model instances cost more than the COPY itself).
        created = _fetch(
            Suggestion.objects.filter(round=taken)
            .order_by()
            .values_list("id", "consultant_id", "task_id")
        )
    else:
        objects = Suggestion.objects.bulk_create(
            [
                Suggestion(
                    round=taken,
                    consultant_id=c,
                    task_id=row[0],
                    score=row[1],
                    flags=row[2],
                    created_at=now,
                    **dict(zip(engine.PARTS, row[3:], strict=True)),
                )
                for c, row in fresh
            ],
            batch_size=5000,
        )
        created = [(s.pk, s.consultant_id, s.task_id) for s in objects]
    return [pk for pk, consultant, task in created if task_before.get(consultant) != task]


def _fetch(queryset: Any) -> list[tuple[Any, ...]]:
    """The rows of a values_list queryset of ids and integers, fetched raw at once."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


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
