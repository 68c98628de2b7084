"""Reads of projects that are more than one query."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Q, QuerySet

from relais.projects.models import Project, ProjectStatus

if TYPE_CHECKING:
    from relais.accounts.models import User


# The versions of the public project pages cached for anonymous visitors (core.public_cache):
# every list and page showing projects, and one project's page (its progress counts its tasks).
PUBLIC_PROJECTS = "projects"


def public_project(project_pk: int) -> str:
    return f"project:{project_pk}"


def with_listing_relations(queryset: QuerySet[Project]) -> QuerySet[Project]:
    """What a project card shows, fetched in a fixed number of queries."""
    return queryset.select_related("nonprofit", "field_lead").prefetch_related(
        "causes", "skills", "languages"
    )


def search(queryset: QuerySet[Project], text: str) -> QuerySet[Project]:
    """Full-text search on title and summary: ranked French full text on PostgreSQL, every word
    found in the title or summary on SQLite."""
    text = text.strip()
    if not text:
        return queryset
    if connection.vendor == "postgresql":
        vector = SearchVector("title", weight="A", config="french") + SearchVector(
            "summary", weight="B", config="french"
        )
        query = SearchQuery(text, config="french", search_type="websearch")
        # `vector @@ query` is answered by the GIN index of migration 0003 (same expression);
        # only the projects found are ranked.
        return (
            queryset.annotate(search=vector)
            .filter(search=query)
            .annotate(rank=SearchRank(vector, query))
            .order_by("-rank", "-created_at", "-id")
        )
    for word in text.split():
        queryset = queryset.filter(Q(title__icontains=word) | Q(summary__icontains=word))
    return queryset


def filter_projects(queryset: QuerySet[Project], filters: dict[str, Any]) -> QuerySet[Project]:
    """Filters by vocabulary codes (slugs) and status, then searches the text."""
    if filters.get("cause"):
        queryset = queryset.filter(causes__slug=filters["cause"])
    if filters.get("skill"):
        queryset = queryset.filter(skills__slug=filters["skill"])
    if filters.get("language"):
        queryset = queryset.filter(languages__slug=filters["language"])
    if filters.get("status"):
        queryset = queryset.filter(status=filters["status"])
    return search(queryset, filters.get("q") or "")


def review_queue() -> QuerySet[Project]:
    """Proposals waiting for staff, oldest first."""
    return (
        Project.objects.filter(status=ProjectStatus.SUBMITTED)
        .select_related("nonprofit")
        .order_by("updated_at", "id")
    )


def workspace_projects(user: User, organisation_ids: list[int]) -> QuerySet[Project]:
    """The projects a dashboard lists: its nonprofits' ones and those the user leads."""
    return (
        Project.objects.filter(Q(nonprofit_id__in=organisation_ids) | Q(field_lead=user))
        .select_related("nonprofit")
        .order_by("-updated_at", "-id")
        .distinct()
    )
