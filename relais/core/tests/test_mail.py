"""Emails are plain text (never HTML-escaped) and every link in them points at the address the
site is served on."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

from relais.core.mail import absolute_url, render_email

ROOT = Path(__file__).resolve().parents[3]


def test_an_apostrophe_in_a_subject_and_body_stays_an_apostrophe(tmp_path, settings):
    (tmp_path / "subject.txt").write_text("Le prêt d'outils de {{ name }}\n")
    (tmp_path / "body.txt").write_text("Bonjour {{ name }} & <équipe>, c'est prêt.")
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [str(tmp_path)]}]
    subject, body = render_email("subject.txt", "body.txt", {"name": "L'Atelier"}, language="fr")
    assert subject == "Le prêt d'outils de L'Atelier"
    assert body == "Bonjour L'Atelier & <équipe>, c'est prêt."


def test_a_project_email_subject_keeps_the_apostrophe_of_its_title():
    project = SimpleNamespace(title="Prêt d'outils")
    event = SimpleNamespace(get_to_status_display="proposed")
    subject, _ = render_email(
        "projects/email/event_subject.txt",
        "projects/email/event_subject.txt",
        {"project": project, "event": event},
        language="en",
    )
    assert "Prêt d'outils" in subject
    assert "&#x27;" not in subject


def site_url_with(**environment: str) -> str:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "DJANGO_SETTINGS_MODULE": "relais.settings",
        "RELAIS_DEBUG": "1",
        **environment,
    }
    probe = (
        "import django; django.setup(); from django.conf import settings; print(settings.SITE_URL)"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


def test_email_links_follow_the_address_the_server_runs_on():
    assert site_url_with(RELAIS_ADDR="127.0.0.1:8101") == "http://127.0.0.1:8101"
    assert site_url_with(RELAIS_ADDR="8102") == "http://127.0.0.1:8102"
    assert site_url_with() == "http://127.0.0.1:8000"


def test_an_explicit_site_url_wins_over_the_address():
    assert (
        site_url_with(RELAIS_ADDR="127.0.0.1:8101", RELAIS_SITE_URL="https://relais.example/")
        == "https://relais.example"
    )


def test_every_email_link_is_built_from_the_site_url(settings):
    settings.SITE_URL = "http://127.0.0.1:8101"
    assert absolute_url("/projects/1/") == "http://127.0.0.1:8101/projects/1/"
