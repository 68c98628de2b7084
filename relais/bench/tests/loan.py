"""What a firm and a nonprofit state when a loan is agreed: the mentions of the agreement and
the beneficiary's representative, valid unless a test changes them."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from relais.bench import services

REPRESENTATIVE = "Nadia Durand, présidente"


def mentions(**changes: object) -> services.MissionMentions:
    """The mentions Acme states when it draws up an agreement (a loan of six weeks: at most 31
    working days, within the default 40 a fiscal year whatever the day the tests run)."""
    values: dict[str, object] = {
        "place_of_work": "Les Amis, 12 rue de la Paix, 75002 Paris, et télétravail",
        "working_hours": "Du lundi au vendredi, 9 h – 17 h 30",
        "post_characteristics": "Développeuse web, sans travaux dangereux",
        "trial_period": "",
        "firm_representative": "Alice Martin, DRH",
        "planned_end": timezone.localdate() + dt.timedelta(days=42),
        "cse_informed_on": timezone.localdate() - dt.timedelta(days=2),
        **changes,
    }
    return services.MissionMentions(**values)  # type: ignore[arg-type]


def mentions_form(**changes: object) -> dict[str, str]:
    """The same mentions as typed in the form that draws up the agreement."""
    values = mentions(**changes)
    return {
        name: (value.isoformat() if isinstance(value, dt.date) else str(value))
        for name, value in vars(values).items()
    }


def backdate(mission_pk: int, start: dt.date) -> None:
    """Moves a mission's start back in time, its acceptances with it: a mission never starts
    before its acceptances (the constraint `mission_starts_after_its_acceptances`)."""
    from relais.bench.models import Mission

    at = timezone.make_aware(dt.datetime.combine(start, dt.time(9)))
    fields = ("agreement_generated_at", "beneficiary_accepted_at", "consultant_agreed_at")
    mission = Mission.objects.get(pk=mission_pk)
    Mission.objects.filter(pk=mission_pk).update(
        start=start, **{name: at for name in fields if getattr(mission, name) is not None}
    )
