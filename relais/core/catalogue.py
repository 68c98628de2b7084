"""The French catalogue without GNU gettext: extract, merge and compile with the standard library
and polib, so that a fresh clone needs nothing but python3.

Extraction sees what `makemessages` sees: templates go through Django's own `templatize`, and
Python sources are read with `ast` for calls to the gettext family.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import polib
from django.conf import settings
from django.utils.translation.template import templatize

PACKAGE = Path(__file__).resolve().parent.parent
CATALOGUE = PACKAGE / "locale" / "fr" / "LC_MESSAGES" / "django.po"

# name → (index of msgctxt or None, index of msgid, index of msgid_plural or None)
_CALLS: dict[str, tuple[int | None, int, int | None]] = {
    "_": (None, 0, None),
    "gettext": (None, 0, None),
    "gettext_lazy": (None, 0, None),
    "gettext_noop": (None, 0, None),
    "ngettext": (None, 0, 1),
    "ngettext_lazy": (None, 0, 1),
    "pgettext": (0, 1, None),
    "pgettext_lazy": (0, 1, None),
    "npgettext": (0, 1, 2),
    "npgettext_lazy": (0, 1, 2),
}


@dataclass(frozen=True, order=True)
class Message:
    msgid: str
    context: str = ""
    plural: str = ""
    source: str = ""


def _literal(call: ast.Call, index: int | None) -> str:
    if index is None or index >= len(call.args):
        return ""
    arg = call.args[index]
    return arg.value if isinstance(arg, ast.Constant) and isinstance(arg.value, str) else ""


def _strings_in(source: str, origin: str) -> list[Message]:
    found: list[Message] = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
        if name not in _CALLS:
            continue
        ctx_i, id_i, plural_i = _CALLS[name]
        msgid = _literal(node, id_i)
        if msgid:
            found.append(
                Message(
                    msgid,
                    _literal(node, ctx_i),
                    _literal(node, plural_i),
                    f"{origin}:{node.lineno}",
                )
            )
    return found


# What `templatize` leaves of a template: gettext-family calls with string literals amid filler.
_LITERAL = r"""u?(?:'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")"""
_TEMPLATE_CALL = re.compile(rf"\b(n?p?gettext)\(((?:\s*{_LITERAL}\s*,?)+)")


def _template_strings(text: str, origin: str) -> list[Message]:
    found = []
    output = templatize(text, origin=origin)
    for match in _TEMPLATE_CALL.finditer(output):
        args = ast.literal_eval("(" + match.group(2).rstrip().rstrip(",") + ",)")
        ctx_i, id_i, plural_i = _CALLS[match.group(1)]
        line = output.count("\n", 0, match.start()) + 1

        def pick(index: int | None, values: tuple[str, ...] = args) -> str:
            return values[index] if index is not None and index < len(values) else ""

        found.append(Message(pick(id_i), pick(ctx_i), pick(plural_i), f"{origin}:{line}"))
    return found


def source_files() -> list[Path]:
    files = [
        path
        for path in sorted(PACKAGE.rglob("*"))
        if path.suffix in {".py", ".html", ".txt"}
        and "migrations" not in path.parts
        and "tests" not in path.parts
        and "static" not in path.parts
        and path.name != "settings_test.py"
    ]
    return [f for f in files if f.suffix == ".py" or "templates" in f.parts]


def extract() -> list[Message]:
    """Every translatable string of the relais package (templates and Python)."""
    messages: dict[tuple[str, str], Message] = {}
    for path in source_files():
        origin = str(path.relative_to(PACKAGE.parent))
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".py":
            found = _strings_in(text, origin)
        else:
            found = _template_strings(text, origin)
        for message in found:
            messages.setdefault((message.context, message.msgid), message)
    return sorted(messages.values())


def merge() -> tuple[int, int]:
    """Adds new strings to the French .po (empty translations) and marks vanished ones obsolete."""
    catalogue = polib.pofile(str(CATALOGUE)) if CATALOGUE.exists() else polib.POFile()
    catalogue.metadata = catalogue.metadata or {
        "Project-Id-Version": "relais",
        "Language": "fr",
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "Plural-Forms": "nplurals=2; plural=(n > 1);",
    }
    existing = {(e.msgctxt or "", e.msgid): e for e in catalogue}
    wanted = extract()
    added = 0
    for message in wanted:
        entry = existing.get((message.context, message.msgid))
        if entry is None:
            entry = polib.POEntry(msgid=message.msgid, msgstr="", msgctxt=message.context or None)
            if message.plural:
                entry.msgid_plural = message.plural
                entry.msgstr_plural = {0: "", 1: ""}
                entry.msgstr = ""
            catalogue.append(entry)
            added += 1
        entry.obsolete = False
        entry.occurrences = [(message.source.rsplit(":", 1)[0], message.source.rsplit(":", 1)[1])]
    keys = {(m.context, m.msgid) for m in wanted}
    obsolete = 0
    for entry in catalogue:
        if (entry.msgctxt or "", entry.msgid) not in keys and not entry.obsolete:
            entry.obsolete = True
            obsolete += 1
    catalogue.sort(key=lambda e: (e.obsolete, e.occurrences[:1], e.msgid))
    CATALOGUE.parent.mkdir(parents=True, exist_ok=True)
    catalogue.save(str(CATALOGUE))
    return added, obsolete


def missing_translations() -> list[Message]:
    """Strings of the code that the French catalogue does not translate (or marks fuzzy)."""
    catalogue = polib.pofile(str(CATALOGUE)) if CATALOGUE.exists() else polib.POFile()
    translated = {
        (e.msgctxt or "", e.msgid)
        for e in catalogue.translated_entries()
        if not e.obsolete and "fuzzy" not in e.flags
    }
    return [m for m in extract() if (m.context, m.msgid) not in translated]


def compile_all() -> list[Path]:
    """Compiles every .po under the locale paths to its .mo."""
    written = []
    for locale_dir in settings.LOCALE_PATHS:
        for po_path in Path(locale_dir).rglob("*.po"):
            mo_path = po_path.with_suffix(".mo")
            polib.pofile(str(po_path)).save_as_mofile(str(mo_path))
            written.append(mo_path)
    return written
