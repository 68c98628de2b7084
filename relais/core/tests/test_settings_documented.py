from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from relais import env

ROOT = Path(__file__).resolve().parents[3]


def documented_settings() -> set[str]:
    readme = (ROOT / "README.md").read_text()
    return set(re.findall(r"^\| `([A-Z][A-Z0-9_]+)` \|", readme, flags=re.MULTILINE))


def test_every_setting_read_by_the_code_is_in_the_readme_table():
    import relais.settings  # noqa: F401  (reading the settings records the names)

    makefile = set(re.findall(r"^(RELAIS_[A-Z_]+) \?=", (ROOT / "Makefile").read_text(), re.M))
    missing = (env.READ | makefile) - documented_settings()
    assert missing == set()


def test_the_readme_documents_no_setting_that_does_not_exist():
    import relais.settings  # noqa: F401

    makefile = set(re.findall(r"^(RELAIS_[A-Z_]+) \?=", (ROOT / "Makefile").read_text(), re.M))
    assert documented_settings() - env.READ - makefile == set()


def test_settings_are_read_only_through_the_env_helpers():
    offenders = [
        str(path.relative_to(ROOT))
        for path in (ROOT / "relais").rglob("*.py")
        if path.name != "env.py"
        and "tests" not in path.parts
        and re.search(r"os\.environ\.get|os\.getenv|os\.environ\[", path.read_text())
    ]
    assert offenders == []


@pytest.mark.parametrize(
    ("reader", "value"),
    [
        (lambda: env.env_bool("RELAIS_T", False), "maybe"),
        (lambda: env.env_int("RELAIS_T", 1), "ten"),
    ],
)
def test_a_bad_value_stops_the_start_with_a_clear_error(monkeypatch, reader, value):
    monkeypatch.setenv("RELAIS_T", value)
    with pytest.raises(ImproperlyConfigured, match="RELAIS_T"):
        reader()
    env.READ.discard("RELAIS_T")
