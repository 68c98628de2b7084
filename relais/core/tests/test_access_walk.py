"""Walks every URL pattern of the project as users of other organisations.

For each pattern, its parameters are filled with the ids of Acme's objects (a firm) and Les Amis'
(a nonprofit); each outsider persona then GETs, POSTs, PATCHes, PUTs and DELETEs it. Nothing of
those organisations may come back (the page is refused, or shows none of their data) and nothing
may change. A new URL whose parameter this walk does not know makes the test fail until it is
added to FILL below.

Every write of the API gets a valid body (BODIES below, naming the other organisations' objects),
so that the request passes validation and reaches the access check: an outsider gets 403 or 404
(401 without an account), never a 2xx nor a 422. A new write endpoint makes the test fail until
its body is added to BODIES.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern

from relais.accounts import services
from relais.accounts.models import ApiToken, Invitation, Membership, Organisation, Role, User
from relais.accounts.tests.factories import MembershipFactory, OrganisationFactory, UserFactory
from relais.bench import services as bench_services
from relais.bench.models import (
    Absence,
    BenchPeriod,
    ConsultantProfile,
    FirmFiscalYear,
    FirmTerms,
    Mission,
    Recall,
)
from relais.bench.tests.helpers import mission_started
from relais.bench.tests.loan import mentions
from relais.billing.tests.walk import billing_fingerprint, billing_victims
from relais.campaigns.tests.walk import campaign_fingerprint, campaign_victims
from relais.funding.tests.walk import SECRET_CIRCLE, funding_fingerprint, funding_victims
from relais.matching.tests.helpers import matching_victims
from relais.projects.models import Diagnosis, Project, ProjectImage, ProjectStatus
from relais.projects.tests.factories import ProjectFactory
from relais.site.models import LegalPage
from relais.work import services as work_services
from relais.work.models import (
    Claim,
    Comment,
    Handover,
    KnowledgePage,
    OnboardingProgress,
    OnboardingStep,
    Task,
    TeamMember,
    TimeEntry,
)

pytestmark = pytest.mark.django_db

SECRETS = [
    "Acme Conseil",
    "alice@acme.example",
    "bob@acme.example",
    "dora.secret@acme.example",
    "Les Amis du Quartier",
    "nadia@amis.example",
    "W751234567",
    "jeton-secret-alice",
    "Brouillon secret des Amis",
    "Une image secrète",
    "Tâche secrète",
    "Passation secrète",
    "Page secrète",
    "Étape secrète",
    "dora.team@esn.example",
    "dora.bench@acme.example",
    "REL-",
    SECRET_CIRCLE,
    "emma.secret@acme.example",
]

# Parameters of third-party URLs (allauth, admin) that designate no object of ours.
OPAQUE = {"key", "uidb36", "url", "authenticator_id", "app_label", "content_type_id"}


def walk(resolver: URLResolver | None = None, prefix: str = "") -> Iterator[tuple[str, object]]:
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from walk(pattern, prefix + _text(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + _text(pattern.pattern), pattern


def _text(pattern: RoutePattern | RegexPattern | object) -> str:
    text = str(pattern)
    if isinstance(pattern, RegexPattern):
        text = text.lstrip("^").rstrip("$").replace("\\Z", "")
        # An alternation of names (the admin's app_label) is filled with its first alternative.
        text = re.sub(r"\(\?P<(\w+)>([\w|]+)\)", lambda m: m.group(2).split("|")[0], text)
        text = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"<\1>", text)
        text = text.replace("/?", "/")
    return text


def _fill(route: str, values: dict[str, list[str]]) -> list[str]:
    names = re.findall(r"<(?:\w+:)?(\w+)>", route)
    unknown = [n for n in names if n not in values and n not in OPAQUE]
    assert not unknown, f"{route}: add the parameters {unknown} to FILL in this test"
    urls = [route]
    for name in names:
        options = values.get(name, ["x"])
        urls = [
            re.sub(rf"<(?:\w+:)?{name}>", str(option), url, count=1)
            for url in urls
            for option in options
        ]
    return ["/" + url.lstrip("/") for url in urls]


@pytest.fixture
def victims(alice, bob, acme, nadia, fabien, les_amis):
    invitation = services.invitation_create(
        organisation=acme,
        invited_by=alice,
        email="dora.secret@acme.example",
        role=Role.CONSULTANT,
        accept_url="http://testserver/invitations/__token__/",
    ).invitation
    token = services.api_token_create(user=alice, name="jeton-secret-alice").token
    draft = ProjectFactory(nonprofit=les_amis, title="Brouillon secret des Amis", field_lead=fabien)
    image = ProjectImage.objects.create(
        project=draft, image="projects/x.png", alt_text="Une image secrète"
    )
    diagnosis = Diagnosis.objects.create(
        organisation=les_amis, answers={}, verdict="eligible", score=100
    )
    work = work_fixture(fabien)
    period, mission = bench_fixture(alice, acme, work["project"])
    funding = funding_victims(bob, acme)
    billing = billing_victims(acme, les_amis)
    campaigns = campaign_victims(les_amis)
    return {
        **campaigns,
        **funding,
        **billing,
        **matching_victims(bob, work["task"]),
        "period_pk": [period.pk],
        "period_id": [period.pk],
        "mission_pk": [mission.pk],
        "mission_id": [mission.pk],
        "firm_id": [acme.pk],
        "profile_pk": [ConsultantProfile.objects.get(user=period.consultant).pk],
        "project_pk": [draft.pk, work["project"].pk],
        "project_id": [draft.pk, work["project"].pk],
        "task_pk": [work["task"].pk],
        "task_id": [work["task"].pk],
        "handover_pk": [work["handover"].pk],
        "member_pk": [work["member"].pk],
        "step_pk": [work["step"].pk],
        "slug": [work["page"].slug],
        "number": [1],
        "direction": ["up"],
        "image_pk": [image.pk],
        "public_id": [diagnosis.public_id],
        "organisation_pk": [acme.pk, les_amis.pk],
        "organisation_id": [acme.pk, les_amis.pk],
        "invitation_pk": [invitation.pk],
        "token_pk": [token.pk],
        "object_id": [acme.pk, alice.pk],
        "id": [alice.pk],
        "kind": ["firm", "nonprofit", "privacy"],
        "language": ["fr"],
        # A real invitation link is a capability meant for its holder: see test_invitations.
        "token": ["not-a-real-token"],
        # A welcome link for Alice: an outsider must not get a password form out of a guess.
        "uidb64": ["MQ"],
        # Impact: a credential id nobody holds (a real one is public by design), a challenge.
        "credential_id": ["00000000-0000-4000-8000-000000000000"],
        "challenge_pk": [1],
    }


def work_fixture(lead):
    """An active project of another nonprofit with private work: a task held by a consultant,
    a handover, a page, an onboarding step. The project itself is public; its work is not."""
    nonprofit = OrganisationFactory(
        name="Asso Active", kind="nonprofit", siren="", rna="W931234567"
    )
    MembershipFactory(organisation=nonprofit, user=lead, role=Role.FIELD_LEAD)
    project = ProjectFactory(
        nonprofit=nonprofit, field_lead=lead, status=ProjectStatus.ACTIVE, title="Projet actif"
    )
    member = MembershipFactory(role=Role.CONSULTANT, user__email="dora.team@esn.example").user
    # A place in the team comes only with an active mission (no work without a mission).
    mission_started(member, project)
    team_member = TeamMember.objects.get(project=project, user=member)
    task = work_services.task_create(
        lead=lead,
        project=project,
        title="Tâche secrète",
        brief="b",
        acceptance_criteria="c",
        estimate_hours=Decimal(3),
    )
    work_services.task_publish(lead=lead, task=task)
    work_services.task_claim(consultant=member, task=task)
    handover = work_services.task_release(
        consultant=member, task=task, done="Passation secrète", state="s", next_step="n"
    )
    page = work_services.page_save(author=lead, project=project, title="Page secrète", body="x")
    step = work_services.onboarding_step_add(
        lead=lead, project=project, kind="read", title="Étape secrète"
    )
    return {
        "project": project,
        "task": task,
        "handover": handover,
        "member": team_member,
        "page": page,
        "step": step,
    }


def bench_fixture(alice, acme, project):
    """Acme's consultant on the bench, on a mission with its agreement, and Acme's terms."""
    dora = MembershipFactory(
        organisation=acme, role=Role.CONSULTANT, user__email="dora.bench@acme.example"
    ).user
    # Operator staff verified Acme: a new firm's consultants cannot ask to join anything before.
    Organisation.objects.filter(pk=acme.pk).update(verified_at=dt.datetime.now(dt.UTC))
    bench_services.firm_terms_set(
        admin=alice,
        firm=acme,
        valid_from=dt.date(2020, 1, 1),
        mode="fee",
        fee_rate=Decimal(1),
        headcount=50,
        bench_rate=Decimal(5),
        average_tjm_cents=500_00,
        average_daily_cost_cents=400_00,
        turnover_cents=5_000_000_00,
    )
    period = bench_services.bench_period_open(
        admin=alice, firm=acme, consultant=dora, start=dt.date.today() - dt.timedelta(days=3)
    )
    mission = bench_services.mission_create(consultant=dora, project=project)
    bench_services.mission_agreement_draw_up(admin=alice, mission=mission, mentions=mentions())
    return period, mission


def fingerprint() -> tuple[object, ...]:
    return (
        sorted(
            Organisation.objects.values_list("pk", "name", "siren", "rna", "city", "verified_at")
        ),
        sorted(Membership.objects.values_list("user_id", "organisation_id", "role")),
        sorted(Invitation.objects.values_list("pk", "accepted_at", "revoked_at")),
        sorted(ApiToken.objects.values_list("pk", "revoked_at")),
        sorted(User.objects.values_list("pk", "email", "first_name", "is_active", "password")),
        sorted(Project.objects.values_list("pk", "title", "status", "field_lead_id")),
        sorted(ProjectImage.objects.values_list("pk", "alt_text")),
        sorted(Diagnosis.objects.values_list("pk", "organisation_id")),
        sorted(Task.objects.values_list("pk", "title", "status", "position")),
        sorted(Claim.objects.values_list("pk", "ended_at")),
        sorted(Handover.objects.values_list("pk", "done", "amended_at")),
        sorted(TeamMember.objects.values_list("pk", "left_at")),
        sorted(KnowledgePage.objects.values_list("pk", "title", "body")),
        sorted(OnboardingStep.objects.values_list("pk", "title")),
        sorted(OnboardingProgress.objects.values_list("pk", "user_id")),
        TimeEntry.objects.count(),
        sorted(BenchPeriod.objects.values_list("pk", "status", "end")),
        sorted(
            Mission.objects.values_list(
                "pk",
                "status",
                "agreement_generated_at",
                "beneficiary_accepted_at",
                "beneficiary_refused_at",
                "consultant_agreed_at",
                "end",
            )
        ),
        Recall.objects.count(),
        FirmTerms.objects.count(),
        sorted(
            ConsultantProfile.objects.values_list(
                "pk", "daily_gross_salary_cents", "daily_cost_cents", "daily_expenses_cents"
            )
        ),
        Absence.objects.count(),
        sorted(FirmFiscalYear.objects.values_list("pk", "turnover_cents", "other_gifts_cents")),
        sorted(
            Organisation.objects.values_list(
                "pk",
                "sponsorship_evidence",
                "sponsorship_eligible_at",
                "fiscal_year_end_month",
                "fiscal_year_end_day",
            )
        ),
        Comment.objects.count(),
        sorted(LegalPage.objects.values_list("pk", "kind", "language", "body")),
        funding_fingerprint(),
        billing_fingerprint(),
        campaign_fingerprint(),
    )


def outsiders() -> list[User | None]:
    firm = OrganisationFactory(name="Firme Tierce")
    nonprofit = OrganisationFactory(
        name="Asso Tierce", kind="nonprofit", siren="", rna="W921234567"
    )
    people: list[User | None] = [None, UserFactory(email="nobody@example.org")]
    for organisation, role in [
        (firm, Role.FIRM_ADMIN),
        (firm, Role.CONSULTANT),
        (nonprofit, Role.NONPROFIT_ADMIN),
        (nonprofit, Role.FIELD_LEAD),
    ]:
        people.append(MembershipFactory(organisation=organisation, role=role).user)
    return people


def test_every_url_is_walked(victims):
    routes = [route for route, _pattern in walk()]
    ours = [r for r in routes if not r.startswith(("accounts/", "admin/", "i18n/"))]
    assert "organisations/<int:organisation_pk>/" in ours
    assert any(r.startswith("api/v1/") for r in ours)
    for route in routes:
        assert _fill(route, victims)


METHODS = ("get", "post", "patch", "put", "delete")

Victims = dict[str, list[Any]]
Body = Callable[[Victims, User | None], dict[str, Any]]


def _today() -> str:
    return dt.date.today().isoformat()


# A valid body for every write of the API that takes one, naming the victims' objects: each
# passes validation, so that the answer is the access check's.
BODIES: dict[str, Body] = {
    # The caller's own name, unchanged: the only write an outsider may make, on themselves.
    "PATCH /api/v1/me": lambda v, person: {
        "first_name": person.first_name if person else "Nobody",
        "last_name": person.last_name if person else "Nobody",
    },
    "POST /api/v1/projects": lambda v, person: {
        "nonprofit_id": v["organisation_id"][1],
        "title": "Projet pirate",
        "summary": "s",
        "problem": "p",
        "beneficiaries": "b",
        "deliverables": "d",
        "effort_days": 300,
        "causes": ["environment-climate"],
        "languages": ["fr"],
    },
    "PATCH /api/v1/projects/{}": lambda v, person: {"title": "Projet piraté"},
    "POST /api/v1/projects/{}/transitions": lambda v, person: {"to": "withdrawn"},
    "POST /api/v1/projects/{}/tasks": lambda v, person: {
        "title": "Tâche pirate",
        "brief": "b",
        "acceptance_criteria": "c",
        "estimate_hours": "2",
        "dependencies": v["task_id"],
    },
    "PATCH /api/v1/tasks/{}": lambda v, person: {"title": "Tâche piratée", "priority": 1},
    "POST /api/v1/tasks/{}/release": lambda v, person: {
        "done": "d",
        "state": "s",
        "next_step": "n",
    },
    "POST /api/v1/tasks/{}/time": lambda v, person: {"date": _today(), "hours": "1"},
    "POST /api/v1/tasks/{}/submit": lambda v, person: {"comment": "Fini"},
    "POST /api/v1/tasks/{}/return": lambda v, person: {"comment": "À revoir"},
    "POST /api/v1/bench-periods": lambda v, person: {
        "firm_id": v["firm_id"][0],
        "consultant_email": "dora.bench@acme.example",
        "start": _today(),
    },
    "POST /api/v1/bench-periods/{}/recall": lambda v, person: {"effective_date": _today()},
    "POST /api/v1/firms/{}/roster/invitations": lambda v, person: {"email": "eve@pirate.example"},
    "PUT /api/v1/matching/weights": lambda v, person: {"cause": 9},
    "POST /api/v1/missions/{}/refuse": lambda v, person: {"reason": "Refus pirate"},
    "POST /api/v1/missions/{}/accept": lambda v, person: {"representative": "Pirate, président"},
    "POST /api/v1/circles": lambda v, person: {
        "name": "Cercle pirate",
        "firm_id": v["firm_id"][0],
    },
    "POST /api/v1/circles/{}/invitations": lambda v, person: {"email": "pirate@example.org"},
    "PUT /api/v1/campaigns/{}/ballot": lambda v, person: {"entries": v["entry_pk"]},
    "PUT /api/v1/campaigns/{}/jury/grades": lambda v, person: {
        "grades": [{"entry": v["entry_pk"][0], "grade": 0}]
    },
    "POST /api/v1/campaigns/{}/jurors": lambda v, person: {"email": "nobody@example.org"},
    "POST /api/v1/credentials/{}/revoke": lambda v, person: {"reason": "Révocation pirate"},
    "POST /api/v1/firms/{}/terms": lambda v, person: {
        "mode": "fee",
        "fee_rate": "1",
        "headcount": 10,
        "bench_rate": "5",
        "average_tjm_cents": 500_00,
        "average_daily_cost_cents": 400_00,
        "turnover_cents": 1_000_000_00,
    },
}

# Writes on the caller's own data: an outsider may make them (with the body above, a no-op).
OWN = {"PATCH /api/v1/me"}


def _operation(method: str, path: str) -> str:
    return f"{method.upper()} {re.sub(r'{[^}]*}|<[^>]*>', '{}', path)}"


def api_operations() -> dict[str, dict[str, Any]]:
    """The operations of the API's OpenAPI document, as "METHOD /api/v1/path/{}"."""
    from relais.api import api

    return {
        _operation(method, path): operation
        for path, item in api.get_openapi_schema()["paths"].items()
        for method, operation in item.items()
    }


