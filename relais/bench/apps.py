from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BenchConfig(AppConfig):
    name = "relais.bench"
    label = "bench"
    verbose_name = _("Firms, bench periods and missions")

    def ready(self) -> None:
        from relais.accounts.services import INVITATION_ACCEPTED_HOOKS
        from relais.bench.limits import mission_work_day
        from relais.bench.selectors import declared_skill_ids
        from relais.bench.services import profile_from_roster_invitation
        from relais.work.selectors import DECLARED_SKILLS, MISSION_DAYS

        # Accepting a firm's roster invitation records what the roster said of the person.
        INVITATION_ACCEPTED_HOOKS["roster"] = lambda invitation, user: (
            profile_from_roster_invitation(invitation=invitation, user=user)
        )
        # A consultant's next tasks take the skills declared on their profile into account.
        DECLARED_SKILLS["bench_profile"] = declared_skill_ids
        # Work on a project (a team place, a claim, a time entry) only on days an active mission
        # covers; time on rest days only if the firm's terms allow it.
        MISSION_DAYS["bench_mission"] = mission_work_day
        self._figures_invalidated_on_change()

    @staticmethod
    def _figures_invalidated_on_change() -> None:
        """The cached year figures of a firm are stale as soon as what they count changes."""
        from django.db.models.signals import m2m_changed, post_delete, post_save

        from relais.accounts.models import Organisation
        from relais.bench.models import (
            Absence,
            ConsultantProfile,
            FirmFiscalYear,
            FirmTerms,
            Mission,
            TaxYear,
        )
        from relais.bench.selectors import firm_figures_changed
        from relais.projects.models import Project

        def of_the_firm(sender: object, instance: object, **kwargs: object) -> None:
            firm_figures_changed(getattr(instance, "firm_id", None))

        def of_every_firm(sender: object, **kwargs: object) -> None:
            firm_figures_changed()

        for model in (Mission, Absence, FirmFiscalYear, FirmTerms, ConsultantProfile):
            for signal in (post_save, post_delete):
                signal.connect(of_the_firm, sender=model, weak=False, dispatch_uid=f"fig-{model}")
        for shared in (TaxYear, Organisation, Project):
            for signal in (post_save, post_delete):
                signal.connect(
                    of_every_firm, sender=shared, weak=False, dispatch_uid=f"fig-{shared}"
                )
        m2m_changed.connect(
            of_every_firm, sender=Project.causes.through, weak=False, dispatch_uid="fig-causes"
        )
