"""The churn simulation: reproducible, sensitive to the lapse time, true to the services' rules,
and leaving nothing behind."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, ManagementUtility, call_command
from django.db.models import Sum
from django.utils import timezone

from relais.accounts.models import User
from relais.bench.models import Mission
from relais.bench.returns import is_working_day
from relais.conftest import restore_vocabularies
from relais.projects.models import Project
from relais.site.churn import ChurnConfig, simulate
from relais.work.models import Claim, Handover, TaskStatus, TimeEntry

SMALL = ["--weeks", "2", "--consultants", "3", "--tasks", "16", "--seed", "7"]


def _run(*args: str) -> str:
    out = StringIO()
    call_command("simulate_churn", *SMALL, *args, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module")
def runs(django_db_setup, django_db_blocker):
    """The same small run twice, and a comparison of two lapse times on one world (each run
    rolls itself back)."""
    with django_db_blocker.unblock():
        # The vocabularies the data migrations write (a live-server test may have flushed them).
        restore_vocabularies()
        once, twice = (_run("--lapse-hours", "24", "--json") for _ in range(2))
        return {
            "once": once,
            "twice": twice,
            "compared": _run("--compare-lapse", "24,168", "--json"),
        }


def test_the_same_seed_gives_the_same_report(runs):
    assert runs["once"] == runs["twice"]
    report = json.loads(runs["once"])
    assert report["logged_hours"] > 0
    assert report["claims"] > 0
    # A row of a comparison is the run with that lapse time alone.
    assert json.loads(runs["compared"])[0] == report


def test_a_shorter_lapse_time_lapses_more_claims(runs):
    short, long = json.loads(runs["compared"])
    assert [short["lapse_hours"], long["lapse_hours"]] == [24, 168]
    # Idle over a weekend is more than 24 hours: claims lapse; a week's grace keeps them.
    assert short["lapses"] > long["lapses"]
    assert short["handovers"].get("lapsed", 0) == short["lapses"]


def test_every_hour_logged_is_accounted_for(runs):
    for report in json.loads(runs["compared"]):
        parts = report["accepted_hours"] + report["lost_hours"] + report["in_flight_hours"]
        assert abs(parts - report["logged_hours"]) < 0.05
        assert report["accepted_hours"] <= report["logged_hours"]
        assert 0 <= report["accepted_share"] <= 1
        days = report["first_submission_days_median"]
        assert days is None or days >= 1


@pytest.mark.django_db
def test_a_run_leaves_nothing_behind(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # where the loan documents would be stored
    users, claims = User.objects.count(), Claim.objects.count()
    text = _run("--lapse-hours", "48")
    assert "lapse after 48 h" in text
    assert "accepted_share:" in text  # the definitions are printed with the figures
    assert (User.objects.count(), Claim.objects.count()) == (users, claims)
    assert not Project.objects.filter(title__startswith="Simulation de rotation").exists()
    assert not Mission.objects.exists()
    assert list(tmp_path.rglob("*")) == []


@pytest.mark.django_db
def test_the_simulated_work_obeys_the_services_rules(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    report = simulate(ChurnConfig(seed=11, weeks=2, consultants=3, tasks=16), keep=True)
    project = Project.objects.get(title="Simulation de rotation (graine 11)")
    entries = TimeEntry.objects.filter(claim__task__project=project).select_related(
        "claim__consultant"
    )
    assert entries.exists()
    missions = Mission.objects.filter(project=project)
    for entry in entries:
        # Every hour logged falls on a working day of a mission of its consultant, after they
        # took the task.
        assert is_working_day(entry.date)
        assert entry.date >= timezone.localtime(entry.claim.started_at).date()
        assert any(
            m.start is not None and m.start <= entry.date <= (m.end or m.planned_end or dt.date.max)
            for m in missions
            if m.consultant_id == entry.claim.consultant_id
        )
    logged = entries.aggregate(total=Sum("hours"))["total"]
    assert Decimal(str(report.logged_hours)) == logged
    done = entries.filter(claim__task__status=TaskStatus.DONE).aggregate(total=Sum("hours"))
    assert report.accepted_hours <= float(done["total"] or 0) + 0.01
    # Every claim that ended before its task was done left a handover.
    ended = Claim.objects.filter(task__project=project, ended_at__isnull=False).exclude(
        end_reason="done"
    )
    assert ended.count() == Handover.objects.filter(task__project=project).count()
    assert sum(report.handovers.values()) == ended.count()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "args",
    [
        ["--weeks", "-1"],
        ["--weeks", "0"],
        ["--consultants", "0"],
        ["--tasks", "many"],
        ["--seed", "1.5"],
        ["--lapse-hours", "soon"],
        ["--lapse-hours", "0"],
        ["--compare-lapse", "24,x"],
        ["--written-share", "2"],
        ["--start", "2026-13-01"],
        ["--lapse-hours", "24", "--compare-lapse", "24,48"],
        ["--keep", "--compare-lapse", "24,48"],
    ],
)
def test_a_bad_option_is_refused_in_one_line_with_status_2(args):
    users = User.objects.count()
    with pytest.raises(CommandError) as refused:
        call_command("simulate_churn", *args, stdout=StringIO())
    assert refused.value.returncode == 2
    assert "\n" not in str(refused.value)
    assert User.objects.count() == users


@pytest.mark.django_db
def test_the_command_line_exits_with_status_2_on_a_bad_option(capsys):
    with pytest.raises(SystemExit) as exited:
        ManagementUtility(["manage.py", "simulate_churn", "--consultants", "0"]).execute()
    assert exited.value.code == 2
    error = capsys.readouterr().err.strip()
    assert error.startswith("CommandError:")
    assert "--consultants" in error
    assert "\n" not in error


@pytest.mark.django_db
def test_keep_is_refused_on_a_database_with_people(bob):
    with pytest.raises(CommandError) as refused:
        call_command("simulate_churn", "--keep", *SMALL, stdout=StringIO())
    assert refused.value.returncode == 2
    assert not Project.objects.filter(title__startswith="Simulation de rotation").exists()
