"""The data set of a national-scale load test (`manage.py seed_scale`), written with PostgreSQL's
COPY.

This is a load generator, not a demo: it writes rows directly, bypassing the services, because
going through them (one transaction, one email and one to-do per state change) would take hours
for millions of rows. It keeps what the services would guarantee: every database constraint
(tasks under 48 h, one active claim per task, a mission active only with its three dated
acceptances and starting after them, bench periods ending after they start...) and the product
rules the constraints cannot see (a claim only by a current team member holding a mission on the
project, a handover for every claim that ended before its task was done, time logged only under a
claim, a recalled bench period ending on its recall's effective date).

At scale 1: 100k consultants in 400 firms (Zipf-sized), 2,000 nonprofits, 10k projects
(log-normal sizes), 1M tasks, about 1.3M time entries and 3.7M task events. Deterministic: the
same scale, seed and day (`today`, by default the current date) give the same rows.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.db import connection, models, transaction
from django.utils import timezone

from relais.accounts.models import Membership, Organisation, Role, User
from relais.bench.models import (
    BenchPeriod,
    ConsultantProfile,
    FirmTerms,
    Mission,
    Recall,
)
from relais.core.models import Cause, Language, Skill
from relais.projects.models import Project
from relais.work.models import Claim, Handover, Task, TaskEvent, TeamMember, TimeEntry

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

# The full data set (scale 1).
FULL = {"consultants": 100_000, "firms": 400, "nonprofits": 2_000, "projects": 10_000}
TASKS_FULL = 1_000_000
# Task statuses, in proportion.
TASK_MIX = (
    ("done", 0.45),
    ("ready", 0.18),
    ("claimed", 0.08),
    ("in_review", 0.05),
    ("blocked", 0.05),
    ("draft", 0.14),
    ("cancelled", 0.05),
)
# Share of worked tasks that changed hands at least once before being finished (a handover).
HANDED_OVER = 0.30


class ScaleError(Exception):
    """The data set cannot be written here (wrong database, not empty...)."""


@dataclass
class Counts:
    rows: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, number: int) -> None:
        self.rows[name] = self.rows.get(name, 0) + number


def _at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def _siren(number: int) -> str:
    """A 9-digit SIREN with a valid Luhn key, distinct for each number."""
    body = f"{number:08d}"
    total = 0
    for i, char in enumerate(reversed(body)):
        digit = int(char) * (2 if i % 2 == 0 else 1)
        total += digit - 9 if digit > 9 else digit
    return body + str((10 - total % 10) % 10)


def _next_id(model: type[models.Model]) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {model._meta.db_table}")  # noqa: S608
        return int(cursor.fetchone()[0])


def _defaults(model: type[models.Model], given: Sequence[str]) -> tuple[list[str], list[Any]]:
    """The columns not given and the value each takes: the field's default (evaluated once)."""
    columns, values = [], []
    for fld in model._meta.concrete_fields:
        if fld.attname in given or fld.attname == "id":
            continue
        if fld.has_default():
            value = fld.get_default()
        elif fld.null:
            value = None
        elif fld.empty_strings_allowed:
            value = ""
        else:
            raise ScaleError(f"{model.__name__}.{fld.name} needs a value")
        columns.append(fld.column)
        values.append(fld.get_db_prep_save(value, connection))
    return columns, values


def copy_rows(
    model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]
) -> int:
    """COPY rows of the given fields (attnames) into the model's table; other columns take
    their field default."""
    by_attname = {f.attname: f.column for f in model._meta.concrete_fields}
    columns = [by_attname[name] for name in fields]
    extra_columns, extra_values = _defaults(model, fields)
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns + extra_columns)
    sql = f"COPY {model._meta.db_table} ({quoted}) FROM STDIN"
    written = 0
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row([*row, *extra_values])
            written += 1
    return written


