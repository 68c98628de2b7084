"""Version counters kept in the cache: what is cached under a name's version is stale as soon as
the version is bumped (a change to what it shows), without finding and deleting each entry."""

from __future__ import annotations

from django.core.cache import cache


def version(key: str) -> int:
    """The current version of `key` (1 until first bumped)."""
    found = cache.get(key)
    if found is None:
        cache.add(key, 1, None)
        found = cache.get(key) or 1
    return int(found)


def bump(key: str) -> None:
    """Everything cached under the current version of `key` is stale."""
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 2, None)
