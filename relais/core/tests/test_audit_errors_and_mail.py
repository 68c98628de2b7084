"""Issue 9 (audit): two rules the house relies on, checked over every app rather than a fixed
list, so that the apps added since the issue (funding, billing, campaigns, matching, impact) and
those to come are held to them.

- One error base: every exception class Relais defines is a `core.errors.ServiceError` (mapped
  once to 403/409/422), except the few that never leave their module's caller (listed below with
  the place that catches them) and private ones (`_Name`), control flow within their module.
- Language per person: every email Relais sends is rendered by `core.mail.render_email` in the
  function that sends it, with a language taken from its recipients, never a fixed one."""

from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path

import pytest

from relais.core.errors import ServiceError

RELAIS = Path(__file__).resolve().parents[2]
LEFT_OUT = {"tests", "migrations", "templates", "static", "locale", "__pycache__"}

# Exceptions that are not service refusals, and who handles them.
NOT_SERVICE_ERRORS = {
    # Read errors of an uploaded roster: caught by bench.views.roster, shown on the form (400).
    "relais.bench.roster.RosterFileError",
    # Factur-X building: caught in billing.services (invoice issuing) beside ServiceError.
    "relais.billing.einvoice.FacturXError",
    # A Pabulib file that does not parse: caught by `manage.py tally`.
    "relais.campaigns.tally.PabulibError",
    # `manage.py seed_scale` refusing to run (a command, no request).
    "relais.site.scale.ScaleError",
}


def modules() -> list[tuple[str, Path]]:
    found = []
    for path in sorted(RELAIS.rglob("*.py")):
        parts = path.relative_to(RELAIS).parts
        if len(parts) < 2 or LEFT_OUT.intersection(parts[:-1]):
            continue
        name = ".".join(("relais", *parts)).removesuffix(".py").removesuffix(".__init__")
        found.append((name, path))
    return found


def _exception_classes() -> list[str]:
    """The dotted names of the exception classes defined in Relais's code (tests left out)."""
    found = []
    for name, path in modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if not any(isinstance(node, ast.ClassDef) for node in tree.body):
            continue
        module = importlib.import_module(name)
        for attribute, value in vars(module).items():
            if attribute.startswith("_"):
                continue  # private control flow, caught in its own module
            if (
                inspect.isclass(value)
                and issubclass(value, BaseException)
                and value.__module__ == name
            ):
                found.append(f"{name}.{attribute}")
    return sorted(found)


def test_the_walk_finds_the_errors_of_the_apps():
    found = _exception_classes()
    assert "relais.bench.services.BenchError" in found
    assert "relais.funding.ledger.PoolTooLow" in found
    assert set(NOT_SERVICE_ERRORS) <= set(found), "update NOT_SERVICE_ERRORS"


def test_every_error_relais_defines_is_a_service_error_or_named_as_handled():
    wrong = []
    for dotted in _exception_classes():
        module, _dot, attribute = dotted.rpartition(".")
        error = getattr(importlib.import_module(module), attribute)
        if not issubclass(error, ServiceError) and dotted not in NOT_SERVICE_ERRORS:
            wrong.append(dotted)
    assert not wrong, "Derive these from core.errors.ServiceError (or say who catches them): " + (
        ", ".join(wrong)
    )


SENDERS = {"send_mail", "send_mass_mail"}


def _called_names(node: ast.AST) -> set[str]:
    return {
        call.func.id
        for call in ast.walk(node)
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Name)
    }


def _senders() -> list[tuple[str, ast.FunctionDef, Path]]:
    """Each function of Relais that calls Django's send_mail or send_mass_mail."""
    found = []
    for name, path in modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and SENDERS & _called_names(node):
                found.append((name, node, path))
    return found


def test_the_walk_finds_the_mail_senders_of_every_app():
    apps = {name.split(".")[1] for name, _node, _path in _senders()}
    assert {"accounts", "bench", "work", "projects", "funding", "billing", "impact"} <= apps


def test_every_email_is_rendered_by_render_email_where_it_is_sent():
    wrong = [
        f"{path.relative_to(RELAIS.parent)}:{node.lineno} {node.name}"
        for _name, node, path in _senders()
        if "render_email" not in _called_names(node)
    ]
    assert not wrong, "Render these emails with core.mail.render_email:\n" + "\n".join(wrong)


@pytest.mark.parametrize("fixed", ['"fr"', '"en"', "'fr'", "'en'"])
def test_no_email_is_rendered_in_a_fixed_language(fixed):
    wrong = []
    for _name, path in modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for call in ast.walk(tree):
            if not (
                isinstance(call, ast.Call)
                and isinstance(call.func, ast.Name)
                and call.func.id == "render_email"
            ):
                continue
            language = next((k.value for k in call.keywords if k.arg == "language"), None)
            if language is None:
                wrong.append(f"{path.relative_to(RELAIS.parent)}:{call.lineno} (no language)")
            elif ast.unparse(language) == fixed:
                wrong.append(f"{path.relative_to(RELAIS.parent)}:{call.lineno} ({fixed})")
    assert not wrong, "Render each email in its recipient's language:\n" + "\n".join(wrong)
