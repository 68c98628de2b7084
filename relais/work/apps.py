from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkConfig(AppConfig):
    name = "relais.work"
    label = "work"
    verbose_name = _("Tasks and knowledge")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from relais.core.public_cache import changed
        from relais.projects.selectors import public_project
        from relais.work.models import Task

        # A project's public page counts its tasks done: stale when one of them changes.
        def stale(sender: object, instance: Task, **kwargs: object) -> None:
            changed(public_project(instance.project_id))

        post_save.connect(stale, sender=Task, weak=False, dispatch_uid="public-task")
        post_delete.connect(stale, sender=Task, weak=False, dispatch_uid="public-task-deleted")