def copy_m2m(model: type[models.Model], name: str, pairs: Iterable[tuple[int, int]]) -> int:
    through = model._meta.get_field(name).remote_field.through  # type: ignore[union-attr]
    table = through._meta.db_table
    columns = [f.column for f in through._meta.concrete_fields if f.column != "id"]
    written = 0
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
    ):
        for pair in pairs:
            copy.write_row(pair)
            written += 1
    return written


def _reset_sequences(models_: Iterable[type[models.Model]]) -> None:
    with connection.cursor() as cursor:
        for model in models_:
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"COALESCE((SELECT MAX(id) FROM {table}), 1))"
            )


def zipf_sizes(total: int, groups: int, exponent: float = 1.0, minimum: int = 1) -> list[int]:
    """Split `total` into `groups` sizes following Zipf's law (largest first)."""
    weights = [1 / (rank**exponent) for rank in range(1, groups + 1)]
    return _apportion(total, weights, minimum)


def lognormal_sizes(
    total: int, groups: int, rng: random.Random, sigma: float = 1.1, minimum: int = 1
) -> list[int]:
    """Split `total` into `groups` log-normal sizes (a few big projects, many small)."""
    weights = sorted((rng.lognormvariate(0, sigma) for _ in range(groups)), reverse=True)
    return _apportion(total, weights, minimum)


def _apportion(total: int, weights: list[float], minimum: int) -> list[int]:
    groups = len(weights)
    spare = max(0, total - minimum * groups)
    scale = spare / sum(weights)
    sizes = [minimum + math.floor(w * scale) for w in weights]
    for i in range(total - sum(sizes)):
        sizes[i % groups] += 1
    return sizes


def _pick(rng: random.Random, mix: Sequence[tuple[str, float]]) -> str:
    roll, acc = rng.random(), 0.0
    for name, share in mix:
        acc += share
        if roll < acc:
            return name
    return mix[-1][0]


def check_database() -> None:
    if connection.vendor != "postgresql":
        raise ScaleError(
            "seed_scale writes with PostgreSQL's COPY and needs PostgreSQL "
            "(DATABASE_URL=postgres://...); on SQLite use seed_demo."
        )
    if Organisation.objects.exclude(kind="operator").exists() or Task.objects.exists():
        raise ScaleError("seed_scale needs an empty, migrated database (only the operator).")


