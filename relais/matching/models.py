"""Scores of consultant-task pairs, matching rounds and their suggestions."""

from __future__ import annotations
