"""The documentation stays inside the repository: every relative link of README.md and docs/*.md
leads to a file or folder of the repository."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

FENCED = re.compile(r"^```.*?^```", re.MULTILINE | re.DOTALL)
CODE = re.compile(r"`[^`\n]*`")
INLINE_LINK = re.compile(r"\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE_LINK = re.compile(r"^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s.*)?$", re.MULTILINE)
HTML_LINK = re.compile(r"""<(?:a|img)\s[^>]*(?:href|src)=["']([^"']+)["']""", re.IGNORECASE)
EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//|#)", re.IGNORECASE)


def documents() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


def links(text: str) -> list[str]:
    """The link targets of a Markdown text, leaving out code blocks and code spans."""
    text = CODE.sub("", FENCED.sub("", text))
    return [
        match.group(1)
        for pattern in (INLINE_LINK, REFERENCE_LINK, HTML_LINK)
        for match in pattern.finditer(text)
    ]


def broken_links(document: Path, text: str | None = None) -> list[str]:
    """The relative links of a document that lead outside the repository or to nothing."""
    if text is None:
        text = document.read_text(encoding="utf-8")
    broken = []
    for target in links(text):
        if EXTERNAL.match(target):
            continue
        path = target.split("#", 1)[0].split("?", 1)[0]
        resolved = (document.parent / path).resolve()
        if not resolved.is_relative_to(ROOT):
            broken.append(f"{document.name}: {target} leads outside the repository")
        elif not resolved.exists():
            broken.append(f"{document.name}: {target} does not exist")
    return broken


def test_the_readme_links_to_the_architecture_the_glossary_and_the_rules():
    readme_links = links((ROOT / "README.md").read_text(encoding="utf-8"))
    for name in ("architecture", "glossary", "rules"):
        assert f"docs/{name}.md" in readme_links


def test_every_relative_link_of_the_docs_leads_to_a_file_of_the_repository():
    broken = [problem for document in documents() for problem in broken_links(document)]
    assert broken == []


def test_a_link_outside_the_repository_or_to_a_missing_file_is_caught():
    text = (
        "See [the design](../../shared/DESIGN.md), [the rules](rules.md#recall), [gone](gone.md),\n"
        "[the site](https://relais.example.org/) and `[code](nowhere.md)`.\n"
    )
    assert broken_links(ROOT / "docs" / "example.md", text) == [
        "example.md: ../../shared/DESIGN.md leads outside the repository",
        "example.md: gone.md does not exist",
    ]
