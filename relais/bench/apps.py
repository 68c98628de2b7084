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
