from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "relais.projects"
    label = "projects"
    verbose_name = _("Projects")

    def ready(self) -> None:
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from relais.accounts.models import Organisation
        from relais.core.public_cache import changed
        from relais.projects.models import Project, ProjectEvent, ProjectImage
        from relais.projects.selectors import PUBLIC_PROJECTS

        # The public project pages cached for anonymous visitors are stale as soon as what they
        # show changes: a project, its images or milestones, a nonprofit's name, its tags.
        def stale(sender: object, **kwargs: object) -> None:
            changed(PUBLIC_PROJECTS)

        for model in (Project, ProjectImage, ProjectEvent, Organisation):
            post_save.connect(stale, sender=model, weak=False, dispatch_uid=f"public-{model}")
            post_delete.connect(stale, sender=model, weak=False, dispatch_uid=f"public-{model}")
        for tags in (Project.causes, Project.skills, Project.languages):
            m2m_changed.connect(stale, sender=tags.through, weak=False)
