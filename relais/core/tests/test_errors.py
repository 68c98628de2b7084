"""One family of service errors, mapped once for the API and once for the views."""

from __future__ import annotations

import json

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory

from relais import api as relais_api
from relais.accounts.services import InvitationError
from relais.bench.services import BenchError
from relais.core.errors import Conflict, Invalid, NotAllowed, ServiceError
from relais.core.forms import copy_errors, flash_error
from relais.projects.services import TransitionError
from relais.work.services import TaskTaken, WorkError


@pytest.mark.parametrize(
    "error", [TransitionError, WorkError, TaskTaken, BenchError, InvitationError]
)
def test_every_domain_error_is_a_conflict_of_the_one_base(error):
    assert issubclass(error, Conflict)
    assert issubclass(error, ServiceError)


def _answer(error: ServiceError) -> tuple[int, dict]:
    request = RequestFactory().post("/api/v1/x")
    response = relais_api._refused(request, error)
    return response.status_code, json.loads(response.content)["error"]


def test_the_api_answers_each_kind_of_refusal_with_its_status_and_code():
    assert _answer(NotAllowed("Only the firm's admins may do this."))[0] == 403
    assert _answer(Conflict("Already answered."))[0] == 409
    assert _answer(WorkError("You do not hold this task."))[0] == 409

    status, body = _answer(Invalid(fields={"reason": ["Say why."]}))

    assert status == 422
    assert body["code"] == "invalid"
    assert body["fields"] == {"reason": ["Say why."]}


def test_the_api_keeps_its_error_format_for_a_refusal():
    status, body = _answer(NotAllowed("Only the firm's admins may do this."))

    assert status == 403
    assert body == {
        "code": "forbidden",
        "message": "Only the firm's admins may do this.",
        "fields": {},
    }


def test_a_domain_error_raised_by_an_endpoint_is_a_409_in_the_error_format(client, fabien):
    from decimal import Decimal

    from relais.accounts import services as account_services
    from relais.projects.models import ProjectStatus
    from relais.projects.tests.factories import ProjectFactory
    from relais.work import services as work_services

    project = ProjectFactory(
        nonprofit=fabien.memberships.get().organisation,
        field_lead=fabien,
        status=ProjectStatus.ACTIVE,
    )
    task = work_services.task_create(
        lead=fabien,
        project=project,
        title="Écrire le guide",
        brief="b",
        acceptance_criteria="c",
        estimate_hours=Decimal(2),
    )
    work_services.task_publish(lead=fabien, task=task)
    token = account_services.api_token_create(user=fabien, name="t").raw

    response = client.post(f"/api/v1/tasks/{task.pk}/publish", HTTP_AUTHORIZATION=f"Bearer {token}")

    assert response.status_code == 409
    assert response.json()["error"]["code"] == "conflict"
    assert response.json()["error"]["fields"] == {}


class _Form(forms.Form):
    reason = forms.CharField(required=False)


def test_a_refusal_is_shown_on_the_form_field_it_names_or_above_the_form():
    named, general = _Form({}), _Form({})
    named.is_valid()
    general.is_valid()

    copy_errors(named, Invalid(fields={"reason": ["Say why."], "other": ["Not here."]}))
    copy_errors(general, Conflict("This request has already been answered."))

    assert named.errors["reason"] == ["Say why."]
    assert named.non_field_errors() == ["Not here."]
    assert general.non_field_errors() == ["This request has already been answered."]


def test_a_refusal_is_flashed_at_the_top_of_the_next_page():
    request = RequestFactory().post("/")
    request.session = {}  # type: ignore[attr-defined]
    request._messages = FallbackStorage(request)  # type: ignore[attr-defined]

    flash_error(request, Conflict("This request has already been answered."))

    assert [str(m) for m in get_messages(request)] == ["This request has already been answered."]
