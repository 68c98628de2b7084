"""Calling the API in tests as a person (with a fresh personal token) or as nobody.

    api = Api(client, alice)
    response = api.post(f"/api/v1/tasks/{task.pk}/claim", {"comment": "…"})

`test_api_coverage` reads the tests' source for these calls: write the path as a literal
(an f-string is fine) right after the method, so that the endpoint counts as tested.
"""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from relais.accounts.models import User
from relais.accounts.services import api_token_create


class Api:
    """A client of the API authenticated by a token of `user` (or by nothing at all)."""

    def __init__(self, client: Client, user: User | None = None) -> None:
        self.client = client
        self.headers: dict[str, str] = {"Accept-Language": "en"}
        if user is not None:
            raw = api_token_create(user=user, name="tests").raw
            self.headers["Authorization"] = f"Bearer {raw}"

    def get(self, path: str, **query: Any) -> Any:
        return self.client.get(path, query, headers=self.headers)

    def _send(self, method: str, path: str, body: Any) -> Any:
        data = "" if body is None else json.dumps(body)
        return getattr(self.client, method)(
            path, data, content_type="application/json", headers=self.headers
        )

    def post(self, path: str, body: Any = None) -> Any:
        return self._send("post", path, body)

    def patch(self, path: str, body: Any = None) -> Any:
        return self._send("patch", path, body)

    def put(self, path: str, body: Any = None) -> Any:
        return self._send("put", path, body)

    def delete(self, path: str, body: Any = None) -> Any:
        return self._send("delete", path, body)


def error_code(response: Any) -> str:
    """The `code` of an answer in the API's error format."""
    return response.json()["error"]["code"]
