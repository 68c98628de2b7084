"""Markdown written by users, rendered to HTML and sanitised with an allow-list (nh3): scripts,
event handlers and javascript: links never reach the page."""

from __future__ import annotations

import re

import markdown as md
import nh3
from django.utils.safestring import SafeString, mark_safe

_ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "dl", "dt", "em", "h2", "h3",
    "h4", "h5", "h6", "hr", "i", "li", "ol", "p", "pre", "strong", "sub", "sup", "table",
    "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
_ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "abbr": {"title"}, "th": {"scope"}}


# The page has its own title (h1): a `# Title` written by a user becomes an h2, and each level
# below moves down by one (h6 stays h6).
_HEADING = re.compile(r"<(/?)h([1-6])\b")


def _demote_headings(html: str) -> str:
    return _HEADING.sub(lambda m: f"<{m.group(1)}h{min(int(m.group(2)) + 1, 6)}", html)


def render(text: str) -> SafeString:
    """The one Markdown policy for every long text: Markdown with headings, lists, tables and
    code, sanitised with an allow-list."""
    html = md.markdown(text or "", extensions=["extra", "sane_lists"], output_format="html")
    html = _demote_headings(html)
    clean = nh3.clean(
        html,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(clean)