@transaction.atomic
def seed_scale(scale: float = 1.0, seed: int = 2026, today: date | None = None) -> Counts:
    """Write the whole data set at this fraction of the national scale; return the counts."""
    check_database()
    # Dates are relative to the day the set is seen from (today by default): current bench
    # periods and missions are current. The same scale, seed and day give the same rows.
    today = today or timezone.localdate()
    rng = random.Random(seed)  # noqa: S311 (a seeded load generator, not a secret)
    counts = Counts()
    n_firms = max(2, round(FULL["firms"] * scale))
    n_consultants = max(4 * n_firms, round(FULL["consultants"] * scale))
    n_nonprofits = max(1, round(FULL["nonprofits"] * scale))
    n_projects = max(2, round(FULL["projects"] * scale))
    n_tasks = max(5 * n_projects, round(TASKS_FULL * scale))
    created = _at(today - timedelta(days=400))
    causes = list(Cause.objects.values_list("id", flat=True))
    skills = list(Skill.objects.values_list("id", flat=True))
    languages = list(Language.objects.values_list("id", flat=True))

    # --- organisations ---------------------------------------------------------------------
    org_base = _next_id(Organisation)
    firm_ids = [org_base + i for i in range(n_firms)]
    np_ids = [org_base + n_firms + i for i in range(n_nonprofits)]
    counts.add(
        "organisations",
        copy_rows(
            Organisation,
            ["id", "kind", "name", "siren", "rna", "city", "created_at", "verified_at"],
            [
                (
                    fid,
                    "firm",
                    f"ESN {i + 1:04d}",
                    _siren(10_000_000 + i),
                    "",
                    "Paris",
                    created,
                    created,
                )
                for i, fid in enumerate(firm_ids)
            ]
            + [
                (
                    nid,
                    "nonprofit",
                    f"Association {i + 1:05d}",
                    "",
                    f"W{750000000 + i}",
                    "Lyon",
                    created,
                    None,
                )
                for i, nid in enumerate(np_ids)
            ],
        ),
    )

    # --- users: a firm admin per firm, a nonprofit admin (and field lead) per nonprofit -----
    user_base = _next_id(User)
    firm_sizes = zipf_sizes(n_consultants, n_firms, minimum=2)
    firm_admins = [user_base + i for i in range(n_firms)]
    np_admins = [user_base + n_firms + i for i in range(n_nonprofits)]
    consultant_base = user_base + n_firms + n_nonprofits
    consultants = list(range(consultant_base, consultant_base + n_consultants))
    consultant_firm: dict[int, int] = {}
    position = 0
    for fid, size in zip(firm_ids, firm_sizes, strict=True):
        for uid in consultants[position : position + size]:
            consultant_firm[uid] = fid
        position += size

    def user_rows() -> Iterable[tuple[Any, ...]]:
        for i, uid in enumerate(firm_admins):
            yield (uid, f"admin{i + 1}@firm{i + 1}.scale.test", "Admin", f"ESN {i + 1}")
        for i, uid in enumerate(np_admins):
            yield (uid, f"lead{i + 1}@np{i + 1}.scale.test", "Lead", f"Asso {i + 1}")
        for i, uid in enumerate(consultants):
            yield (uid, f"c{i + 1}@scale.test", "Consultant", f"{i + 1:06d}")

    counts.add(
        "users",
        copy_rows(
            User,
            ["id", "email", "first_name", "last_name", "password", "date_joined", "language"],
            ((*row, "!scale", created, "fr") for row in user_rows()),
        ),
    )
    membership_rows = (
        [(uid, fid, Role.FIRM_ADMIN) for uid, fid in zip(firm_admins, firm_ids, strict=True)]
        + [(uid, nid, Role.NONPROFIT_ADMIN) for uid, nid in zip(np_admins, np_ids, strict=True)]
        + [(uid, nid, Role.FIELD_LEAD) for uid, nid in zip(np_admins, np_ids, strict=True)]
        + [(uid, consultant_firm[uid], Role.CONSULTANT) for uid in consultants]
    )
    counts.add(
        "memberships",
        copy_rows(
            Membership,
            ["user_id", "organisation_id", "role", "created_at"],
            ((*row, created) for row in membership_rows),
        ),
    )
    profile_base = _next_id(ConsultantProfile)
    counts.add(
        "consultant profiles",
        copy_rows(
            ConsultantProfile,
            [
                "id",
                "user_id",
                "firm_id",
                "employee_id",
                "job_title",
                "tjm_cents",
                "daily_cost_cents",
            ],
            (
                (
                    profile_base + i,
                    uid,
                    consultant_firm[uid],
                    f"E{i + 1:06d}",
                    "Développeur",
                    rng.randrange(450, 900, 10) * 100,
                    rng.randrange(250, 500, 10) * 100,
                )
                for i, uid in enumerate(consultants)
            ),
        ),
    )
    terms_base = _next_id(FirmTerms)
    terms_of = {fid: terms_base + i for i, fid in enumerate(firm_ids)}
    copy_rows(
        FirmTerms,
        [
            "id",
            "firm_id",
            "valid_from",
            "mode",
            "fee_rate",
            "headcount",
            "bench_rate",
            "average_tjm_cents",
            "average_daily_cost_cents",
            "turnover_cents",
            "created_at",
        ],
        (
            (
                terms_of[fid],
                fid,
                today - timedelta(days=400),
                "fee",
                Decimal(1),
                size,
                Decimal(8),
                650_00,
                380_00,
                size * 120_000_00,
                created,
            )
            for fid, size in zip(firm_ids, firm_sizes, strict=True)
        ),
    )

    # --- projects: log-normal sizes ----------------------------------------------------------
    project_base = _next_id(Project)
    project_ids = [project_base + i for i in range(n_projects)]
    project_sizes = lognormal_sizes(n_tasks, n_projects, rng)
    rng.shuffle(project_sizes)
    project_np = {pid: np_ids[i % n_nonprofits] for i, pid in enumerate(project_ids)}
    np_admin_of = dict(zip(np_ids, np_admins, strict=True))
    words = [
        "solidaire",
        "logement",
        "alimentation",
        "santé",
        "éducation",
        "climat",
        "emploi",
        "culture",
        "numérique",
        "réemploi",
        "mobilité",
        "entraide",
    ]

    def project_rows() -> Iterable[tuple[Any, ...]]:
        for i, pid in enumerate(project_ids):
            topic = words[i % len(words)]
            at = created + timedelta(hours=i)
            status = "active" if i % 10 else rng.choice(["accepted", "completed", "paused"])
            lead = np_admin_of[project_np[pid]]
            yield (
                pid,
                project_np[pid],
                f"Plateforme {topic} n°{i + 1}",
                f"Un outil {topic} pour les bénévoles et les personnes accompagnées.",
                "Les équipes perdent du temps.",
                "Les familles accompagnées.",
                "Une application web.",
                max(1, project_sizes[i] // 3),
                lead,
                status,
                lead,
                at,
                at,
            )

    counts.add(
        "projects",
        copy_rows(
            Project,
            [
                "id",
                "nonprofit_id",
                "title",
                "summary",
                "problem",
                "beneficiaries",
                "deliverables",
                "effort_days",
                "field_lead_id",
                "status",
                "created_by_id",
                "created_at",
                "updated_at",
            ],
            project_rows(),
        ),
    )
    copy_m2m(
        Project,
        "causes",
        ((pid, causes[i % len(causes)]) for i, pid in enumerate(project_ids)) if causes else [],
    )
    copy_m2m(
        Project, "languages", ((pid, languages[0]) for pid in project_ids) if languages else []
    )
    copy_m2m(
        Project,
        "skills",
        ((pid, skills[i % len(skills)]) for i, pid in enumerate(project_ids)) if skills else [],
    )

    # --- team, bench periods, missions ---------------------------------------------------------
    # A project's team grows with its backlog: about one consultant per 25 tasks, 1 to 60.
    rng.shuffle(consultants)
    free = iter(consultants)
    team: dict[int, list[int]] = {}
    for pid, size in zip(project_ids, project_sizes, strict=True):
        want = min(60, max(1, size // 25))
        team[pid] = [uid for _, uid in zip(range(want), free, strict=False)]
    leftover = list(free)
    bp_base, mission_base = _next_id(BenchPeriod), _next_id(Mission)
    bp_rows: list[tuple[Any, ...]] = []
    mission_rows: list[tuple[Any, ...]] = []
    tm_rows: list[tuple[Any, ...]] = []
    recall_rows: list[tuple[Any, ...]] = []
    start_of: dict[int, date] = {}
    admin_of = dict(zip(firm_ids, firm_admins, strict=True))
    for pid in project_ids:
        for uid in team[pid]:
            fid = consultant_firm[uid]
            start = today - timedelta(days=rng.randint(5, 40))
            start_of[uid] = start
            accepted = _at(start - timedelta(days=2))
            bp_id = bp_base + len(bp_rows)
            bp_rows.append(
                (
                    bp_id,
                    uid,
                    fid,
                    start,
                    start + timedelta(days=60),
                    None,
                    "open",
                    uid,
                    admin_of[fid],
                )
            )
            mission_rows.append(
                (
                    mission_base + len(mission_rows),
                    uid,
                    pid,
                    bp_id,
                    fid,
                    terms_of[fid],
                    "fee",
                    Decimal(1),
                    650_00,
                    380_00,
                    start,
                    start + timedelta(days=60),
                    "active",
                    accepted,
                    accepted,
                    accepted,
                    f"SC-{len(mission_rows) + 1:07d}",
                    1,
                    accepted,
                )
            )
            tm_rows.append((pid, uid, _at(start)))
    # Past bench periods: one for every consultant with no mission now, a fifth recalled early.
    for uid in leftover:
        fid = consultant_firm[uid]
        start = today - timedelta(days=rng.randint(60, 380))
        end = start + timedelta(days=rng.randint(5, 40))
        bp_id = bp_base + len(bp_rows)
        status = "ended" if rng.random() < 0.9 else "requested"
        bp_rows.append(
            (
                bp_id,
                uid,
                fid,
                start,
                start + timedelta(days=45),
                end if status == "ended" else None,
                status,
                uid,
                None,
            )
        )
        if status == "ended" and rng.random() < 0.2:
            recall_rows.append((bp_id, end, "web", _at(end - timedelta(days=2)), _at(end)))
    counts.add(
        "bench periods",
        copy_rows(
            BenchPeriod,
            [
                "id",
                "consultant_id",
                "firm_id",
                "start",
                "expected_end",
                "end",
                "status",
                "requested_by_id",
                "decided_by_id",
            ],
            bp_rows,
        ),
    )
    counts.add(
        "recalls",
        copy_rows(
            Recall,
            ["bench_period_id", "effective_date", "channel", "created_at", "applied_at"],
            recall_rows,
        ),
    )
    counts.add(
        "missions",
        copy_rows(
            Mission,
            [
                "id",
                "consultant_id",
                "project_id",
                "bench_period_id",
                "firm_id",
                "terms_id",
                "mode",
                "fee_rate",
                "tjm_cents",
                "daily_cost_cents",
                "start",
                "planned_end",
                "status",
                "agreement_generated_at",
                "beneficiary_accepted_at",
                "consultant_agreed_at",
                "agreement_number",
                "document_version",
                "created_at",
            ],
            mission_rows,
        ),
    )
    counts.add(
        "team members",
        copy_rows(TeamMember, ["project_id", "user_id", "joined_at"], tm_rows),
    )

    # --- tasks, claims, time, handovers, events -------------------------------------------------
    task_base, claim_base = _next_id(Task), _next_id(Claim)
    task_rows: list[tuple[Any, ...]] = []
    claim_rows: list[tuple[Any, ...]] = []
    entry_rows: list[tuple[Any, ...]] = []
    handover_rows: list[tuple[Any, ...]] = []
    event_rows: list[tuple[Any, ...]] = []
    dependency_rows: list[tuple[int, int]] = []
    task_skill_rows: list[tuple[int, int]] = []
    estimates = [Decimal(h) for h in ("2", "4", "6", "8", "12", "16", "24", "32", "40")]

    def claim(task_id: int, uid: int, day: date, end_reason: str, hours: int) -> int:
        claim_id = claim_base + len(claim_rows)
        ended = _at(day + timedelta(days=2), 17) if end_reason else None
        claim_rows.append(
            (claim_id, task_id, uid, _at(day, 9), ended or _at(day, 18), ended, end_reason)
        )
        event_rows.append((task_id, "claimed", uid, _at(day, 9)))
        for offset in range(hours):
            entry_rows.append(
                (
                    claim_id,
                    day + timedelta(days=offset % 3),
                    Decimal(rng.choice((1, 2, 3, 4))),
                    _at(day, 18),
                )
            )
        return claim_id

    for pid, size in zip(project_ids, project_sizes, strict=True):
        members = team[pid]
        lead = np_admin_of[project_np[pid]]
        for pos in range(size):
            task_id = task_base + len(task_rows)
            status = _pick(rng, TASK_MIX)
            at = created + timedelta(minutes=pos)
            task_rows.append(
                (
                    task_id,
                    pid,
                    f"Tâche {pos + 1} du projet {pid}",
                    "Contexte et travail à faire.",
                    "- Les tests passent\n- Relu",
                    rng.choice(estimates),
                    rng.choice((1, 2, 2, 2, 3)),
                    pos,
                    status,
                    lead,
                    at,
                    at,
                )
            )
            event_rows.append((task_id, "created", lead, at))
            if skills and pos % 3 == 0:
                task_skill_rows.append((task_id, skills[(pid + pos) % len(skills)]))
            if status == "draft":
                continue
            event_rows.append((task_id, "published", lead, at + timedelta(minutes=1)))
            if status == "blocked" and pos > 0:
                dependency_rows.append((task_id, task_id - 1))
            if status == "cancelled":
                event_rows.append((task_id, "cancelled", lead, at + timedelta(days=1)))
            if status not in ("claimed", "in_review", "done"):
                continue
            holder = members[pos % len(members)]
            day = start_of[holder]
            if status == "done" and rng.random() < HANDED_OVER and len(members) > 1:
                # An earlier holder left it before it was done, with a handover note.
                earlier = members[(pos + 1) % len(members)]
                reason = rng.choice(("released", "lapsed", "recalled"))
                first = claim(task_id, earlier, start_of[earlier], reason, 2)
                handover_rows.append(
                    (
                        task_id,
                        first,
                        earlier,
                        reason,
                        "Première partie faite.",
                        "Reste la revue.",
                        "Lancer les tests.",
                        reason == "lapsed",
                        _at(start_of[earlier] + timedelta(days=2), 17),
                    )
                )
                event_rows.append(
                    (task_id, reason, earlier, _at(start_of[earlier] + timedelta(days=2), 17))
                )
                day = max(day, start_of[earlier] + timedelta(days=3))
            end_reason = "done" if status == "done" else ""
            claim(task_id, holder, day, end_reason, 1 if status == "claimed" else 2)
            if status in ("in_review", "done"):
                event_rows.append((task_id, "submitted", holder, _at(day + timedelta(days=1))))
            if status == "done":
                event_rows.append((task_id, "accepted", lead, _at(day + timedelta(days=2), 17)))

    counts.add(
        "tasks",
        copy_rows(
            Task,
            [
                "id",
                "project_id",
                "title",
                "brief",
                "acceptance_criteria",
                "estimate_hours",
                "priority",
                "position",
                "status",
                "created_by_id",
                "created_at",
                "updated_at",
            ],
            task_rows,
        ),
    )
    copy_m2m(Task, "dependencies", dependency_rows)
    copy_m2m(Task, "skills", task_skill_rows)
    counts.add(
        "claims",
        copy_rows(
            Claim,
            [
                "id",
                "task_id",
                "consultant_id",
                "started_at",
                "last_activity_at",
                "ended_at",
                "end_reason",
            ],
            claim_rows,
        ),
    )
    counts.add(
        "time entries",
        copy_rows(TimeEntry, ["claim_id", "date", "hours", "created_at"], entry_rows),
    )
    counts.add(
        "handovers",
        copy_rows(
            Handover,
            [
                "task_id",
                "claim_id",
                "author_id",
                "reason",
                "done",
                "state",
                "next_step",
                "drafted_automatically",
                "created_at",
            ],
            handover_rows,
        ),
    )
    counts.add(
        "task events",
        copy_rows(TaskEvent, ["task_id", "kind", "actor_id", "created_at"], event_rows),
    )
    _reset_sequences(
        [
            Organisation,
            User,
            Membership,
            ConsultantProfile,
            FirmTerms,
            Project,
            BenchPeriod,
            Recall,
            Mission,
            TeamMember,
            Task,
            Claim,
            TimeEntry,
            Handover,
            TaskEvent,
        ]
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return counts
