"""What templates may ask of the task workflow without comparing a status literal."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django import template

from relais.work import workflow

if TYPE_CHECKING:
    from relais.work.models import Task

register = template.Library()


@register.filter
def no_longer_blocks(task: Task) -> bool:
    """Whether a dependency is done and holds nothing back: `{% if dep|no_longer_blocks %}`."""
    return workflow.satisfies_dependency(task.status)
