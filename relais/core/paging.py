"""Every list a page shows is cut into pages: a page of rows read with LIMIT/OFFSET from an index
(the count too), and the query string of the other filters to keep in the page links."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Page, Paginator
from django.http import HttpRequest

# Rows per page of the lists that can grow with the data (a firm's bench periods, a roster...).
PER_PAGE = 50


def page_of(
    request: HttpRequest, rows: Any, *, per_page: int = PER_PAGE, name: str = "page"
) -> tuple[Page[Any], str]:
    """The page of `rows` the request asks for (`?page=N`; a bad or past-the-end number gives
    the nearest page, never an error) and the request's other query parameters, encoded, for
    the links of `core/pagination.html`."""
    page = Paginator(rows, per_page).get_page(request.GET.get(name))
    others = request.GET.copy()
    others.pop(name, None)
    return page, others.urlencode()
