"""The demo data is past history: loading it at the first start tells nobody anything."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from relais.bench.models import BenchPeriod, Mission, Recall

pytestmark = pytest.mark.django_db


def test_loading_the_demo_sends_no_email_and_queues_no_job(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", verbosity=0)
    # The demo went through the services that tell people (missions, recalls, bench periods)...
    assert Mission.objects.exists()
    assert Recall.objects.exists()
    assert BenchPeriod.objects.exists()
    # ...and nobody heard of it: no email sent, no email job left for the worker.
    assert [message.subject for message in mail.outbox] == []
    assert not DBTaskResult.objects.exclude(task_path__endswith="periodic_run").exists()


def test_the_workers_first_run_finds_nothing_due_in_the_demo(django_capture_on_commit_callbacks):
    from relais.site.periodic import PERIODIC_JOBS

    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", verbosity=0)
    # The history's due steps were taken while loading: nothing ends or applies at first start,
    # so nobody is told of an old mission's end.
    with django_capture_on_commit_callbacks(execute=True):
        assert PERIODIC_JOBS["missions_end_due"]() == 0
        assert PERIODIC_JOBS["recalls_apply_due"]() == 0
    assert mail.outbox == []
