"""State changes of the impact app: credentials (issue, revoke), the field lead's words,
preferences, challenges, stories, arguments, the weekly digest."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.accounts.audit import audit
from relais.accounts.models import Organisation, Role
from relais.bench.models import Mission, MissionStatus
from relais.core.errors import Conflict, Invalid, NotAllowed
from relais.core.mail import notify_on_commit
from relais.impact import selectors, signing
from relais.impact.models import (
    Argument,
    Challenge,
    Credential,
    MissionWords,
    Preference,
    Story,
    new_token,
)
from relais.impact.tasks import credential_notify, digest_send

if TYPE_CHECKING:
    from relais.accounts.models import User
    from relais.projects.models import Project

logger = logging.getLogger(__name__)


def _issue(mission: Mission, *, ended: bool, now: dt.datetime) -> Credential:
    """Signs and stores a credential (the caller holds the mission's lock); the next free index of
    the status list, whose unique index has the last word between two issuers."""
    for _attempt in range(5):
        last = Credential.objects.aggregate(m=Max("status_index"))["m"]
        try:
            with transaction.atomic():
                return _issue_at(
                    mission, ended=ended, now=now, index=0 if last is None else last + 1
                )
        except IntegrityError:
            continue
    raise Conflict(_("Too many credentials issued at once: try again."))


def _issue_at(mission: Mission, *, ended: bool, now: dt.datetime, index: int) -> Credential:
    public_id = uuid.uuid4()
    document = selectors.credential_document(
        public_id=str(public_id),
        contribution=selectors.mission_contribution(mission),
        status_index=index,
        issued_at=now,
    )
    jws, key = signing.sign(document)
    return Credential.objects.create(
        public_id=public_id,
        consultant=mission.consultant,
        mission=mission,
        key=key,
        status_index=index,
        mission_ended=ended,
        jws=jws,
        issued_at=now,
    )


def credential_issue(
    *, consultant: User, mission: Mission, now: dt.datetime | None = None
) -> Credential:
    """The consultant asks for the credential of their active or ended mission: a new one, the
    previous one (if any) revoked as superseded, so that it says what they did up to now."""
    now = now or timezone.now()
    if mission.consultant_id != consultant.pk:
        raise NotAllowed(_("Only the consultant of the mission may ask for its credential."))
    with transaction.atomic():
        locked = (
            Mission.objects.select_for_update(of=("self",))
            .select_related("consultant", "project__nonprofit")
            .get(pk=mission.pk)
        )
        if locked.status not in (MissionStatus.ACTIVE, MissionStatus.ENDED) or locked.start is None:
            raise Conflict(_("A credential is issued only for a mission that has started."))
        Credential.objects.filter(mission=locked, revoked_at__isnull=True).update(
            revoked_at=now, revocation_reason="superseded"
        )
        credential = _issue(locked, ended=locked.status == MissionStatus.ENDED, now=now)
        audit("impact.credential_issued", actor=consultant, target=str(credential.public_id))
    return credential


def credential_on_mission_end(
    *, mission_id: int, now: dt.datetime | None = None, notify: bool = True
) -> Credential | None:
    """A mission that ended gets its final credential, once (a credential issued while it was
    active is superseded); the consultant is told. Nothing for a mission that never started."""
    now = now or timezone.now()
    with transaction.atomic():
        mission = (
            Mission.objects.select_for_update(of=("self",))
            .select_related("consultant", "project__nonprofit")
            .filter(pk=mission_id)
            .first()
        )
        if mission is None or mission.status != MissionStatus.ENDED or mission.start is None:
            return None
        if Credential.objects.filter(
            mission=mission, mission_ended=True, revoked_at__isnull=True
        ).exists():
            return None
        if Credential.objects.filter(mission=mission, mission_ended=True).exists():
            return None  # revoked on purpose: never issued again by itself
        Credential.objects.filter(mission=mission, revoked_at__isnull=True).update(
            revoked_at=now, revocation_reason="superseded"
        )
        credential = _issue(mission, ended=True, now=now)
        if notify:
            notify_on_commit(credential_notify, credential_id=credential.pk)
    return credential


def credential_revoke(*, actor: User, credential: Credential, reason: str = "") -> Credential:
    """The holder or operator staff revoke a credential: its bit is set in the status list."""
    if not (actor.is_operator_staff or credential.consultant_id == actor.pk):
        raise NotAllowed(_("Only the holder or the Relais team may revoke a credential."))
    with transaction.atomic():
        locked = Credential.objects.select_for_update().get(pk=credential.pk)
        if locked.revoked_at is not None:
            raise Conflict(_("This credential is already revoked."))
        locked.revoked_at = timezone.now()
        locked.revoked_by = actor
        locked.revocation_reason = reason[:200]
        locked.save(update_fields=["revoked_at", "revoked_by", "revocation_reason"])
        audit("impact.credential_revoked", actor=actor, target=str(locked.public_id))
    return locked


def mission_words_save(*, lead: User, mission: Mission, text: str, quotable: bool) -> MissionWords:
    """The project's field lead writes (or rewrites) their words on a consultant's mission."""
    if mission.project.field_lead_id != lead.pk:
        raise NotAllowed(_("Only the project's field lead may write these words."))
    if mission.status not in (MissionStatus.ACTIVE, MissionStatus.ENDED):
        raise Conflict(_("Words are written on a mission that has started."))
    text = text.strip()
    if not text:
        raise Invalid(_("Write a few words."), fields={"text": [_("Write a few words.")]})
    words, _created = MissionWords.objects.update_or_create(
        mission=mission,
        defaults={"author": lead, "text": text, "quotable": quotable, "updated_at": timezone.now()},
    )
    selectors.bump_version()
    return words


def preference_of(user: User) -> Preference:
    preference, _created = Preference.objects.get_or_create(user=user)
    return preference


def preference_update(*, user: User, on_leaderboards: bool, weekly_digest: bool) -> Preference:
    """A person opts into the leaderboards (never by default) or out of the weekly digest."""
    preference = preference_of(user)
    preference.on_leaderboards = on_leaderboards
    preference.weekly_digest = weekly_digest
    preference.save(update_fields=["on_leaderboards", "weekly_digest"])
    selectors.bump_version()
    return preference


def calendar_token_reset(*, user: User) -> Preference:
    """A new secret address for the calendar feed; the old one stops working at once."""
    preference = preference_of(user)
    preference.calendar_token = new_token()
    preference.save(update_fields=["calendar_token"])
    return preference


def challenge_create(
    *, staff: User, title: str, metric: str, contenders: str, start: dt.date, end: dt.date
) -> Challenge:
    """Operator staff set a seasonal challenge between firms or circles."""
    if not staff.is_operator_staff:
        raise NotAllowed(_("Only the Relais team sets challenges."))
    if end < start:
        raise Invalid(
            _("The end comes before the start."),
            fields={"end": [_("The end comes before the start.")]},
        )
    return Challenge.objects.create(
        title=title, metric=metric, contenders=contenders, start=start, end=end, created_by=staff
    )


def story_create(*, lead: User, project: Project, title: str, body: str) -> Story:
    """A project's field lead tells what the work changed, in the public feed."""
    if project.field_lead_id != lead.pk:
        raise NotAllowed(_("Only the project's field lead may write its stories."))
    story = Story.objects.create(project=project, author=lead, title=title, body=body)
    selectors.bump_version()
    return story


def argument_create(
    *, user: User, firm: Organisation | None, firm_name: str, figures: dict[str, Any]
) -> Argument:
    """A consultant builds a one-pager for their management, shareable by an unguessable link."""
    if firm is not None and not user.has_role(firm.pk, [Role.CONSULTANT, Role.FIRM_ADMIN]):
        raise NotAllowed(_("Pick a firm you belong to."))
    for _attempt in range(3):
        try:
            with transaction.atomic():
                return Argument.objects.create(
                    created_by=user, firm=firm, firm_name=firm_name, figures=figures
                )
        except IntegrityError:  # pragma: no cover - a token collision
            continue
    raise Conflict(_("Try again."))  # pragma: no cover


def digests_send_due(*, today: dt.date | None = None) -> int:
    """On Mondays, queues the weekly digest of everyone who did not opt out and has not had this
    week's yet (run by the periodic job every hour: the date makes it idempotent)."""
    today = today or timezone.localdate()
    if today.weekday() != 0:
        return 0
    from relais.accounts.models import User

    sent = 0
    people = User.objects.filter(is_active=True, memberships__role=Role.CONSULTANT).distinct()
    for user in people.iterator():
        preference = preference_of(user)
        if not preference.weekly_digest or preference.digest_sent_on == today:
            continue
        if (
            Preference.objects.filter(pk=preference.pk)
            .exclude(digest_sent_on=today)
            .update(digest_sent_on=today)
        ):
            notify_on_commit(digest_send, user_id=user.pk)
            sent += 1
    return sent
