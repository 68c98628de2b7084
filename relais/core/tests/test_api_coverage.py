"""Every operation of the API's OpenAPI document has direct tests: one of its success and one of
a refusal, in an app's `tests/test_api.py`; and every operation that needs a token refuses a
request without one. A new endpoint without its tests makes this file fail.

An operation counts as tested by a test function that calls it, `api.post(f"/api/v1/tasks/{…}")`
or `client.get("/api/v1/me", …)` (the path written as a literal right after the method, directly
or in a helper of the same module that the test calls), and asserts `status_code == 2xx` (or
`4xx`, or takes a 4xx status from its parametrisation)."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest

from relais.core.tests.api import Api

pytestmark = pytest.mark.django_db

RELAIS = Path(__file__).resolve().parents[2]
METHODS = ("get", "post", "patch", "put", "delete")
CALL = re.compile(r"\.(get|post|patch|put|delete)\(\s*f?[\"'](/api/v1/[^\"'?]*)")
ASSERTED = re.compile(r"status_code\s*==\s*([245]\d\d)\b")
PARAMETRISED = re.compile(r"\(\s*\"\w+\",\s*([4]\d\d)\s*\)")

# Operations a request without credentials may call (public reads): they answer as to anybody.
ANONYMOUS_ALLOWED = {"GET /api/v1/projects", "GET /api/v1/projects/{}"}


# What the API serves beside its operations: the document itself and the interactive docs.
SERVED_BESIDE = {"GET /api/v1/openapi.json", "GET /api/v1/docs"}


def _operation(method: str, path: str) -> str:
    return f"{method.upper()} {re.sub(r'{[^}]*}', '{}', path.rstrip('/') or '/')}"


@cache
def document() -> dict:
    """The OpenAPI document as the API builds it (the test below checks it is the one served)."""
    from relais.api import api

    return api.get_openapi_schema()


def operations() -> dict[str, dict]:
    return {
        _operation(method, path): operation
        for path, item in document()["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    }


def _test_files() -> list[Path]:
    return sorted(RELAIS.glob("*/tests/test_api.py"))


def _text(source: str, node: ast.FunctionDef) -> str:
    decorators = "".join(ast.get_source_segment(source, d) or "" for d in node.decorator_list)
    return decorators + (ast.get_source_segment(source, node) or "")


def _calls(source: str, node: ast.FunctionDef, functions: dict[str, ast.FunctionDef]) -> set[str]:
    """The operations a test calls, itself or through a helper of its module."""
    texts = [_text(source, node)]
    for name in {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}:
        if name in functions and not name.startswith("test_"):
            texts.append(_text(source, functions[name]))
    return {_operation(m, p) for text in texts for m, p in CALL.findall(text)}


def statuses_asserted_by_tests() -> dict[str, set[int]]:
    """For each operation the tests call, the statuses they assert on it."""
    found: dict[str, set[int]] = {}
    for path in _test_files():
        source = path.read_text()
        tree = ast.parse(source)
        functions = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}
        for name, node in functions.items():
            if not name.startswith("test_"):
                continue
            body = _text(source, node)
            statuses = {int(s) for s in ASSERTED.findall(body) + PARAMETRISED.findall(body)}
            for operation in _calls(source, node, functions):
                found.setdefault(operation, set()).update(statuses)
    return found


def test_the_document_is_read_and_the_tests_are_found(client):
    served = client.get("/api/v1/openapi.json")
    assert served.status_code == 200
    assert {path: sorted(item) for path, item in served.json()["paths"].items()} == {
        path: sorted(item) for path, item in document()["paths"].items()
    }
    assert len(operations()) >= 29
    assert len(_test_files()) >= 4
    assert "POST /api/v1/tasks/{}/claim" in statuses_asserted_by_tests()


def test_every_operation_has_a_direct_test_of_its_success_and_of_a_refusal():
    tested = statuses_asserted_by_tests()
    untested = sorted(set(operations()) - set(tested))
    assert untested == [], "add tests of these operations to the app's tests/test_api.py"
    no_success = sorted(op for op in operations() if not any(200 <= s < 300 for s in tested[op]))
    no_refusal = sorted(op for op in operations() if not any(400 <= s < 500 for s in tested[op]))
    assert no_success == [], "test what these operations do when they succeed"
    assert no_refusal == [], "test what these operations refuse"


def test_the_tests_name_no_operation_the_document_does_not_have():
    stale = sorted(set(statuses_asserted_by_tests()) - set(operations()) - SERVED_BESIDE)
    assert stale == []


@pytest.mark.parametrize("operation", sorted(operations()))
def test_without_a_token_an_operation_that_needs_one_answers_401(client, operation):
    method, path = operation.split(" ")
    url = path.replace("{}", "1")
    response = getattr(Api(client), method.lower())(
        url, **({} if method == "GET" else {"body": {}})
    )
    if operation in ANONYMOUS_ALLOWED:
        assert response.status_code in {200, 404}
        assert response.status_code != 401
    else:
        assert "security" in operations()[operation]
        assert response.status_code == 401
        assert response.json()["error"]["code"] == "unauthenticated"


def test_no_two_api_schemas_share_a_name():
    """The OpenAPI document names each schema by its class: two apps' `MembershipOut` would make
    one endpoint document the other's answer (and clients fail on it)."""
    import importlib
    import inspect

    from ninja import Schema

    seen: dict[str, str] = {}
    clashes = []
    for path in sorted(RELAIS.glob("*/api.py")):
        module = importlib.import_module(f"relais.{path.parent.name}.api")
        for name, value in vars(module).items():
            if (
                inspect.isclass(value)
                and issubclass(value, Schema)
                and value.__module__ == module.__name__
            ):
                if name in seen:
                    clashes.append(f"{name}: {seen[name]} and {module.__name__}")
                seen[name] = module.__name__
    assert len(seen) > 20
    assert clashes == []
