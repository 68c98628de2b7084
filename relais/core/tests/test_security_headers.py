"""Security headers on every page, templates the Content-Security-Policy allows, and logs that
name the request they come from."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from django.core import mail
from django.http import HttpResponse
from django.test import RequestFactory, override_settings
from django.urls import path

from relais.core.middleware import RequestIdFilter, RequestIdMiddleware

pytestmark = pytest.mark.django_db

TEMPLATES = sorted(Path(__file__).resolve().parents[2].glob("*/templates/**/*.html"))
# Rendered to PDF by WeasyPrint on the server, never served to a browser.
PDF_TEMPLATES = {
    "bench/agreement.html",
    "bench/amendment.html",
    "billing/invoice_pdf.html",
    "billing/receipt_pdf.html",
    "impact/argument_pdf.html",
    "impact/certificate.html",
    "impact/csr_report.html",
}


def _policy(response) -> dict[str, list[str]]:
    return {
        name: values
        for name, *values in (
            part.split() for part in response["Content-Security-Policy"].split(";") if part.strip()
        )
    }


def test_every_page_has_a_strict_content_security_policy(client):
    policy = _policy(client.get("/"))

    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    sources = " ".join(" ".join(values) for values in policy.values())
    assert "'unsafe-inline'" not in sources
    assert "'unsafe-eval'" not in sources


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_template_holds_inline_script_style_or_event_handler(template):
    if template.relative_to(template.parents[1]).as_posix() in PDF_TEMPLATES:
        return
    text = template.read_text()

    assert re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", text) == []
    assert re.findall(r"<style\b", text) == []
    assert re.findall(r"\sstyle\s*=", text) == []
    assert re.findall(r"\son[a-z]+\s*=", text) == []
    assert re.findall(r"\bhx-on\b|javascript:", text) == []


def test_htmx_is_told_not_to_inject_styles_or_evaluate_code(client):
    page = client.get("/").content.decode()

    assert re.search(
        r'<meta name="htmx-config" content=\'\{[^\']*"includeIndicatorStyles": false', page
    )
    assert '"allowEval": false' in page


def test_the_api_docs_load_swagger_from_this_site_not_a_cdn(client, alice):
    client.force_login(alice)
    response = client.get("/api/v1/docs")

    assert response.status_code == 200
    assert "cdn.jsdelivr.net" not in response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in response.content.decode()
    assert _policy(response)["script-src"] == ["'self'"]


def test_pages_refuse_browser_features_and_send_the_referrer_only_to_this_site(client):
    response = client.get("/")

    assert "camera=()" in response["Permissions-Policy"]
    assert "microphone=()" in response["Permissions-Policy"]
    assert "geolocation=()" in response["Permissions-Policy"]
    assert "payment=()" in response["Permissions-Policy"]
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_nothing_shown_to_a_signed_in_user_may_be_stored_by_a_cache(client, alice):
    assert "no-store" not in client.get("/projects/").get("Cache-Control", "")

    client.force_login(alice)
    for url in ["/", "/projects/", "/dashboard/", "/settings/", "/api/v1/openapi.json"]:
        response = client.get(url)
        assert response.status_code in {200, 302}, url
        assert "no-store" in response["Cache-Control"], url
        assert "private" in response["Cache-Control"], url


def test_each_response_carries_a_request_id_a_valid_incoming_one_is_kept(client):
    generated = client.get("/")["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", generated)
    assert client.get("/")["X-Request-ID"] != generated

    assert client.get("/", HTTP_X_REQUEST_ID="proxy-1234abcd")["X-Request-ID"] == "proxy-1234abcd"
    forged = client.get("/", HTTP_X_REQUEST_ID="x] ERROR forged line")["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", forged)


def test_log_lines_carry_time_level_logger_and_the_request_id():
    console = next(
        handler
        for handler in logging.getLogger().handlers
        if any(isinstance(f, RequestIdFilter) for f in handler.filters)
    )
    lines = []

    def view(request):
        record = logging.LogRecord("relais.example", logging.WARNING, __file__, 1, "hi", None, None)
        console.filter(record)
        lines.append(console.format(record))
        return HttpResponse()

    response = RequestIdMiddleware(view)(
        RequestFactory().get("/", HTTP_X_REQUEST_ID="req-12345678")
    )

    assert response["X-Request-ID"] == "req-12345678"
    assert re.fullmatch(
        r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} WARNING relais\.example \[req-12345678\] hi",
        lines[0],
    )


def _broken_view(request):
    raise RuntimeError("boom")


urlpatterns = [path("broken/", _broken_view)]


@override_settings(ROOT_URLCONF=__name__, ADMINS=[("Ops", "ops@relais.example")], DEBUG=False)
def test_a_server_error_is_mailed_once_to_the_admins(client):
    client.raise_request_exception = False

    response = client.get("/broken/")

    assert response.status_code == 500
    assert [message.to for message in mail.outbox] == [["ops@relais.example"]]
    assert "boom" in mail.outbox[0].body
