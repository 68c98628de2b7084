"""State changes of the site app: the legal pages operator staff write."""

from __future__ import annotations

from pathlib import Path
from string import Template
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from relais.accounts.audit import audit
from relais.site import privacy
from relais.site.models import LegalPage, LegalPageKind

if TYPE_CHECKING:
    from django.http import HttpRequest

    from relais.accounts.models import User

LEGAL_DIR = Path(__file__).resolve().parent / "legal"
LEGAL_PAGE_MAX = LegalPage._meta.get_field("body").max_length or 50_000


def legal_page_default(kind: str, language: str) -> str:
    """The text shown until operator staff write the page: a real notice for this platform, the
    operator's own details left as clearly marked placeholders; the retention periods are the
    ones the retention job applies."""
    language = language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    text = (LEGAL_DIR / f"{LegalPageKind(kind).value}.{language}.md").read_text()
    return Template(text).safe_substitute(
        invitation_days=privacy.INVITATION_KEPT_DAYS,
        unconfirmed_days=privacy.UNCONFIRMED_ACCOUNT_KEPT_DAYS,
        roster_days=privacy.UNUSED_ROSTER_ROW_KEPT_DAYS,
        documents_years=privacy.SIGNED_DOCUMENTS_KEPT_YEARS,
        audit_days=privacy.AUDIT_EVENT_KEPT_DAYS,
        privacy_url=reverse("site:privacy"),
    )


def legal_page_save(
    *, staff: User, kind: str, language: str, body: str, request: HttpRequest | None = None
) -> LegalPage:
    """Operator staff write the privacy notice or the legal notice in one language; each change
    is written to the audit log."""
    if not staff.is_operator_staff:
        raise PermissionDenied
    if kind not in LegalPageKind.values or language not in dict(settings.LANGUAGES):
        raise ValidationError(_("There is no such page."))
    body = body.strip()
    if not body:
        raise ValidationError({"body": _("Write the text of the page.")})
    if len(body) > LEGAL_PAGE_MAX:
        raise ValidationError(
            {
                "body": _("The text is too long (%(max)s characters at most).")
                % {"max": LEGAL_PAGE_MAX}
            }
        )
    with transaction.atomic():
        page, _created = LegalPage.objects.select_for_update().get_or_create(
            kind=kind,
            language=language,
            defaults={"body": body, "updated_by": staff, "updated_at": timezone.now()},
        )
        if not _created:
            page.body = body
            page.updated_by = staff
            page.updated_at = timezone.now()
            page.save(update_fields=["body", "updated_by", "updated_at"])
        audit(
            "legal_page.updated",
            actor=staff,
            target=str(page),
            request=request,
            kind=kind,
            language=language,
        )
    return page


def legal_pages_seed() -> int:
    """Writes the default notices of the pages not written yet (demo data); returns how many."""
    created = 0
    for kind in LegalPageKind.values:
        for language, _name in settings.LANGUAGES:
            _page, new = LegalPage.objects.get_or_create(
                kind=kind, language=language, defaults={"body": legal_page_default(kind, language)}
            )
            created += new
    return created
