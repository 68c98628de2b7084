"""Issue 9, "form rendering" (audit): help text and errors are linked to their input everywhere.
Every form renders through `as_field_group`, the diagnosis questionnaire (a nonprofit's first
form, public) included: each unanswered question is described by its error."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from relais.core.tests.test_forms_rendering import _Page

pytestmark = pytest.mark.django_db


def test_each_unanswered_question_of_the_diagnosis_is_described_by_its_error(client):
    response = client.post(reverse("projects:diagnosis"), {"status": "nonsense"})

    assert response.status_code in {200, 400}
    html = response.content.decode()
    page = _Page(html)
    form = response.context["form"]
    assert form.errors
    for name in form.errors:
        field = form[name]
        error_id = f"{field.auto_id}_error"
        assert error_id in page.by_id, (name, "its error has no id")
        # The fieldset of a question (radios), or the input itself, names the error.
        described = re.findall(r'aria-describedby="([^"]*)"', html)
        assert any(error_id in names.split() for names in described), (
            name,
            "nothing is described by its error",
        )
