"""The text of a generated PDF, read back with pypdf: pages in order, whitespace collapsed."""

from __future__ import annotations

import io
import re

from pypdf import PdfReader


def pdf_text(pdf: bytes) -> str:
    """The text the PDF shows, pages in order, whitespace collapsed to single spaces."""
    reader = PdfReader(io.BytesIO(pdf))
    text = " ".join(page.extract_text() or "" for page in reader.pages)
    return re.sub(r"\s+", " ", text).strip()
