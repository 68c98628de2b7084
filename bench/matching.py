"""Benchmark of matching rounds (relais/matching): from the database to stored suggestions.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/relais_matching_bench RELAIS_SECRET_KEY=x \
        .venv/bin/python bench/matching.py [--sizes 2000x10000,20000x200000]

For each size: bulk-inserts the consultants (users, profiles, 2 to 5 skills among 200, causes,
languages, an open bench period), the projects and the ready tasks (1 to 3 skills each); then runs
one round end to end in a child process (load, score, match, certify, store the suggestions) and
reports its time and peak memory (getrusage, the child's maximum resident set); then times the
solver alone on the round's candidate pairs and, where a dense matrix fits, compares the objective
with scipy's dense `linear_sum_assignment` on every pair's score.
"""

# ruff: noqa: T201, S311, S603, S608

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "relais.settings")

SKILLS, CAUSES, LANGUAGES = 200, 12, 4


def setup_django() -> None:
    import django

    django.setup()


def populate(consultants: int, tasks: int, seed: int = 7) -> float:
    """Empties the matching tables and bulk-inserts an instance; returns the seconds taken."""
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from relais.accounts.models import Organisation, OrganisationKind, User
    from relais.bench.models import (
        BenchPeriod,
        BenchStatus,
        ConsultantProfile,
        ConsultantSkill,
        FirmTerms,
        LendingMode,
    )
    from relais.core.models import Cause, Language, Skill
    from relais.matching.models import Round, Suggestion
    from relais.projects.models import Project, ProjectStatus
    from relais.work.models import Task, TaskStatus

    clock = time.perf_counter()
    call_command("migrate", verbosity=0)
    rng = random.Random(seed)
    with connection.cursor() as cursor:
        for model in (Suggestion, Round, ConsultantSkill, BenchPeriod, Task, ConsultantProfile):
            cursor.execute(f"TRUNCATE {model._meta.db_table} CASCADE")
        cursor.execute(f"TRUNCATE {Organisation._meta.db_table} CASCADE")
        cursor.execute(f"DELETE FROM {User._meta.db_table} WHERE email LIKE '%%@bench.example'")
    for model, count, prefix in (
        (Skill, SKILLS, "s"),
        (Cause, CAUSES, "c"),
        (Language, LANGUAGES, "l"),
    ):
        model.objects.bulk_create(
            [
                model(slug=f"bench-{prefix}{i}", name_fr=f"{prefix}{i}", name_en=f"{prefix}{i}")
                for i in range(count)
            ],
            ignore_conflicts=True,
        )
    skills = list(Skill.objects.filter(slug__startswith="bench-").values_list("id", flat=True))
    causes = list(Cause.objects.filter(slug__startswith="bench-").values_list("id", flat=True))
    languages = list(
        Language.objects.filter(slug__startswith="bench-").values_list("id", flat=True)
    )
    firms = Organisation.objects.bulk_create(
        [
            Organisation(
                kind=OrganisationKind.FIRM,
                name=f"Bench firm {i}",
                siren=f"{900000000 + i}",
                verified_at=timezone.now(),
            )
            for i in range(20)
        ]
    )
    today = timezone.localdate()
    FirmTerms.objects.bulk_create(
        [
            FirmTerms(
                firm=firm,
                valid_from=today - dt.timedelta(days=30),
                mode=LendingMode.SPONSORSHIP if i % 2 else LendingMode.FEE,
                headcount=1000,
                bench_rate=10,
                average_tjm_cents=60000,
                average_daily_cost_cents=40000,
                turnover_cents=10**10,
            )
            for i, firm in enumerate(firms)
        ]
    )
    users = User.objects.bulk_create(
        [User(email=f"c{i}@bench.example", password="!") for i in range(consultants)],
        batch_size=5000,
    )
    profiles = ConsultantProfile.objects.bulk_create(
        [ConsultantProfile(user=u, firm=firms[i % len(firms)]) for i, u in enumerate(users)],
        batch_size=5000,
    )
    ConsultantSkill.objects.bulk_create(
        [
            ConsultantSkill(profile=p, skill_id=s, level=rng.randint(1, 3))
            for p in profiles
            for s in rng.sample(skills, rng.randint(2, 5))
        ],
        batch_size=10000,
    )
    ConsultantProfile.causes.through.objects.bulk_create(
        [
            ConsultantProfile.causes.through(consultantprofile_id=p.pk, cause_id=c)
            for p in profiles
            for c in rng.sample(causes, rng.randint(0, 3))
        ],
        batch_size=10000,
    )
    ConsultantProfile.languages.through.objects.bulk_create(
        [
            ConsultantProfile.languages.through(consultantprofile_id=p.pk, language_id=x)
            for p in profiles
            for x in rng.sample(languages, rng.randint(1, 2))
        ],
        batch_size=10000,
    )
    BenchPeriod.objects.bulk_create(
        [
            BenchPeriod(
                consultant=u, firm=firms[i % len(firms)], start=today, status=BenchStatus.OPEN
            )
            for i, u in enumerate(users)
        ],
        batch_size=5000,
    )
    nonprofits = Organisation.objects.bulk_create(
        [
            Organisation(
                kind=OrganisationKind.NONPROFIT,
                name=f"Bench nonprofit {i}",
                rna=f"W{750000000 + i}",
                sponsorship_eligible_at=timezone.now() if i % 3 else None,
            )
            for i in range(200)
        ]
    )
    n_projects = max(10, tasks // 100)
    projects = Project.objects.bulk_create(
        [
            Project(
                nonprofit=nonprofits[i % len(nonprofits)],
                title=f"Bench project {i}",
                summary="-",
                problem="-",
                beneficiaries="-",
                deliverables="-",
                effort_days=220,
                status=ProjectStatus.ACTIVE,
            )
            for i in range(n_projects)
        ],
        batch_size=5000,
    )
    Project.causes.through.objects.bulk_create(
        [
            Project.causes.through(project_id=p.pk, cause_id=c)
            for p in projects
            for c in rng.sample(causes, 2)
        ],
        batch_size=10000,
    )
    Project.languages.through.objects.bulk_create(
        [
            Project.languages.through(project_id=p.pk, language_id=rng.choice(languages))
            for p in projects
        ],
        batch_size=10000,
    )
    now = timezone.now()
    created = Task.objects.bulk_create(
        [
            Task(
                project=projects[i % n_projects],
                title=f"Task {i}",
                brief="-",
                acceptance_criteria="-",
                estimate_hours=8,
                priority=rng.randint(1, 3),
                status=TaskStatus.READY,
                created_at=now - dt.timedelta(days=rng.randint(0, 90)),
            )
            for i in range(tasks)
        ],
        batch_size=10000,
    )
    Task.skills.through.objects.bulk_create(
        [
            Task.skills.through(task_id=t.pk, skill_id=s)
            for t in created
            for s in rng.sample(skills, rng.randint(1, 3))
        ],
        batch_size=20000,
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return time.perf_counter() - clock


def round_child() -> None:
    """One round end to end, in its own process: prints its figures as JSON."""
    from relais.matching import services

    clock = time.perf_counter()
    done = services.round_run(notify=False)
    seconds = time.perf_counter() - clock
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {
                "seconds": round(seconds, 2),
                "peak_mb": round(peak_mb),
                "round": done.pk,
                "objective": done.objective,
                "certified": done.certified,
                "candidate_pairs": done.candidate_pairs,
                "iterations": done.iterations,
                "pairs_added_back": done.pairs_added_back,
                "suggestions": done.suggestions,
                "figures": done.figures,
            }
        )
    )


