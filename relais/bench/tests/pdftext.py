"""The text of a PDF made by WeasyPrint, read back without a PDF library (none is installed):
streams are inflated, each font's ToUnicode map is read, and the glyphs that the page content
shows (TJ / Tj) are mapped back to characters through the font in use (Tf)."""

from __future__ import annotations

import re
import zlib

_OBJECT = re.compile(rb"(\d+) 0 obj(.*?)endobj", re.S)
_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)
_HEX = re.compile(rb"<([0-9a-fA-F]*)>")


def _objects(pdf: bytes) -> dict[int, tuple[bytes, bytes]]:
    """Object number → (its dictionary, its inflated stream or b"")."""
    objects = {}
    for match in _OBJECT.finditer(pdf):
        body = match.group(2)
        stream = _STREAM.search(body)
        data = b""
        if stream:
            data = stream.group(1)
            if b"/FlateDecode" in body[: stream.start()]:
                data = zlib.decompress(data)
            body = body[: stream.start()]
        objects[int(match.group(1))] = (body, data)
    # Small objects travel packed in object streams: "number offset" pairs, then the objects.
    for body, data in list(objects.values()):
        if b"/Type /ObjStm" in body:
            first = int(re.search(rb"/First (\d+)", body).group(1))  # type: ignore[union-attr]
            header = [int(n) for n in data[:first].split()]
            numbers, offsets = header[::2], [*header[1::2], len(data) - first]
            for i, number in enumerate(numbers):
                objects[number] = (data[first + offsets[i] : first + offsets[i + 1]], b"")
    return objects


def _cmap(data: bytes) -> dict[int, str]:
    mapping: dict[int, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        pairs = _HEX.findall(block)
        for source, target in zip(pairs[::2], pairs[1::2], strict=True):
            mapping[int(source, 16)] = bytes.fromhex(target.decode()).decode("utf-16-be")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for low, high, target in re.findall(rb"<(\w+)>\s*<(\w+)>\s*<(\w+)>", block):
            first = int(target, 16)
            for offset, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                mapping[code] = chr(first + offset)
    return mapping


def pdf_text(pdf: bytes) -> str:
    """The text the PDF shows, pages in order, whitespace collapsed to single spaces."""
    objects = _objects(pdf)
    fonts: dict[bytes, dict[int, str]] = {}
    for body, _data in objects.values():
        for name, number in re.findall(rb"/(\S+?) (\d+) 0 R", body):
            target = objects.get(int(number))
            if target and b"/ToUnicode" in target[0]:
                cmap = int(re.search(rb"/ToUnicode (\d+) 0 R", target[0]).group(1))  # type: ignore[union-attr]
                fonts[name] = _cmap(objects[cmap][1])
    pages = [
        (number, body)
        for number, (body, _data) in sorted(objects.items())
        if re.search(rb"/Type\s*/Page\b", body)
    ]
    parts: list[str] = []
    for _number, body in pages:
        for content in re.findall(rb"/Contents (\d+) 0 R", body):
            current: dict[int, str] = {}
            stream = objects[int(content)][1]
            for token in re.finditer(
                rb"/(\S+) [\d.]+ Tf|\[(.*?)\]\s*TJ|<([0-9a-fA-F]*)>\s*Tj", stream, re.S
            ):
                if token.group(1):
                    current = fonts.get(token.group(1), {})
                    continue
                hexes = _HEX.findall(token.group(2) or b"") if token.group(2) else [token.group(3)]
                for chunk in hexes:
                    text = chunk.decode()
                    parts.append(
                        "".join(
                            current.get(int(text[i : i + 4], 16), "")
                            for i in range(0, len(text), 4)
                        )
                    )
                parts.append(" ")
    return re.sub(r"\s+", " ", "".join(parts)).strip()
