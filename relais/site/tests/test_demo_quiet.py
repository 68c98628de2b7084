"""The demo data is past history: loading it at the first start tells nobody anything."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_loading_the_demo_sends_no_lapse_nor_recall_email(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", verbosity=0)
    subjects = [message.subject for message in mail.outbox]
    assert not [s for s in subjects if "back in the backlog" in s or "retour" in s.lower()]
    assert not [s for s in subjects if "recalled" in s or "rappelé" in s.lower()]
