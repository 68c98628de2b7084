"""The PDFs of the impact app, rendered with WeasyPrint in the reader's language: a consultant's
certificate for a mission, a firm's CSR report, the "convince my management" one-pager."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.template.loader import render_to_string
from django.utils import timezone, translation

from relais.core.mail import supported_language

if TYPE_CHECKING:
    from relais.accounts.models import Organisation
    from relais.bench.models import Mission
    from relais.impact.models import Argument


def _pdf(template: str, context: dict[str, Any], language: str) -> bytes:
    from weasyprint import HTML

    with translation.override(supported_language(language)):
        html = render_to_string(
            template, {**context, "printed_on": timezone.localdate(), "language": language}
        )
    return bytes(HTML(string=html).write_pdf())


def certificate_pdf(mission: Mission, language: str) -> bytes:
    from relais.impact import selectors

    contribution = selectors.mission_contribution(mission)
    credential = selectors.credentials_of_mission(mission).filter(revoked_at__isnull=True).first()
    return _pdf(
        "impact/certificate.html",
        {
            "c": contribution,
            "mission": mission,
            "credential": credential,
            "issuer": selectors.operator_name(),
        },
        language,
    )


def csr_report_pdf(firm: Organisation, language: str) -> bytes:
    from relais.impact import selectors

    with translation.override(supported_language(language)):
        report = selectors.csr_report(firm)
    return _pdf("impact/csr_report.html", {"r": report, "firm": firm}, language)


def argument_pdf(argument: Argument, language: str) -> bytes:
    from relais.impact import selectors

    with translation.override(supported_language(language)):
        content = selectors.argument_content(argument)
    return _pdf("impact/argument_pdf.html", {"a": content, "argument": argument}, language)
