"""Bounds every stored value shares: the longest texts, the plausible dates, the images that are
what they claim to be and not a decompression bomb."""

from __future__ import annotations

import datetime as dt
import warnings
from dataclasses import dataclass
from typing import IO, Annotated, Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.formats import number_format
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _
from PIL import Image
from pydantic import AfterValidator

from relais.core.errors import Invalid

# Longest texts, in characters: a note or a comment, a brief or a description, a knowledge page.
NOTE_MAX = 2_000
PROSE_MAX = 10_000
PAGE_MAX = 50_000


def file_size(size: int) -> str:
    """A file size in the reader's language with the units people read in France: "5 Mo", "120 ko"
    (Django's own filter says "Mio", which few people recognise)."""
    if size < 1024:
        return pgettext("file size", "%(size)s bytes") % {"size": size}
    units = (gettext("%(size)s KB"), gettext("%(size)s MB"), gettext("%(size)s GB"))
    value, index = size / 1024, 0
    while value >= 1024 and index < len(units) - 1:
        value, index = value / 1024, index + 1
    unit = units[index]
    value = round(value) if value >= 10 else round(value, 1)
    decimals = 0 if value == int(value) else 1
    return unit % {"size": number_format(value, decimals)}


# Pillow refuses to decode more pixels than this; an image of 11 KB may claim 100 megapixels.
IMAGE_MAX_PIXELS = 40_000_000

_IMAGE_TYPES = {
    "PNG": ("png", "image/png"),
    "JPEG": ("jpg", "image/jpeg"),
    "GIF": ("gif", "image/gif"),
    "WEBP": ("webp", "image/webp"),
}


@deconstructible
class PlausibleDate:
    """Refuses dates far from today: year 1 or 9999 are typing errors, not plans.

    `past_years` and `future_years` count from today's year."""

    def __init__(self, past_years: int = 30, future_years: int = 10) -> None:
        self.past_years = past_years
        self.future_years = future_years

    def __call__(self, value: dt.date | None) -> None:
        if value is None:
            return
        this_year = timezone.localdate().year
        first, last = this_year - self.past_years, this_year + self.future_years
        if not first <= value.year <= last:
            raise ValidationError(
                _("Enter a date between the years %(first)s and %(last)s."),
                code="implausible_date",
                params={"first": first, "last": last},
            )

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, PlausibleDate)
            and other.past_years == self.past_years
            and other.future_years == self.future_years
        )

    def __hash__(self) -> int:
        return hash((self.past_years, self.future_years))


plausible_date = PlausibleDate()
# A day that has happened (a notice given, a body informed): the same past, no years to come;
# whether the day itself is past is the caller's rule, with its own message.
plausible_past_date = PlausibleDate(future_years=0)


def check_plausible_date(
    value: dt.date | None, field: str = "date", validator: PlausibleDate = plausible_date
) -> None:
    """The same rule for services and API schemas: the error names the field."""
    try:
        validator(value)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from None


def refuse_implausible_dates(**dates: dt.date | None) -> None:
    """The rule for services whose refusals are domain errors: one `Invalid` naming each field
    whose date is implausible (year 1, 9999)."""
    fields: dict[str, list[str]] = {}
    for field, value in dates.items():
        try:
            plausible_date(value)
        except ValidationError as error:
            fields[field] = list(error.messages)
    if fields:
        first = next(iter(fields.values()))[0]
        raise Invalid(first, fields=fields)


@dataclass(frozen=True)
class DetectedImage:
    extension: str
    content_type: str
    width: int
    height: int


def detect_image(file: IO[bytes] | Any) -> DetectedImage:
    """Reads what an upload really is from its bytes, whatever its name says; refuses what is
    not a PNG, JPEG, GIF or WebP image, and images of more than IMAGE_MAX_PIXELS pixels."""
    position = file.tell() if hasattr(file, "tell") else 0
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(file) as image:
                kind = image.format or ""
                width, height = image.size
                if width * height > IMAGE_MAX_PIXELS:
                    raise Image.DecompressionBombError
                image.verify()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(
            _("This image is too large in pixels: at most %(megapixels)s megapixels."),
            code="too_many_pixels",
            params={"megapixels": IMAGE_MAX_PIXELS // 1_000_000},
        ) from None
    except (OSError, SyntaxError, ValueError):
        raise ValidationError(
            _("This file is not an image, or it is damaged: upload a PNG, JPEG, GIF or WebP."),
            code="not_an_image",
        ) from None
    finally:
        if hasattr(file, "seek"):
            file.seek(position)
    if kind not in _IMAGE_TYPES:
        raise ValidationError(
            _("This file is not an image, or it is damaged: upload a PNG, JPEG, GIF or WebP."),
            code="not_an_image",
        )
    extension, content_type = _IMAGE_TYPES[kind]
    return DetectedImage(extension, content_type, width, height)


def image_content_type(file: IO[bytes] | Any) -> str | None:
    """The media type of an image read from its first bytes, or None when it is not one we
    serve; the header only, so that serving stays cheap."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(file) as image:
                kind = image.format or ""
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return None
    finally:
        if hasattr(file, "seek"):
            file.seek(0)
    return _IMAGE_TYPES[kind][1] if kind in _IMAGE_TYPES else None


def _plausible_for_api(value: dt.date) -> dt.date:
    try:
        plausible_date(value)
    except ValidationError as error:
        raise ValueError(" ".join(error.messages)) from None
    return value


# A date of an API schema, with the same bounds as the forms' (a 422 names the field).
ApiDate = Annotated[dt.date, AfterValidator(_plausible_for_api)]
