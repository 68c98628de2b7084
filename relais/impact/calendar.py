"""A consultant's calendar feed (iCalendar, RFC 5545): their missions as all-day spans and the
deadline of each task they hold (the day its claim lapses without activity)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override
from icalendar import Calendar, Event

from relais.bench.models import Mission, MissionStatus
from relais.core.mail import absolute_url, supported_language
from relais.work.models import Claim

if TYPE_CHECKING:
    from relais.accounts.models import User

HOST = "relais"


def feed(user: User) -> bytes:
    with override(supported_language(user.language)):
        calendar = Calendar()
        calendar.add("prodid", "-//Relais//impact//EN")
        calendar.add("version", "2.0")
        calendar.add("x-wr-calname", _("My Relais missions"))
        stamp = timezone.now()
        missions = Mission.objects.filter(
            consultant=user,
            status__in=[MissionStatus.ACCEPTED, MissionStatus.ACTIVE, MissionStatus.ENDED],
            start__isnull=False,
        ).select_related("project")[:200]
        for mission in missions:
            assert mission.start is not None
            last = mission.end or mission.planned_end or mission.start
            event = Event()
            event.add("uid", f"mission-{mission.pk}@{HOST}")
            event.add("dtstamp", stamp)
            event.add("summary", _("Mission: %(project)s") % {"project": mission.project.title})
            event.add("dtstart", mission.start)
            event.add("dtend", last + dt.timedelta(days=1))
            event.add("url", absolute_url(reverse("bench:mission", args=[mission.pk])))
            calendar.add_component(event)
        claims = Claim.objects.filter(consultant=user, ended_at__isnull=True).select_related(
            "task"
        )[:200]
        for claim in claims:
            deadline = (
                claim.last_activity_at + dt.timedelta(days=settings.CLAIM_LAPSE_DAYS)
            ).date()
            event = Event()
            event.add("uid", f"claim-{claim.pk}@{HOST}")
            event.add("dtstamp", stamp)
            event.add("summary", _("Deadline: %(task)s") % {"task": claim.task.title})
            event.add("dtstart", deadline)
            event.add("dtend", deadline + dt.timedelta(days=1))
            event.add("url", absolute_url(reverse("work:task_detail", args=[claim.task_id])))
            calendar.add_component(event)
        return bytes(calendar.to_ical())
