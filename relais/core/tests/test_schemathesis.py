"""The API, fuzzed from its own OpenAPI document with schemathesis, as each kind of user.

Every operation gets generated requests from anonymous visitors and from tokens of a firm admin,
a consultant, a nonprofit admin, a field lead and operator staff, aimed half the time at objects
that exist. The checks: no server error, no status code the document does not list for the
operation, and bodies and headers as the document describes them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any

import pytest
import schemathesis
from django.test.client import ClientHandler
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from relais.accounts import services as account_services
from relais.accounts.models import User
from relais.bench.models import BenchPeriod, BenchStatus
from relais.projects.models import ProjectStatus
from relais.projects.tests.factories import ProjectFactory
from relais.work.models import Task, TaskStatus, TeamMember

pytestmark = pytest.mark.django_db

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    response_schema_conformance,
    content_type_conformance,
    response_headers_conformance,
]
EXAMPLES_PER_OPERATION = 25


def _wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """Django as a WSGI app that keeps the test's database connection and transaction open."""
    response = ClientHandler(enforce_csrf_checks=True)(environ)
    headers = [*response.items()]
    headers += [("Set-Cookie", cookie.output(header="")) for cookie in response.cookies.values()]
    start_response(f"{response.status_code} {response.reason_phrase}", headers)
    return [response.content]


@pytest.fixture
def world(alice, bob, nadia, fabien, operator_staff, acme, les_amis, vocabularies):
    """Objects to aim at: projects of every stage, tasks, a team, a bench period."""
    active = ProjectFactory(nonprofit=les_amis, field_lead=fabien, status=ProjectStatus.ACTIVE)
    draft = ProjectFactory(nonprofit=les_amis, created_by=nadia, field_lead=fabien)
    TeamMember.objects.create(project=active, user=bob, added_by=fabien)
    tasks = [
        Task.objects.create(
            project=active,
            title=f"Tâche {status}",
            brief="Le contexte.",
            acceptance_criteria="Relu",
            estimate_hours=Decimal(4),
            status=status,
        )
        for status in (TaskStatus.DRAFT, TaskStatus.READY, TaskStatus.READY)
    ]
    period = BenchPeriod.objects.create(
        consultant=bob,
        firm=acme,
        start=timezone.localdate() - dt.timedelta(days=3),
        status=BenchStatus.OPEN,
        requested_by=alice,
    )
    ids = {
        "project_id": [active.pk, draft.pk],
        "task_id": [task.pk for task in tasks],
        "organisation_id": [acme.pk, les_amis.pk],
        "firm_id": [acme.pk],
        "period_id": [period.pk],
        "mission_id": [],
    }
    people: dict[str, User | None] = {
        "anonymous": None,
        "firm admin": alice,
        "consultant": bob,
        "nonprofit admin": nadia,
        "field lead": fabien,
        "operator staff": operator_staff,
    }
    tokens = {
        role: account_services.api_token_create(user=user, name="fuzz").raw if user else None
        for role, user in people.items()
    }
    return ids, tokens


def test_every_generated_request_gets_a_documented_answer_and_never_a_server_error(
    client, world, settings: Any
):
    settings.API_RATE_ANON = settings.API_RATE_USER = "1000000/m"
    ids, tokens = world
    document = client.get("/api/v1/openapi.json").json()
    schema = schemathesis.openapi.from_dict(document)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 25

    failures = []
    for operation in operations:

        @settings_for_fuzzing
        @given(
            case=operation.as_strategy(),
            role=st.sampled_from(sorted(tokens)),
            known=st.data(),
        )
        def run(case: Any, role: str, known: st.DataObject) -> None:
            for name in list(case.path_parameters or {}):
                choices = ids.get(name) or []
                if choices and known.draw(st.booleans(), label=f"existing {name}"):
                    case.path_parameters[name] = known.draw(st.sampled_from(choices))
            headers = {"Authorization": f"Bearer {tokens[role]}"} if tokens[role] else {}
            response = case.call(app=_wsgi, headers=headers)
            case.validate_response(response, checks=CHECKS, headers=headers)

        try:
            run()
        except Exception as failure:  # one report for every operation that failed
            failures.append(f"{operation.label} ({role_hint(failure)}):\n{failure}")
    assert not failures, "\n\n".join(failures)


def role_hint(failure: BaseException) -> str:
    return type(failure).__name__


settings_for_fuzzing = hypothesis_settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