def test_every_write_of_the_api_that_takes_a_body_has_a_valid_one_here():
    operations = api_operations()
    writes = {op for op in operations if not op.startswith("GET ")}
    with_body = {op for op in writes if "requestBody" in operations[op]}
    assert len(writes) >= 18
    assert sorted(with_body - set(BODIES)) == [], "add a valid body for them to BODIES"
    assert sorted(set(BODIES) - with_body) == []


def _request(client, method: str, url: str, operation: str | None, victims, person) -> Any:
    if operation is None:
        return getattr(client, method)(url)
    body = BODIES.get(operation)
    if body is None:
        return getattr(client, method)(url, content_type="application/json")
    return getattr(client, method)(
        url, json.dumps(body(victims, person)), content_type="application/json"
    )


def test_no_outsider_reads_or_changes_anything_of_another_organisation(client, victims):
    people = outsiders()
    before = fingerprint()
    operations = api_operations()
    paths = {operation.split(" ", 1)[1] for operation in operations}
    # Each URL with the route it was filled from ("/api/v1/tasks/{}" for an API URL).
    routes = {
        url: "/" + re.sub(r"<[^>]*>", "{}", route.lstrip("/"))
        for route, _p in walk()
        for url in _fill(route, victims)
    }
    leaks, reached = [], []
    for person in people:
        cache.clear()  # the walk is no burst of a real client: no rate limit may answer first
        for url in sorted(routes):
            api = routes[url] in paths  # an API operation's path (not its docs)
            signed_in = False
            # The admin answers any method of a person who is not staff with its login page.
            for method in METHODS[:2] if url.startswith("/admin/") else METHODS:
                operation = _operation(method, routes[url]) if api else None
                # A fresh session for each URL, and again whenever a request changed who is in it.
                if not signed_in or (
                    person is not None and client.session.get("_auth_user_id") != str(person.pk)
                ):
                    client.logout()
                    if person is not None:
                        client.force_login(person)
                    signed_in = True
                response = _request(client, method, url, operation, victims, person)
                body = response.content.decode(errors="replace")
                found = [s for s in SECRETS if s in body]
                if found:
                    leaks.append((person and person.email, method, url, found))
                status = response.status_code
                assert status < 500, (method, url)
                if operation is None or method == "get":
                    continue
                if operation not in operations:
                    assert status == 405, (method, url, status)
                elif operation in OWN:
                    assert status in ({401} if person is None else {200}), (method, url, status)
                else:
                    allowed = {401} if person is None else {403, 404}
                    assert status in allowed, (person and person.email, method, url, body)
                    reached.append(operation)
    assert leaks == []
    assert fingerprint() == before
    # Every write of the API was refused by its access check, none by the validation of its body.
    writes = {op for op in operations if not op.startswith("GET ") and op not in OWN}
    assert writes <= set(reached)
