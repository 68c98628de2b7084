from __future__ import annotations

import pytest

from relais.projects.tests.factories import ProjectFactory


@pytest.fixture
def draft(les_amis, nadia, fabien):
    """A draft of Les Amis, piloted by Fabien."""
    return ProjectFactory(
        nonprofit=les_amis, created_by=nadia, field_lead=fabien, title="Carte des jardins"
    )


@pytest.fixture
def mailbox(django_capture_on_commit_callbacks):
    """Runs the on-commit notifications of a block, as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
