"""Issue 9, "workflows as tables" (audit): the mission table (`relais.bench.workflow.STEPS`) drives
both the services and the buttons, as the task and bench-period tables already prove theirs.

Each step is taken from every state the table starts it from, and from any other state it is
refused (or, for a step already taken, changes nothing); the mission page offers each person
exactly the steps the table gives them in the mission's state."""

from __future__ import annotations

import contextlib
from collections.abc import Callable

import pytest
from django.urls import reverse
from django.utils import timezone

from relais.accounts.models import AuditEvent
from relais.bench import services
from relais.bench.models import Mission, MissionStatus
from relais.bench.tests.loan import REPRESENTATIVE, mentions
from relais.bench.workflow import STEPS, MissionActor, MissionStep, steps_for
from relais.core.errors import ServiceError

pytestmark = pytest.mark.django_db

S = MissionStatus


@pytest.fixture
def mission_in(dora, on_bench, active_project, alice, nadia) -> Callable[[str], Mission]:
    """A mission of Dora on Les Amis' project brought to a state through the services."""

    def build(status: str) -> Mission:
        mission = services.mission_create(consultant=dora, project=active_project)
        if status == S.REFUSED:
            services.mission_beneficiary_refuse(admin=nadia, mission=mission, reason="Non merci")
        if status in (S.DRAWN_UP, S.ACCEPTED, S.ACTIVE, S.ENDED):
            services.mission_agreement_draw_up(admin=alice, mission=mission, mentions=mentions())
        if status in (S.ACCEPTED, S.ACTIVE, S.ENDED):
            services.mission_beneficiary_accept(
                admin=nadia, mission=mission, representative=REPRESENTATIVE
            )
        if status in (S.ACTIVE, S.ENDED):
            services.mission_consent(consultant=dora, mission=mission)
        if status == S.ENDED:
            mission.refresh_from_db()
            services.mission_end(mission=mission, end=timezone.localdate(), actor=alice)
        mission.refresh_from_db()
        assert mission.status == status
        return mission

    return build


@pytest.fixture
def take(alice, nadia, dora) -> dict[MissionStep, Callable[[Mission], object]]:
    """Each step of the table, taken by the person the table names."""
    return {
        MissionStep.DRAW_UP: lambda m: services.mission_agreement_draw_up(
            admin=alice, mission=m, mentions=mentions()
        ),
        MissionStep.ACCEPT: lambda m: services.mission_beneficiary_accept(
            admin=nadia, mission=m, representative=REPRESENTATIVE
        ),
        MissionStep.REFUSE: lambda m: services.mission_beneficiary_refuse(
            admin=nadia, mission=m, reason="Nous avons déjà quelqu’un."
        ),
        MissionStep.CONSENT: lambda m: services.mission_consent(consultant=dora, mission=m),
        MissionStep.CHANGE: lambda m: services.mission_mentions_change(
            admin=alice, mission=m, mentions=mentions(working_hours="Du lundi au jeudi, 9 h – 17 h")
        ),
    }


def test_every_step_of_the_table_is_taken_by_a_service(take):
    assert set(STEPS) == set(take)


@pytest.mark.parametrize(
    ("name", "status"),
    [(step.name, status) for step in STEPS.values() for status in sorted(step.sources)],
)
def test_a_step_is_taken_from_every_state_the_table_starts_it_from(mission_in, take, name, status):
    step = STEPS[name]
    mission = mission_in(status)
    take[name](mission)
    mission.refresh_from_db()
    assert mission.status == step.target
    assert AuditEvent.objects.filter(action=step.audit_action, details__mission=mission.pk).exists()


@pytest.mark.parametrize(
    ("name", "status"),
    [(step.name, status) for step in STEPS.values() for status in S if status not in step.sources],
)
def test_a_step_from_a_state_the_table_does_not_start_it_from_changes_nothing(
    mission_in, take, name, status
):
    mission = mission_in(status)
    before = AuditEvent.objects.filter(
        action=STEPS[name].audit_action, details__mission=mission.pk
    ).count()
    with contextlib.suppress(ServiceError):  # refused, saying why
        take[name](mission)
    # Otherwise the step was already taken: it is not taken again.
    mission.refresh_from_db()
    assert mission.status == status
    after = AuditEvent.objects.filter(
        action=STEPS[name].audit_action, details__mission=mission.pk
    ).count()
    assert after == before


FORMS = {
    MissionStep.DRAW_UP: "bench:agreement",
    MissionStep.CHANGE: "bench:agreement",
    MissionStep.ACCEPT: "bench:mission_accept",
    MissionStep.REFUSE: "bench:mission_refuse",
    MissionStep.CONSENT: "bench:consent",
}


@pytest.mark.parametrize("status", list(S))
def test_the_mission_page_offers_each_person_exactly_the_steps_the_table_gives_them(
    client, mission_in, alice, nadia, dora, status
):
    mission = mission_in(status)
    people = [
        (alice, MissionActor.FIRM),
        (nadia, MissionActor.BENEFICIARY),
        (dora, MissionActor.CONSULTANT),
    ]
    for person, actor in people:
        client.force_login(person)
        html = client.get(reverse("bench:mission", kwargs={"mission_pk": mission.pk})).content
        allowed = {step.name for step in steps_for(status, actor)}
        for name, url_name in FORMS.items():
            action = 'action="{}"'.format(reverse(url_name, kwargs={"mission_pk": mission.pk}))
            offered = action in html.decode()
            expected = any(FORMS[n] == url_name for n in allowed)
            assert offered == expected, (status, actor, name)
