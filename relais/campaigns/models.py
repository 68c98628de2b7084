"""Calls for projects, approval ballots and their tally."""

from __future__ import annotations
