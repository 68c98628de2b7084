from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# The task events after which a task is ready for someone new: published, unblocked, or given
# back (released, lapsed, recalled: the claim ended).
READY_EVENTS = {"published", "unblocked", "released", "lapsed", "recalled"}


def _on_bench_period(sender: Any, instance: Any, **kwargs: Any) -> None:
    from relais.bench.models import BenchStatus
    from relais.matching.services import round_request

    if instance.status == BenchStatus.OPEN:
        round_request(reason="bench_period_open")


def _on_task_event(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    from relais.matching.services import round_request

    if created and instance.kind in READY_EVENTS:
        round_request(reason=f"task_{instance.kind}")


class MatchingConfig(AppConfig):
    name = "relais.matching"
    label = "matching"
    verbose_name = _("Matching consultants and tasks")

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from relais.bench.models import BenchPeriod
        from relais.work.models import TaskEvent

        # A round is asked for (debounced) when a bench period opens, a task becomes ready or
        # a claim ends: the other apps record these; matching only listens.
        post_save.connect(_on_bench_period, sender=BenchPeriod, dispatch_uid="matching_bench")
        post_save.connect(_on_task_event, sender=TaskEvent, dispatch_uid="matching_task_event")
