"""One Markdown policy for long texts: titles render as headings under the page's own title, and
scripts never pass."""

from __future__ import annotations

from relais.core.markdown import render


def test_a_hash_title_becomes_a_heading_below_the_pages_title():
    html = render("# Titre\n\n## Sous-titre\n\nDu texte.")
    assert "<h2>Titre</h2>" in html
    assert "<h3>Sous-titre</h3>" in html
    assert "<h1" not in html


def test_scripts_and_event_handlers_are_still_removed():
    html = render('# <script>alert(1)</script>\n\n<img src=x onerror="alert(2)">')
    assert "<script" not in html
    assert "onerror" not in html
