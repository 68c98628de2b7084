from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImpactConfig(AppConfig):
    name = "relais.impact"
    label = "impact"
    verbose_name = _("Impact, animation and recognition")

    def ready(self) -> None:
        from django.db import transaction
        from django.db.models.signals import post_delete, post_save

        from relais.bench.models import Mission, MissionStatus
        from relais.impact import selectors
        from relais.impact.models import Challenge, MissionWords, Story
        from relais.projects.models import Project
        from relais.work.models import Handover, Task, TaskEvent, TimeEntry

        # The cached dashboard figures are stale as soon as what they count changes.
        for model in (
            Mission,
            Task,
            TaskEvent,
            TimeEntry,
            Handover,
            Project,
            Story,
            MissionWords,
            Challenge,
        ):
            post_save.connect(selectors.bump_version, sender=model, weak=False)
            post_delete.connect(selectors.bump_version, sender=model, weak=False)

        def _mission_saved(sender: object, instance: Mission, **kwargs: object) -> None:
            # A mission that ended gets its final credential once the change commits (bench
            # knows nothing of credentials: the hook lives here). Idempotent, so a mission
            # saved again after it ended changes nothing.
            if instance.status != MissionStatus.ENDED or instance.start is None:
                return
            from relais.core.mail import is_quiet
            from relais.impact.services import credential_on_mission_end

            notify = not is_quiet()  # the demo history is recorded without telling anyone
            transaction.on_commit(
                lambda: credential_on_mission_end(mission_id=instance.pk, notify=notify),
                robust=True,
            )

        post_save.connect(_mission_saved, sender=Mission, weak=False, dispatch_uid="impact-end")