def solver_child(dense_limit: int) -> None:
    """The solver alone on the round's candidate pairs; the dense optimum where it fits."""
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    from relais.matching import engine
    from relais.matching.selectors import current_weights, load_instance
    from relais.matching.solver import solve

    instance = load_instance()
    weights = engine.Weights.of(current_weights())
    clock = time.perf_counter()
    result = engine.match(instance, weights)
    match_seconds = time.perf_counter() - clock
    out = {"engine_seconds": round(match_seconds, 2), "objective": result.objective}
    n_c, n_t = instance.n_consultants, instance.n_tasks
    if n_c * n_t <= dense_limit:
        cc, tt = np.meshgrid(np.arange(n_c), np.arange(n_t), indexing="ij")
        scores, _p, _f = engine.score(instance, weights, cc.ravel(), tt.ravel())
        del cc, tt
        positive = np.flatnonzero(scores > 0)
        clock = time.perf_counter()
        solve(n_c, n_t, positive // n_t, positive % n_t, scores[positive])
        out["solver_all_pairs_seconds"] = round(time.perf_counter() - clock, 2)
        out["all_pairs"] = len(positive)
        dense = np.maximum(scores.reshape(n_c, n_t), 0)
        clock = time.perf_counter()
        rows, cols = linear_sum_assignment(dense, maximize=True)
        out["dense_seconds"] = round(time.perf_counter() - clock, 2)
        out["dense_objective"] = int(dense[rows, cols].sum())
        out["equal"] = out["dense_objective"] == result.objective
    out["peak_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(out))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="2000x10000,20000x200000")
    parser.add_argument("--child", choices=["round", "solver"])
    parser.add_argument("--dense-limit", type=int, default=2000 * 10000)
    parser.add_argument(
        "--reuse", action="store_true", help="keep the data already inserted for this size"
    )
    parser.add_argument(
        "--stale",
        action="store_true",
        help="make every offered suggestion differ first (the round then replaces them all)",
    )
    args = parser.parse_args()
    setup_django()
    if args.child == "round":
        round_child()
        return
    if args.child == "solver":
        solver_child(args.dense_limit)
        return
    for size in args.sizes.split(","):
        consultants, tasks = (int(x) for x in size.split("x"))
        from relais.work.models import Task

        if args.reuse and Task.objects.count() == tasks:
            print(f"== {consultants} consultants x {tasks} ready tasks (data reused)")
        else:
            setup = populate(consultants, tasks)
            print(f"== {consultants} consultants x {tasks} ready tasks (bulk insert {setup:.1f} s)")
        if args.stale:
            from relais.matching.models import Suggestion, SuggestionStatus

            Suggestion.objects.filter(status=SuggestionStatus.OFFERED).update(score=-1)
        for child in ("round", "solver"):
            output = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--child",
                    child,
                    "--dense-limit",
                    str(args.dense_limit),
                ],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            print(child, output.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
