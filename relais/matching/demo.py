"""Demo matching: the demo consultant on the bench declares skills on their profile, then one
round runs over the demo data, so that they find a suggested task (with why) on their dashboard.
Through the services; no email."""

from __future__ import annotations

from relais.accounts.demo import DEMO_ACCOUNTS
from relais.accounts.models import Role, User
from relais.bench import services as bench_services
from relais.bench.models import ConsultantProfile
from relais.matching import services
from relais.matching.models import Round, RoundStatus


def seed_matching() -> None:
    consultant = User.objects.filter(email=DEMO_ACCOUNTS[Role.CONSULTANT]).first()
    profile = ConsultantProfile.objects.filter(user=consultant).first()
    if consultant is not None and profile is not None and not profile.skills.exists():
        bench_services.profile_update(
            user=consultant,
            profile=profile,
            bio=profile.bio,
            matching_opt_out=False,
            causes=profile.causes.all(),
            languages=profile.languages.all(),
            skills={"devops": 3, "databases": 2},
        )
    pending = Round.objects.filter(status=RoundStatus.PENDING).first()
    services.round_run(round_id=pending.pk if pending else None, notify=False)
