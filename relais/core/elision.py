"""French elision of "de" before a name that starts with a vowel: "Date de rappel d’Emmanuel",
"les consultant·es d’Octave Conseil".

A French sentence is translated with "de %(name)s" before the name is known; the name is put in
when the page or email is made. So the elision is made there, once, for every sentence: on the
text of a French page (never inside tags, attribute values, form fields, scripts or code) and on
French emails. Only "de" before a capitalised word (a name) is elided: "de" before a common noun
is the translator's to write, and so is a capitalised "De" (a surname such as "De Angelis"). An
"H" is left alone (aspirated or not, it depends on the name), and a "Y" elides only before a
consonant ("d’Yves", "de Yann")."""

from __future__ import annotations

import re

_BEFORE_NAME = re.compile(r"\b(d)e ((?:[AEIOUÀÂÄÉÈÊËÎÏÔÖÙÛÜ]|Y(?![aeiouy]))\w*)")
# Text where nothing is changed: what the person typed or the code shows, as it is.
_VERBATIM = re.compile(
    r"(<(textarea|pre|code|script|style)\b.*?</\2\s*>|<[^>]*>)", re.DOTALL | re.IGNORECASE
)


def elide(text: str) -> str:
    """Plain French text with "de" elided before the names that need it."""
    return _BEFORE_NAME.sub(r"\1’\2", text)


def elide_html(html: str) -> str:
    """The same on the text of an HTML page: tags, attribute values, form fields, scripts and
    code blocks are left as they are."""
    parts = _VERBATIM.split(html)
    # split() with two groups gives: text, whole match, inner group, text, whole match, ...
    out: list[str] = []
    for index, part in enumerate(parts):
        kind = index % 3
        if kind == 0:
            out.append(elide(part))
        elif kind == 1:
            out.append(part)
    return "".join(out)
