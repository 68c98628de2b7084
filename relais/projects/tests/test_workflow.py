from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from relais.projects import services
from relais.projects.models import ProjectEvent
from relais.projects.models import ProjectStatus as S
from relais.projects.workflow import REVIEW_CHECKLIST, TRANSITIONS

pytestmark = pytest.mark.django_db


FULL_CHECKLIST = {key: True for key, _label in REVIEW_CHECKLIST}


def move(project, actor, *targets, comment="Merci de préciser."):
    for target in targets:
        services.project_transition(
            project=project,
            actor=actor,
            target=target,
            comment=comment,
            checklist=FULL_CHECKLIST if target == S.ACCEPTED else None,
        )
    project.refresh_from_db()
    return project


def test_a_proposal_goes_from_draft_to_active_and_every_step_is_recorded(
    draft, nadia, operator_staff
):
    move(draft, nadia, S.SUBMITTED)
    move(draft, operator_staff, S.CHANGES_REQUESTED)
    move(draft, nadia, S.SUBMITTED)
    move(draft, operator_staff, S.ACCEPTED)
    move(draft, nadia, S.ACTIVE)
    steps = list(
        ProjectEvent.objects.order_by("created_at", "id").values_list("to_status", "actor")
    )
    assert draft.status == S.ACTIVE
    assert steps == [
        (S.SUBMITTED, nadia.pk),
        (S.CHANGES_REQUESTED, operator_staff.pk),
        (S.SUBMITTED, nadia.pk),
        (S.ACCEPTED, operator_staff.pk),
        (S.ACTIVE, nadia.pk),
    ]


@pytest.mark.parametrize(
    ("path", "who", "target"),
    [
        ([], "operator_staff", S.SUBMITTED),  # only the nonprofit submits
        ([], "fabien", S.SUBMITTED),  # the field lead is not an admin
        ([S.SUBMITTED], "nadia", S.ACCEPTED),  # a nonprofit does not accept itself
        ([S.SUBMITTED], "fabien", S.REJECTED),
        ([S.SUBMITTED, S.ACCEPTED, S.ACTIVE], "fabien", S.COMPLETED),
    ],
)
def test_a_step_by_the_wrong_role_is_refused_and_changes_nothing(
    request, draft, nadia, operator_staff, path, who, target
):
    for step in path:
        move(draft, nadia if step in {S.SUBMITTED, S.ACTIVE} else operator_staff, step)
    before = draft.status
    with pytest.raises(PermissionDenied):
        services.project_transition(
            project=draft, actor=request.getfixturevalue(who), target=target, comment="x"
        )
    draft.refresh_from_db()
    assert draft.status == before
    assert ProjectEvent.objects.filter(to_status=target).count() == 0


@pytest.mark.parametrize("target", [S.ACCEPTED, S.ACTIVE, S.COMPLETED, S.ARCHIVED, "nonsense"])
def test_a_step_that_does_not_exist_from_the_current_state_is_refused(
    draft, operator_staff, target
):
    with pytest.raises(services.TransitionError):
        services.project_transition(project=draft, actor=operator_staff, target=target)
    draft.refresh_from_db()
    assert draft.status == S.DRAFT
    assert not ProjectEvent.objects.exists()


def test_requesting_changes_or_rejecting_needs_a_comment(draft, nadia, operator_staff):
    move(draft, nadia, S.SUBMITTED)
    for target in (S.CHANGES_REQUESTED, S.REJECTED):
        with pytest.raises(services.TransitionError):
            services.project_transition(
                project=draft, actor=operator_staff, target=target, comment=" "
            )
    draft.refresh_from_db()
    assert draft.status == S.SUBMITTED


def test_submitting_needs_a_field_lead(draft, nadia):
    draft.field_lead = None
    draft.save()
    with pytest.raises(services.TransitionError, match=r"référent|field lead"):
        services.project_transition(project=draft, actor=nadia, target=S.SUBMITTED)


def test_every_transition_of_the_table_names_at_least_one_actor():
    for transition in TRANSITIONS:
        assert transition.actors
        assert transition.source != transition.target


def test_the_people_concerned_are_emailed(draft, nadia, fabien, operator_staff, mailbox):
    with mailbox():
        move(draft, nadia, S.SUBMITTED)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([fabien.email, operator_staff.email])
    mail.outbox.clear()
    with mailbox():
        move(draft, operator_staff, S.CHANGES_REQUESTED, comment="Précisez le découpage.")
    assert sorted(m.to[0] for m in mail.outbox) == sorted([nadia.email, fabien.email])
    assert "Précisez le découpage." in mail.outbox[0].body
    assert "Carte des jardins" in mail.outbox[0].subject
    assert f"/projects/{draft.pk}/workspace/" in mail.outbox[0].body


def test_the_review_page_records_the_checklist_and_the_comment(
    client, draft, nadia, operator_staff
):
    move(draft, nadia, S.SUBMITTED)
    client.force_login(operator_staff)
    response = client.post(
        reverse("projects:review", kwargs={"project_pk": draft.pk}),
        {
            "decision": S.ACCEPTED,
            "comment": "Bravo",
            **{f"check_{key}": "on" for key in FULL_CHECKLIST},
        },
    )
    assert response.status_code == 302
    event = ProjectEvent.objects.get(to_status=S.ACCEPTED)
    assert event.checklist == FULL_CHECKLIST
    assert event.comment == "Bravo"
    client.force_login(nadia)
    workspace = client.get(reverse("projects:workspace", kwargs={"project_pk": draft.pk}))
    assert "Bravo" in workspace.content.decode()


def test_the_review_page_is_for_staff_only(client, draft, nadia):
    client.force_login(nadia)
    assert (
        client.get(reverse("projects:review", kwargs={"project_pk": draft.pk})).status_code == 403
    )
    assert client.get(reverse("projects:review_queue")).status_code == 403


def test_a_refused_step_from_the_workspace_gets_a_french_message(client, draft, nadia):
    draft.field_lead = None
    draft.save()
    client.force_login(nadia)
    response = client.post(
        reverse("projects:transition", kwargs={"project_pk": draft.pk}), {"target": S.SUBMITTED}
    )
    assert response.status_code == 409
    assert "Indiquez le ou la référent·e terrain avant de soumettre" in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == S.DRAFT


def test_staff_cannot_accept_with_a_box_unticked(client, draft, nadia, operator_staff):
    move(draft, nadia, S.SUBMITTED)
    client.force_login(operator_staff)
    response = client.post(
        reverse("projects:review", kwargs={"project_pk": draft.pk}),
        {"decision": S.ACCEPTED, "check_size": "on", "check_field_lead": "on", "comment": "Ok"},
    )
    assert response.status_code == 400
    refusal = "N’acceptez qu’un projet qui remplit chaque point de la liste de contrôle"
    assert refusal in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == S.SUBMITTED
    assert not ProjectEvent.objects.filter(to_status=S.ACCEPTED).exists()


def test_the_nonprofit_never_sees_an_unticked_box_as_a_red_cross(
    client, draft, nadia, operator_staff
):
    move(draft, nadia, S.SUBMITTED)
    services.project_transition(
        project=draft,
        actor=operator_staff,
        target=S.CHANGES_REQUESTED,
        comment="Précisez le découpage.",
        checklist={"size": True, "splittable": False},
    )
    client.force_login(nadia)
    page = client.get(reverse("projects:workspace", kwargs={"project_pk": draft.pk}))
    text = page.content.decode()
    assert "✗" not in text
    # The change request stands next to the next steps, before the history.
    assert text.index("Précisez le découpage.") < text.index('id="history"')
